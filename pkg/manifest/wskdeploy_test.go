package manifest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/openwhisk-client-go/whisk"
	"github.com/apache/openwhisk-wskdeploy/parsers"
	"github.com/apache/openwhisk-wskdeploy/runtimes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

// TestRealWskdeployParserAgrees parses sequence.yaml with wskdeploy's own
// parser (the variables exported as wskdeploy reads them, from the
// environment) and checks it yields what vodflow's reading of the same
// manifest yields.
func TestRealWskdeployParserAgrees(t *testing.T) {
	op := runtimes.OpenWhiskInfo{Runtimes: map[string][]runtimes.Runtime{"go": {{Kind: "go:1.19", Default: true}}}}
	runtimes.SupportedRunTimes = runtimes.ConvertToMap(op)
	runtimes.DefaultRunTimes = runtimes.DefaultRuntimes(op)
	runtimes.FileExtensionRuntimeKindMap = runtimes.FileExtensionRuntimes(op)
	runtimes.FileRuntimeExtensionsMap = runtimes.FileRuntimeExtensions(op)

	// Every variable set, since wskdeploy turns an unset one into "".
	p, err := paramsfile.Parse([]byte(exampleParams))
	require.NoError(t, err)
	all := map[string]any{"CATEGORY_ID": "7", "INPUT_PREFIX": "uploads/", "EXCLUDE_PREFIXES": "tmp/", "EXTENSIONS": "mp4", "NOTIFICATION_URL": "https://cb.example/"}
	for k, v := range all {
		p.Actions["lookup-category"].Parameters[k] = v
	}
	delete(p.Actions["lookup-category"].Parameters, "NOTIFICATION_URL")
	p.Actions["lookup-category"].Parameters["OBJECT_STORAGE_ENDPOINT"] = "https://kr.object.ncloudstorage.com"
	p.Actions["lookup-category"].Parameters["OBJECT_STORAGE_REGION"] = "kr-standard"
	rec := p.Actions["reconcile"]
	rec.Parameters = map[string]any{"RECONCILE_WINDOW": 86400, "RECONCILE_MIN_AGE": 300, "RECONCILE_MAX": 100, "RECONCILE_PAGES": 20, "RECONCILE_STATUS_PAGES": 200}
	p.Actions["reconcile"] = rec
	p.Trigger.Parameters = map[string]any{"RECONCILE_SCHEDULE": "*/15 * * * *"}
	p.Actions["add-files"].Parameters["NOTIFICATION_URL"] = all["NOTIFICATION_URL"]
	p.Actions["add-files"].Parameters["DEDUP_WINDOW"] = 600
	p.Actions["add-files"].Parameters["DEDUP_CHECK_STATUS"] = "false"
	p.Package.Parameters["WEBHOOK_URL"] = "https://hooks.example/vodflow"
	p.Package.Parameters["WEBHOOK_SECRET"] = "wh-secret"
	for k, v := range map[string]any{"VERIFY_STATUS": "true", "PLAYBACK_DOMAIN": "x.edge.naverncp.com", "ENCRYPTED_BUCKET_NAME": "enc", "PLAYBACK_PROTOCOLS": "HLS,DASH",
		"PLAYBACK_ABR": "smil", "PLAYBACK_POSTER": "auto", "PLAYBACK_TOKEN_KEY": "00ff00ff", "PLAYBACK_TOKEN_NAME": "token",
		"PLAYBACK_TOKEN_TTL": "6h", "PLAYBACK_TOKEN_TYPE": "securetoken"} {
		p.Actions["encoding-callback"].Parameters[k] = v
	}
	p.Actions["encoding-callback"].Parameters["PLAYBACK_URL_TOKEN"] = "pu-token" // any section: $VARs are global
	p.Actions["upload-url"] = paramsfile.Action{Parameters: map[string]any{"UPLOAD_TOKEN": "up-token", "ALLOWED_ORIGINS": "https://www.example.com",
		"UPLOAD_MAX_SIZE": 1 << 30, "UPLOAD_PART_SIZE": 64 << 20, "UPLOAD_URL_TTL": "15m"}}
	vars, err := manifest.VarsFromParams(p)
	require.NoError(t, err)
	f, err := manifest.Load(filepath.Join(repoRoot(), manifest.FileName))
	require.NoError(t, err)
	// Every $VAR the manifest binds, so a new input cannot be left out.
	names := []string{"PACKAGE_NAME", "TRIGGER_NAME", "TRIGGER_BUCKET_NAME", "TRIGGER_EVENT_RULE_NAME"}
	for _, b := range f.Bindings() {
		names = append(names, b.Var)
	}
	for _, k := range names {
		v, bound, err := vars.Value("$" + k)
		require.NoError(t, err)
		require.True(t, bound, k)
		t.Setenv(k, toString(v))
	}

	// The zips named in `function` must exist for wskdeploy; copy the
	// manifest beside placeholder zips.
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(repoRoot(), manifest.FileName))
	require.NoError(t, err)
	path := filepath.Join(dir, manifest.FileName)
	require.NoError(t, os.WriteFile(path, src, 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "dist"), 0o755))
	for _, a := range f.Packages[0].Value.Actions {
		require.NoError(t, os.WriteFile(filepath.Join(dir, a.Value.Function), []byte("PK\x05\x06"+strings.Repeat("\x00", 18)), 0o644))
	}

	parser := parsers.NewYAMLParser()
	m, err := parser.ParseManifest(path)
	require.NoError(t, err)
	pkgs, inputs, err := parser.ComposeAllPackages(nil, m, path, whisk.KeyValue{})
	require.NoError(t, err)
	seqs, err := parser.ComposeSequencesFromAllPackages("guest", m, path, whisk.KeyValue{}, inputs)
	require.NoError(t, err)
	actions, err := parser.ComposeActionsFromAllPackages(m, path, whisk.KeyValue{}, inputs)
	require.NoError(t, err)
	triggers, err := parser.ComposeTriggersFromAllPackages(m, path, whisk.KeyValue{}, inputs)
	require.NoError(t, err)
	rules, err := parser.ComposeRulesFromAllPackages(m, whisk.KeyValue{}, inputs)
	require.NoError(t, err)

	ours, err := f.Resolve(vars)
	require.NoError(t, err)

	require.Len(t, pkgs, 1)
	wp, ok := pkgs[ours.Package.Name]
	require.True(t, ok, "wskdeploy package names: %v", keys(pkgs))
	assert.Equal(t, stringify(ours.Package.Params), kv(wp.Parameters))

	require.Len(t, actions, len(ours.Actions))
	for _, rec := range actions {
		a, ok := ours.Action(rec.Action.Name)
		require.True(t, ok, rec.Action.Name)
		assert.Equal(t, ours.Package.Name, rec.Packagename)
		assert.Equal(t, a.Runtime, rec.Action.Exec.Kind)
		assert.Equal(t, a.Main, rec.Action.Exec.Main)
		assert.Equal(t, a.Limits.TimeoutMS, *rec.Action.Limits.Timeout)
		assert.Equal(t, a.Limits.MemoryMB, *rec.Action.Limits.Memory)
		assert.Equal(t, stringify(a.Params), kv(rec.Action.Parameters), a.Name)
	}

	require.Len(t, seqs, 1)
	s := ours.Sequences[0]
	assert.Equal(t, s.Name, seqs[0].Action.Name)
	var want []string
	for _, c := range s.Components {
		want = append(want, "/guest/"+ours.Package.Name+"/"+c)
	}
	assert.Equal(t, want, seqs[0].Action.Exec.Components)

	// wskdeploy keeps triggers and rules in maps: compare by name, in
	// name order on both sides.
	sort.Slice(triggers, func(i, j int) bool { return triggers[i].Name < triggers[j].Name })
	sort.Slice(rules, func(i, j int) bool { return rules[i].Name < rules[j].Name })
	oursTriggers := append(ours.Triggers[:0:0], ours.Triggers...)
	sort.Slice(oursTriggers, func(i, j int) bool { return oursTriggers[i].Name < oursTriggers[j].Name })
	oursRules := append(ours.Rules[:0:0], ours.Rules...)
	sort.Slice(oursRules, func(i, j int) bool { return oursRules[i].Name < oursRules[j].Name })

	require.Len(t, triggers, len(ours.Triggers))
	for i, tr := range oursTriggers {
		assert.Equal(t, tr.Name, triggers[i].Name)
		want := stringify(tr.Annotations)
		if tr.Feed != "" {
			want["feed"] = tr.Feed
		}
		assert.Equal(t, want, kv(triggers[i].Annotations), tr.Name)
		assert.Equal(t, stringify(tr.Params), kv(triggers[i].Parameters), tr.Name)
	}

	require.Len(t, rules, len(ours.Rules))
	for i, r := range oursRules {
		assert.Equal(t, r.Name, rules[i].Name)
		assert.Equal(t, r.Trigger, rules[i].Trigger)
		assert.Equal(t, ours.Package.Name+"/"+r.Action, rules[i].Action)
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// stringify renders values as wskdeploy sees environment variables.
func stringify(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = toString(v)
	}
	return out
}

func kv(arr whisk.KeyValueArr) map[string]string {
	out := map[string]string{}
	for _, p := range arr {
		out[p.Key] = toString(p.Value)
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
