package ncpfunctions_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/ncpfunctions"
	"github.com/vodflow/vodflow/pkg/ncpfunctionstest"
	"github.com/vodflow/vodflow/pkg/signing"
)

const (
	accessKey = "AK-deploy"
	secretKey = "SK-deploy-very-secret"
	pkgSecret = "vod-station-secret-value"
)

var (
	zipOnce  sync.Once
	zipBytes []byte
	zipErr   error
)

// realZip builds actions/add-files for go:1.19 once: a zip that passes
// actionzip.Check.
func realZip(t *testing.T) []byte {
	t.Helper()
	zipOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		dir, err := os.MkdirTemp("", "ncpfunctions-test")
		if err != nil {
			zipErr = err
			return
		}
		defer os.RemoveAll(dir)
		built, err := actionzip.Build(context.Background(), root, dir, "go:1.19", []string{"add-files"})
		if err != nil {
			zipErr = err
			return
		}
		zipBytes, zipErr = os.ReadFile(built[0].Path)
	})
	require.NoError(t, zipErr)
	return zipBytes
}

func deployment() *manifest.Deployment {
	return &manifest.Deployment{
		Package: manifest.PackageSpec{Name: "vodflow", Params: map[string]any{"NCLOUD_ACCESS_KEY": "AK-vod", "NCLOUD_SECRET_KEY": pkgSecret, "REGION": "KR"}},
		Actions: []manifest.ActionSpec{
			{Name: "lookup-category", Function: "dist/lookup-category.zip", Runtime: "go:1.19", Main: "main",
				Limits: manifest.LimitsSpec{TimeoutMS: 60000, MemoryMB: 256}, Params: map[string]any{"CATEGORY_NAME": "movies", "CATEGORY_CACHE_TTL": float64(300)}},
			{Name: "add-files", Function: "dist/add-files.zip", Runtime: "go:1.19", Main: "main", Params: map[string]any{}},
			{Name: "encoding-callback", Function: "dist/encoding-callback.zip", Runtime: "go:1.19", Main: "main", Web: true, RawHTTP: true,
				Limits: manifest.LimitsSpec{TimeoutMS: 5000, MemoryMB: 128}},
		},
		Sequences: []manifest.SequenceSpec{{Name: "upload-sequence", Components: []string{"lookup-category", "add-files"}}},
		Triggers: []manifest.TriggerSpec{{Name: "vodflow-upload", Params: map[string]any{"SOURCE": "os"}, Annotations: map[string]any{
			ncpfunctions.AnnotationTriggerType: "object_storage", ncpfunctions.AnnotationBucketName: "uploads", ncpfunctions.AnnotationEventRuleName: "on-put"}}},
		Rules: []manifest.RuleSpec{{Name: "vodflow-upload-rule", Trigger: "vodflow-upload", Action: "upload-sequence"}},
	}
}

func newClient(t *testing.T, url, platform string) *ncpfunctions.Client {
	t.Helper()
	c, err := ncpfunctions.New(url, signing.Credentials{AccessKey: accessKey, SecretKey: signing.NewSecret(secretKey)}, platform)
	require.NoError(t, err)
	return c
}

func codes(t *testing.T) map[string][]byte {
	z := realZip(t)
	return map[string][]byte{"lookup-category": z, "add-files": z, "encoding-callback": z}
}

func apply(t *testing.T, c *ncpfunctions.Client, s ncpfunctions.Settings) (string, error) {
	t.Helper()
	steps, err := ncpfunctions.Steps(c, deployment(), codes(t), s)
	require.NoError(t, err)
	var out bytes.Buffer
	err = deploy.Apply(context.Background(), &out, "ncp", steps, deploy.Secrets(deployment().Package.Params))
	return out.String(), err
}

