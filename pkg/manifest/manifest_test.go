package manifest_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// exampleParams is a filled-in params.json.
const exampleParams = `{
  "package": {"name": "vodflow", "parameters": {"NCLOUD_ACCESS_KEY": "AK", "NCLOUD_SECRET_KEY": "SK-secret", "API_URL": "https://vodstation.apigw.ntruss.com", "REGION": "KR"}},
  "actions": {
    "lookup-category": {"parameters": {"CATEGORY_NAME": "movies", "BUCKET_NAME": "uploads", "CATEGORY_CACHE_TTL": 300, "KEY_DECODING": "auto"}},
    "add-files": {"parameters": {"NOTIFICATION_FIELD": "notificationUrl"}},
    "encoding-callback": {"parameters": {"CALLBACK_TOKEN": "cb-token", "CHANNEL_ID": "vs-1"}}
  },
  "trigger": {"name": "vodflow-upload", "bucket_name": "uploads", "event_rule_name": "on-put"}
}`

func resolveRepoManifest(t *testing.T, params string) (*manifest.Deployment, error) {
	t.Helper()
	f, err := manifest.Load(filepath.Join(repoRoot(), manifest.FileName))
	require.NoError(t, err)
	p, err := paramsfile.Parse([]byte(params))
	require.NoError(t, err)
	vars, err := manifest.VarsFromParams(p)
	if err != nil {
		return nil, err
	}
	return f.Resolve(vars)
}

func TestRepoManifestResolves(t *testing.T) {
	d, err := resolveRepoManifest(t, exampleParams)
	require.NoError(t, err)

	assert.Equal(t, "vodflow", d.Package.Name)
	assert.Equal(t, map[string]any{"NCLOUD_ACCESS_KEY": "AK", "NCLOUD_SECRET_KEY": "SK-secret", "API_URL": "https://vodstation.apigw.ntruss.com", "REGION": "KR",
		"BUCKET_NAME": "uploads"}, d.Package.Params, "BUCKET_NAME is bound at the package, for every action")
	require.Len(t, d.Actions, 6)
	lookup := d.Actions[0]
	assert.Equal(t, "lookup-category", lookup.Name)
	assert.Equal(t, "dist/lookup-category.zip", lookup.Function)
	assert.Equal(t, "go:1.19", lookup.Runtime)
	assert.Equal(t, "main", lookup.Main)
	assert.Equal(t, manifest.LimitsSpec{TimeoutMS: 60000, MemoryMB: 256}, lookup.Limits)
	assert.Equal(t, map[string]any{"CATEGORY_NAME": "movies", "CATEGORY_CACHE_TTL": float64(300), "KEY_DECODING": "auto"}, lookup.Params,
		"unset $VARs (CATEGORY_ID, INPUT_PREFIX, ...) leave the input unbound; numbers keep their type")
	assert.Equal(t, "add-files", d.Actions[1].Name)
	assert.Equal(t, map[string]any{"NOTIFICATION_FIELD": "notificationUrl"}, d.Actions[1].Params)
	assert.False(t, d.Actions[1].Web)
	rec := d.Actions[2]
	assert.Equal(t, "reconcile", rec.Name)
	assert.Equal(t, manifest.LimitsSpec{TimeoutMS: 300000, MemoryMB: 256}, rec.Limits)
	assert.Equal(t, map[string]any{"CATEGORY_NAME": "movies", "NOTIFICATION_FIELD": "notificationUrl"}, rec.Params)
	cb := d.Actions[3]
	assert.Equal(t, "encoding-callback", cb.Name)
	assert.True(t, cb.Web)
	assert.True(t, cb.RawHTTP, "raw HTTP: the request never overrides CALLBACK_TOKEN")
	assert.Equal(t, map[string]any{"CALLBACK_TOKEN": "cb-token", "CHANNEL_ID": "vs-1"}, cb.Params)
	up := d.Actions[4]
	assert.Equal(t, "upload-url", up.Name)
	assert.Equal(t, "dist/upload-url.zip", up.Function)
	assert.True(t, up.Web)
	assert.True(t, up.RawHTTP, "raw HTTP: the request never overrides UPLOAD_TOKEN")
	pu := d.Actions[5]
	assert.Equal(t, "playback-url", pu.Name)
	assert.True(t, pu.Web)
	assert.True(t, pu.RawHTTP, "raw HTTP: the request never overrides PLAYBACK_URL_TOKEN")
	assert.Equal(t, map[string]any{"CHANNEL_ID": "vs-1"}, pu.Params)

	assert.Equal(t, []manifest.SequenceSpec{{Name: "upload-sequence", Components: []string{"lookup-category", "add-files"}}}, d.Sequences)
	require.Len(t, d.Triggers, 2)
	assert.Equal(t, "vodflow-upload", d.Triggers[0].Name)
	assert.Equal(t, map[string]any{"ncp-trigger-type": "object_storage", "ncp-bucket-name": "uploads", "ncp-event-rule-name": "on-put"}, d.Triggers[0].Annotations)
	assert.Empty(t, d.Triggers[0].Params)
	assert.Empty(t, d.Triggers[0].Feed)
	sched := d.Triggers[1]
	assert.Equal(t, "vodflow-reconcile-schedule", sched.Name)
	assert.Equal(t, "/whisk.system/alarms/alarm", sched.Feed)
	assert.Equal(t, "cron", sched.Annotations["ncp-trigger-type"])
	assert.Equal(t, []manifest.RuleSpec{{Name: "vodflow-upload-rule", Trigger: "vodflow-upload", Action: "upload-sequence"},
		{Name: "vodflow-reconcile-rule", Trigger: "vodflow-reconcile-schedule", Action: "reconcile"}}, d.Rules)
}

