package paramsfile_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/paramsfile"
)

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func TestExampleFileParsesAndHoldsPlaceholders(t *testing.T) {
	f, err := paramsfile.Load(filepath.Join(repoRoot(t), "params.example.json"))
	require.NoError(t, err)
	assert.Equal(t, "vodflow", f.Package.Name)
	assert.Equal(t, "YOUR_SECRET_KEY", f.Package.Parameters["NCLOUD_SECRET_KEY"])
	assert.Contains(t, f.Actions, "lookup-category")
	assert.Contains(t, f.Actions, "add-files")
	assert.NotEmpty(t, f.Trigger.BucketName)
}

func TestParseIsStrict(t *testing.T) {
	_, err := paramsfile.Parse([]byte(`{"pakage":{}}`))
	assert.ErrorContains(t, err, `unknown field "pakage"`)
	_, err = paramsfile.Parse([]byte(`{"trigger":{"bucket":"x"}}`))
	assert.ErrorContains(t, err, `unknown field "bucket"`)
}

func TestDefaults(t *testing.T) {
	f, err := paramsfile.Parse([]byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, "vodflow", f.Package.Name)
	assert.Equal(t, "vodflow-upload", f.Trigger.Name)
	assert.NotNil(t, f.ActionParameters("nope"))
}

func TestMasked(t *testing.T) {
	in := map[string]any{"NCLOUD_SECRET_KEY": "s3cr3t", "NCLOUD_ACCESS_KEY": "AK", "WEBHOOK_SECRET": "", "N": 3}
	out := paramsfile.Masked(in)
	assert.Equal(t, map[string]any{"NCLOUD_SECRET_KEY": "****", "NCLOUD_ACCESS_KEY": "AK", "WEBHOOK_SECRET": "", "N": 3}, out)
	assert.Equal(t, "s3cr3t", in["NCLOUD_SECRET_KEY"], "input untouched")
}

func TestLoadMissingFile(t *testing.T) {
	_, err := paramsfile.Load(filepath.Join(t.TempDir(), "params.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestExampleDeploySectionHoldsPlaceholders(t *testing.T) {
	f, err := paramsfile.Load(filepath.Join(repoRoot(t), "params.example.json"))
	require.NoError(t, err)
	assert.Equal(t, "vpc", f.Deploy.Platform)
	assert.Equal(t, "kr", f.Deploy.Region)
	_, err = f.Deploy.VPCNo.Int("deploy.vpc_no")
	assert.ErrorContains(t, err, `deploy.vpc_no "YOUR_VPC_NO" is not a positive integer`)
	_, err = f.Deploy.SubnetNo.Int("deploy.subnet_no")
	assert.Error(t, err)
}

func TestDeploySection(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
		vpc, subnet       int64
	}{
		{name: "numbers", in: `{"deploy":{"platform":"vpc","vpc_no":123,"subnet_no":"456"}}`, vpc: 123, subnet: 456},
		{name: "classic", in: `{"deploy":{"platform":"classic","region":"kr"}}`},
		{name: "bad platform", in: `{"deploy":{"platform":"vcp"}}`, wantErr: `deploy.platform "vcp"`},
		{name: "bad region", in: `{"deploy":{"region":"us"}}`, wantErr: `deploy.region "us"`},
		{name: "unknown field", in: `{"deploy":{"vpc":1}}`, wantErr: `unknown field "vpc"`},
		{name: "bad number", in: `{"deploy":{"vpc_no":true}}`, wantErr: "want a number or a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := paramsfile.Parse([]byte(tt.in))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.vpc != 0 {
				v, err := f.Deploy.VPCNo.Int("vpc_no")
				require.NoError(t, err)
				assert.Equal(t, tt.vpc, v)
				s, err := f.Deploy.SubnetNo.Int("subnet_no")
				require.NoError(t, err)
				assert.Equal(t, tt.subnet, s)
			}
		})
	}
}

func TestSecretsKnowEveryParameter(t *testing.T) {
	f, err := paramsfile.Parse([]byte(`{
  "package": {"parameters": {"NCLOUD_SECRET_KEY": "SNTSKY-secret", "NCLOUD_ACCESS_KEY": "AKID-shown",
    "WEBHOOK_URL": "https://user:SNTHKP-pass@hooks.example/x"}},
  "actions": {"add-files": {"parameters": {"NOTIFICATION_URL": "https://gw/cb?token=SNTNTF-token"}},
              "encoding-callback": {"parameters": {"CALLBACK_TOKEN": "SNTCBT-token"}}},
  "trigger": {"parameters": {"UPLOAD_TOKEN": "SNTUPL-token"}},
  "deploy": {"api_url": "https://u:SNTAPI-pass@cf.example"}
}`))
	require.NoError(t, err)
	s := f.Secrets()
	out := s.String("SNTSKY-secret AKID-shown SNTHKP-pass SNTNTF-token SNTCBT-token SNTUPL-token SNTAPI-pass")
	assert.Equal(t, "[redacted] AKID-shown [redacted] [redacted] [redacted] [redacted] [redacted]", out)
}

func TestMaskedURLs(t *testing.T) {
	out := paramsfile.Masked(map[string]any{"NOTIFICATION_URL": "https://gw/cb?token=SNTNTF-token&a=1", "API_URL": "http://u:SNTAPI-pass@h:badport"})
	assert.Equal(t, map[string]any{"NOTIFICATION_URL": "https://gw/cb?token=[redacted]&a=1", "API_URL": "http://u:[redacted]@h:badport"}, out)
}
