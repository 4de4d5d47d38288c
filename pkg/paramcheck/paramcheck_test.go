package paramcheck_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/paramcheck"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func load(t *testing.T) (*paramsfile.File, *manifest.File) {
	t.Helper()
	p, err := paramsfile.Load(filepath.Join(repoRoot(), "params.example.json"))
	require.NoError(t, err)
	mf, err := manifest.Load(filepath.Join(repoRoot(), manifest.FileName))
	require.NoError(t, err)
	return p, mf
}

func used(phs []paramcheck.Placeholder) []string {
	out := []string{}
	for _, ph := range phs {
		if ph.Used {
			out = append(out, ph.Where)
		}
	}
	return out
}

func TestPlaceholdersTheCommandUses(t *testing.T) {
	tests := []struct {
		name string
		cmd  paramcheck.Command
		want []string
	}{
		{name: "local runs the sequence only", cmd: paramcheck.Command{Name: "local"}, want: []string{
			"actions.add-files.NOTIFICATION_URL", "actions.lookup-category.CATEGORY_NAME",
			"package.BUCKET_NAME", "package.NCLOUD_ACCESS_KEY", "package.NCLOUD_SECRET_KEY"}},
		{name: "local --action encoding-callback", cmd: paramcheck.Command{Name: "local", Action: "encoding-callback"}, want: []string{
			"actions.encoding-callback.CALLBACK_TOKEN", "actions.encoding-callback.CHANNEL_ID",
			"package.BUCKET_NAME", "package.NCLOUD_ACCESS_KEY", "package.NCLOUD_SECRET_KEY"}},
		{name: "deploy to NCP on vpc", cmd: paramcheck.Command{Name: "deploy", Target: "ncp", Platform: "vpc"}, want: []string{
			"actions.add-files.NOTIFICATION_URL", "actions.encoding-callback.CALLBACK_TOKEN", "actions.encoding-callback.CHANNEL_ID",
			"actions.lookup-category.CATEGORY_NAME", "deploy.subnet_no", "deploy.vpc_no",
			"package.BUCKET_NAME", "package.NCLOUD_ACCESS_KEY", "package.NCLOUD_SECRET_KEY",
			"trigger.bucket_name", "trigger.event_rule_name"}},
		{name: "deploy to NCP with the VPC flags", cmd: paramcheck.Command{Name: "deploy", Target: "ncp", Platform: "vpc",
			Flags: map[string]bool{"vpc-no": true, "subnet-no": true}}, want: []string{
			"actions.add-files.NOTIFICATION_URL", "actions.encoding-callback.CALLBACK_TOKEN", "actions.encoding-callback.CHANNEL_ID",
			"actions.lookup-category.CATEGORY_NAME", "package.BUCKET_NAME", "package.NCLOUD_ACCESS_KEY", "package.NCLOUD_SECRET_KEY",
			"trigger.bucket_name", "trigger.event_rule_name"}},
		{name: "deploy to OpenWhisk", cmd: paramcheck.Command{Name: "deploy", Target: "openwhisk"}, want: []string{
			"actions.add-files.NOTIFICATION_URL", "actions.encoding-callback.CALLBACK_TOKEN", "actions.encoding-callback.CHANNEL_ID",
			"actions.lookup-category.CATEGORY_NAME", "package.BUCKET_NAME", "package.NCLOUD_ACCESS_KEY", "package.NCLOUD_SECRET_KEY"}},
		{name: "check judges as a deploy to NCP", cmd: paramcheck.Command{Name: "check", Platform: "vpc"}, want: []string{
			"actions.add-files.NOTIFICATION_URL", "actions.encoding-callback.CALLBACK_TOKEN", "actions.encoding-callback.CHANNEL_ID",
			"actions.lookup-category.CATEGORY_NAME", "deploy.subnet_no", "deploy.vpc_no",
			"package.BUCKET_NAME", "package.NCLOUD_ACCESS_KEY", "package.NCLOUD_SECRET_KEY",
			"trigger.bucket_name", "trigger.event_rule_name"}},
		{name: "undeploy signs with the package keys", cmd: paramcheck.Command{Name: "undeploy", Target: "ncp"}, want: []string{
			"package.NCLOUD_ACCESS_KEY", "package.NCLOUD_SECRET_KEY"}},
		{name: "undeploy with keys from the environment", cmd: paramcheck.Command{Name: "undeploy", Target: "ncp", EnvCredentials: true}, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, mf := load(t)
			u := paramcheck.For(tt.cmd, mf)
			phs := paramcheck.Placeholders(p, u)
			assert.Equal(t, tt.want, used(phs))
			for _, ph := range phs {
				if ph.Where == "package.WEBHOOK_SECRET" {
					assert.False(t, ph.Used, "WEBHOOK_URL is empty: the secret signs nothing")
					if tt.cmd.Name != "undeploy" {
						assert.Contains(t, ph.Unused, "WEBHOOK_URL is empty")
					}
				}
				if !ph.Used {
					assert.NotEmpty(t, ph.Unused, ph.Where)
				}
			}
		})
	}
}