func TestRepoManifestWithExampleParams(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), "params.example.json"))
	require.NoError(t, err)
	d, err := resolveRepoManifest(t, string(b))
	require.NoError(t, err, "every parameter of params.example.json is bound by sequence.yaml")
	assert.Equal(t, "YOUR_SECRET_KEY", d.Package.Params["NCLOUD_SECRET_KEY"])
}

func TestRepoManifestRejects(t *testing.T) {
	tests := []struct {
		name, params, wantErr string
	}{
		{name: "unused parameter", params: `{"actions": {"add-files": {"parameters": {"NOTIFY": "x"}}}}`,
			wantErr: "params.json sets actions.add-files.NOTIFY, but sequence.yaml binds no input to it"},
		{name: "conflicting values", params: `{"package": {"parameters": {"BUCKET_NAME": "a"}}, "actions": {"lookup-category": {"parameters": {"BUCKET_NAME": "b"}}}}`,
			wantErr: "params.json sets BUCKET_NAME differently in package and actions.lookup-category"},
		{name: "reserved name", params: `{"package": {"parameters": {"PACKAGE_NAME": "x"}}}`,
			wantErr: "PACKAGE_NAME, a name reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolveRepoManifest(t, tt.params)
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// thirdAction is the repository's manifest shape plus a web action: adding
// encoding-callback is one more entry.
const thirdAction = `
packages:
  $PACKAGE_NAME:
    inputs:
      NCLOUD_SECRET_KEY: $NCLOUD_SECRET_KEY
    actions:
      lookup-category:
        function: dist/lookup-category.zip
        runtime: go:1.19
      add-files:
        function: dist/add-files.zip
        runtime: go:1.19
      encoding-callback:
        function: dist/encoding-callback.zip
        runtime: go:1.19
        main: main
        web: raw
        limits: {timeout: 5000, memorySize: 128, logSize: 5}
        inputs:
          CALLBACK_SECRET: {type: string, value: $CALLBACK_SECRET, description: shared secret}
          GREETING: "hello ${WHO}!"
    sequences:
      upload-sequence:
        actions: lookup-category, add-files
    triggers:
      upload:
    rules:
      upload-rule: {trigger: upload, action: upload-sequence}
`

func TestThirdWebActionIsOneMoreEntry(t *testing.T) {
	f, err := manifest.Parse([]byte(thirdAction))
	require.NoError(t, err)
	d, err := f.Resolve(manifest.NewVars(map[string]any{"PACKAGE_NAME": "vf", "CALLBACK_SECRET": "cb-secret", "WHO": "world"}))
	require.NoError(t, err)
	require.Len(t, d.Actions, 3)
	cb, ok := d.Action("encoding-callback")
	require.True(t, ok)
	assert.True(t, cb.Web)
	assert.True(t, cb.RawHTTP)
	assert.Equal(t, manifest.LimitsSpec{TimeoutMS: 5000, MemoryMB: 128, LogSizeMB: 5}, cb.Limits)
	assert.Equal(t, map[string]any{"CALLBACK_SECRET": "cb-secret", "GREETING": "hello world!"}, cb.Params)
	assert.Equal(t, "main", d.Actions[0].Main, "main defaults to main")
}

func TestParseAndResolveErrors(t *testing.T) {
	base := func(body string) string {
		return "packages:\n  p:\n    actions:\n      a: {function: a.zip, runtime: go:1.19}\n      b: {function: b.zip, runtime: go:1.19}\n" + body
	}
	tests := []struct {
		name, yaml, wantErr string
		vars                map[string]any
	}{
		{name: "unknown key", yaml: "packages:\n  p:\n    actions:\n      a: {function: a.zip, runtime: go:1.19, memory: 3}\n", wantErr: "field memory not found"},
		{name: "unknown package key", yaml: "packages:\n  p:\n    feeds: {}\n", wantErr: "field feeds not found"},
		{name: "no packages", yaml: "project: {}\n", wantErr: "field project not found"},
		{name: "short sequence", yaml: base("    sequences:\n      s: {actions: a}\n"), wantErr: "want at least two actions"},
		{name: "unknown component", yaml: base("    sequences:\n      s: {actions: 'a, c'}\n"), wantErr: `"c" is not an action of package p`},
		{name: "rule to nowhere", yaml: base("    triggers:\n      t:\n    rules:\n      r: {trigger: t, action: nope}\n"), wantErr: `"nope" is not an action or sequence`},
		{name: "rule from non-trigger", yaml: base("    rules:\n      r: {trigger: a, action: b}\n"), wantErr: `"a" is not a trigger`},
		{name: "duplicate names", yaml: base("    triggers:\n      a:\n"), wantErr: `trigger name "a" is already the name of a action`},
		{name: "unset name", yaml: "packages:\n  $NOPE:\n    inputs: {}\n", wantErr: "$NOPE: variable not set"},
		{name: "unset embedded", yaml: "packages:\n  p:\n    inputs:\n      X: \"a-${NOPE}\"\n", wantErr: "input X: $NOPE: variable not set"},
		{name: "bad name", yaml: "packages:\n  -p:\n    inputs: {}\n", wantErr: "not starting with '-'"},
		{name: "not a zip", yaml: "packages:\n  p:\n    actions:\n      a: {function: a.go, runtime: go:1.19}\n", wantErr: "want a .zip"},
		{name: "no runtime", yaml: "packages:\n  p:\n    actions:\n      a: {function: a.zip}\n", wantErr: "runtime is required"},
		{name: "bad web", yaml: "packages:\n  p:\n    actions:\n      a: {function: a.zip, runtime: go:1.19, web: maybe}\n", wantErr: `web "maybe"`},
		{name: "duplicate key", yaml: "packages:\n  p:\n    inputs:\n      X: 1\n      X: 2\n", wantErr: `"X" given twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := manifest.Parse([]byte(tt.yaml))
			if err == nil {
				_, err = f.Resolve(manifest.NewVars(tt.vars))
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestInterpolation(t *testing.T) {
	vars := manifest.NewVars(map[string]any{"A": "x", "N": float64(3)})
	tests := []struct {
		in        any
		want      any
		wantBound bool
	}{
		{in: "$A", want: "x", wantBound: true},
		{in: "${A}", want: "x", wantBound: true},
		{in: "$N", want: float64(3), wantBound: true},
		{in: "$UNSET", want: nil, wantBound: false},
		{in: "pre-${A}-$N", want: "pre-x-3", wantBound: true},
		{in: "$${A}", want: "${A}", wantBound: true},
		{in: "plain", want: "plain", wantBound: true},
		{in: 7, want: 7, wantBound: true},
		{in: nil, want: nil, wantBound: false},
	}
	for _, tt := range tests {
		got, bound, err := vars.Value(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, "%v", tt.in)
		assert.Equal(t, tt.wantBound, bound, "%v", tt.in)
	}
}
