package owdeploy_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/openwhisktest"
	"github.com/vodflow/vodflow/pkg/owdeploy"
)

const (
	auth      = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:owsecretkey123456"
	pkgSecret = "vod-station-secret-value"
)

var (
	zipOnce  sync.Once
	zipBytes []byte
	zipErr   error
)

// realZip builds actions/add-files for go:1.22 once.
func realZip(t *testing.T) []byte {
	t.Helper()
	zipOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		dir, err := os.MkdirTemp("", "owdeploy-test")
		if err != nil {
			zipErr = err
			return
		}
		defer os.RemoveAll(dir)
		built, err := actionzip.Build(context.Background(), root, dir, owdeploy.DefaultKind, []string{"add-files"})
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
		Package: manifest.PackageSpec{Name: "vodflow", Params: map[string]any{"NCLOUD_ACCESS_KEY": "AK-vod", "NCLOUD_SECRET_KEY": pkgSecret}},
		Actions: []manifest.ActionSpec{
			{Name: "lookup-category", Function: "dist/lookup-category.zip", Runtime: "go:1.19", Main: "main",
				Limits: manifest.LimitsSpec{TimeoutMS: 60000, MemoryMB: 256}, Params: map[string]any{"CATEGORY_NAME": "movies"}},
			{Name: "add-files", Function: "dist/add-files.zip", Runtime: "go:1.19", Main: "main"},
			{Name: "encoding-callback", Function: "dist/encoding-callback.zip", Runtime: "go:1.19", Main: "main", Web: true},
		},
		Sequences: []manifest.SequenceSpec{{Name: "upload-sequence", Components: []string{"lookup-category", "add-files"}}},
		Triggers:  []manifest.TriggerSpec{{Name: "vodflow-upload", Params: map[string]any{}, Annotations: map[string]any{"ncp-trigger-type": "object_storage"}}},
		Rules:     []manifest.RuleSpec{{Name: "vodflow-upload-rule", Trigger: "vodflow-upload", Action: "upload-sequence"}},
	}
}

func apply(t *testing.T, url string) (string, error) {
	t.Helper()
	cli, err := owdeploy.NewClient(owdeploy.Config{APIHost: url, Auth: auth})
	require.NoError(t, err)
	z := realZip(t)
	steps := owdeploy.Steps(cli, deployment(), map[string][]byte{"lookup-category": z, "add-files": z, "encoding-callback": z}, owdeploy.DefaultKind)
	var out bytes.Buffer
	secrets := deploy.Secrets(deployment().Package.Params)
	secrets.Add(auth)
	err = deploy.Apply(context.Background(), &out, "openwhisk", steps, secrets)
	return out.String(), err
}

func TestDeploySendsEveryEntityWithBasicAuth(t *testing.T) {
	srv := openwhisktest.New(auth)
	t.Cleanup(srv.Close)
	out, err := apply(t, srv.URL)
	require.NoError(t, err, out)

	reqs := srv.Requests()
	require.Len(t, reqs, 8, "package, 3 actions, sequence, trigger, rule, rule state")
	for _, r := range reqs {
		assert.True(t, r.AuthOK, "%s %s: no Basic auth with the key", r.Method, r.Path)
	}
	assert.Equal(t, 7, strings.Count(out, "\n"), "one line per step")
	assert.Contains(t, out, "[7/7] rule vodflow-upload-rule: vodflow-upload → vodflow/upload-sequence")
	assert.Contains(t, out, "ok (active)")

	assert.Equal(t, "PUT packages/vodflow true", reqs[0].Method+" "+reqs[0].Path+" "+reqs[0].Query.Get("overwrite"))
	assert.JSONEq(t, `{"name":"vodflow","parameters":[{"key":"NCLOUD_ACCESS_KEY","value":"AK-vod"},{"key":"NCLOUD_SECRET_KEY","value":"`+pkgSecret+`"}]}`, string(reqs[0].Body))

	type action struct {
		Name string
		Exec struct {
			Kind, Code, Main string
			Binary           bool
			Components       []string
		}
		Parameters  []map[string]any
		Annotations []map[string]any
		Limits      map[string]int
	}
	for i, want := range []struct {
		path        string
		params      []map[string]any
		limits      map[string]int
		annotations []map[string]any
	}{
		{"actions/vodflow/lookup-category", []map[string]any{{"key": "CATEGORY_NAME", "value": "movies"}}, map[string]int{"timeout": 60000, "memory": 256}, nil},
		{"actions/vodflow/add-files", nil, nil, nil},
		{"actions/vodflow/encoding-callback", nil, nil, []map[string]any{{"key": "final", "value": true}, {"key": "raw-http", "value": false}, {"key": "web-export", "value": true}}},
	} {
		r := reqs[1+i]
		assert.Equal(t, "PUT", r.Method)
		assert.Equal(t, want.path, r.Path)
		assert.Equal(t, "true", r.Query.Get("overwrite"))
		var a action
		require.NoError(t, r.JSON(&a))
		assert.Equal(t, strings.TrimPrefix(want.path, "actions/"), a.Name)
		assert.Equal(t, "go:1.22", a.Exec.Kind)
		assert.True(t, a.Exec.Binary)
		assert.Equal(t, "main", a.Exec.Main)
		assert.Equal(t, want.params, a.Parameters, want.path)
		assert.Equal(t, want.limits, a.Limits, want.path)
		assert.Equal(t, want.annotations, a.Annotations, want.path)
		zip, err := base64.StdEncoding.DecodeString(a.Exec.Code)
		require.NoError(t, err)
		info, err := actionzip.Check(zip)
		require.NoError(t, err)
		assert.Equal(t, "openwhisk/action-golang-v1.22", info.ExecEnv, "exec.env matches the kind")
	}
	assert.Equal(t, "actions/vodflow/upload-sequence", reqs[4].Path)
	assert.JSONEq(t, `{"name":"vodflow/upload-sequence","exec":{"kind":"sequence","components":["/_/vodflow/lookup-category","/_/vodflow/add-files"]}}`, string(reqs[4].Body))
	assert.Equal(t, "triggers/vodflow-upload", reqs[5].Path)
	assert.JSONEq(t, `{"name":"vodflow-upload","annotations":[{"key":"ncp-trigger-type","value":"object_storage"}]}`, string(reqs[5].Body))
	assert.Equal(t, "rules/vodflow-upload-rule", reqs[6].Path)
	assert.JSONEq(t, `{"name":"vodflow-upload-rule","status":"","trigger":"/_/vodflow-upload","action":"/_/vodflow/upload-sequence"}`, string(reqs[6].Body))
	assert.Equal(t, "POST", reqs[7].Method)
	assert.JSONEq(t, `{"status":"active","trigger":null,"action":null}`, string(reqs[7].Body))
}

