package playback_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/playback"
)

const (
	sd  = "AVC_SD_1Pass_30fps"
	hd  = "AVC_HD_1Pass_30fps"
	fhd = "AVC_FHD_1Pass_30fps"
)

func out(name string) string {
	return "https://out.kr.object.ncloudstorage.com/enc/movies/" + name
}

func rend(typ string, kbps float64) playback.Rendition {
	return playback.Rendition{OutputType: typ, Link: out("clip_" + typ + ".mp4"), BitrateKbps: kbps}
}

func TestAdaptive(t *testing.T) {
	hlsDash := playback.Config{Domain: "cdn.edge.naverncp.com", EncryptedBucket: "ENC", Protocols: []string{"HLS", "DASH"}}
	hlsOnly := playback.Config{Domain: "cdn.edge.naverncp.com", EncryptedBucket: "ENC"}
	const pre = "https://cdn.edge.naverncp.com/hls/ENC/enc/movies/"
	tests := []struct {
		name     string
		cfg      playback.Config
		form     string
		rs       []playback.Rendition
		wantHLS  string
		wantDASH string
		noABR    string // the reason's text when there is no adaptive URL
		warn     string
	}{
		{"smil, by the category's bitrates", hlsDash, "", []playback.Rendition{rend(fhd, 5000), rend(sd, 800), rend(hd, 2500)},
			pre + "clip_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,AVC_FHD_1Pass_30fps,.mp4.smil/master.m3u8",
			"https://cdn.edge.naverncp.com/dash/ENC/enc/movies/clip_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,AVC_FHD_1Pass_30fps,.mp4.smil/manifest.mpd", "", ""},
		{"bitrates beat names", hlsOnly, "smil", []playback.Rendition{rend(sd, 3000), rend(hd, 1000)},
			pre + "clip_,AVC_HD_1Pass_30fps,AVC_SD_1Pass_30fps,.mp4.smil/master.m3u8", "", "", ""},
		{"names when a bitrate is missing", hlsOnly, "SMIL", []playback.Rendition{rend(fhd, 0), rend(hd, 2500), rend(sd, 0)},
			pre + "clip_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,AVC_FHD_1Pass_30fps,.mp4.smil/master.m3u8", "", "", ""},
		{"unknown order kept, with a warning", hlsOnly, "", []playback.Rendition{rend("mobile", 0), rend(sd, 0)},
			pre + "clip_,mobile,AVC_SD_1Pass_30fps,.mp4.smil/master.m3u8", "", "", "status API's order"},
		{"factored", hlsOnly, "smil-factored", []playback.Rendition{rend(hd, 0), rend(sd, 0)},
			pre + "clip_AVC_,SD,HD,_1Pass_30fps.mp4.smil/master.m3u8", "", "", ""},
		{"factored with nothing in common", hlsOnly, "smil-factored", []playback.Rendition{rend("low", 1), rend("high", 2)},
			pre + "clip_,low,high,.mp4.smil/master.m3u8", "", "", ""},
		{"one rendition: its own URL", hlsOnly, "", []playback.Rendition{rend(sd, 0)},
			pre + "clip_AVC_SD_1Pass_30fps.mp4/index.m3u8", "", "", ""},
		{"Korean basename encoded once", hlsOnly, "", []playback.Rendition{
			{OutputType: sd, Link: out("%EC%98%81%EC%83%81_" + sd + ".mp4")}, {OutputType: hd, Link: out("영상_" + hd + ".mp4")}},
			pre + "%EC%98%81%EC%83%81_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,.mp4.smil/master.m3u8", "", "", ""},
		{"none", hlsOnly, "none", []playback.Rendition{rend(sd, 0), rend(hd, 0)}, "", "", "PLAYBACK_ABR is none", ""},
		{"no common prefix", hlsOnly, "", []playback.Rendition{rend(sd, 0), {OutputType: hd, Link: out("other_" + hd + ".mp4")}},
			"", "", "no common prefix", ""},
		{"another folder", hlsOnly, "", []playback.Rendition{rend(sd, 0), {OutputType: hd, Link: out("x/clip_" + hd + ".mp4")}},
			"", "", "no common prefix", ""},
		{"another bucket", hlsOnly, "", []playback.Rendition{rend(sd, 0), {OutputType: hd, Link: "https://b2.kr.object.ncloudstorage.com/enc/movies/clip_" + hd + ".mp4"}},
			"", "", "no common prefix", ""},
		{"file not named after its output type", hlsOnly, "", []playback.Rendition{rend(sd, 0), {OutputType: hd, Link: out("clip_" + fhd + ".mp4")}},
			"", "", "is not named {basename}_AVC_HD_1Pass_30fps.mp4", ""},
		{"no output type", hlsOnly, "", []playback.Rendition{rend(sd, 0), {Link: out("clip_.mp4")}}, "", "", "no usable output type", ""},
		{"same output type twice", hlsOnly, "", []playback.Rendition{rend(sd, 0), rend(sd, 0)}, "", "", "same output type", ""},
		{"'$' in the name", hlsOnly, "", []playback.Rendition{{OutputType: sd, Link: out("a$b_" + sd + ".mp4")}, {OutputType: hd, Link: out("a$b_" + hd + ".mp4")}},
			"", "", "'$'", ""},
		{"';' in the name", hlsOnly, "", []playback.Rendition{{OutputType: sd, Link: out("a;b_" + sd + ".mp4")}, {OutputType: hd, Link: out("a;b_" + hd + ".mp4")}},
			"", "", "';'", ""},
		{"encoded '#' in the name", hlsOnly, "", []playback.Rendition{{OutputType: sd, Link: out("a%23b_" + sd + ".mp4")}, {OutputType: hd, Link: out("a%23b_" + hd + ".mp4")}},
			"", "", "'#'", ""},
		{"',' in the name", hlsOnly, "", []playback.Rendition{{OutputType: sd, Link: out("a,b_" + sd + ".mp4")}, {OutputType: hd, Link: out("a,b_" + hd + ".mp4")}},
			"", "", "','", ""},
		{"no rendition", hlsOnly, "", nil, "", "", "no rendition", ""},
		{"unreadable link", hlsOnly, "", []playback.Rendition{rend(sd, 0), {OutputType: hd, Link: "https://elsewhere.example.com/x/clip_" + hd + ".mp4"}},
			"", "", "cannot tell the bucket", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := playback.Adaptive(tt.cfg, tt.form, tt.rs)
			if tt.noABR != "" {
				require.ErrorIs(t, err, playback.ErrNoAdaptive)
				assert.Contains(t, err.Error(), tt.noABR)
				assert.Empty(t, u.HLS)
				assert.Empty(t, u.DASH)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantHLS, u.HLS)
			assert.Equal(t, tt.wantDASH, u.DASH)
			if tt.warn == "" {
				assert.Empty(t, u.Warning)
			} else {
				assert.Contains(t, u.Warning, tt.warn)
			}
		})
	}
}