func TestDeploySendsSignedRequestsWithEveryField(t *testing.T) {
	srv := ncpfunctionstest.New(accessKey, secretKey)
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, "vpc")

	out, err := apply(t, c, ncpfunctions.Settings{VPCNo: 11, SubnetNo: 22})
	require.NoError(t, err, out)

	reqs := srv.Requests()
	require.Len(t, reqs, 7, "package, 3 actions, sequence, trigger, link")
	for _, r := range reqs {
		assert.True(t, r.SignatureOK, "%s %s: signature does not match the received request", r.Method, r.RequestURI)
		assert.True(t, strings.HasPrefix(r.RequestURI, "/ncf/api/v2/"), r.RequestURI)
		assert.Equal(t, "vpc", r.Query.Get("platform"), r.RequestURI)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, accessKey, r.Header.Get("x-ncp-iam-access-key"))
	}
	for _, line := range []string{"[1/7] package vodflow", "[2/7] action vodflow/lookup-category", "[5/7] sequence vodflow/upload-sequence",
		"[6/7] trigger vodflow-upload", "[7/7] link vodflow-upload → vodflow/upload-sequence"} {
		assert.Contains(t, out, line)
	}
	assert.Equal(t, 7, strings.Count(out, "\n"), "one line per step")

	// The package: default parameters as a JSON object.
	assert.Equal(t, "PUT", reqs[0].Method)
	assert.Equal(t, "/packages/vodflow", reqs[0].Path)
	assert.JSONEq(t, `{"parameters":{"NCLOUD_ACCESS_KEY":"AK-vod","NCLOUD_SECRET_KEY":"`+pkgSecret+`","REGION":"KR"}}`, string(reqs[0].Body))

	// The actions.
	type actionBody struct {
		Parameters map[string]any `json:"parameters"`
		Limits     map[string]int `json:"limits"`
		Exec       struct {
			Kind, Code, Main string
			Binary           bool
			Components       []string
		} `json:"exec"`
		VPC     []map[string]int64 `json:"vpc"`
		RawHTTP *bool              `json:"raw-http"`
	}
	tests := []struct {
		i         int
		path, typ string
		params    map[string]any
		limits    map[string]int
		rawHTTP   *bool
	}{
		{i: 1, path: "/packages/vodflow/actions/lookup-category", typ: "basic", params: map[string]any{"CATEGORY_NAME": "movies", "CATEGORY_CACHE_TTL": float64(300)}, limits: map[string]int{"timeout": 60000, "memory": 256}},
		{i: 2, path: "/packages/vodflow/actions/add-files", typ: "basic", limits: map[string]int{"timeout": 60000, "memory": 256}},
		{i: 3, path: "/packages/vodflow/actions/encoding-callback", typ: "web", limits: map[string]int{"timeout": 5000, "memory": 128}, rawHTTP: ptr(true)},
	}
	for _, tt := range tests {
		r := reqs[tt.i]
		assert.Equal(t, "PUT", r.Method)
		assert.Equal(t, tt.path, r.Path)
		assert.Equal(t, tt.typ, r.Query.Get("type"))
		var b actionBody
		require.NoError(t, r.JSON(&b))
		assert.Equal(t, tt.params, b.Parameters, tt.path)
		assert.Equal(t, tt.limits, b.Limits, tt.path)
		assert.Equal(t, "go:1.19", b.Exec.Kind)
		assert.True(t, b.Exec.Binary)
		assert.Equal(t, "main", b.Exec.Main)
		assert.Equal(t, []map[string]int64{{"vpcNo": 11, "subnetNo": 22}}, b.VPC)
		assert.Equal(t, tt.rawHTTP, b.RawHTTP)
		zip, err := base64.StdEncoding.DecodeString(b.Exec.Code)
		require.NoError(t, err)
		info, err := actionzip.Check(zip)
		require.NoError(t, err, "exec.code of %s", tt.path)
		assert.Equal(t, "openwhisk/action-golang-v1.19", info.ExecEnv)
	}

	// The sequence.
	assert.Equal(t, "/packages/vodflow/actions/upload-sequence", reqs[4].Path)
	assert.Equal(t, "sequence", reqs[4].Query.Get("type"))
	assert.JSONEq(t, `{"exec":{"kind":"sequence","components":["vodflow/lookup-category","vodflow/add-files"]}}`, string(reqs[4].Body))

	// The trigger and its link.
	assert.Equal(t, "/triggers/vodflow-upload", reqs[5].Path)
	assert.Equal(t, "object_storage", reqs[5].Query.Get("type"))
	assert.JSONEq(t, `{"parameters":{"SOURCE":"os"},"objectStorageLink":[{"bucketName":"uploads","eventRuleName":"on-put"}]}`, string(reqs[5].Body))
	assert.Equal(t, "POST", reqs[6].Method)
	assert.Equal(t, "/triggers/vodflow-upload/link-action", reqs[6].Path)
	assert.JSONEq(t, `{"action":"upload-sequence","package":"vodflow"}`, string(reqs[6].Body))
}

