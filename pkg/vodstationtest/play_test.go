package vodstationtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlayHLS: PlayHLS fetches what a player would (the master, each
// variant, each init and media segment, resolved against its playlist),
// carries the master's query or the cookie as told, bounds the media
// segments per playlist, and reports refusals and the emulator's no-media
// 404s apart: callers assert on them, so a walk that fetched nothing
// would make their checks vacuous.
func TestPlayHLS(t *testing.T) {
	files := map[string]string{
		"/v/master.m3u8":   "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nsd/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\n/v/hd/index.m3u8?own=1\n#EXT-X-STREAM-INF:BANDWIDTH=3\ngone/index.m3u8\n",
		"/v/sd/index.m3u8": "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:1,\nseg1.m4s\n#EXTINF:1,\nseg2.m4s\n#EXTINF:1,\nseg3.m4s\n#EXT-X-ENDLIST\n",
		"/v/hd/index.m3u8": "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:1,\nseg1.m4s\n#EXT-X-ENDLIST\n",
		"/v/sd/init.mp4":   "i", "/v/sd/seg1.m4s": "1", "/v/sd/seg2.m4s": "2", "/v/sd/seg3.m4s": "3",
		"/v/hd/init.mp4": "i",
	}
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RequestURI()+" cookie="+r.Header.Get("Cookie"))
		mu.Unlock()
		switch body, ok := files[r.URL.Path]; {
		case r.URL.Path == "/v/gone/index.m3u8":
			http.Error(w, "no token", http.StatusForbidden)
		case r.URL.Path == "/v/hd/seg1.m4s":
			http.Error(w, strings.TrimPrefix(EdgeNote, "# "), http.StatusNotFound)
		case ok:
			_, _ = w.Write([]byte(body))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	walk := func(o PlayOptions) (Play, []string) {
		mu.Lock()
		seen = nil
		mu.Unlock()
		p, err := PlayHLS(srv.URL+"/v/master.m3u8?tok=a%2Fb", o)
		require.NoError(t, err)
		mu.Lock()
		defer mu.Unlock()
		return p, append([]string(nil), seen...)
	}

	p, seen := walk(PlayOptions{})
	assert.Equal(t, Play{Served: 8, NoMedia: []string{"/v/hd/seg1.m4s"}, Refused: []string{"403 /v/gone/index.m3u8: no token"}}, p)
	assert.Equal(t, 10, p.Fetched())
	assert.Equal(t, []string{
		"/v/master.m3u8?tok=a%2Fb cookie=",
		"/v/sd/index.m3u8 cookie=", "/v/sd/init.mp4 cookie=", "/v/sd/seg1.m4s cookie=", "/v/sd/seg2.m4s cookie=", "/v/sd/seg3.m4s cookie=",
		"/v/hd/index.m3u8?own=1 cookie=", "/v/hd/init.mp4 cookie=", "/v/hd/seg1.m4s cookie=",
		"/v/gone/index.m3u8 cookie=",
	}, seen)

	p, seen = walk(PlayOptions{CarryQuery: true, Cookie: "vftoken=c", MediaPerPlaylist: 1})
	assert.Equal(t, 6, p.Served, "the master, sd's playlist, init and first segment, hd's playlist and init")
	assert.Equal(t, []string{
		"/v/master.m3u8?tok=a%2Fb cookie=vftoken=c",
		"/v/sd/index.m3u8?tok=a%2Fb cookie=vftoken=c", "/v/sd/init.mp4?tok=a%2Fb cookie=vftoken=c", "/v/sd/seg1.m4s?tok=a%2Fb cookie=vftoken=c",
		"/v/hd/index.m3u8?own=1 cookie=vftoken=c", "/v/hd/init.mp4?tok=a%2Fb cookie=vftoken=c", "/v/hd/seg1.m4s?tok=a%2Fb cookie=vftoken=c",
		"/v/gone/index.m3u8?tok=a%2Fb cookie=vftoken=c",
	}, seen, "a child with a query of its own keeps it")

	_, err := PlayHLS("http://127.0.0.1:1/closed.m3u8?token=s3cr3t", PlayOptions{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr3t")
}