func TestAdaptiveConfigErrors(t *testing.T) {
	_, err := playback.Adaptive(playback.Config{Domain: "cdn.example.com", EncryptedBucket: "E"}, "hls-please", []playback.Rendition{rend(sd, 0), rend(hd, 0)})
	require.Error(t, err)
	assert.NotErrorIs(t, err, playback.ErrNoAdaptive)
	assert.Contains(t, err.Error(), "PLAYBACK_ABR")
	_, err = playback.Adaptive(playback.Config{}, "", []playback.Rendition{rend(sd, 0), rend(hd, 0)})
	require.Error(t, err)
	assert.NotErrorIs(t, err, playback.ErrNoAdaptive)
}

func TestRank(t *testing.T) {
	tests := []struct {
		name string
		want int
		ok   bool
	}{
		{"AVC_SD_1Pass_30fps", 480, true},
		{"AVC_SD_1Pass_30fps_1", 480, true},
		{"AVC_HD_2Pass_60fps", 720, true},
		{"AVC_FHD_1Pass_30fps", 1080, true},
		{"HEVC_UHD_1Pass_30fps", 2160, true},
		{"h264-1080p", 1080, true},
		{"custom_360", 360, true},
		{"mobile", 0, false},
		{"HDR_thing", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := playback.Rank(tt.name)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPoster(t *testing.T) {
	link := out("clip%20one_" + sd + ".mp4")
	tests := []struct {
		name, template, link, input, want, err string
	}{
		{"default beside the outputs", "", link, "in/clip one.mp4", "https://out.kr.object.ncloudstorage.com/enc/movies/clip%20one_01.jpg", ""},
		{"path-style link", "{basename}.jpg", "https://kr.object.ncloudstorage.com/out/enc/a_" + sd + ".mp4?x=1", "up/a.mov", "https://kr.object.ncloudstorage.com/out/enc/a.jpg", ""},
		{"whole URL with {dir}", "https://thumbs.example.com/{dir}/{basename}_01.jpg", link, "in/clip one.mp4", "https://thumbs.example.com/enc/movies/clip%20one_01.jpg", ""},
		{"plus and Korean", "", out("a%2Bb_" + sd + ".mp4"), "in/영상+1.mp4", "https://out.kr.object.ncloudstorage.com/enc/movies/%EC%98%81%EC%83%81%2B1_01.jpg", ""},
		{"a relative path is refused", "thumbs/{basename}.jpg", link, "in/a.mp4", "", "a file name"},
		{"not a URL once filled", "ftp://{basename}", link, "in/a.mp4", "", "not an http(s) URL"},
		{"no input name", "", link, "in/", "", "names no file"},
		{"link not a URL", "", "enc/a.mp4", "in/a.mp4", "", "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := playback.Poster(tt.template, tt.link, tt.input)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
