// Package actions_test is the black-box acceptance suite: it builds the
// action zips exactly as `vodflow build` ships them, checks them, and runs
// the exec inside each through the actionloop protocol against the VOD
// Station emulator, which verifies every signature independently.
package actions_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/actionproxy"
	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

const (
	accessKey = "AK_ACCEPTANCE"
	// secretKey is a sentinel: it must never appear in any output.
	secretKey = "SK-SENTINEL-9c4e1f7a2b"
	bucket    = "vodflow-demo-uploads"
)

var binDir string

func TestMain(m *testing.M) {
	code, err := buildAndRun(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "acceptance setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// buildAndRun builds the zips once, checks them, and extracts each into
// binDir/<action> as the runtime proxy does (on linux/amd64, the very exec
// and exec.env that ship).
func buildAndRun(m *testing.M) (int, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "vodflow-acceptance")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	binDir = filepath.Join(tmp, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return 0, err
	}
	names, err := actionzip.Actions(root)
	if err != nil {
		return 0, err
	}
	built, err := actionzip.Build(context.Background(), root, filepath.Join(tmp, "dist"), actionzip.DefaultKind, names)
	if err != nil {
		return 0, err
	}
	for _, b := range built {
		zipBytes, err := os.ReadFile(b.Path)
		if err != nil {
			return 0, err
		}
		info, err := actionzip.Check(zipBytes)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", b.Name, err)
		}
		if info.ExecEnv != "openwhisk/action-golang-v1.19" {
			return 0, fmt.Errorf("%s: exec.env is %q", b.Name, info.ExecEnv)
		}
		// Installed as the runtime proxy's /init does, exec.env included.
		if _, err := actionproxy.Unzip(zipBytes, filepath.Join(binDir, b.Name)); err != nil {
			return 0, err
		}
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		// The shipped exec cannot run here; test a native build instead.
		if _, err := localrun.BuildBinaries(context.Background(), root, binDir, runtime.GOOS, runtime.GOARCH); err != nil {
			return 0, err
		}
	}
	return m.Run(), nil
}

// syncBuffer collects the actions' logs from several processes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type env struct {
	vod  *vodstationtest.Server
	plat *localrun.Platform
	logs *syncBuffer
}

// setup starts an emulator with 60 categories (the target, "vod-45", on
// page 3 of 20) and a warm platform whose params point at it.
func setup(t *testing.T, pkgOverrides map[string]any, lookupOverrides map[string]any) env {
	t.Helper()
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategories(60, "vod-")

	pkg := map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL, "REGION": "KR"}
	lookup := map[string]any{"CATEGORY_NAME": "vod-45", "BUCKET_NAME": bucket, "EXCLUDE_PREFIXES": "encoded/"}
	for k, v := range pkgOverrides {
		setOrDelete(pkg, k, v)
	}
	for k, v := range lookupOverrides {
		setOrDelete(lookup, k, v)
	}
	logs := &syncBuffer{}
	plat := localrun.New(localrun.Config{BinDir: binDir, Logs: logs, Params: &paramsfile.File{
		Package: paramsfile.Package{Name: "vodflow", Parameters: pkg},
		Actions: map[string]paramsfile.Action{"lookup-category": {Parameters: lookup}},
	}})
	t.Cleanup(func() {
		plat.Close()
		assert.NotContains(t, logs.String(), secretKey, "the secret key reached the actions' stdout/stderr")
	})
	return env{vod: vod, plat: plat, logs: logs}
}

func setOrDelete(m map[string]any, k string, v any) {
	if v == nil {
		delete(m, k)
	} else {
		m[k] = v
	}
}

func fire(t *testing.T, e env, event map[string]any) map[string]any {
	t.Helper()
	out := e.plat.Fire(context.Background(), event)
	for _, s := range out.Steps {
		require.NoError(t, s.Err, "%s crashed or timed out", s.Action)
	}
	raw, _ := json.Marshal(out.Result)
	assert.NotContains(t, string(raw), secretKey)
	return out.Result
}

func errorOf(t *testing.T, res map[string]any) map[string]any {
	t.Helper()
	require.Contains(t, res, "error", "want an error result, got %v", res)
	return res["error"].(map[string]any)
}

