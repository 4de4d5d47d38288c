package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/ncpfunctionstest"
)

// TestDeployDryRunHidesURLSecrets: a ?token= in NOTIFICATION_URL and a
// userinfo password in WEBHOOK_URL appear in no dry-run line, not even
// their first 6 characters.
func TestDeployDryRunHidesURLSecrets(t *testing.T) {
	const notifyToken, hookPass = "SNTNTF-dry-run-token", "SNTHKP-dry-run-pass"
	noCredsFromEnv(t)
	ncp := ncpfunctionstest.New(deployAK, deploySecret)
	t.Cleanup(ncp.Close)
	path := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(path, []byte(`{
  "package": {"parameters": {"NCLOUD_ACCESS_KEY": "`+deployAK+`", "NCLOUD_SECRET_KEY": "`+deploySecret+`", "REGION": "KR",
    "WEBHOOK_URL": "https://user:`+hookPass+`@hooks.example/x", "WEBHOOK_SECRET": "SNTWHS-dry-run-secret"}},
  "actions": {"lookup-category": {"parameters": {"CATEGORY_NAME": "movies", "BUCKET_NAME": "uploads"}},
              "add-files": {"parameters": {"NOTIFICATION_URL": "https://gw.example/vodflow/v1/callback?token=`+notifyToken+`"}},
              "encoding-callback": {"parameters": {"CALLBACK_TOKEN": "`+notifyToken+`", "CHANNEL_ID": "vs-1"}}},
  "trigger": {"bucket_name": "uploads", "event_rule_name": "on-put"},
  "deploy": {"platform": "classic"}
}`), 0o600))

	out, _, err := runCmd(t, "deploy", "--dry-run", "--params", path, "--target", "ncp", "--api-url", ncp.URL)
	require.NoError(t, err, out)
	require.Contains(t, out, "plan for ncp (dry run: nothing is sent)")
	assert.Contains(t, out, `"NOTIFICATION_URL": "https://gw.example/vodflow/v1/callback?token=[redacted]"`)
	assert.Contains(t, out, `"WEBHOOK_URL": "https://user:[redacted]@hooks.example/x"`)
	for _, s := range []string{notifyToken, hookPass, "SNTWHS-dry-run-secret", deploySecret} {
		assert.NotContains(t, out, s[:6])
	}
	assert.Empty(t, ncp.Requests(), "a dry run sends nothing")
}