func TestSecondDeployUpdatesInPlace(t *testing.T) {
	srv := openwhisktest.New(auth)
	t.Cleanup(srv.Close)
	_, err := apply(t, srv.URL)
	require.NoError(t, err)
	first := srv.Names()
	n := len(srv.Requests())
	_, err = apply(t, srv.URL)
	require.NoError(t, err)
	assert.Equal(t, first, srv.Names())
	assert.Len(t, first, 7)
	assert.Contains(t, first, "rules/vodflow-upload-rule (active)")
	for _, r := range srv.Requests()[n:] {
		if r.Method == "PUT" {
			assert.Equal(t, "true", r.Query.Get("overwrite"), r.Path)
		}
	}
	assert.Len(t, srv.Requests(), 2*n)
}

func TestMidwayFailure(t *testing.T) {
	srv := openwhisktest.New(auth)
	t.Cleanup(srv.Close)
	srv.FailOn("PUT", "actions/vodflow/upload-sequence", 400)
	_, err := apply(t, srv.URL)
	var stepErr *deploy.StepError
	require.True(t, errors.As(err, &stepErr), "%v", err)
	var apiErr *owdeploy.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, err.Error(), "openwhisk deploy: step 5/7, sequence vodflow/upload-sequence: put sequence vodflow/upload-sequence: HTTP 400 Bad Request")
	assert.Contains(t, err.Error(), "already applied: package vodflow, action vodflow/lookup-category, action vodflow/add-files, action vodflow/encoding-callback")
	assert.NotContains(t, err.Error(), "owsecretkey")
	assert.Len(t, srv.Requests(), 5)
}

func TestInvoke(t *testing.T) {
	srv := openwhisktest.New(auth)
	t.Cleanup(srv.Close)
	_, err := apply(t, srv.URL)
	require.NoError(t, err)
	cli, err := owdeploy.NewClient(owdeploy.Config{APIHost: srv.URL, Auth: auth})
	require.NoError(t, err)

	srv.OnInvoke(func(name string, params map[string]any) map[string]any {
		if params["fail"] == true {
			return map[string]any{"error": map[string]any{"message": "boom"}}
		}
		return map[string]any{"ran": name, "object_name": params["object_name"]}
	})
	res, err := owdeploy.Invoke(cli, "vodflow", "upload-sequence", map[string]any{"object_name": "a.mp4"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"ran": "vodflow/upload-sequence", "object_name": "a.mp4"}, res)
	last := srv.Requests()[len(srv.Requests())-1]
	assert.Equal(t, "POST actions/vodflow/upload-sequence", last.Method+" "+last.Path)
	assert.Equal(t, "true", last.Query.Get("blocking"))
	assert.Equal(t, "true", last.Query.Get("result"))
	assert.True(t, last.AuthOK)

	res, err = owdeploy.Invoke(cli, "vodflow", "add-files", map[string]any{"fail": true})
	require.NoError(t, err, "an application error is a result")
	assert.Equal(t, map[string]any{"error": map[string]any{"message": "boom"}}, res)

	_, err = owdeploy.Invoke(cli, "vodflow", "nope", nil)
	assert.ErrorContains(t, err, "HTTP 404")
}

func TestWskprops(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".wskprops")
	require.NoError(t, os.WriteFile(path, []byte("# wsk\nAPIHOST=ow.example:443\nAUTH="+auth+"\nNAMESPACE=guest\nAPIVERSION=v1\n"), 0o600))
	c, err := owdeploy.ReadWskprops(path)
	require.NoError(t, err)
	assert.Equal(t, owdeploy.Config{APIHost: "ow.example:443", Auth: auth, Namespace: "guest"}, c)
	assert.Equal(t, "apihost ow.example:443, namespace guest", c.String())
	assert.NotContains(t, c.String(), "owsecretkey")

	merged := c.Merge(owdeploy.Config{APIHost: "http://127.0.0.1:3233"})
	assert.Equal(t, "http://127.0.0.1:3233", merged.APIHost)
	assert.Equal(t, auth, merged.Auth)

	missing, err := owdeploy.ReadWskprops(filepath.Join(dir, "none"))
	require.NoError(t, err)
	assert.Equal(t, owdeploy.Config{}, missing)

	t.Setenv("WSK_CONFIG_FILE", path)
	assert.Equal(t, path, owdeploy.WskpropsPath())

	_, err = owdeploy.NewClient(owdeploy.Config{Auth: auth})
	assert.ErrorIs(t, err, owdeploy.ErrNoAPIHost)
	_, err = owdeploy.NewClient(owdeploy.Config{APIHost: "h"})
	assert.ErrorIs(t, err, owdeploy.ErrNoAuth)
}