func TestFoundOnPage3AndWarmContainerListsOnce(t *testing.T) {
	e := setup(t, nil, nil)
	res := fire(t, e, map[string]any{"object_name": "uploads/%ED%95%9C%EA%B8%80%20clip.mp4"})
	require.NotContains(t, res, "error")
	assert.Equal(t, "45", res["category_id"])
	assert.EqualValues(t, 1, res["submitted"])
	assert.Equal(t, 3, e.vod.CountCalls("GET", "/api/v2/category"), "pages 1 to 3")

	subs := e.vod.Submissions()
	require.Len(t, subs, 1)
	assert.Equal(t, int64(45), subs[0].CategoryID)
	assert.Equal(t, bucket, subs[0].BucketName, "bucket reaches add-files")
	assert.Equal(t, []string{"uploads/한글 clip.mp4"}, subs[0].Paths, "decoded key reaches add-files")
	files := res["files"].([]any)
	assert.Equal(t, fmt.Sprint(subs[0].FileIDs[0]), files[0].(map[string]any)["file_id"])

	res = fire(t, e, map[string]any{"object_name": "uploads/second.mp4"})
	require.NotContains(t, res, "error")
	assert.Equal(t, 3, e.vod.CountCalls("GET", "/api/v2/category"), "warm container: no listing for the second upload")
	assert.Len(t, e.vod.Submissions(), 2)
	assert.Equal(t, 2, e.vod.CountCalls("PUT", "/api/v2/category/45/add-files"), "one add-files call per upload")
}

func TestSkippedFileMakesNoCall(t *testing.T) {
	e := setup(t, nil, nil)
	res := fire(t, e, map[string]any{"object_name": "uploads/notes.txt"})
	assert.Equal(t, true, res["skipped"])
	assert.Equal(t, "unsupported_extension", res["reason"])
	assert.Empty(t, e.vod.Calls(), "neither action called VOD Station")
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		pkg       map[string]any
		lookup    map[string]any
		event     map[string]any
		wantCode  string
		wantInMsg string
	}{
		{"unknown category name", nil, map[string]any{"CATEGORY_NAME": "no-such-category"}, map[string]any{"object_name": "a.mp4"},
			"category_not_found", `"no-such-category"`},
		{"missing secret key", map[string]any{"NCLOUD_SECRET_KEY": nil}, nil, map[string]any{"object_name": "a.mp4"},
			"missing_parameter", "NCLOUD_SECRET_KEY"},
		{"wrong secret key", map[string]any{"NCLOUD_SECRET_KEY": "wrong-" + secretKey[3:]}, nil, map[string]any{"object_name": "a.mp4"},
			"unauthorized", "HTTP 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.pkg, tt.lookup)
			res := fire(t, e, tt.event)
			body := errorOf(t, res)
			assert.Equal(t, tt.wantCode, body["code"])
			assert.Contains(t, body["message"], tt.wantInMsg)
			assert.Empty(t, e.vod.Submissions())
		})
	}
}

func TestBadInputThenProcessStillServes(t *testing.T) {
	e := setup(t, nil, nil)
	res := fire(t, e, map[string]any{"object_name": 42})
	body := errorOf(t, res)
	assert.Equal(t, "invalid_parameter", body["code"])
	assert.Equal(t, "invalid parameter object_name: got a number, want a string", body["message"])
	first := e.plat.LastResult("lookup-category").ActivationID

	res = fire(t, e, map[string]any{"object_name": "uploads/ok.mp4"})
	require.NotContains(t, res, "error")
	assert.NotEqual(t, first, e.plat.LastResult("lookup-category").ActivationID)
	assert.Len(t, e.vod.Submissions(), 1)
}

func TestManualInvokeOfAddFiles(t *testing.T) {
	e := setup(t, nil, nil)
	res, err := e.plat.RunAction(context.Background(), "add-files", map[string]any{"category_id": 45, "bucket_name": "b-1", "object_name": "by/hand.mp4"})
	require.NoError(t, err)
	require.NotContains(t, res, "error")
	subs := e.vod.Submissions()
	require.Len(t, subs, 1)
	assert.Equal(t, "b-1", subs[0].BucketName)
	assert.Equal(t, []string{"by/hand.mp4"}, subs[0].Paths)
}

// TestSampleEvents runs every sample event of testdata/events through the
// whole sequence and checks what the emulator received.
func TestSampleEvents(t *testing.T) {
	want := map[string]struct {
		skip   string   // skip reason, or "" when submitted
		bucket string   // bucket submitted
		paths  []string // paths submitted
	}{
		"plain.json":                 {"", bucket, []string{"uploads/plain.mp4"}},
		"space.json":                 {"", bucket, []string{"uploads/my holiday.mp4"}},
		"plus.json":                  {"", bucket, []string{"uploads/a+b.mp4"}},
		"korean-raw.json":            {"", bucket, []string{"uploads/한글 영상.mp4"}},
		"korean-encoded.json":        {"", bucket, []string{"uploads/한글 영상.mp4"}},
		"uppercase-extension.json":   {"", bucket, []string{"uploads/CLIP.MOV"}},
		"unsupported-extension.json": {"unsupported_extension", "", nil},
		"excluded-prefix.json":       {"excluded_prefix", "", nil},
		"unplayable-name.json":       {"", bucket, []string{"uploads/take#1.mp4"}},
		"with-bucket.json":           {"", "other-uploads", []string{"clip.mp4"}},
		"s3-records.json":            {"", bucket, []string{"uploads/big file.mkv"}},
	}
	files, err := filepath.Glob("../testdata/events/*.json")
	require.NoError(t, err)
	var seen []string
	for _, f := range files {
		name := filepath.Base(f)
		seen = append(seen, name)
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			require.True(t, ok, "no expectation for sample event %s", name)
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			var event map[string]any
			require.NoError(t, json.Unmarshal(raw, &event))

			e := setup(t, nil, nil)
			res := fire(t, e, event)
			require.NotContains(t, res, "error")
			subs := e.vod.Submissions()
			if w.skip != "" {
				assert.Equal(t, true, res["skipped"])
				assert.Equal(t, w.skip, res["reason"])
				assert.Empty(t, subs)
				return
			}
			require.Len(t, subs, 1)
			assert.Equal(t, w.bucket, subs[0].BucketName)
			assert.Equal(t, w.paths, subs[0].Paths)
			assert.EqualValues(t, len(w.paths), res["submitted"])
			if strings.ContainsAny(w.paths[0], "#$;") {
				assert.NotEmpty(t, res["warnings"], "an unplayable name is submitted with a warning")
			}
		})
	}
	var wanted []string
	for k := range want {
		wanted = append(wanted, k)
	}
	sort.Strings(wanted)
	assert.Equal(t, wanted, seen, "every sample event has an expectation and vice versa")
}

