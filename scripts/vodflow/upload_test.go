package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/signing"
)

// writeFile writes n bytes to dir/name and returns its path.
func writeFile(t *testing.T, dir, name string, n int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

func TestUploadWaitEndsWithPlaybackURL(t *testing.T) {
	file := writeFile(t, t.TempDir(), "my clip;1.mp4", 300_000)
	r := exe(t, "", "upload", "--wait", "--json", "--part-size", "100000", "--timeout", "60s", file)
	require.Equal(t, 0, r.code, r.stderr)
	var rep uploadReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
	assert.True(t, rep.Emulator)
	assert.True(t, rep.Multipart, "300 kB in 100 kB parts")
	assert.Equal(t, "uploads/my clip_1.mp4", rep.Key)
	assert.Equal(t, ";", rep.Replaced)
	assert.Equal(t, int64(300_000), rep.Size)
	require.NotNil(t, rep.Wait)
	require.NotEmpty(t, rep.Wait.Renditions)
	for _, rd := range rep.Wait.Renditions {
		assert.Equal(t, "COMPLETE", rd.Status)
		assert.Contains(t, rd.HLS, "https://"+demoCDNDomain+"/hls/"+demoEncrypted+"/")
	}
	assert.Contains(t, rep.Wait.Playback, "https://"+demoCDNDomain+"/hls/"+demoEncrypted+"/encoded/")
	assert.Equal(t, 1, rep.Submitted, "the bucket event submitted the upload exactly once")
	assert.Contains(t, r.stderr, `; replaced by _`)
	assert.Contains(t, r.stderr, "COMPLETE  100%")
	assert.Contains(t, r.stderr, "sent 0.30 MB of 0.30 MB (100%")
}

func TestUploadWithoutWaitOnTheEmulator(t *testing.T) {
	file := writeFile(t, t.TempDir(), "a.mp4", 1000)
	r := exe(t, "", "upload", file)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "uploaded "+file+" to "+demoBucket+"/uploads/a.mp4 (0.00 MB")
	assert.NotContains(t, r.stderr, "building", "no sequence runs without --wait")
}

// storageParams writes a params.json for the Object Storage at endpoint.
func storageParams(t *testing.T, endpoint, secret string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "params.json")
	b, err := json.Marshal(map[string]any{"package": map[string]any{"name": "vodflow", "parameters": map[string]any{
		"NCLOUD_ACCESS_KEY": demoAccessKey, "NCLOUD_SECRET_KEY": secret, "BUCKET_NAME": demoBucket,
		"OBJECT_STORAGE_ENDPOINT": endpoint, "OBJECT_STORAGE_REGION": demoStorageRegion,
	}}, "actions": map[string]any{"lookup-category": map[string]any{"parameters": map[string]any{"INPUT_PREFIX": "in/"}}}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p
}

// downURL is the URL of a port nothing listens on.
func downURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	return u
}

func TestUploadFailuresNameWhatIsWrongAndRetry(t *testing.T) {
	s, err := startDemoStorage("", nil)
	require.NoError(t, err)
	defer s.Close()
	file := writeFile(t, t.TempDir(), "v.mp4", 250_000)
	good := storageParams(t, s.URL, demoSecretKey)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "missing bucket", args: []string{"--params", good, "--bucket", "no-such-bucket"},
			want: []string{"the bucket no-such-bucket does not exist at " + s.URL, "404 NoSuchBucket"}},
		{name: "wrong keys", args: []string{"--params", storageParams(t, s.URL, "wrong-secret")},
			want: []string{"refused the keys (403)", "NCLOUD_SECRET_KEY", "403 SignatureDoesNotMatch"}},
		{name: "endpoint down", args: []string{"--params", storageParams(t, downURL(t), demoSecretKey)},
			want: []string{"did not answer", "OBJECT_STORAGE_ENDPOINT", "connection refused"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := exe(t, "", append([]string{"upload", "--part-size", "100000"}, append(tc.args, file)...)...)
			assert.Equal(t, 1, r.code, r.stderr)
			for _, w := range tc.want {
				assert.Contains(t, r.stderr, w)
			}
			assert.Contains(t, r.stderr, "nothing was created or submitted, run the same command again")
			assert.NotContains(t, r.stderr, "wrong-secret", "no secret is printed")
			assert.Empty(t, s.Keys(demoBucket))
			assert.Empty(t, s.Events(), "no bucket event, so nothing submitted")
		})
	}
	// The same upload, with the mistake fixed, goes through once.
	r := exe(t, "", "upload", "--part-size", "100000", "--params", good, file)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, []string{"in/v.mp4"}, s.Keys(demoBucket))
	assert.Len(t, s.Events(), 1)
}

