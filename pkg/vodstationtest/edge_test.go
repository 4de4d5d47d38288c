package vodstationtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// edgeFixture is an emulator with a channel and a two-rendition category
// whose file "in/clip one.mp4" is encoded (no callbacks).
type edgeFixture struct {
	s      *Server
	master string // the adaptive HLS URL, on the emulator
	dash   string
	index  []string // per-rendition HLS URLs, SD first
	poster string
}

func newEdgeFixture(t *testing.T, opts Options) edgeFixture {
	t.Helper()
	s := newTestServer(t, opts)
	s.AddChannel(Channel{Name: "ch", StorageBucketName: "out", EncryptedBucketName: "ENC", CDNDomain: "cdn.example.com", ProtocolList: []string{"HLS", "DASH"}})
	cat := s.AddCategory(Category{Name: "movies", OutputBucket: "out", OutputPath: "enc", Thumbnail: true})
	status, body := call(t, s, http.MethodPut, "/api/v2/category/"+strconv.FormatInt(cat.ID, 10)+"/add-files",
		[]byte(`{"bucketName":"in-bucket","pathList":["in/clip one.mp4"]}`))
	require.Equal(t, http.StatusOK, status, string(body))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, s.WaitIdle(ctx))
	s.ResetCalls()
	dir := s.URL + "/hls/ENC/enc/movies/clip%20one_"
	return edgeFixture{
		s:      s,
		master: dir + ",AVC_HD_1Pass_30fps,AVC_SD_1Pass_30fps,.mp4.smil/master.m3u8", // any order in the URL; SD first in the playlist
		dash:   s.URL + "/dash/ENC/enc/movies/clip%20one_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,.mp4.smil/manifest.mpd",
		index:  []string{dir + "AVC_SD_1Pass_30fps.mp4/index.m3u8", dir + "AVC_HD_1Pass_30fps.mp4/index.m3u8"},
		poster: s.URL + "/enc/movies/clip%20one_01.jpg",
	}
}

func get(t *testing.T, u string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// checkPlaylist checks the tags RFC 8216 requires: #EXTM3U on the first
// line; in a master playlist every EXT-X-STREAM-INF has BANDWIDTH and is
// followed by a URI line; in a media playlist EXT-X-TARGETDURATION is
// there, every EXTINF is followed by a URI line and rounds to at most the
// target duration, and a VOD playlist ends with EXT-X-ENDLIST. It returns
// the URI lines (variants or segments) and the tag lines.
func checkPlaylist(t *testing.T, text string, master bool) (uris, tags []string) {
	t.Helper()
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	require.NotEmpty(t, lines)
	require.Equal(t, "#EXTM3U", lines[0], "RFC 8216 §4.3.1.1: the first line is #EXTM3U")
	target := -1.0
	endlist := false
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		isTag := strings.HasPrefix(l, "#EXT")
		if isTag {
			tags = append(tags, l)
		}
		nextURI := func() string {
			for j := i + 1; j < len(lines); j++ {
				if strings.HasPrefix(lines[j], "#EXT") {
					break
				}
				if !strings.HasPrefix(lines[j], "#") {
					return lines[j]
				}
			}
			return ""
		}
		switch {
		case master && strings.HasPrefix(l, "#EXT-X-STREAM-INF:"):
			assert.Regexp(t, `(^|[:,])BANDWIDTH=\d+`, l, "§4.3.4.2: BANDWIDTH is required")
			u := nextURI()
			require.NotEmpty(t, u, "§4.3.4.2: a URI line follows EXT-X-STREAM-INF: %s", l)
			uris = append(uris, u)
		case strings.HasPrefix(l, "#EXT-X-TARGETDURATION:"):
			v, err := strconv.ParseFloat(strings.TrimPrefix(l, "#EXT-X-TARGETDURATION:"), 64)
			require.NoError(t, err)
			target = v
		case strings.HasPrefix(l, "#EXTINF:"):
			require.False(t, master, "EXTINF in a master playlist")
			d, err := strconv.ParseFloat(strings.TrimSuffix(strings.SplitN(strings.TrimPrefix(l, "#EXTINF:"), ",", 2)[0], ","), 64)
			require.NoError(t, err, l)
			require.GreaterOrEqual(t, target, 0.0, "§4.3.3.1: EXT-X-TARGETDURATION comes before the segments")
			assert.LessOrEqual(t, float64(int(d+0.5)), target, "§4.3.3.1: a segment longer than the target duration")
			u := nextURI()
			require.NotEmpty(t, u, "§4.3.2.1: a URI line follows EXTINF")
			uris = append(uris, u)
		case l == "#EXT-X-ENDLIST":
			endlist = true
		}
	}
	if !master {
		assert.GreaterOrEqual(t, target, 0.0, "§4.3.3.1: EXT-X-TARGETDURATION is required")
		assert.True(t, endlist, "a VOD media playlist ends with EXT-X-ENDLIST")
		assert.NotEmpty(t, uris, "a media playlist lists segments")
	}
	return uris, tags
}

