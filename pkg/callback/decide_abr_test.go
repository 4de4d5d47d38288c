package callback_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// TestDecideFileComplete: what file_complete carries: the adaptive URL
// (or, for odd names, the first rendition's with a warning), this
// callback's link whatever the rows say, the poster and the source.
func TestDecideFileComplete(t *testing.T) {
	const sd, hd = "AVC_SD_1Pass_30fps", "AVC_HD_1Pass_30fps"
	dir := "https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/"
	link := func(name string) string { return dir + name }
	hls := func(name string) string {
		return "https://" + cbEdge + "/hls/" + cbEncrypt + "/encoded/movies/" + name + "/index.m3u8"
	}
	abr := "https://" + cbEdge + "/hls/" + cbEncrypt + "/encoded/movies/a_," + sd + "," + hd + ",.mp4.smil/master.m3u8"
	yes, no := true, false
	cb := callback.Callback{CategoryID: "7", FileID: "42", FilePath: "in/a.mp4", EncodingOptionID: "2", OutputType: hd,
		Status: callback.StatusComplete, Link: link("a_" + hd + ".mp4")}
	rows := func() []vodstation.OutputStatus {
		return []vodstation.OutputStatus{
			{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE", Link: link("a_" + sd + ".mp4")},
			{EncodingOptionID: "2", OutputType: hd, Status: "COMPLETE", Link: link("a_" + hd + ".mp4")},
		}
	}
	type facts = callback.Facts
	base := func(mod func(f *facts)) func() facts {
		return func() facts {
			f := facts{Callback: cb, RenditionsKnown: true, Renditions: rows(), ABR: playback.ABRSmil, Poster: callback.PosterAuto,
				Playback: &playback.Config{Domain: cbEdge, EncryptedBucket: cbEncrypt},
				Status:   &vodstation.FileStatus{FileID: "42", FilePath: "in/a.mp4", BucketName: "in-bucket"}}
			if mod != nil {
				mod(&f)
			}
			return f
		}
	}
	tests := []struct {
		name       string
		facts      func() facts
		wantHLS    string
		wantLinks  []string
		wantPoster string
		warn       string // a warning containing this; "" for none
		check      func(t *testing.T, fc webhook.Event)
	}{
		{"adaptive URL, SD first", base(nil), abr, []string{link("a_" + sd + ".mp4"), link("a_" + hd + ".mp4")}, "", "", nil},
		{"bitrates from the status order them", base(func(f *facts) {
			f.Renditions[0].BitrateKbps, f.Renditions[1].BitrateKbps = 3000, 900
		}), "https://" + cbEdge + "/hls/" + cbEncrypt + "/encoded/movies/a_," + hd + "," + sd + ",.mp4.smil/master.m3u8", nil, "", "", nil},
		{"rows without links: this callback's link counts", base(func(f *facts) {
			f.Renditions[1].Link = ""
		}), abr, []string{link("a_" + sd + ".mp4"), link("a_" + hd + ".mp4")}, "", "", nil},
		{"rows without option ids (status list): matched by output type", base(func(f *facts) {
			f.Renditions[0].EncodingOptionID, f.Renditions[1].EncodingOptionID, f.Renditions[1].Link = "", "", ""
		}), abr, []string{link("a_" + sd + ".mp4"), link("a_" + hd + ".mp4")}, "", "", nil},
		{"this rendition not listed: added, no adaptive URL", base(func(f *facts) {
			f.Renditions = f.Renditions[:1]
		}), hls("a_" + sd + ".mp4"), []string{link("a_" + sd + ".mp4"), link("a_" + hd + ".mp4")}, "", "not among the renditions", nil},
		{"PLAYBACK_ABR none: the first rendition's, no warning", base(func(f *facts) { f.ABR = playback.ABRNone }),
			hls("a_" + sd + ".mp4"), nil, "", "", nil},
		{"another rendition without a link: no adaptive URL", base(func(f *facts) { f.Renditions[0].Link = "" }),
			"", nil, "", "has no link", nil},
		{"no common prefix: per-rendition URLs and a warning", base(func(f *facts) {
			f.Renditions[0].Link = link("other_" + sd + ".mp4")
		}), hls("other_" + sd + ".mp4"), nil, "", "no common prefix", nil},
		{"'$' in the name: per-rendition URLs and a warning", func() facts {
			f := base(nil)()
			f.Callback.Link = link("a$b_" + hd + ".mp4")
			f.Renditions[0].Link, f.Renditions[1].Link = link("a$b_"+sd+".mp4"), link("a$b_"+hd+".mp4")
			return f
		}, hls("a$b_" + sd + ".mp4"), nil, "", "'$'", nil},
		{"poster when the status says the category makes thumbnails", base(func(f *facts) { f.Status.Thumbnail = &yes }),
			abr, nil, link("a_01.jpg"), "", nil},
		{"no poster when the status does not say", base(nil), abr, nil, "", "", nil},
		{"a template asserts thumbnails", base(func(f *facts) { f.Poster = "https://thumbs.example.com/{dir}/{basename}_01.jpg" }),
			abr, nil, "https://thumbs.example.com/encoded/movies/a_01.jpg", "", nil},
		{"a template, but the status says none", base(func(f *facts) { f.Poster = "{basename}_02.jpg"; f.Status.Thumbnail = &no }),
			abr, nil, "", "", nil},
		{"PLAYBACK_POSTER none", base(func(f *facts) { f.Poster = callback.PosterNone; f.Status.Thumbnail = &yes }),
			abr, nil, "", "", nil},
		{"the source's facts", base(func(f *facts) {
			f.Status.Metadata = vodstation.SourceMetadata{DurationS: 3.5, Width: 1920, Height: 1080, VideoCodec: "h264",
				VideoBitrateKbps: 4000, AudioCodec: "aac", AudioBitrateKbps: 128, Framerate: 30, AudioSamplingRateHz: 48000}
		}), abr, nil, "", "", func(t *testing.T, fc webhook.Event) {
			assert.Equal(t, &webhook.Source{DurationS: 3.5, Width: 1920, Height: 1080, VideoCodec: "h264", VideoBitrateKbps: 4000,
				AudioCodec: "aac", AudioBitrateKbps: 128, Framerate: 30, AudioSamplingRateHz: 48000}, fc.Source)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := callback.Decide(tt.facts())
			assert.Equal(t, tt.facts(), tt.facts(), "facts are fresh")
			require.Len(t, d.Events, 3)
			fc := d.Events[2]
			require.Equal(t, webhook.TypeFileComplete, fc.Type)
			if tt.wantHLS == "" {
				if fc.Playback != nil {
					assert.NotContains(t, fc.Playback.HLS, ".smil")
				}
			} else {
				require.NotNil(t, fc.Playback)
				assert.Equal(t, tt.wantHLS, fc.Playback.HLS)
			}
			if tt.wantLinks != nil {
				var links []string
				for _, r := range fc.Renditions {
					links = append(links, r.Link)
					require.NotNil(t, r.Playback, r.OutputType)
					assert.Contains(t, r.Playback.HLS, "/index.m3u8", "per-rendition URLs stay in renditions[]")
				}
				assert.Equal(t, tt.wantLinks, links)
			}
			assert.Equal(t, tt.wantPoster, fc.Poster)
			if tt.warn == "" {
				assert.Empty(t, d.Warnings)
			} else {
				require.NotEmpty(t, d.Warnings)
				assert.Contains(t, d.Warnings[len(d.Warnings)-1], tt.warn)
			}
			if tt.check != nil {
				tt.check(t, fc)
			}
		})
	}
}

// TestDecideFailureReason: encoding_failed carries VOD Station's reason,
// the rendition's first, else the file's.
func TestDecideFailureReason(t *testing.T) {
	cb := callback.Callback{FileID: "42", EncodingOptionID: "2", OutputType: "AVC_HD_1Pass_30fps", Status: callback.StatusFailure}
	tests := []struct {
		name       string
		status     *vodstation.FileStatus
		wantReason string
		wantIn     string
	}{
		{"no status", nil, "", "FAILURE for rendition AVC_HD_1Pass_30fps of file 42"},
		{"the rendition's", &vodstation.FileStatus{Failure: vodstation.Failure{Code: "DOWNLOAD_ERROR"}, Outputs: []vodstation.OutputStatus{
			{EncodingOptionID: "1", Failure: vodstation.Failure{Code: "UPLOAD_ERROR"}},
			{EncodingOptionID: "2", Failure: vodstation.Failure{Code: "TRANSCODING_ERROR", Message: "bad frame at 00:01"}}}},
			"TRANSCODING_ERROR", ": bad frame at 00:01"},
		{"the file's", &vodstation.FileStatus{Failure: vodstation.Failure{Code: "WRONG_INPUT_FILE"}}, "WRONG_INPUT_FILE", ": WRONG_INPUT_FILE"},
		{"a message only", &vodstation.FileStatus{Failure: vodstation.Failure{Message: "no video track"}}, "", ": no video track"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := callback.Decide(callback.Facts{Callback: cb, Status: tt.status})
			require.Len(t, d.Events, 1)
			e := d.Events[0].Error
			require.NotNil(t, e)
			assert.Equal(t, "encoding_failed", e.Code, "the code stays stable")
			assert.Equal(t, tt.wantReason, e.Reason)
			assert.Contains(t, e.Message, tt.wantIn)
		})
	}
}

