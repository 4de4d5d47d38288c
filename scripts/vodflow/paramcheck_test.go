package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/ncpfunctionstest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// exampleFilledIn is params.example.json with what `vodflow local --params`
// uses filled in (the emulator's keys and URL), edited by edit, written to
// a file.
func exampleFilledIn(t *testing.T, apiURL string, edit func(p *paramsfile.File)) string {
	t.Helper()
	p, err := paramsfile.Load(filepath.Join(repoRootForTest(t), "params.example.json"))
	require.NoError(t, err)
	p.Package.Parameters["NCLOUD_ACCESS_KEY"] = "AK-pc"
	p.Package.Parameters["NCLOUD_SECRET_KEY"] = "SK-pc-secret"
	p.Package.Parameters["API_URL"] = apiURL
	p.Package.Parameters["BUCKET_NAME"] = "uploads"
	p.Actions["lookup-category"].Parameters["CATEGORY_NAME"] = "mine"
	p.Actions["add-files"].Parameters["NOTIFICATION_URL"] = ""
	if edit != nil {
		edit(p)
	}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

func emulatorForParams(t *testing.T) *vodstationtest.Server {
	t.Helper()
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: "AK-pc", SecretKey: "SK-pc-secret"})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "mine"})
	return vod
}

// TestLocalParamsJudgesOnlyWhatItUses: local --params runs the sequence,
// so encoding-callback's placeholders (CALLBACK_TOKEN, CHANNEL_ID) and
// WEBHOOK_SECRET with WEBHOOK_URL empty do not stop it; a placeholder
// inside a value it uses (NOTIFICATION_URL) and an unknown name do.
func TestLocalParamsJudgesOnlyWhatItUses(t *testing.T) {
	vod := emulatorForParams(t)
	tests := []struct {
		name string
		edit func(p *paramsfile.File)
		code int
		want []string
		not  []string
	}{
		{name: "unused placeholders left in", code: 0, want: []string{"submitted 1 file(s)"}},
		{name: "a placeholder inside NOTIFICATION_URL", code: 1, edit: func(p *paramsfile.File) {
			p.Actions["add-files"].Parameters["NOTIFICATION_URL"] = "https://YOUR_API_GATEWAY_HOST/vodflow/v1/callback?token=YOUR_CALLBACK_TOKEN"
		}, want: []string{`still has placeholder values that vodflow local would use: actions.add-files.NOTIFICATION_URL (fill it in, or set it to "" to turn the feature off)`},
			not: []string{"CALLBACK_TOKEN (", "CHANNEL_ID", "WEBHOOK_SECRET"}},
		{name: "WEBHOOK_SECRET once WEBHOOK_URL is set", code: 1, edit: func(p *paramsfile.File) {
			p.Package.Parameters["WEBHOOK_URL"] = "https://hooks.example/v"
		}, want: []string{"package.WEBHOOK_SECRET (fill it in)"}},
		{name: "a typo", code: 1, edit: func(p *paramsfile.File) {
			p.Actions["lookup-category"].Parameters["INPUT_PREFX"] = "uploads/"
		}, want: []string{"actions.lookup-category.INPUT_PREFX: unknown parameter INPUT_PREFX; did you mean INPUT_PREFIX?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := exampleFilledIn(t, vod.URL, tt.edit)
			r := exe(t, "", "local", "--params", path)
			assert.Equal(t, tt.code, r.code, r.stdout+r.stderr)
			for _, w := range tt.want {
				assert.Contains(t, r.stdout+r.stderr, w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, r.stderr, n)
			}
			if tt.code != 0 {
				assert.Contains(t, r.stderr, path, "the message names the file")
			}
		})
	}
}

