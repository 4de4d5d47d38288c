package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestLocalQuickStart(t *testing.T) {
	out, _, err := runCmd(t, "local")
	require.NoError(t, err, out)
	assert.Contains(t, out, "VOD Station emulator (test double)")
	assert.Contains(t, out, "[1/2] lookup-category")
	assert.Contains(t, out, "[2/2] add-files")
	assert.Contains(t, out, "submitted 1 file(s) to category 1")
	assert.Contains(t, out, "→ file_id 1")
	// The callback loop: emulator callbacks → encoding-callback → webhook receiver.
	for _, typ := range []string{"submitted", "encoding_started", "rendition_complete", "ready", "file_complete"} {
		assert.Contains(t, out, "webhook "+typ)
	}
	const abrPath = "/hls/vodflowdemoenc0001/encoded/vodflow-demo/sample%20video_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,.mp4.smil/master.m3u8"
	assert.Contains(t, out, "playable: file 1 (uploads/sample video.mp4) HLS https://vodflow-demo.edge.naverncp.com"+abrPath)
	assert.Contains(t, out, "poster:   file 1 https://vodflow-demo-output.kr.object.ncloudstorage.com/encoded/vodflow-demo/sample%20video_01.jpg")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Regexp(t, `^play: http://127\.0\.0\.1:\d+`+regexp.QuoteMeta(abrPath)+`$`, lines[len(lines)-1], "the adaptive URL, on the emulator, is the last line")
}

func TestLocalFailureExitsNonZero(t *testing.T) {
	out, _, err := runCmd(t, "local", "--event", `{"object_name":42}`)
	var code exitCode
	require.True(t, errors.As(err, &code), "err = %v", err)
	assert.Equal(t, exitCode(1), code)
	assert.Contains(t, out, "FAILED invalid_parameter: invalid parameter object_name")
}

func TestLocalSkipExitsZero(t *testing.T) {
	dir := t.TempDir()
	event := filepath.Join(dir, "event.json")
	require.NoError(t, os.WriteFile(event, []byte(`{"object_name":"notes.txt"}`), 0o644))
	out, _, err := runCmd(t, "local", "--event", event)
	require.NoError(t, err)
	assert.Contains(t, out, "skipped notes.txt: unsupported_extension")
}

func TestLocalActionAlone(t *testing.T) {
	out, _, err := runCmd(t, "local", "--action", "add-files", "--event", `{"category_id":"1","bucket_name":"b-b","paths":["a.mp4","b.mp4"]}`)
	require.NoError(t, err, out)
	assert.Contains(t, out, "[1/1] add-files")
	assert.Contains(t, out, "submitted 2 file(s) to category 1 in bucket b-b")
}

func TestLocalParamsSendsSignedRequestsToAPIURL(t *testing.T) {
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: "AK-params", SecretKey: "SK-params-secret"})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	cat := vod.AddCategory(vodstationtest.Category{Name: "mine"})
	params := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(params, []byte(`{
		"package": {"parameters": {"NCLOUD_ACCESS_KEY": "AK-params", "NCLOUD_SECRET_KEY": "SK-params-secret", "API_URL": "`+vod.URL+`"}},
		"actions": {"lookup-category": {"parameters": {"CATEGORY_NAME": "mine", "BUCKET_NAME": "bkt"}}}
	}`), 0o644))

	out, stderr, err := runCmd(t, "local", "--params", params, "-v")
	require.NoError(t, err, out)
	calls := vod.Calls()
	require.NotEmpty(t, calls)
	for _, c := range calls {
		assert.True(t, c.Authenticated, "%s %s was not signed correctly", c.Method, c.RequestURI)
	}
	subs := vod.Submissions()
	require.Len(t, subs, 1)
	assert.Equal(t, cat.ID, subs[0].CategoryID)
	assert.Equal(t, "bkt", subs[0].BucketName)
	assert.NotContains(t, out+stderr, "SK-params-secret")
	assert.Contains(t, stderr, `"activation_id"`, "-v shows the actions' log lines")
}

func TestLocalRefusesPlaceholders(t *testing.T) {
	_, _, err := runCmd(t, "local", "--params", "../../params.example.json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "placeholder")
	assert.Contains(t, err.Error(), "package.NCLOUD_SECRET_KEY")
}

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCmd(t, "build", "--out", dir)
	require.NoError(t, err)
	for _, name := range []string{"lookup-category", "add-files"} {
		assert.Contains(t, out, name+".zip")
		b, err := os.ReadFile(filepath.Join(dir, name+".zip"))
		require.NoError(t, err)
		_, err = actionzip.Check(b)
		assert.NoError(t, err)
	}
	assert.Contains(t, out, "kind go:1.19")
}

func TestUsage(t *testing.T) {
	out, _, err := runCmd(t)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out, "vodflow"))
	_, _, err = runCmd(t, "nope")
	assert.ErrorContains(t, err, `unknown command "nope"`)
}