// TestCallbackABRParams: PLAYBACK_ABR and PLAYBACK_POSTER are checked
// before anything is sent; a bad value is a 500 naming the parameter.
func TestCallbackABRParams(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	body := cbBody(1, "RUNNING")
	tests := []struct {
		name  string
		extra map[string]any
		want  int
		param string
	}{
		{"defaults", nil, 200, ""},
		{"smil-factored", map[string]any{"PLAYBACK_ABR": "smil-factored"}, 200, ""},
		{"none, any case", map[string]any{"PLAYBACK_ABR": "NONE", "PLAYBACK_POSTER": "None"}, 200, ""},
		{"a poster template", map[string]any{"PLAYBACK_POSTER": "https://t.example.com/{dir}/{basename}.jpg"}, 200, ""},
		{"an unknown form", map[string]any{"PLAYBACK_ABR": "master"}, 500, "PLAYBACK_ABR"},
		{"a poster without {basename}", map[string]any{"PLAYBACK_POSTER": "poster.jpg"}, 500, "PLAYBACK_POSTER"},
		{"a poster in a subfolder", map[string]any{"PLAYBACK_POSTER": "thumbs/{basename}.jpg"}, 500, "PLAYBACK_POSTER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, a := call(t, callback.New(), l.request("token="+cbToken, body, tt.extra))
			assert.Equal(t, tt.want, code, a.Error)
			assert.Contains(t, a.Error, tt.param)
		})
	}
}