func ptr[T any](v T) *T { return &v }

func TestSecondDeployUpdatesWithoutDuplicates(t *testing.T) {
	srv := ncpfunctionstest.New(accessKey, secretKey)
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, "vpc")
	s := ncpfunctions.Settings{VPCNo: 11, SubnetNo: 22}

	_, err := apply(t, c, s)
	require.NoError(t, err)
	first := srv.Names()
	n := len(srv.Requests())

	out, err := apply(t, c, s)
	require.NoError(t, err, out)
	assert.Equal(t, first, srv.Names(), "same resources, none duplicated")
	assert.Equal(t, []string{
		"action vodflow/add-files (basic)", "action vodflow/encoding-callback (web)", "action vodflow/lookup-category (basic)",
		"action vodflow/upload-sequence (sequence)", "link vodflow-upload → vodflow/upload-sequence", "package vodflow",
		"trigger vodflow-upload (object_storage)",
	}, first)
	second := srv.Requests()[n:]
	require.Len(t, second, n, "the same steps again")
	for i, r := range second {
		assert.Equal(t, srv.Requests()[i].Method+" "+srv.Requests()[i].RequestURI, r.Method+" "+r.RequestURI)
		if r.Method == http.MethodPost {
			assert.Contains(t, r.Path, "/link-action")
		} else {
			assert.Equal(t, http.MethodPut, r.Method, "updates are PUTs")
		}
	}
	assert.Contains(t, out, "[7/7] link vodflow-upload → vodflow/upload-sequence")
	assert.Contains(t, out, "ok (already linked)")
}

func TestMidwayFailureNamesResourceStatusCodeAndApplied(t *testing.T) {
	srv := ncpfunctionstest.New(accessKey, secretKey)
	t.Cleanup(srv.Close)
	srv.FailOn("PUT", "/packages/vodflow/actions/add-files", 400,
		`{"error":{"errorCode":"80012","message":"invalid memory","details":"got `+pkgSecret+`"}}`)
	c := newClient(t, srv.URL, "vpc")

	out, err := apply(t, c, ncpfunctions.Settings{VPCNo: 1, SubnetNo: 2})
	require.Error(t, err)
	var stepErr *deploy.StepError
	require.True(t, errors.As(err, &stepErr))
	assert.Equal(t, 3, stepErr.Index)
	assert.Equal(t, "action vodflow/add-files", stepErr.Resource)
	assert.Equal(t, []string{"package vodflow", "action vodflow/lookup-category"}, stepErr.Applied)
	var apiErr *ncpfunctions.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Equal(t, "80012", apiErr.Code)

	msg := err.Error()
	assert.Contains(t, msg, "ncp deploy: step 3/7, action vodflow/add-files")
	assert.Contains(t, msg, "HTTP 400")
	assert.Contains(t, msg, "NCP code 80012: invalid memory")
	assert.Contains(t, msg, "already applied: package vodflow, action vodflow/lookup-category")
	assert.NotContains(t, msg, pkgSecret, "an echoed secret is redacted")
	assert.NotContains(t, msg, secretKey)
	assert.Contains(t, out, "[3/7] action vodflow/add-files")
	assert.Contains(t, out, "FAILED")
	assert.Len(t, srv.Requests(), 3, "nothing is sent after the failed step")
}

func TestClassicPlatformSendsNoVPC(t *testing.T) {
	srv := ncpfunctionstest.New(accessKey, secretKey)
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, "classic")
	_, err := apply(t, c, ncpfunctions.Settings{})
	require.NoError(t, err)
	for _, r := range srv.Requests() {
		assert.Equal(t, "classic", r.Query.Get("platform"))
		assert.NotContains(t, string(r.Body), `"vpc"`)
	}
}

func TestVPCNeedsSubnet(t *testing.T) {
	c := newClient(t, "https://example.invalid", "vpc")
	_, err := ncpfunctions.Steps(c, deployment(), nil, ncpfunctions.Settings{VPCNo: 1})
	assert.ErrorContains(t, err, "platform vpc needs the VPC and subnet numbers")
}

