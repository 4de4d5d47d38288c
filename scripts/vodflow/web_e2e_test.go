package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end test of the example page: `vodflow local --web` (in
// process, as the tool's other tests run it) and Debian's headless
// Chromium, driven over CDP, doing what a person does: pick a video, press
// Upload, watch, play.

// chromiumPath is Debian's chromium, or "" (the test then skips).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// webTool is one `vodflow local --web` running in process.
type webTool struct {
	page, storage string
	demo          *demoLoop // the emulators, for their records
	stdout        *syncBuf
	stderr        *syncBuf
}

// startWebTool runs `vodflow local --web` with args until the test ends,
// and waits for its page line.
func startWebTool(t *testing.T, args ...string) *webTool {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	wt := &webTool{stdout: &syncBuf{}, stderr: &syncBuf{}}
	loops := make(chan *demoLoop, 1)
	webServing = func(d *demoLoop) { loops <- d }
	t.Cleanup(func() { webServing = nil })
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"local", "--web", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), wt.stdout, wt.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err, "Ctrl-C stops local --web cleanly")
		case <-time.After(30 * time.Second):
			t.Error("local --web did not stop within 30 s of Ctrl-C")
		}
	})
	page := regexp.MustCompile(`(?m)^page: (http://127\.0\.0\.1:\d+/)$`)
	storage := regexp.MustCompile(`Object Storage emulator \(test double\) at (http://127\.0\.0\.1:\d+),`)
	deadline := time.Now().Add(3 * time.Minute) // it builds the action binaries first
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("local --web ended before serving: %v\n%s\n%s", err, wt.stdout, wt.stderr)
		case <-time.After(100 * time.Millisecond):
		}
		if m := page.FindStringSubmatch(wt.stdout.String()); m != nil {
			wt.page = m[1]
			wt.storage = storage.FindStringSubmatch(wt.stdout.String())[1]
			wt.demo = <-loops
			return wt
		}
	}
	t.Fatalf("local --web printed no page line within 3 minutes:\n%s\n%s", wt.stdout, wt.stderr)
	return nil
}

// newBrowser starts headless Chromium with the flags that work on a closed
// network, in a new empty profile, until the test ends.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1000, 1100))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// makeVideo makes a real small video (H.264 and AAC, 2 s) with ffmpeg,
// with extra output options.
func makeVideo(t *testing.T, name string, extra ...string) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("SKIPPED: ffmpeg is not on the PATH (apt-get install ffmpeg): no video to upload, no media to play")
	}
	video := filepath.Join(t.TempDir(), name)
	args := []string{"-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-c:a", "aac"}
	out, err := exec.Command(ffmpeg, append(append(args, extra...), video)...).CombinedOutput()
	require.NoError(t, err, string(out))
	return video
}

// netLog is what the browser sent and got, from CDP's network events.
type netLog struct {
	mu    sync.Mutex
	reqs  map[network.RequestID]*netEntry
	extra map[network.RequestID]network.Headers // raw headers seen first
	list  []*netEntry
}

type netEntry struct {
	method, url string
	typ         network.ResourceType
	header      network.Headers
	status      int64
	respHeader  network.Headers
}

func (l *netLog) listen(ctx context.Context) error {
	l.reqs, l.extra = map[network.RequestID]*netEntry{}, map[network.RequestID]network.Headers{}
	return chromedp.Listen(ctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			e := &netEntry{method: ev.Request.Method, url: ev.Request.URL, typ: ev.Type, header: ev.Request.Headers}
			if h, ok := l.extra[ev.RequestID]; ok {
				e.header = merged(e.header, h)
			}
			l.reqs[ev.RequestID] = e
			l.list = append(l.list, e)
		case *network.EventRequestWillBeSentExtraInfo:
			// The headers as sent on the wire (Origin is added there).
			if e := l.reqs[ev.RequestID]; e != nil {
				e.header = merged(e.header, ev.Headers)
			} else {
				l.extra[ev.RequestID] = ev.Headers
			}
		case *network.EventResponseReceived:
			if e := l.reqs[ev.RequestID]; e != nil {
				e.status, e.respHeader = ev.Response.Status, ev.Response.Headers
			}
		}
	})
}

