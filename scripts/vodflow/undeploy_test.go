package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/ncpfunctionstest"
	"github.com/vodflow/vodflow/pkg/openwhisktest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

func TestUndeployNCPRemovesInReverseOrderAndReportsWhatWasGone(t *testing.T) {
	noCredsFromEnv(t)
	srv := ncpfunctionstest.New(deployAK, deploySecret)
	t.Cleanup(srv.Close)
	params := writeParams(t, `{"platform": "classic"}`)
	out, _, err := runCmd(t, "deploy", "--target", "ncp", "--params", params, "--api-url", srv.URL)
	require.NoError(t, err, out)
	require.NotEmpty(t, srv.Names())

	out, _, err = runCmd(t, "undeploy", "--target", "ncp", "--params", params, "--api-url", srv.URL, "--dry-run")
	require.NoError(t, err, out)
	assert.Contains(t, out, fmt.Sprintf("plan for ncp undeploy (dry run: nothing is sent), %d steps", ncpSteps(t)))
	assert.Contains(t, out, "DELETE /ncf/api/v2/triggers/vodflow-upload/link-action?platform=classic")
	before := len(srv.Requests())

	out, _, err = runCmd(t, "undeploy", "--target", "ncp", "--params", params, "--api-url", srv.URL)
	require.NoError(t, err, out)
	assert.Empty(t, srv.Names(), "everything deploy created is gone")
	var deletes []string
	for _, r := range srv.Requests()[before:] {
		assert.True(t, r.SignatureOK)
		deletes = append(deletes, r.Method+" "+r.Path)
	}
	want := []string{
		"DELETE /triggers/vodflow-reconcile-schedule/link-action", "DELETE /triggers/vodflow-upload/link-action",
		"DELETE /triggers/vodflow-reconcile-schedule", "DELETE /triggers/vodflow-upload",
		"DELETE /packages/vodflow/actions/upload-sequence",
	}
	actions := shipped(t)
	for i := len(actions) - 1; i >= 0; i-- {
		want = append(want, "DELETE /packages/vodflow/actions/"+actions[i])
	}
	assert.Equal(t, append(want, "DELETE /packages/vodflow"), deletes, "the dry run sent nothing, and the removal runs in reverse deploy order")
	assert.Contains(t, out, fmt.Sprintf("undeployed vodflow: %d removed", ncpSteps(t)))
	assert.NotContains(t, out, deploySecret)

	// Again: everything is already gone, which is not a failure.
	out, _, err = runCmd(t, "undeploy", "--target", "ncp", "--params", params, "--api-url", srv.URL, "--json")
	require.NoError(t, err, out)
	var rep stepsReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Len(t, rep.Gone, ncpSteps(t))
	assert.Equal(t, "undeploy", rep.Verb)
}

func TestUndeployNCPFailureNamesTheStep(t *testing.T) {
	noCredsFromEnv(t)
	srv := ncpfunctionstest.New(deployAK, deploySecret)
	t.Cleanup(srv.Close)
	params := writeParams(t, `{"platform": "classic"}`)
	_, _, err := runCmd(t, "deploy", "--target", "ncp", "--params", params, "--api-url", srv.URL)
	require.NoError(t, err)
	srv.FailOn("DELETE", "/triggers/vodflow-upload", 500, `{"error":{"errorCode":"900","message":"Unexpected Error"}}`)
	out, _, err := runCmd(t, "undeploy", "--target", "ncp", "--params", params, "--api-url", srv.URL)
	require.Error(t, err)
	assert.Contains(t, out, fmt.Sprintf("[4/%d] trigger vodflow-upload", ncpSteps(t)))
	assert.Contains(t, err.Error(), fmt.Sprintf("ncp undeploy: step 4/%d, ", ncpSteps(t))+"trigger vodflow-upload: DELETE /ncf/api/v2/triggers/vodflow-upload: HTTP 500")
	assert.Contains(t, err.Error(), "already applied: link vodflow-reconcile-schedule → vodflow/reconcile, link vodflow-upload → vodflow/upload-sequence")
	assert.NotContains(t, err.Error()+out, deploySecret)
}