// placeholderWheres picks the places a refusal or check names as
// placeholders.
func placeholderWheres(s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^error (\S+): still a placeholder`).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	if _, list, ok := strings.Cut(s, "would use: "); ok {
		list, _, _ = strings.Cut(list, "; -p")
		for _, part := range strings.Split(list, "), ") {
			where, _, _ := strings.Cut(part, " (")
			out = append(out, where)
		}
	}
	sort.Strings(out)
	return out
}

// TestDeployAndCheckRefuseTheSamePlaceholders: deploy refuses every
// placeholder it would send (CALLBACK_TOKEN is public; the trigger's bucket
// and event rule; a placeholder inside a URL), check reports exactly the
// same ones as errors, and neither blocks WEBHOOK_SECRET while WEBHOOK_URL
// is empty.
func TestDeployAndCheckRefuseTheSamePlaceholders(t *testing.T) {
	noCredsFromEnv(t)
	srv := ncpfunctionstest.New(deployAK, deploySecret)
	t.Cleanup(srv.Close)
	filled := func(p *paramsfile.File) {
		p.Package.Parameters["NCLOUD_ACCESS_KEY"] = deployAK
		p.Package.Parameters["NCLOUD_SECRET_KEY"] = deploySecret
		p.Actions["encoding-callback"].Parameters["CALLBACK_TOKEN"] = deployCallbackToken
		p.Actions["encoding-callback"].Parameters["CHANNEL_ID"] = ""
		p.Trigger.BucketName, p.Trigger.EventRuleName = "uploads", "on-put"
		p.Deploy.Platform = "classic"
	}
	tests := []struct {
		name string
		edit func(p *paramsfile.File)
		want []string
	}{
		{name: "a placeholder CALLBACK_TOKEN", edit: func(p *paramsfile.File) {
			p.Actions["encoding-callback"].Parameters["CALLBACK_TOKEN"] = "YOUR_CALLBACK_TOKEN"
		}, want: []string{"actions.encoding-callback.CALLBACK_TOKEN"}},
		{name: "the trigger's bucket and rule", edit: func(p *paramsfile.File) {
			p.Trigger.BucketName, p.Trigger.EventRuleName = "YOUR_UPLOAD_BUCKET", "YOUR_BUCKET_EVENT_RULE"
		}, want: []string{"trigger.bucket_name", "trigger.event_rule_name"}},
		{name: "inside NOTIFICATION_URL", edit: func(p *paramsfile.File) {
			p.Actions["add-files"].Parameters["NOTIFICATION_URL"] = "https://YOUR_API_GATEWAY_HOST/cb?token=YOUR_CALLBACK_TOKEN"
		}, want: []string{"actions.add-files.NOTIFICATION_URL"}},
		{name: "the VPC numbers on platform vpc", edit: func(p *paramsfile.File) {
			p.Deploy.Platform = "vpc"
		}, want: []string{"deploy.subnet_no", "deploy.vpc_no"}},
		{name: "only WEBHOOK_SECRET, with WEBHOOK_URL empty", edit: func(p *paramsfile.File) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := exampleFilledIn(t, "https://vodstation.apigw.ntruss.com", func(p *paramsfile.File) { filled(p); tt.edit(p) })
			r := exe(t, "", "deploy", "--target", "ncp", "--params", path, "--api-url", srv.URL, "--no-build")
			c := exe(t, "", "check", "--params", path)
			if len(tt.want) == 0 {
				assert.NotContains(t, r.stderr, "placeholder", "deploy gets past the placeholders")
				assert.Equal(t, 0, c.code, c.stdout)
				assert.Contains(t, c.stdout, "note  package.WEBHOOK_SECRET: still a placeholder, but deploy does not use it: WEBHOOK_URL is empty")
				return
			}
			assert.Equal(t, 1, r.code, r.stderr)
			assert.Contains(t, r.stderr, path+" still has placeholder values that vodflow deploy would use")
			assert.Equal(t, tt.want, placeholderWheres(r.stderr), r.stderr)
			assert.Equal(t, 1, c.code)
			assert.Equal(t, tt.want, placeholderWheres(c.stdout), "check agrees with deploy: %s", c.stdout)
		})
	}
}

// TestDeployRefusesUnknownNamesWithTheRightName: deploy names the file it
// read and the closest known name, and check says the same.
func TestDeployRefusesUnknownNamesWithTheRightName(t *testing.T) {
	noCredsFromEnv(t)
	tests := []struct{ section, key, want string }{
		{section: "lookup-category", key: "CATEGORY_NAEM", want: "unknown parameter CATEGORY_NAEM; did you mean CATEGORY_NAME?"},
		{section: "add-files", key: "DEDUP_WINDWO", want: "unknown parameter DEDUP_WINDWO; did you mean DEDUP_WINDOW?"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			path := writeParams(t, `{"platform": "classic"}`)
			p, err := paramsfile.Load(path)
			require.NoError(t, err)
			a := p.Actions[tt.section]
			if a.Parameters == nil {
				a.Parameters = map[string]any{}
			}
			a.Parameters[tt.key] = 1
			p.Actions[tt.section] = a
			b, err := json.Marshal(p)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, b, 0o600))

			r := exe(t, "", "deploy", "--target", "ncp", "--params", path, "--dry-run")
			assert.Equal(t, 1, r.code)
			assert.Contains(t, r.stderr, path+": actions."+tt.section+"."+tt.key+": "+tt.want)
			assert.NotContains(t, r.stderr, "add NAME: $NAME", "the user is not told to edit sequence.yaml")
			c := exe(t, "", "check", "--params", path)
			assert.Contains(t, c.stdout, "error actions."+tt.section+"."+tt.key+": "+tt.want)
		})
	}
}
