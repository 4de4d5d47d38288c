package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocalFileUploadsAndPlays(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is not on the PATH: no real video to upload; install ffmpeg to run this test")
	}
	video := filepath.Join(t.TempDir(), "clip #1.mp4")
	out, err := exec.Command(ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
		"-t", "2", "-pix_fmt", "yuv420p", video).CombinedOutput()
	require.NoError(t, err, string(out))

	stdout, stderr, err := runCmd(t, "local", "--file", video)
	require.NoError(t, err, stdout+stderr)
	assert.Contains(t, stderr, "the key uploads/clip _1.mp4 replaces # with _")
	assert.Contains(t, stdout, "Object Storage emulator (test double) at http://127.0.0.1:")
	assert.Contains(t, stdout, "uploaded "+video+" to vodflow-demo-uploads/uploads/clip _1.mp4")
	assert.Regexp(t, `event \{"bucket_name":"vodflow-demo-uploads","etag":"[0-9a-f]{32}",.*"event_type":"PUT","object_name":"uploads/clip _1.mp4"`, stdout)
	assert.Contains(t, stdout, "submitted 1 file(s) to category 1")
	assert.Contains(t, stdout, "webhook file_complete")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	assert.Regexp(t, `^play: http://127\.0\.0\.1:\d+/hls/vodflowdemoenc0001/encoded/vodflow-demo/`+regexp.QuoteMeta("clip%20_1_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,.mp4.smil/master.m3u8")+`$`,
		lines[len(lines)-1], "the playback URL is the last line")
}

func TestLocalFileUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"local", "--file", "a.mp4", "--params", "params.json"},
		{"local", "--file", "a.mp4", "--event", `{"object_name":"a.mp4"}`},
		{"local", "--file", "a.mp4", "--action", "add-files"},
	} {
		_, _, err := runCmd(t, args...)
		var usage *usageError
		require.True(t, errors.As(err, &usage), "%v: %v", args, err)
		assert.Contains(t, err.Error(), "--file runs on the emulator")
	}
}

func TestLocalFileMissing(t *testing.T) {
	_, _, err := runCmd(t, "local", "--file", filepath.Join(t.TempDir(), "gone.mp4"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "open the file to upload")
	assert.Contains(t, err.Error(), "gone.mp4")
}

func TestPlayableKey(t *testing.T) {
	for _, tc := range []struct{ in, want, replaced string }{
		{"uploads/a.mp4", "uploads/a.mp4", ""},
		{"uploads/a#b$c;d#.mp4", "uploads/a_b_c_d_.mp4", "# $ ;"},
		{"uploads/비디오 1.mp4", "uploads/비디오 1.mp4", ""},
	} {
		got, replaced := playableKey(tc.in)
		assert.Equal(t, tc.want, got)
		assert.Equal(t, tc.replaced, replaced)
	}
}