func TestUndeployOpenWhisk(t *testing.T) {
	noCredsFromEnv(t)
	srv := openwhisktest.New(owAuth)
	t.Cleanup(srv.Close)
	params := writeParams(t, `{}`)
	args := []string{"--target", "openwhisk", "--params", params, "--apihost", srv.URL, "--auth", owAuth}
	out, _, err := runCmd(t, append([]string{"deploy"}, args...)...)
	require.NoError(t, err, out)
	require.Len(t, srv.Names(), owSteps(t)-1, "every step but the feed names a thing")

	out, _, err = runCmd(t, append([]string{"undeploy"}, args...)...)
	require.NoError(t, err, out)
	assert.Empty(t, srv.Names())
	assert.Contains(t, out, fmt.Sprintf("[2/%d] rule vodflow-upload-rule: vodflow-upload → vodflow/upload-sequence ok", owSteps(t)))
	assert.Contains(t, out, fmt.Sprintf("[%d/%d] package vodflow", owSteps(t), owSteps(t)))
	assert.NotContains(t, out, "ow-auth-secret-key")

	out, _, err = runCmd(t, append([]string{"undeploy"}, args...)...)
	require.NoError(t, err, out)
	assert.Equal(t, owSteps(t), strings.Count(out, "(already gone)"), out)
	assert.Contains(t, out, fmt.Sprintf("undeployed vodflow: 0 removed, %d already gone", owSteps(t)))
}

func TestOverridesOverParams(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		section string
		key     string
		want    any
		err     string
	}{
		{name: "a number", args: []string{"DEDUP_WINDOW=0"}, section: "add-files", key: "DEDUP_WINDOW", want: json.Number("0")},
		{name: "a quoted string stays a string", args: []string{`DEDUP_WINDOW="0"`}, section: "add-files", key: "DEDUP_WINDOW", want: "0"},
		{name: "not JSON is a string", args: []string{"EXCLUDE_PREFIXES=encoded/,tmp/"}, section: "lookup-category", key: "EXCLUDE_PREFIXES", want: "encoded/,tmp/"},
		{name: "a JSON list", args: []string{`EXCLUDE_PREFIXES=["a/","b/"]`}, section: "lookup-category", key: "EXCLUDE_PREFIXES", want: []any{"a/", "b/"}},
		{name: "a boolean", args: []string{"VERIFY_STATUS=true"}, section: "encoding-callback", key: "VERIFY_STATUS", want: true},
		{name: "an existing key is replaced where it is", args: []string{"CATEGORY_NAME=other"}, section: "lookup-category", key: "CATEGORY_NAME", want: "other"},
		{name: "the last wins", args: []string{"CATEGORY_NAME=a", "CATEGORY_NAME=b"}, section: "lookup-category", key: "CATEGORY_NAME", want: "b"},
		{name: "a package parameter", args: []string{"WEBHOOK_URL=https://example.com/h"}, section: "", key: "WEBHOOK_URL", want: "https://example.com/h"},
		{name: "an empty value", args: []string{"INPUT_PREFIX="}, section: "lookup-category", key: "INPUT_PREFIX", want: ""},
		{name: "an unknown name", args: []string{"CATEGORY_NAMES=x"}, err: "-p CATEGORY_NAMES: no input of sequence.yaml binds $CATEGORY_NAMES; did you mean CATEGORY_NAME?"},
	}
	root := repoRootForTest(t)
	mf, err := manifest.Load(filepath.Join(root, manifest.FileName))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o overrides
			for _, a := range tt.args {
				require.NoError(t, o.Set(a))
			}
			p := demoParams("http://127.0.0.1:1")
			err := o.apply(p, mf.Bindings())
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			got := p.Package.Parameters
			if tt.section != "" {
				got = p.ActionParameters(tt.section)
			}
			assert.Equal(t, tt.want, got[tt.key])
		})
	}
}