// TestEdgePlaylistsWithoutFFmpeg: without ffmpeg the edge still serves
// valid playlists (saying why their segments are missing), the DASH
// manifest and the poster, and records no API call.
func TestEdgePlaylistsWithoutFFmpeg(t *testing.T) {
	fx := newEdgeFixture(t, Options{FFmpeg: "none"})
	code, ct, body := get(t, fx.master)
	require.Equal(t, http.StatusOK, code, string(body))
	assert.Equal(t, "application/vnd.apple.mpegurl", ct)
	variants, tags := checkPlaylist(t, string(body), true)
	assert.Contains(t, string(body), EdgeNote)
	require.Len(t, variants, 2)
	assert.Equal(t, []string{
		"/hls/ENC/enc/movies/clip%20one_AVC_SD_1Pass_30fps.mp4/index.m3u8",
		"/hls/ENC/enc/movies/clip%20one_AVC_HD_1Pass_30fps.mp4/index.m3u8",
	}, variants, "lowest bandwidth first")
	var inf []string
	for _, tag := range tags {
		if strings.HasPrefix(tag, "#EXT-X-STREAM-INF:") {
			inf = append(inf, tag)
		}
	}
	require.Len(t, inf, 2)
	assert.Contains(t, inf[0], "BANDWIDTH=928000,")
	assert.Contains(t, inf[0], "RESOLUTION=640x360")
	assert.Contains(t, inf[1], "BANDWIDTH=2628000,")
	assert.Contains(t, inf[1], "RESOLUTION=1280x720")

	for _, u := range fx.index {
		code, _, body := get(t, u)
		require.Equal(t, http.StatusOK, code, u)
		segs, _ := checkPlaylist(t, string(body), false)
		assert.Len(t, segs, 3, "3 s in 1 s segments")
		assert.Contains(t, string(body), EdgeNote)
		code, _, _ = get(t, strings.TrimSuffix(u, "index.m3u8")+segs[0])
		assert.Equal(t, http.StatusNotFound, code, "no media without ffmpeg")
	}
	code, ct, body = get(t, fx.dash)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "application/dash+xml", ct)
	assert.Contains(t, string(body), `width="640" height="360"`)
	assert.Contains(t, string(body), `width="1280" height="720"`)

	code, ct, body = get(t, fx.poster)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "image/jpeg", ct)
	_, err := jpeg.Decode(bytes.NewReader(body))
	require.NoError(t, err)

	for _, u := range []string{
		fx.s.URL + "/hls/OTHER/enc/movies/clip%20one_AVC_SD_1Pass_30fps.mp4/index.m3u8", // unknown channel
		fx.s.URL + "/hls/ENC/enc/movies/clip%20one_AVC_FHD_1Pass_30fps.mp4/index.m3u8",  // no such rendition
		fx.s.URL + "/hls/ENC/enc/movies/clip%20one_,AVC_SD_1Pass_30fps,AVC_FHD_1Pass_30fps,.mp4.smil/master.m3u8",
		fx.s.URL + "/hls/ENC/enc/movies/other_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,.mp4.smil/master.m3u8",
		fx.s.URL + "/enc/movies/other_01.jpg",
	} {
		code, _, _ := get(t, u)
		assert.Equal(t, http.StatusNotFound, code, u)
	}
	assert.Zero(t, fx.s.CountCalls("", ""), "the edge is not the API: no call recorded")
}

// TestEdgeNoPosterWithoutThumbnails: a category that makes no thumbnails
// has no poster.
func TestEdgeNoPosterWithoutThumbnails(t *testing.T) {
	s := newTestServer(t, Options{FFmpeg: "none"})
	cat := s.AddCategory(Category{Name: "movies", OutputBucket: "out", OutputPath: "enc"})
	status, _ := call(t, s, http.MethodPut, "/api/v2/category/"+strconv.FormatInt(cat.ID, 10)+"/add-files",
		[]byte(`{"bucketName":"in-bucket","pathList":["a.mp4"]}`))
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, s.WaitIdle(context.Background()))
	code, _, _ := get(t, s.URL+"/enc/movies/a_01.jpg")
	assert.Equal(t, http.StatusNotFound, code)
}

