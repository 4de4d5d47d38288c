package playback

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/edgetoken"
)

// TestScopeCoversEveryURLForm: for each URL form vodflow builds (a
// rendition's HLS and DASH, the adaptive .smil master in both forms, names
// that need escaping), the scope covers the URL itself and every child a
// player asks for (each rendition's playlist, init and segments, as the
// emulator's edge and Wowza-style servers name them), and neither another
// file of the folder nor the other protocol.
func TestScopeCoversEveryURLForm(t *testing.T) {
	cfg := Config{Domain: "cdn.example.com", EncryptedBucket: "ENC", Protocols: []string{"HLS", "DASH"}}
	link := func(file string) string { return "https://out.kr.object.ncloudstorage.com/enc/movies/" + file }
	for _, tc := range []struct {
		name  string
		base  string // the input basename as it appears (escaped) in URLs
		file  string // the basename as stored
		form  string
		other string // another file in the folder the scope must not cover
	}{
		{name: "plain", file: "clip", base: "clip", form: ABRSmil, other: "movie_AVC_SD_1Pass_30fps.mp4"},
		{name: "factored", file: "clip", base: "clip", form: ABRSmilFactored, other: "clap_AVC_SD_1Pass_30fps.mp4"},
		{name: "space", file: "my clip", base: "my%20clip", form: ABRSmil, other: "other_AVC_SD_1Pass_30fps.mp4"},
		{name: "korean", file: "영상", base: url.PathEscape("영상"), form: ABRSmil, other: "clip_AVC_SD_1Pass_30fps.mp4"},
		{name: "plus", file: "a+b", base: "a%2Bb", form: ABRSmilFactored, other: "b_AVC_SD_1Pass_30fps.mp4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			types := []string{"AVC_SD_1Pass_30fps", "AVC_HD_1Pass_30fps"}
			var rs []Rendition
			for _, ot := range types {
				rs = append(rs, Rendition{OutputType: ot, Link: link(tc.file + "_" + ot + ".mp4")})
			}
			ad, err := Adaptive(cfg, tc.form, rs)
			require.NoError(t, err)
			one, err := ForLink(cfg, rs[0].Link)
			require.NoError(t, err)
			for _, u := range []string{ad.HLS, ad.DASH, one.HLS, one.DASH} {
				scope, err := Scope(u)
				require.NoError(t, err, u)
				pu, _ := url.Parse(u)
				proto := strings.Split(pu.EscapedPath(), "/")[1]
				other := map[string]string{"hls": "dash", "dash": "hls"}[proto]
				dir := "/" + proto + "/ENC/enc/movies/"
				covered := []string{pu.EscapedPath()}
				renditions := types
				if !strings.Contains(u, ".smil/") {
					renditions = types[:1]
				}
				for _, ot := range renditions {
					r := dir + tc.base + "_" + ot + ".mp4/"
					covered = append(covered, r+"index.m3u8", r+"manifest.mpd", r+"init.mp4", r+"seg0.m4s", r+"seg12.m4s")
				}
				if strings.Contains(u, ".smil/") {
					smil := pu.EscapedPath()[:strings.Index(pu.EscapedPath(), ".smil/")+len(".smil/")]
					covered = append(covered, smil+"chunklist_b800000.m3u8", smil+"media_b800000_0.m4s")
				}
				for _, c := range covered {
					assert.True(t, edgetoken.Match(scope, c), "scope %s must cover %s", scope, c)
				}
				for _, c := range []string{dir + tc.other + "/index.m3u8", "/" + other + "/ENC/enc/movies/" + tc.base + "_AVC_SD_1Pass_30fps.mp4/index.m3u8", "/" + proto + "/ENC/enc/series/" + tc.base + "_AVC_SD_1Pass_30fps.mp4/index.m3u8"} {
					assert.False(t, edgetoken.Match(scope, c), "scope %s must not cover %s", scope, c)
				}
				assert.True(t, strings.HasPrefix(scope, dir+tc.base), "the basename is in the scope, escaped as in the URL: %s", scope)
			}
		})
	}
}

func TestScopeRefusesOtherURLs(t *testing.T) {
	for _, u := range []string{"", "not a url", "https://cdn.example.com/", "https://cdn.example.com/img/x.jpg",
		"https://cdn.example.com/hls/ENC", "https://cdn.example.com/hls/ENC/index.m3u8", "https://cdn.example.com/hls/ENC/d/,a,b,.smil/master.m3u8"} {
		_, err := Scope(u)
		assert.Error(t, err, u)
	}
	s, err := Scope("https://cdn.example.com/hls/ENC/clip_A.mp4/index.m3u8")
	require.NoError(t, err)
	assert.Equal(t, "/hls/ENC/clip_A.mp4/*", s)
	s, err = Scope("https://cdn.example.com/hls/ENC/d/a&b=c_A.mp4/index.m3u8")
	require.NoError(t, err)
	assert.Equal(t, "/hls/ENC/d/a*", s, "cut before what would break the query")
	s, err = Scope("https://cdn.example.com/hls/ENC/enc/clip_,A,B,.mp4.smil/master.m3u8")
	require.NoError(t, err)
	assert.Equal(t, "/hls/ENC/enc/clip_*", s)
}