// merged is a copy of a with b's headers over it.
func merged(a, b network.Headers) network.Headers {
	out := network.Headers{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// mark is where the log is now, for toBucket.
func (l *netLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.list)
}

// toBucket returns the requests to the bucket at storage since mark: the
// others, and the preflights.
func (l *netLog) toBucket(mark int, storage string) (reqs, preflights []netEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.list[mark:] {
		switch {
		case !strings.HasPrefix(e.url, storage+"/"):
		case e.typ == network.ResourceTypePreflight || e.method == "OPTIONS":
			preflights = append(preflights, *e)
		default:
			reqs = append(reqs, *e)
		}
	}
	return reqs, preflights
}

// to returns the entries for URLs starting with prefix.
func (l *netLog) to(prefix string) []netEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []netEntry
	for _, e := range l.list {
		if strings.HasPrefix(e.url, prefix) {
			out = append(out, *e)
		}
	}
	return out
}

func header(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// pageState is what the page shows, read in one evaluation.
type pageState struct {
	State       string   `json:"state"`
	Status      string   `json:"status"`
	Error       string   `json:"error"`
	Steps       []string `json:"steps"`
	Progress    []int    `json:"progress"`
	Percent     string   `json:"percent"`
	Player      string   `json:"player"`
	CurrentTime float64  `json:"currentTime"`
	Duration    float64  `json:"duration"`
	MediaError  *int     `json:"mediaError"`
	PlaybackURL string   `json:"playbackURL"`
}

const readPage = `(() => {
  const v = document.getElementById('player');
  return {
    state: document.body.dataset.state, status: document.getElementById('status').textContent,
    error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    steps: [...document.querySelectorAll('#steps li')].map(li => li.dataset.type + ': ' + li.textContent),
    progress: window.__progress || [], percent: document.getElementById('percent').textContent,
    player: v.dataset.player || '', currentTime: v.currentTime, duration: v.duration || 0, mediaError: v.error ? v.error.code : null,
    playbackURL: document.getElementById('playback-url').textContent,
  };
})()`

// watchProgress records every value the progress bar takes.
const watchProgress = `(() => {
  const bar = document.getElementById('bar');
  window.__progress = [];
  new MutationObserver(() => window.__progress.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
})()`

// uploadAndPlay drives the page through one upload and checks it plays;
// it returns what the page showed and the PNG screenshot.
func uploadAndPlay(t *testing.T, ctx context.Context, wt *webTool, video string) (pageState, []byte) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(wt.page),
		chromedp.WaitVisible(chromedp.ID("upload")),
		chromedp.Evaluate[chromedp.Void](watchProgress),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{video}),
		chromedp.Click(chromedp.ID("upload")),
	))
	// Playing, or stopped on an error: either ends the wait.
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
	  const v = document.getElementById('player');
	  return document.body.dataset.state === 'error' || (v.currentTime > 0.5 && !v.paused);
	})()`, chromedp.WithPollingTimeout(2*time.Minute), chromedp.WithPollingInterval(100*time.Millisecond)))
	st, rerr := chromedp.Run(ctx, chromedp.Evaluate[pageState](readPage))
	require.NoError(t, rerr)
	png, perr := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, perr)
	if err != nil || st.Error != "" {
		saveScreenshot(t, "example-page-failed.png", png)
	}
	require.NoError(t, err, "the page did not play within 2 minutes: %+v\n%s", st, wt.stdout)
	require.Empty(t, st.Error, "the page shows an error: %+v\n%s", st, wt.stdout)
	return st, png
}

// saveScreenshot writes the PNG to the test's temp dir, and to
// $VODFLOW_SCREENSHOT_DIR when set (to look at it, or refresh docs/).
func saveScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	require.Greater(t, len(png), 8)
	assert.Equal(t, "\x89PNG\r\n\x1a\n", string(png[:8]), "a PNG")
	dirs := []string{t.TempDir()}
	if d := os.Getenv("VODFLOW_SCREENSHOT_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		require.NoError(t, os.WriteFile(p, png, 0o644))
		t.Logf("screenshot: %s (%d bytes)", p, len(png))
	}
}

func TestExamplePageEndToEndInChromium(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("SKIPPED: chromium is not on the PATH (apt-get install chromium): the example page was not tested in a browser")
	}
	small := makeVideo(t, "my clip.mp4")
	// Over 5 MiB (constant 30 Mbit/s): with UPLOAD_PART_SIZE at S3's
	// smallest part, two parts.
	big := makeVideo(t, "big one.mp4", "-s", "1280x720", "-preset", "ultrafast", "-b:v", "30M", "-minrate", "30M", "-maxrate", "30M", "-bufsize", "30M", "-x264-params", "nal-hrd=cbr")
	wt := startWebTool(t, "-p", "UPLOAD_PART_SIZE=5242880")
	ctx := newBrowser(t, chromium)
	var nl netLog
	require.NoError(t, nl.listen(ctx))
	origin := strings.TrimSuffix(wt.page, "/")

	t.Run("single PUT", func(t *testing.T) {
		mark, before := nl.mark(), len(wt.demo.storage.Events())
		st, png := uploadAndPlay(t, ctx, wt, small)
		saveScreenshot(t, "example-page.png", png)
		checkPlayed(t, st, `my_clip`, 2)
		asked := nl.to(origin + "/api/playback?")
		require.Len(t, asked, 1)
		assert.Equal(t, int64(404), asked[0].status, "without signing the site signs nothing: the event's URL plays")

		// The upload went from the page's origin straight to the bucket: a
		// cross-origin presigned PUT (no Authorization header: the
		// signature is in the URL), allowed by CORS for that origin.
		puts, preflights := nl.toBucket(mark, wt.storage)
		require.Len(t, puts, 1, "one PUT to the bucket")
		put := puts[0]
		u := checkPresigned(t, put, origin)
		assert.NotEmpty(t, preflights, "the browser asked the bucket first (a preflight: the PUT sends Content-Type %s)", header(put.header, "Content-Type"))

		// The emulator's records: one object, created by that PUT, holding
		// the file's bytes, under the key upload-url generated.
		evs := wt.demo.storage.Events()[before:]
		require.Len(t, evs, 1, "one object created")
		assert.Equal(t, "PUT", evs[0].Type)
		assert.Regexp(t, `^uploads/up_[a-z2-7]{20}/my_clip\.mp4$`, evs[0].Key)
		assert.Equal(t, u.Path, "/"+demoBucket+"/"+evs[0].Key, "the PUT the browser sent made it")
		checkStored(t, wt, evs[0].Key, small)
	})

	t.Run("multipart", func(t *testing.T) {
		mark, before := nl.mark(), len(wt.demo.storage.Events())
		st, _ := uploadAndPlay(t, ctx, wt, big)
		checkPlayed(t, st, `big_one`, 2)

		puts, preflights := nl.toBucket(mark, wt.storage)
		require.Len(t, puts, 3, "two part PUTs and the completion POST")
		for i, part := range puts[:2] {
			u := checkPresigned(t, part, origin)
			assert.Equal(t, "PUT", part.method)
			assert.Equal(t, fmt.Sprint(i+1), u.Query().Get("partNumber"))
			assert.NotEmpty(t, header(part.respHeader, "ETag"), "the part's ETag, exposed by CORS")
		}
		complete := puts[2]
		u := checkPresigned(t, complete, origin)
		assert.Equal(t, "POST", complete.method)
		assert.NotEmpty(t, u.Query().Get("uploadId"))
		assert.NotEmpty(t, preflights)

		evs := wt.demo.storage.Events()[before:]
		require.Len(t, evs, 1, "one object created")
		assert.Equal(t, "CompleteMultipartUpload", evs[0].Type)
		assert.Regexp(t, `^uploads/up_[a-z2-7]{20}/big_one\.mp4$`, evs[0].Key)
		checkStored(t, wt, evs[0].Key, big)
	})

	t.Run("refused", func(t *testing.T) {
		notes := filepath.Join(t.TempDir(), "notes.txt")
		require.NoError(t, os.WriteFile(notes, []byte("not a video"), 0o644))
		mark, before := nl.mark(), len(wt.demo.storage.Events())
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(wt.page),
			chromedp.WaitVisible(chromedp.ID("upload")),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{notes}),
			chromedp.Click(chromedp.ID("upload")),
		))
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.state === 'error'`, chromedp.WithPollingTimeout(time.Minute)))
		require.NoError(t, err)
		st, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](readPage))
		require.NoError(t, err)
		assert.Regexp(t, `^The upload was refused \(HTTP 4\d\d\): .*\S`, st.Error, "the action's message, on the page")
		assert.Contains(t, st.Error, "want a video type", "upload-url names what is wrong")
		puts, _ := nl.toBucket(mark, wt.storage)
		assert.Empty(t, puts, "nothing sent to the bucket")
		assert.Len(t, wt.demo.storage.Events(), before, "nothing stored")
	})

	assert.Zero(t, wt.demo.storage.Refused(), "no request to the bucket was refused")
	// The token stayed on the site's server.
	for _, e := range nl.to(origin) {
		assert.NotContains(t, fmt.Sprint(e.header, e.url), demoUploadToken)
	}
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	require.NoError(t, err)
	assert.NotContains(t, page, demoUploadToken)
}