func TestUploadOfAShrinkingFileFailsAndIsRetryable(t *testing.T) {
	s, err := startDemoStorage("", nil)
	require.NoError(t, err)
	defer s.Close()
	c, err := objectstorage.New(objectstorage.Config{Endpoint: s.URL, Region: demoStorageRegion, AccessKey: demoAccessKey, SecretKey: signing.NewSecret(demoSecretKey)},
		objectstorage.WithPartSize(100_000), objectstorage.WithConcurrency(1))
	require.NoError(t, err)
	file := writeFile(t, t.TempDir(), "shrinks.mp4", 400_000)
	shrunk := false
	_, err = uploadFile(context.Background(), c, demoBucket, "uploads/shrinks.mp4", file, func(done, size int64) {
		if !shrunk {
			shrunk = true
			require.NoError(t, os.Truncate(file, 150_000))
		}
	})
	require.Error(t, err)
	assert.True(t, errors.Is(err, objectstorage.ErrSourceChanged), "%v", err)
	msg := uploadFailed(err, paramsTarget{path: "params.json"}, s.URL, demoBucket, "uploads/shrinks.mp4").Error()
	assert.Contains(t, msg, "the file changed while it was read")
	assert.Contains(t, msg, "run the same command again")
	assert.Empty(t, s.Keys(demoBucket), "the multipart upload was aborted")
	assert.Empty(t, s.Events())

	obj, err := uploadFile(context.Background(), c, demoBucket, "uploads/shrinks.mp4", file, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(150_000), obj.Size)
	assert.Len(t, s.Events(), 1)
}

func TestUploadUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"upload"}, {"upload", "a", "b"}, {"upload", "--progress", "fancy", "a"}, {"upload", "--part-size", "0", "a"}} {
		r := exe(t, "", args...)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "vodflow upload: ")
	}
	r := exe(t, "", "upload", filepath.Join(t.TempDir(), "missing.mp4"))
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "open the file to upload")
}

func TestPlayableKeyOfUploadKeyFlag(t *testing.T) {
	s, err := startDemoStorage("", nil)
	require.NoError(t, err)
	defer s.Close()
	file := writeFile(t, t.TempDir(), "x.mp4", 10)
	r := exe(t, "", "upload", "--params", storageParams(t, s.URL, demoSecretKey), "--key", "a#b$c;d.mp4", "--json", file)
	require.Equal(t, 0, r.code, r.stderr)
	var rep uploadReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	assert.Equal(t, "a_b_c_d.mp4", rep.Key)
	assert.Equal(t, "# $ ;", rep.Replaced)
	assert.Equal(t, []string{"a_b_c_d.mp4"}, s.Keys(demoBucket))
	assert.Equal(t, s.URL, rep.Endpoint)
}

func TestUploadWaitFailedEncodingExitsNonZero(t *testing.T) {
	file := writeFile(t, t.TempDir(), "will-fail.mp4", 1000)
	r := exe(t, "", "upload", "--wait", "--timeout", "60s", file)
	assert.Equal(t, 1, r.code, r.stderr)
	assert.Regexp(t, `VOD Station reports FAILURE for rendition \S+ of vodflow-demo-uploads/uploads/will-fail.mp4: the file will not play`, r.stderr)
	assert.NotContains(t, r.stdout, "playable:")
}

func TestUploadWaitNeverReceivedTimesOut(t *testing.T) {
	s, err := startDemoStorage("", nil)
	require.NoError(t, err)
	defer s.Close()
	vod, _, err := startDemoEmulator("", nil, nil)
	require.NoError(t, err)
	defer vod.Close()
	p := filepath.Join(t.TempDir(), "params.json")
	b, err := json.Marshal(map[string]any{"package": map[string]any{"name": "vodflow", "parameters": map[string]any{
		"NCLOUD_ACCESS_KEY": demoAccessKey, "NCLOUD_SECRET_KEY": demoSecretKey, "BUCKET_NAME": demoBucket, "API_URL": vod.URL,
		"OBJECT_STORAGE_ENDPOINT": s.URL, "OBJECT_STORAGE_REGION": demoStorageRegion,
	}}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b, 0o600))
	file := writeFile(t, t.TempDir(), "lonely.mp4", 1000)
	r := exe(t, "", "upload", "--params", p, "--wait", "--timeout", "1500ms", file)
	assert.Equal(t, 1, r.code, r.stderr)
	assert.Contains(t, r.stderr, "VOD Station never received vodflow-demo-uploads/lonely.mp4: is the bucket trigger (or the reconcile schedule) deployed? --timeout 1.5s passed")
	assert.Equal(t, []string{"lonely.mp4"}, s.Keys(demoBucket), "the upload itself went through")
}

func TestUploadProgressBar(t *testing.T) {
	s, err := startDemoStorage("", nil)
	require.NoError(t, err)
	defer s.Close()
	file := writeFile(t, t.TempDir(), "bar.mp4", 300_000)
	r := exe(t, "", "upload", "--params", storageParams(t, s.URL, demoSecretKey), "--part-size", "100000", "--progress", "bar", file)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "uploading")
	assert.Contains(t, r.stderr, "100%")
	assert.NotContains(t, r.stderr, "sent 0.30 MB", "the bar, not the lines")
	r = exe(t, "", "upload", "--params", storageParams(t, s.URL, demoSecretKey), "--progress", "none", file)
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "sent ")
}