// TestEdgePlaysInFFprobe: a real HLS client (ffprobe and ffmpeg from the
// OS packages) opens the adaptive URL, sees every rendition as a variant
// at its resolution, and decodes the first second.
func TestEdgePlaysInFFprobe(t *testing.T) {
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("SKIPPED: ffprobe is not on the PATH (apt-get install ffmpeg); the adaptive URL was not played by a real client")
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("SKIPPED: ffmpeg is not on the PATH (apt-get install ffmpeg); no media to play")
	}
	fx := newEdgeFixture(t, Options{Source: SourceMetadata{DurationS: 2, Width: 1280, Height: 720}})

	code, _, body := get(t, fx.master)
	require.Equal(t, http.StatusOK, code, string(body))
	checkPlaylist(t, string(body), true)
	assert.NotContains(t, string(body), EdgeNote)
	for _, u := range fx.index {
		code, _, body := get(t, u)
		require.Equal(t, http.StatusOK, code, string(body))
		segs, _ := checkPlaylist(t, string(body), false)
		assert.Len(t, segs, 2, "2 s in 1 s segments")
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height",
		"-show_programs", "-of", "json", fx.master).Output()
	require.NoError(t, err, "ffprobe %s: %s", fx.master, exitText(err))
	var probe struct {
		Programs []struct {
			Streams []struct {
				CodecType string `json:"codec_type"`
				CodecName string `json:"codec_name"`
				Width     int    `json:"width"`
				Height    int    `json:"height"`
			} `json:"streams"`
		} `json:"programs"`
	}
	require.NoError(t, json.Unmarshal(out, &probe), string(out))
	var sizes []string
	for _, p := range probe.Programs {
		for _, st := range p.Streams {
			if st.CodecType == "video" {
				assert.Equal(t, "h264", st.CodecName)
				sizes = append(sizes, fmt.Sprintf("%dx%d", st.Width, st.Height))
			}
		}
	}
	assert.ElementsMatch(t, []string{"640x360", "1280x720"}, sizes, "every rendition is a variant, at its resolution: %s", out)

	dec, err := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-v", "error", "-i", fx.master, "-map", "0", "-t", "1", "-f", "null", "-").CombinedOutput()
	require.NoError(t, err, "ffmpeg decoding the first second: %s", dec)
	assert.Empty(t, strings.TrimSpace(string(dec)), "no decode error")

	dash, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", fx.dash).CombinedOutput()
	if err == nil {
		assert.Contains(t, string(dash), "1280,720", "DASH: %s", dash)
		assert.Contains(t, string(dash), "640,360", "DASH: %s", dash)
	} else {
		t.Logf("ffprobe could not open the DASH manifest (built without the dash demuxer?): %s", dash)
	}
	assert.Zero(t, fx.s.CountCalls("", ""), "playing calls no API")
}

func exitText(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestEdgeEncodesTheUploadedObject: with Options.OpenSource the edge
// encodes the object's own bytes (a 3 s video, where the status metadata
// says 10 s and the test pattern would last 10 s), reading it once for
// both renditions; an object that cannot be opened is a 500 naming it.
func TestEdgeEncodesTheUploadedObject(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("SKIPPED: ffmpeg is not on the PATH (apt-get install ffmpeg); no media to encode")
	}
	video := filepath.Join(t.TempDir(), "three.mp4")
	out, err := exec.Command(ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
		"-t", "3", "-pix_fmt", "yuv420p", video).CombinedOutput()
	require.NoError(t, err, string(out))
	var mu sync.Mutex
	var opened []string
	fx := newEdgeFixture(t, Options{Source: SourceMetadata{DurationS: 10, Width: 1280, Height: 720},
		OpenSource: func(bucket, key string) (io.ReadCloser, error) {
			mu.Lock()
			opened = append(opened, bucket+"/"+key)
			mu.Unlock()
			return os.Open(video)
		}})
	code, _, body := get(t, fx.master)
	require.Equal(t, http.StatusOK, code, string(body))
	for _, u := range fx.index {
		code, _, body := get(t, u)
		require.Equal(t, http.StatusOK, code, string(body))
		segs, _ := checkPlaylist(t, string(body), false)
		assert.Len(t, segs, 3, "the uploaded 3 s in 1 s segments, not the 10 s test pattern: %s", body)
	}
	assert.Equal(t, []string{"in-bucket/in/clip one.mp4"}, opened, "the object is read once, for every rendition")

	gone := newEdgeFixture(t, Options{OpenSource: func(bucket, key string) (io.ReadCloser, error) {
		return nil, errors.New("NoSuchKey")
	}})
	code, _, body = get(t, gone.master)
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.Contains(t, string(body), `open the uploaded object in-bucket/in/clip one.mp4: NoSuchKey`)
}