// checkPlayed checks what the page showed after one upload.
func checkPlayed(t *testing.T, st pageState, name string, seconds float64) {
	t.Helper()
	// The progress bar went from 0 to 100, never back.
	require.NotEmpty(t, st.Progress, "the progress bar moved")
	assert.Equal(t, 100, st.Progress[len(st.Progress)-1], "it ends at 100%%: %v", st.Progress)
	assert.IsNonDecreasing(t, st.Progress)
	assert.Equal(t, "100%", st.Percent)
	// The encoding, followed from the webhook events.
	steps := strings.Join(st.Steps, "\n")
	for _, typ := range []string{"submitted:", "encoding_started:", "rendition_complete:", "file_complete: Encoded: file_complete, 2 renditions"} {
		assert.Contains(t, steps, typ)
	}
	// Played by hls.js from the emulator's Global Edge stand-in: the
	// uploaded video (the emulator's test pattern lasts 3 s).
	assert.Equal(t, "hls.js", st.Player)
	assert.Nil(t, st.MediaError)
	assert.Greater(t, st.CurrentTime, 0.5)
	assert.InDelta(t, seconds, st.Duration, 0.5, "the uploaded video's duration")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/hls/vodflowdemoenc0001/encoded/vodflow-demo/.*`+name+`.*\.smil/master\.m3u8`, st.PlaybackURL)
}

// checkPresigned checks a request the page sent to the bucket: presigned,
// cross-origin, allowed by CORS.
func checkPresigned(t *testing.T, e netEntry, origin string) *url.URL {
	t.Helper()
	u, err := url.Parse(e.url)
	require.NoError(t, err)
	q := u.Query()
	assert.Equal(t, "AWS4-HMAC-SHA256", q.Get("X-Amz-Algorithm"), "presigned: %s", e.url)
	assert.NotEmpty(t, q.Get("X-Amz-Signature"))
	assert.NotEmpty(t, q.Get("X-Amz-Expires"))
	assert.Empty(t, header(e.header, "Authorization"), "the page holds no credentials")
	assert.Equal(t, origin, header(e.header, "Origin"), "a cross-origin request from the page")
	assert.Equal(t, int64(200), e.status)
	assert.Equal(t, origin, header(e.respHeader, "Access-Control-Allow-Origin"), "CORS allowed the page's origin")
	return u
}

// checkStored checks that the bucket holds file's bytes under key.
func checkStored(t *testing.T, wt *webTool, key, file string) {
	t.Helper()
	rc, err := wt.demo.storage.Open(demoBucket, key)
	require.NoError(t, err)
	stored, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	want, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, stored), "the bucket holds the file's bytes (%d of %d)", len(stored), len(want))
}

// demoPlaybackKey is a Secure Token key (hex, as the Global Edge console
// shows one) for the signed case; it opens nothing but the emulator.
const demoPlaybackKey = "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5"

func TestExamplePageSignedPlaybackInChromium(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("SKIPPED: chromium is not on the PATH (apt-get install chromium): the example page was not tested in a browser")
	}
	video := makeVideo(t, "my clip.mp4")
	for _, tc := range []struct {
		name, token string
		flags       []string
	}{
		{"Secure Token", "token", []string{"-p", "PLAYBACK_TOKEN_KEY=" + demoPlaybackKey}},
		{"JWT", "globaledgejwt", []string{"-p", "PLAYBACK_TOKEN_KEY=" + demoPlaybackKey, "-p", "PLAYBACK_TOKEN_TYPE=jwt"}},
	} {
		t.Run(tc.name, func(t *testing.T) { signedPlayback(t, chromium, video, tc.token, tc.flags...) })
	}
}

// signedPlayback uploads video with signing on (flags) and checks that it
// plays, every request carrying the token named token, and not without.
func signedPlayback(t *testing.T, chromium, video, token string, flags ...string) {
	wt := startWebTool(t, flags...)
	ctx := newBrowser(t, chromium)
	var nl netLog
	require.NoError(t, nl.listen(ctx))

	st, png := uploadAndPlay(t, ctx, wt, video)
	saveScreenshot(t, "example-page-signed-"+token+".png", png)
	checkPlayed(t, st, `my_clip`, 2)
	u, err := url.Parse(st.PlaybackURL)
	require.NoError(t, err)
	require.NotEmpty(t, u.Query().Get(token), "the page plays a signed URL: %s", st.PlaybackURL)
	asked := nl.to(strings.TrimSuffix(wt.page, "/") + "/api/playback?")
	require.Len(t, asked, 1, "the page asked its site, which asked playback-url, for a URL signed for this viewer")
	assert.Equal(t, int64(200), asked[0].status)

	// Every request the player made to the edge carried the token (hls.js
	// appends the master's query) and was served.
	edge := nl.to(wt.demo.edge + "/hls/")
	var segment string
	for _, e := range edge {
		eu, err := url.Parse(e.url)
		require.NoError(t, err)
		assert.Equal(t, u.Query().Get(token), eu.Query().Get(token), "%s", e.url)
		assert.Equal(t, int64(200), e.status, "%s", e.url)
		if strings.HasSuffix(eu.Path, ".m4s") {
			segment = e.url
		}
	}
	require.NotEmpty(t, segment, "the player fetched segments: %+v", edge)

	// The same segment without the token is refused; with it, served.
	bare, _, _ := strings.Cut(segment, "?")
	for _, c := range []struct {
		url  string
		want int
	}{{bare, http.StatusForbidden}, {segment, http.StatusOK}} {
		resp, err := http.Get(c.url)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, c.want, resp.StatusCode, "%s: %s", c.url, body)
	}
	// The site's PLAYBACK_URL_TOKEN and the key never reached the page.
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	require.NoError(t, err)
	assert.NotContains(t, page, demoPlaybackURLToken)
	assert.NotContains(t, page, demoPlaybackKey)
	for _, e := range nl.to(strings.TrimSuffix(wt.page, "/")) {
		assert.NotContains(t, fmt.Sprint(e.header, e.url), demoPlaybackURLToken)
	}
}