// TestShippedExecSpeaksTheProtocol starts a zip's exec directly with the
// runtime proxy's conventions and serves two activations.
func TestShippedExecSpeaksTheProtocol(t *testing.T) {
	p, err := actionproxy.Start(context.Background(), actionproxy.Options{
		Path: localrun.ExecPath(binDir, "lookup-category"), ExecutionEnv: actionproxy.DefaultExecutionEnv,
	})
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	assert.Positive(t, p.StartupTime())
	for i := 0; i < 2; i++ {
		res, err := p.Run(context.Background(), map[string]any{"object_name": "x.txt", "NCLOUD_ACCESS_KEY": "a", "NCLOUD_SECRET_KEY": "b", "CATEGORY_ID": "1", "BUCKET_NAME": "b"}, 0)
		require.NoError(t, err)
		obj, err := res.Object()
		require.NoError(t, err)
		assert.Equal(t, true, obj["skipped"])
	}
}

// TestExecEnvMismatchIsRefusedLocally runs lookup-category's shipped exec
// from zips whose exec.env does not match NCP's go:1.19 image: localrun
// refuses them as the runtime proxy's /init does, and accepts the real zip.
func TestExecEnvMismatchIsRefusedLocally(t *testing.T) {
	exe, err := os.ReadFile(localrun.ExecPath(binDir, "lookup-category"))
	require.NoError(t, err)
	shipped, err := os.ReadFile(filepath.Join(binDir, "lookup-category", "exec.env"))
	require.NoError(t, err)
	cases := []struct {
		name     string
		execEnv  []byte // nil: a zip without exec.env
		wantLogs string
	}{
		{name: "the shipped zip", execEnv: shipped},
		{
			name: "exec.env for go:1.20", execEnv: []byte("openwhisk/action-golang-v1.20\n"),
			wantLogs: "Expected exec.env should start with openwhisk/action-golang-v1.19\nActual value: openwhisk/action-golang-v1.20\n",
		},
		{name: "no exec.env", wantLogs: "exec.env: no such file or directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var zipBytes bytes.Buffer
			if tc.execEnv != nil {
				require.NoError(t, actionzip.Zip(&zipBytes, exe, strings.TrimSpace(string(tc.execEnv))))
			} else {
				zw := zip.NewWriter(&zipBytes)
				h := &zip.FileHeader{Name: "exec", Method: zip.Deflate}
				h.SetMode(0o755)
				w, err := zw.CreateHeader(h)
				require.NoError(t, err)
				_, err = w.Write(exe)
				require.NoError(t, err)
				require.NoError(t, zw.Close())
			}
			dir := t.TempDir()
			_, err := actionproxy.Unzip(zipBytes.Bytes(), filepath.Join(dir, "lookup-category"))
			require.NoError(t, err)
			logs := &syncBuffer{}
			plat := localrun.New(localrun.Config{BinDir: dir, Logs: logs})
			t.Cleanup(func() { plat.Close() })

			res, err := plat.Invoke(context.Background(), "lookup-category", map[string]any{
				"object_name": "x.txt", "NCLOUD_ACCESS_KEY": "a", "NCLOUD_SECRET_KEY": "b", "CATEGORY_ID": "1", "BUCKET_NAME": "b",
			})

			if tc.wantLogs == "" {
				require.NoError(t, err)
				assert.Equal(t, true, res["skipped"])
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, actionproxy.ErrExecEnv)
			assert.Contains(t, err.Error(), "Cannot start action. Check logs for details.")
			assert.Contains(t, logs.String(), tc.wantLogs)
			if tc.execEnv != nil {
				assert.Contains(t, logs.String(), "Execution environment version mismatch. See logs for details.")
			}
		})
	}
}