func TestPlaceholderRules(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(p *paramsfile.File)
		where  string
		used   bool
		hint   string
		absent bool
	}{
		{name: "inside a URL", edit: func(p *paramsfile.File) {}, where: "actions.add-files.NOTIFICATION_URL", used: true,
			hint: `fill it in, or set it to "" to turn the feature off`},
		{name: "a required one", edit: func(p *paramsfile.File) {}, where: "package.NCLOUD_SECRET_KEY", used: true, hint: "fill it in"},
		{name: "inside a list", edit: func(p *paramsfile.File) {
			p.Actions["lookup-category"].Parameters["EXCLUDE_PREFIXES"] = []any{"encoded/", "YOUR_OUTPUT_PATH/"}
		}, where: "actions.lookup-category.EXCLUDE_PREFIXES", used: true},
		{name: "the webhook secret once the webhook is on", edit: func(p *paramsfile.File) {
			p.Package.Parameters["WEBHOOK_URL"] = "https://hooks.example/v"
		}, where: "package.WEBHOOK_SECRET", used: true, hint: "fill it in"},
		{name: "set to empty turns it off", edit: func(p *paramsfile.File) {
			p.Actions["add-files"].Parameters["NOTIFICATION_URL"] = ""
		}, where: "actions.add-files.NOTIFICATION_URL", absent: true},
		{name: "an angle-bracket placeholder", edit: func(p *paramsfile.File) {
			p.Package.Parameters["REGION"] = "<region>"
		}, where: "package.REGION", used: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, mf := load(t)
			tt.edit(p)
			phs := paramcheck.Placeholders(p, paramcheck.For(paramcheck.Command{Name: "local"}, mf))
			var got *paramcheck.Placeholder
			for i := range phs {
				if phs[i].Where == tt.where {
					got = &phs[i]
				}
			}
			if tt.absent {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got, "%v", phs)
			assert.Equal(t, tt.used, got.Used)
			if tt.hint != "" {
				assert.Equal(t, tt.hint, got.Hint)
			}
		})
	}
}

func TestRefusalSaysWhatToDo(t *testing.T) {
	p, mf := load(t)
	u := paramcheck.For(paramcheck.Command{Name: "local"}, mf)
	err := paramcheck.Refusal("params.json", u, paramcheck.Placeholders(p, u))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "params.json still has placeholder values that vodflow local would use: ")
	assert.Contains(t, err.Error(), `actions.add-files.NOTIFICATION_URL (fill it in, or set it to "" to turn the feature off)`)
	assert.Contains(t, err.Error(), "package.NCLOUD_SECRET_KEY (fill it in)")
	assert.NotContains(t, err.Error(), "CALLBACK_TOKEN", "encoding-callback does not run in local")
	assert.NotContains(t, err.Error(), "WEBHOOK_SECRET", "WEBHOOK_URL is empty")
	assert.NoError(t, paramcheck.Refusal("params.json", u, nil))
}

func TestUnknownNames(t *testing.T) {
	tests := []struct {
		name, section, key, want string
	}{
		{name: "a typo in lookup-category", section: "lookup-category", key: "INPUT_PREFX", want: "unknown parameter INPUT_PREFX; did you mean INPUT_PREFIX?"},
		{name: "swapped letters", section: "lookup-category", key: "CATEGORY_NAEM", want: "unknown parameter CATEGORY_NAEM; did you mean CATEGORY_NAME?"},
		{name: "a typo in add-files", section: "add-files", key: "DEDUP_WINDWO", want: "unknown parameter DEDUP_WINDWO; did you mean DEDUP_WINDOW?"},
		{name: "nothing close", section: "add-files", key: "COLOUR", want: "unknown parameter COLOUR: no vodflow action reads it; remove it (an action of your own needs COLOUR: $COLOUR under its inputs in sequence.yaml)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, mf := load(t)
			p.Actions[tt.section].Parameters[tt.key] = "x"
			unknown := paramcheck.UnknownNames(p, mf)
			require.Len(t, unknown, 1)
			assert.Equal(t, "actions."+tt.section+"."+tt.key, unknown[0].Where)
			assert.Equal(t, tt.want, unknown[0].Message())
			err := paramcheck.UnknownError("my-params.json", unknown)
			assert.EqualError(t, err, "my-params.json: actions."+tt.section+"."+tt.key+": "+tt.want)
		})
	}
	p, mf := load(t)
	assert.Empty(t, paramcheck.UnknownNames(p, mf), "the example holds only known names")
	assert.NoError(t, paramcheck.UnknownError("params.json", nil))
}
