package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/ncpfunctionstest"
	"github.com/vodflow/vodflow/pkg/openwhisktest"
)

const (
	deployAK            = "AK-deploy-test"
	deploySecret        = "SK-deploy-test-secret"
	deployCallbackToken = "CB-deploy-test-token"
	owAuth              = "uuid-1234:ow-auth-secret-key"
)

// writeParams writes a filled-in params.json whose API keys are the
// fake's.
func writeParams(t *testing.T, deploySection string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(path, []byte(`{
  "package": {"parameters": {"NCLOUD_ACCESS_KEY": "`+deployAK+`", "NCLOUD_SECRET_KEY": "`+deploySecret+`", "REGION": "KR"}},
  "actions": {"lookup-category": {"parameters": {"CATEGORY_NAME": "movies", "BUCKET_NAME": "uploads"}},
              "encoding-callback": {"parameters": {"CALLBACK_TOKEN": "`+deployCallbackToken+`", "CHANNEL_ID": "vs-1"}}},
  "trigger": {"bucket_name": "uploads", "event_rule_name": "on-put"},
  "deploy": `+deploySection+`
}`), 0o600))
	return path
}

// noCredsFromEnv keeps the developer's own NCP keys out of the tests.
func noCredsFromEnv(t *testing.T) {
	t.Setenv("NCLOUD_ACCESS_KEY", "")
	t.Setenv("NCLOUD_SECRET_KEY", "")
	t.Setenv("WSK_CONFIG_FILE", filepath.Join(t.TempDir(), "no-wskprops"))
}

func TestDeployDryRunSendsNothingAndPrintsNoSecret(t *testing.T) {
	noCredsFromEnv(t)
	ncp := ncpfunctionstest.New(deployAK, deploySecret)
	t.Cleanup(ncp.Close)
	ow := openwhisktest.New(owAuth)
	t.Cleanup(ow.Close)
	params := writeParams(t, `{"platform": "vpc", "vpc_no": 11, "subnet_no": 22}`)

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "ncp", args: []string{"--target", "ncp", "--api-url", ncp.URL},
			want: []string{fmt.Sprintf("plan for ncp (dry run: nothing is sent), %d steps", ncpSteps(t)), "PUT /ncf/api/v2/packages/vodflow?platform=vpc",
				"PUT /ncf/api/v2/packages/vodflow/actions/lookup-category?platform=vpc&type=basic", `"vpcNo": 11`,
				"PUT /ncf/api/v2/packages/vodflow/actions/upload-sequence?platform=vpc&type=sequence",
				"PUT /ncf/api/v2/packages/vodflow/actions/encoding-callback?platform=vpc&type=web", `"raw-http": true`, `"CALLBACK_TOKEN": "****"`,
				"PUT /ncf/api/v2/triggers/vodflow-upload?platform=vpc&type=object_storage", `"eventRuleName": "on-put"`,
				"POST /ncf/api/v2/triggers/vodflow-upload/link-action?platform=vpc", `"NCLOUD_SECRET_KEY": "****"`,
				"<base64 of dist/add-files.zip, built for go:1.19 at deploy time>"}},
		{name: "openwhisk", args: []string{"--target", "openwhisk", "--apihost", ow.URL, "--auth", owAuth},
			want: []string{fmt.Sprintf("plan for openwhisk (dry run: nothing is sent), %d steps", owSteps(t)), "PUT actions/vodflow/add-files?overwrite=true",
				`"kind": "go:1.22"`, "/_/vodflow/lookup-category", "PUT actions/vodflow/encoding-callback?overwrite=true", `"CALLBACK_TOKEN": "****"`, `"NCLOUD_SECRET_KEY": "****"`, "rule vodflow-upload-rule: vodflow-upload → vodflow/upload-sequence"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runCmd(t, append([]string{"deploy", "--dry-run", "--params", params}, tt.args...)...)
			require.NoError(t, err, out)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			assert.NotContains(t, out, deploySecret)
			assert.NotContains(t, out, deployCallbackToken)
			assert.NotContains(t, out, "ow-auth-secret-key")
		})
	}
	assert.Empty(t, ncp.Requests(), "a dry run sends nothing")
	assert.Empty(t, ow.Requests(), "a dry run sends nothing")
}