func TestOverridesReachTheActions(t *testing.T) {
	// The demo binds EXCLUDE_PREFIXES=encoded/; -p replaces it for this run.
	r := exe(t, "", "local", "-p", "EXCLUDE_PREFIXES=uploads/", "--result")
	require.Equal(t, 0, r.code, r.stderr)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.Equal(t, true, res["skipped"])
	assert.Equal(t, "excluded_prefix", res["reason"])
}

func TestOverridesFillPlaceholdersForDeploy(t *testing.T) {
	noCredsFromEnv(t)
	srv := ncpfunctionstest.New(deployAK, deploySecret)
	t.Cleanup(srv.Close)
	p, err := paramsfile.Load(writeParams(t, `{"platform": "classic"}`))
	require.NoError(t, err)
	p.Actions["lookup-category"].Parameters["CATEGORY_NAME"] = "YOUR_CATEGORY_NAME"
	b, err := json.Marshal(p)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))

	_, _, err = runCmd(t, "deploy", "--target", "ncp", "--params", path, "--api-url", srv.URL)
	assert.ErrorContains(t, err, "still has placeholder values that vodflow deploy would use: actions.lookup-category.CATEGORY_NAME (fill it in); -p KEY=VALUE sets one for this run")
	out, _, err := runCmd(t, "deploy", "--target", "ncp", "--params", path, "--api-url", srv.URL, "-p", "CATEGORY_NAME=movies", "-p", "DEDUP_WINDOW=0")
	require.NoError(t, err, out)
	seen := 0
	for _, r := range srv.Requests() {
		if r.Method == "PUT" && strings.HasSuffix(r.Path, "/actions/add-files") {
			seen++
			var body struct{ Parameters map[string]any }
			require.NoError(t, r.JSON(&body))
			assert.Equal(t, map[string]any{"DEDUP_WINDOW": float64(0)}, body.Parameters, "a new key goes where sequence.yaml binds it")
		}
		if r.Method == "PUT" && strings.HasSuffix(r.Path, "/actions/lookup-category") {
			seen++
			var body struct{ Parameters map[string]any }
			require.NoError(t, r.JSON(&body))
			assert.Equal(t, "movies", body.Parameters["CATEGORY_NAME"])
		}
	}
	assert.Equal(t, 2, seen, "both actions were deployed")
}

func TestInvokeSendsOverridesWithTheEvent(t *testing.T) {
	noCredsFromEnv(t)
	srv := ncpfunctionstest.New(deployAK, deploySecret)
	t.Cleanup(srv.Close)
	params := writeParams(t, `{"platform": "classic"}`)
	_, _, err := runCmd(t, "deploy", "--target", "ncp", "--params", params, "--api-url", srv.URL)
	require.NoError(t, err)
	out, _, err := runCmd(t, "invoke", "--target", "ncp", "--params", params, "--api-url", srv.URL, "--action", "add-files",
		"--event", `{"object_name":"a.mp4"}`, "-p", "DEDUP_WINDOW=0", "--result")
	require.NoError(t, err, out)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res), "stdout is the result only: %s", out)
	assert.Equal(t, map[string]any{"object_name": "a.mp4", "DEDUP_WINDOW": float64(0)}, res, "the fake echoes what was sent")
}

