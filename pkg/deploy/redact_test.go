package deploy_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/ncpapi"
)

// Sentinels; their first 6 bytes appear nowhere else.
const (
	notifyToken = "SNTNTF-notify-token-1"
	hookPass    = "SNTHKP-hook-password"
	secretKey   = "SNTSKY-secret-key-123"
)

func params() map[string]any {
	return map[string]any{
		"NCLOUD_SECRET_KEY": secretKey,
		"NOTIFICATION_URL":  "https://gw.example/cb?token=" + notifyToken,
		"WEBHOOK_URL":       "https://user:" + hookPass + "@hooks.example/x",
		"REGION":            "KR",
	}
}

func noLeak(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{notifyToken, hookPass, secretKey} {
		assert.NotContains(t, out, s[:6])
	}
}

func TestPlanShowsNoSecretOfAnyParameter(t *testing.T) {
	var out bytes.Buffer
	deploy.PrintPlan(deploy.Secrets(params()).Writer(&out), "ncp", []deploy.Step{{Resource: "package vodflow", Request: "PUT /p",
		Show: map[string]any{"parameters": deploy.ShowParams(params())}}})
	plan := out.String()
	assert.Contains(t, plan, `"NOTIFICATION_URL": "https://gw.example/cb?token=[redacted]"`)
	assert.Contains(t, plan, `"WEBHOOK_URL": "https://user:[redacted]@hooks.example/x"`)
	assert.Contains(t, plan, `"NCLOUD_SECRET_KEY": "****"`)
	noLeak(t, plan)
}

func TestApplyScrubsErrorsBeforeClipping(t *testing.T) {
	pad := strings.Repeat("p", 290)
	failing := deploy.Step{Resource: "action a", Apply: func(ctx context.Context) (string, error) {
		return "", ncpapi.ParseError(ctx, "PUT", "/a", 400, "application/json",
			[]byte(`{"error":{"errorCode":"1","message":"`+pad+notifyToken+`","details":"see https://user:`+hookPass+`@hooks.example/x"}}`))
	}}
	ok := deploy.Step{Resource: "package " + secretKey, Apply: func(context.Context) (string, error) { return "linked " + notifyToken, nil }}

	unscrubbed := ncpapi.ParseError(context.Background(), "PUT", "/a", 400, "application/json",
		[]byte(`{"error":{"message":"`+pad+notifyToken+`"}}`)).Error()
	require.Contains(t, unscrubbed, notifyToken[:6], "precondition: the clip cuts the secret")

	var out bytes.Buffer
	err := deploy.Apply(context.Background(), &out, "ncp", []deploy.Step{ok, failing}, deploy.Secrets(params()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "step 2/2, action a")
	assert.Contains(t, out.String(), "[1/2] package [redacted]")
	noLeak(t, err.Error()+out.String())
}