func TestDeployAndInvokeNCP(t *testing.T) {
	noCredsFromEnv(t)
	srv := ncpfunctionstest.New(deployAK, deploySecret)
	t.Cleanup(srv.Close)
	params := writeParams(t, `{"platform": "vpc", "vpc_no": "11", "subnet_no": 22}`)

	out, _, err := runCmd(t, "deploy", "--target", "ncp", "--params", params, "--api-url", srv.URL)
	require.NoError(t, err, out)
	assert.Contains(t, out, "target ncp: "+srv.URL+"/ncf/api/v2, platform vpc, access key "+deployAK)
	n := ncpSteps(t)
	assert.Contains(t, out, fmt.Sprintf("[1/%d] package vodflow", n))
	assert.Contains(t, out, fmt.Sprintf("[5/%d] action vodflow/encoding-callback", n))
	assert.Contains(t, out, fmt.Sprintf("[%d/%d] link vodflow-upload → vodflow/upload-sequence", n-1, n))
	assert.Contains(t, out, fmt.Sprintf("deployed vodflow: %d steps applied", n))
	assert.NotContains(t, out, deploySecret)
	assert.NotContains(t, out, deployCallbackToken)
	sawWeb := false
	for _, r := range srv.Requests() {
		assert.True(t, r.SignatureOK, r.RequestURI)
		if strings.HasSuffix(r.Path, "/actions/encoding-callback") && r.Method == "PUT" {
			sawWeb = true
			assert.Equal(t, "web", r.Query.Get("type"), "the callback is a web action")
			var body struct {
				RawHTTP    bool           `json:"raw-http"`
				Parameters map[string]any `json:"parameters"`
				Exec       struct{ Code string }
				Limits     map[string]int
			}
			require.NoError(t, r.JSON(&body))
			assert.True(t, body.RawHTTP, "raw HTTP: the query and body never override CALLBACK_TOKEN")
			assert.Equal(t, map[string]any{"CALLBACK_TOKEN": deployCallbackToken, "CHANNEL_ID": "vs-1"}, body.Parameters)
			assert.Equal(t, map[string]int{"timeout": 30000, "memory": 128}, body.Limits)
			zip, err := base64.StdEncoding.DecodeString(body.Exec.Code)
			require.NoError(t, err)
			_, err = actionzip.Check(zip)
			require.NoError(t, err)
		}
		if strings.Contains(r.Path, "/actions/") && r.Query.Get("type") == "basic" {
			var body struct {
				Exec struct{ Code, Kind string }
				VPC  []map[string]int64
			}
			require.NoError(t, r.JSON(&body))
			zip, err := base64.StdEncoding.DecodeString(body.Exec.Code)
			require.NoError(t, err)
			info, err := actionzip.Check(zip)
			require.NoError(t, err, r.Path)
			assert.Equal(t, "openwhisk/action-golang-v1.19", info.ExecEnv)
			assert.Equal(t, "go:1.19", body.Exec.Kind)
			assert.Equal(t, []map[string]int64{{"vpcNo": 11, "subnetNo": 22}}, body.VPC)
		}
	}
	assert.True(t, sawWeb, "encoding-callback was deployed")
	names := srv.Names()

	// Again: updates, no duplicates.
	out, _, err = runCmd(t, "deploy", "--target", "ncp", "--params", params, "--api-url", srv.URL, "--no-build=false")
	require.NoError(t, err, out)
	assert.Contains(t, out, "ok (already linked)")
	assert.Equal(t, names, srv.Names())

	srv.OnInvoke(func(pkg, action string, p map[string]any) map[string]any {
		return map[string]any{"category_id": "1", "bucket_name": "uploads", "submitted": 1,
			"files": []any{map[string]any{"path": p["object_name"], "file_id": "9"}}}
	})
	out, _, err = runCmd(t, "invoke", "--target", "ncp", "--params", params, "--api-url", srv.URL, "--event", `{"object_name":"in/a.mp4"}`)
	require.NoError(t, err, out)
	assert.Contains(t, out, "invoke vodflow/upload-sequence on ncp")
	assert.Contains(t, out, "submitted 1 file(s) to category 1 in bucket uploads: in/a.mp4 → file_id 9")
	last := srv.Requests()[len(srv.Requests())-1]
	assert.Equal(t, "/ncf/api/v2/packages/vodflow/actions/upload-sequence?platform=vpc&timeout=60000", last.RequestURI)
	assert.True(t, last.SignatureOK)

	srv.OnInvoke(func(string, string, map[string]any) map[string]any {
		return map[string]any{"error": map[string]any{"code": "unauthorized", "message": "bad key"}}
	})
	out, _, err = runCmd(t, "invoke", "--target", "ncp", "--params", params, "--api-url", srv.URL, "--action", "add-files")
	assert.Equal(t, exitCode(1), err)
	assert.Contains(t, out, "FAILED unauthorized: bad key")
}

func TestDeployNCPFailureReportsStep(t *testing.T) {
	noCredsFromEnv(t)
	srv := ncpfunctionstest.New(deployAK, deploySecret)
	t.Cleanup(srv.Close)
	srv.FailOn("PUT", "/triggers/vodflow-upload", 400, `{"error":{"errorCode":"80508","message":"EVENT_RULE_NOT_FOUND"}}`)
	params := writeParams(t, `{"platform": "classic"}`)

	out, _, err := runCmd(t, "deploy", "--target", "ncp", "--params", params, "--api-url", srv.URL)
	require.Error(t, err)
	n := ncpSteps(t)
	assert.Contains(t, out, fmt.Sprintf("[%d/%d] trigger vodflow-upload", n-3, n))
	assert.Contains(t, err.Error(), fmt.Sprintf("ncp deploy: step %d/%d, trigger", n-3, n)+" vodflow-upload: PUT /ncf/api/v2/triggers/vodflow-upload: HTTP 400 Bad Request, NCP code 80508: EVENT_RULE_NOT_FOUND")
	applied := []string{"package vodflow"}
	for _, a := range shipped(t) {
		applied = append(applied, "action vodflow/"+a)
	}
	assert.Contains(t, err.Error(), "already applied: "+strings.Join(append(applied, "sequence vodflow/upload-sequence"), ", "))
	assert.NotContains(t, err.Error()+out, deploySecret)
}