func TestTriggerNeedsBucketAndRule(t *testing.T) {
	c := newClient(t, "https://example.invalid", "classic")
	d := deployment()
	delete(d.Triggers[0].Annotations, ncpfunctions.AnnotationEventRuleName)
	_, err := ncpfunctions.Steps(c, d, nil, ncpfunctions.Settings{})
	assert.ErrorContains(t, err, "trigger vodflow-upload: the bucket and its event rule are required")
	d.Triggers[0].Annotations = nil
	_, err = ncpfunctions.Steps(c, d, nil, ncpfunctions.Settings{})
	assert.ErrorContains(t, err, "object_storage and cron triggers only")
}

func TestInvoke(t *testing.T) {
	srv := ncpfunctionstest.New(accessKey, secretKey)
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, "vpc")
	_, err := apply(t, c, ncpfunctions.Settings{VPCNo: 1, SubnetNo: 2})
	require.NoError(t, err)
	srv.OnInvoke(func(pkg, action string, params map[string]any) map[string]any {
		return map[string]any{"ran": pkg + "/" + action, "object_name": params["object_name"]}
	})
	n := len(srv.Requests())

	act, err := c.Invoke(context.Background(), "vodflow", "upload-sequence", map[string]any{"object_name": "a.mp4"}, 60*time.Second)
	require.NoError(t, err)
	require.NotNil(t, act.Response)
	assert.Equal(t, map[string]any{"ran": "vodflow/upload-sequence", "object_name": "a.mp4"}, act.Response.Result)
	assert.Equal(t, "act-1", act.ActivationID)
	r := srv.Requests()[n]
	assert.True(t, r.SignatureOK)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/ncf/api/v2/packages/vodflow/actions/upload-sequence?platform=vpc&timeout=60000", r.RequestURI)
	assert.JSONEq(t, `{"object_name":"a.mp4"}`, string(r.Body))
}

func TestNewAndHosts(t *testing.T) {
	hosts := []struct{ region, want string }{
		{"", "https://cloudfunctions.apigw.ntruss.com"}, {"kr", "https://cloudfunctions.apigw.ntruss.com"},
		{"sg", "https://sg-cloudfunctions.apigw.ntruss.com"}, {"jp", "https://jp-cloudfunctions.apigw.ntruss.com"},
	}
	for _, h := range hosts {
		got, err := ncpfunctions.HostForRegion(h.region)
		require.NoError(t, err)
		assert.Equal(t, h.want, got)
	}
	_, err := ncpfunctions.HostForRegion("us")
	assert.Error(t, err)

	creds := signing.Credentials{AccessKey: "a", SecretKey: signing.NewSecret("b")}
	c, err := ncpfunctions.New("https://cloudfunctions.apigw.gov-ntruss.com/api/v2", creds, "classic")
	require.NoError(t, err)
	assert.Equal(t, "/api/v2/packages/p?platform=classic", c.URI(ncpfunctions.PackagePath("p"), nil), "an API URL with a path keeps it")
	c, err = ncpfunctions.New("https://sg-cloudfunctions.apigw.ntruss.com", creds, "vpc")
	require.NoError(t, err)
	assert.Equal(t, "/ncf/api/v2/triggers/t?platform=vpc", c.URI(ncpfunctions.TriggerPath("t"), nil))
	_, err = ncpfunctions.New("ftp://x", creds, "vpc")
	assert.Error(t, err)
	_, err = ncpfunctions.New("https://x", creds, "vcp")
	assert.Error(t, err)
	_, err = ncpfunctions.New("https://x", signing.Credentials{}, "vpc")
	assert.ErrorIs(t, err, signing.ErrMissingCredentials)
}

func TestAPIErrorShapes(t *testing.T) {
	srv := ncpfunctionstest.New(accessKey, secretKey)
	t.Cleanup(srv.Close)
	srv.FailOn("PUT", "/packages/p", 401, `{"error":{"errorCode":210,"message":"Permission Denied"}}`)
	srv.FailOn("PUT", "/packages/q", 502, `<html><body>Bad   Gateway</body></html>`)
	c := newClient(t, srv.URL, "vpc")
	err := c.PutPackage(context.Background(), "p", ncpfunctions.PackageBody{})
	assert.EqualError(t, err, "PUT /ncf/api/v2/packages/p: HTTP 401 Unauthorized, NCP code 210: Permission Denied")
	err = c.PutPackage(context.Background(), "q", ncpfunctions.PackageBody{})
	assert.EqualError(t, err, "PUT /ncf/api/v2/packages/q: HTTP 502 Bad Gateway: application/json response: Bad Gateway")
}