func TestCheck(t *testing.T) {
	good := writeParams(t, `{"platform": "classic"}`)
	tests := []struct {
		name   string
		params string
		args   []string
		code   exitCode
		want   []string
	}{
		{name: "filled in", params: good, want: []string{"0 error(s)", "ok: deploy would accept them", "nothing was sent"}},
		{name: "the example's placeholders", params: filepath.Join(repoRootForTest(t), "params.example.json"), code: 1, want: []string{
			"error package.NCLOUD_SECRET_KEY: still a placeholder",
			"error actions.add-files.NOTIFICATION_URL: still a placeholder",
			"error trigger.event_rule_name: still a placeholder", "error deploy.vpc_no: still a placeholder"}},
		{name: "-p fills a placeholder", params: filepath.Join(repoRootForTest(t), "params.example.json"), code: 1,
			args: []string{"-p", "NCLOUD_SECRET_KEY=sk-filled-123456"}, want: []string{"error package.NCLOUD_ACCESS_KEY: still a placeholder"}},
		{name: "unknown names", params: writeParamsJSON(t, `{"package":{"parameters":{"NCLOUD_ACCESS_KEY":"a","NCLOUD_SECRET_KEY":"s-123456"}},
			"actions":{"add-file":{},"lookup-category":{"parameters":{"CATEGORY_NAMES":"m","BUCKET_NAME":"b"}},"encoding-callback":{"parameters":{"CALLBACK_TOKEN":"t-123456"}}}}`),
			code: 1, want: []string{"error actions.add-file: not an action of sequence.yaml; did you mean add-files?",
				"error actions.lookup-category.CATEGORY_NAMES: unknown parameter CATEGORY_NAMES; did you mean CATEGORY_NAME?",
				"error actions.lookup-category.CATEGORY_NAME: not set in params.json, and lookup-category needs it (or CATEGORY_ID)",
				"note  actions.add-files: left unbound, so the action's defaults apply: NOTIFICATION_URL"}},
		{name: "values", params: writeParamsJSON(t, `{"package":{"parameters":{"NCLOUD_ACCESS_KEY":"a","NCLOUD_SECRET_KEY":42,"API_URL":"ftp://x","WEBHOOK_URL":"https://h.example/x"}},
			"actions":{"lookup-category":{"parameters":{"CATEGORY_NAME":"m","KEY_DECODING":"autp","EXCLUDE_PREFIXES":[1]}},
			"add-files":{"parameters":{"DEDUP_WINDOW":"ten","DEDUP_CHECK_STATUS":"maybe"}},"encoding-callback":{"parameters":{"CALLBACK_TOKEN":"t-123456"}}}}`),
			code: 1, want: []string{"error package.NCLOUD_SECRET_KEY: got a JSON number, want a string",
				`error package.API_URL: got a JSON string ("ftp://x"), want an http or https URL`,
				"error package.WEBHOOK_SECRET: not set in params.json, and WEBHOOK_URL is set",
				`error actions.lookup-category.KEY_DECODING: got "autp", want auto, none, path, query; did you mean auto?`,
				"error actions.lookup-category.EXCLUDE_PREFIXES: got a list holding a JSON number (1), want a comma-separated string or a list of strings",
				`error actions.add-files.DEDUP_WINDOW: got a JSON string ("ten"), want a number of seconds ≥ 0`,
				`error actions.add-files.DEDUP_CHECK_STATUS: got a JSON string ("maybe"), want true or false`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runCmd(t, append([]string{"check", "--params", tt.params}, tt.args...)...)
			if tt.code == 0 {
				require.NoError(t, err, out)
			} else {
				assert.Equal(t, tt.code, err)
			}
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			assert.NotContains(t, out, "sk-filled-123456")
			assert.NotContains(t, out, deploySecret)
		})
	}
}

func writeParamsJSON(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestDemoSampleEventsBehaveAsNamed(t *testing.T) {
	tests := []struct {
		event, outcome, reason string
	}{
		{event: "excluded-prefix.json", outcome: "skipped", reason: "excluded_prefix"},
		{event: "unsupported-extension.json", outcome: "skipped", reason: "unsupported_extension"},
		{event: "plain.json", outcome: "submitted"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			r := exe(t, "", "local", "--json", filepath.Join("../../testdata/events", tt.event))
			require.Equal(t, 0, r.code, r.stderr)
			var rep runReport
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
			assert.Equal(t, tt.outcome, rep.Outcome)
			if tt.reason != "" {
				assert.Equal(t, tt.reason, rep.Result["reason"])
			}
		})
	}
}