func TestDeployRefusesPlaceholdersAndBadTargets(t *testing.T) {
	noCredsFromEnv(t)
	example := filepath.Join(repoRootForTest(t), "params.example.json")
	_, _, err := runCmd(t, "deploy", "--target", "ncp", "--params", example)
	assert.ErrorContains(t, err, "still has placeholder values")
	_, _, err = runCmd(t, "deploy", "--target", "aws", "--params", example)
	assert.ErrorContains(t, err, `--target "aws"`)
	out, _, err := runCmd(t, "deploy", "--target", "ncp", "--params", example, "--dry-run")
	assert.ErrorContains(t, err, `deploy.vpc_no "YOUR_VPC_NO" is not a positive integer`, out)
}

func TestDeployAndInvokeOpenWhiskFromWskprops(t *testing.T) {
	noCredsFromEnv(t)
	srv := openwhisktest.New(owAuth)
	t.Cleanup(srv.Close)
	props := filepath.Join(t.TempDir(), ".wskprops")
	require.NoError(t, os.WriteFile(props, []byte("APIHOST="+srv.URL+"\nAUTH="+owAuth+"\n"), 0o600))
	t.Setenv("WSK_CONFIG_FILE", props)
	params := writeParams(t, `{}`)

	for i := 0; i < 2; i++ {
		out, _, err := runCmd(t, "deploy", "--target", "openwhisk", "--params", params)
		require.NoError(t, err, out)
		assert.Contains(t, out, "target openwhisk: apihost "+srv.URL+", namespace _, kind go:1.22")
		n := owSteps(t)
		assert.Contains(t, out, fmt.Sprintf("[%d/%d] rule vodflow-upload-rule", n-1, n))
		assert.NotContains(t, out, "ow-auth-secret-key")
	}
	want := []string{"actions/vodflow/upload-sequence", "packages/vodflow", "rules/vodflow-reconcile-rule (active)", "rules/vodflow-upload-rule (active)",
		"triggers/vodflow-reconcile-schedule", "triggers/vodflow-upload"}
	for _, a := range shipped(t) {
		want = append(want, "actions/vodflow/"+a)
	}
	slices.Sort(want)
	assert.Equal(t, want, srv.Names())
	for _, r := range srv.Requests() {
		assert.True(t, r.AuthOK)
		if r.Path == "actions/vodflow/encoding-callback" {
			var a struct {
				Annotations []struct {
					Key   string
					Value any
				}
				Parameters []struct {
					Key   string
					Value any
				}
			}
			require.NoError(t, json.Unmarshal(r.Body, &a))
			ann := map[string]any{}
			for _, kv := range a.Annotations {
				ann[kv.Key] = kv.Value
			}
			assert.Equal(t, true, ann["web-export"])
			assert.Equal(t, true, ann["raw-http"])
			assert.Equal(t, true, ann["final"], "web request parameters cannot override CALLBACK_TOKEN")
			assert.NotEmpty(t, a.Parameters)
		}
		if r.Path == "actions/vodflow/add-files" {
			var a struct{ Exec struct{ Kind, Code string } }
			require.NoError(t, json.Unmarshal(r.Body, &a))
			zip, err := base64.StdEncoding.DecodeString(a.Exec.Code)
			require.NoError(t, err)
			info, err := actionzip.Check(zip)
			require.NoError(t, err)
			assert.Equal(t, "openwhisk/action-golang-v1.22", info.ExecEnv)
			assert.Equal(t, "go:1.22", a.Exec.Kind)
		}
	}

	out, _, err := runCmd(t, "invoke", "--target", "openwhisk", "--params", params, "--action", "lookup-category", "--event", `{"object_name":"notes.txt"}`)
	require.NoError(t, err, out)
	assert.Contains(t, out, `result {"object_name":"notes.txt"}`, "the fake echoes")
	last := srv.Requests()[len(srv.Requests())-1]
	assert.Equal(t, "POST actions/vodflow/lookup-category", last.Method+" "+last.Path)
}

func repoRootForTest(t *testing.T) string {
	t.Helper()
	root, err := moduleRoot()
	require.NoError(t, err)
	return root
}

// ncpSteps is how many steps a deploy to NCP takes: the package, each
// action, the sequence, the two triggers and their two links.
func ncpSteps(t *testing.T) int { return len(shipped(t)) + 6 }

// owSteps is how many a deploy to OpenWhisk takes: the package, each
// action, the sequence, the two triggers, the alarms feed and two rules.
func owSteps(t *testing.T) int { return len(shipped(t)) + 7 }
