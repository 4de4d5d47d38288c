package callback_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// TestDecideFailureReasonMatchesTheRendition: the rendition whose reason
// encoding_failed carries is found by encoding option id when the
// callback and the row both carry one, else by output type; with no
// rendition found, or one without a reason, the file's reason is given.
func TestDecideFailureReasonMatchesTheRendition(t *testing.T) {
	const sd, hd = "AVC_SD_1Pass_30fps", "AVC_HD_1Pass_30fps"
	fail := func(code string) vodstation.Failure { return vodstation.Failure{Code: code} }
	for _, tt := range []struct {
		name string
		cb   callback.Callback
		outs []vodstation.OutputStatus
		want string
	}{
		{"both ids: by id, not by type", callback.Callback{EncodingOptionID: "2", OutputType: hd},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: hd, Failure: fail("A")}, {EncodingOptionID: "2", OutputType: hd, Failure: fail("B")}}, "B"},
		{"both ids: another id is another rendition", callback.Callback{EncodingOptionID: "2", OutputType: hd},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Failure: fail("A")}, {EncodingOptionID: "2", OutputType: hd, Failure: fail("B")}}, "B"},
		{"both ids, none equal: the file's", callback.Callback{EncodingOptionID: "3", OutputType: hd},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Failure: fail("A")}, {EncodingOptionID: "2", OutputType: hd, Failure: fail("B")}}, "FILE"},
		{"no id in the callback: by type", callback.Callback{OutputType: hd},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Failure: fail("A")}, {EncodingOptionID: "2", OutputType: hd, Failure: fail("B")}}, "B"},
		{"no id in the rows: by type", callback.Callback{EncodingOptionID: "2", OutputType: hd},
			[]vodstation.OutputStatus{{OutputType: sd, Failure: fail("A")}, {OutputType: hd, Failure: fail("B")}}, "B"},
		{"no id, no type: nothing matches", callback.Callback{},
			[]vodstation.OutputStatus{{Failure: fail("A")}}, "FILE"},
		{"no id, no type in the callback, a row of some type", callback.Callback{},
			[]vodstation.OutputStatus{{OutputType: sd, Failure: fail("A")}}, "FILE"},
		{"the rendition found has no reason: the file's", callback.Callback{EncodingOptionID: "2", OutputType: hd},
			[]vodstation.OutputStatus{{EncodingOptionID: "2", OutputType: hd}}, "FILE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cb := tt.cb
			cb.FileID, cb.Status = "42", callback.StatusFailure
			d := callback.Decide(callback.Facts{Callback: cb,
				Status: &vodstation.FileStatus{Failure: fail("FILE"), Outputs: tt.outs, OutputsKnown: true}})
			require.Len(t, d.Events, 1)
			require.NotNil(t, d.Events[0].Error)
			assert.Equal(t, tt.want, d.Events[0].Error.Reason)
		})
	}
}

// TestDecideFileCompleteMergesTheCallback: file_complete lists the file's
// renditions with this callback's merged in where it is the same
// rendition (by id when both carry one, else by output type): its link
// fills a row without one, its output type a row without one; a rendition
// the rows lack is added, with a warning that no adaptive URL is made.
func TestDecideFileCompleteMergesTheCallback(t *testing.T) {
	const sd, hd = "AVC_SD_1Pass_30fps", "AVC_HD_1Pass_30fps"
	dir := "https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/"
	link := func(typ string) string { return dir + "clip_" + typ + ".mp4" }
	type rend struct{ typ, link string }
	for _, tt := range []struct {
		name     string
		cb       callback.Callback
		outs     []vodstation.OutputStatus
		want     []rend
		adaptive bool
		warning  string
	}{
		{"by id: the callback's link fills its row", callback.Callback{EncodingOptionID: "2", OutputType: hd, Link: link(hd)},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE", Link: link(sd)}, {EncodingOptionID: "2", OutputType: hd, Status: "COMPLETE"}},
			[]rend{{sd, link(sd)}, {hd, link(hd)}}, true, ""},
		{"by id: another row without a link keeps none", callback.Callback{EncodingOptionID: "2", OutputType: hd, Link: link(hd)},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE"}, {EncodingOptionID: "2", OutputType: hd, Status: "COMPLETE", Link: link(hd)}},
			[]rend{{sd, ""}, {hd, link(hd)}}, false, "no adaptive URL: rendition " + sd + " has no link"},
		{"by id: the row's output type filled", callback.Callback{EncodingOptionID: "2", OutputType: hd, Link: link(hd)},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE", Link: link(sd)}, {EncodingOptionID: "2", Status: "COMPLETE", Link: link(hd)}},
			[]rend{{sd, link(sd)}, {hd, link(hd)}}, true, ""},
		{"by id: the row's own output type kept", callback.Callback{EncodingOptionID: "2", OutputType: "AVC_HD_other", Link: link(hd)},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE", Link: link(sd)}, {EncodingOptionID: "2", OutputType: hd, Status: "COMPLETE", Link: link(hd)}},
			[]rend{{sd, link(sd)}, {hd, link(hd)}}, true, ""},
		{"no id in the callback: by type", callback.Callback{OutputType: hd, Link: link(hd)},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE"}, {EncodingOptionID: "2", OutputType: hd, Status: "COMPLETE"}},
			[]rend{{sd, ""}, {hd, link(hd)}}, false, "no adaptive URL: rendition " + sd + " has no link"},
		{"both ids, none equal: added", callback.Callback{EncodingOptionID: "3", OutputType: hd, Link: link(hd)},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE", Link: link(sd)}, {EncodingOptionID: "2", OutputType: hd, Status: "COMPLETE", Link: link(hd)}},
			[]rend{{sd, link(sd)}, {hd, link(hd)}, {hd, link(hd)}}, false, "no adaptive URL: rendition 3 of this callback is not among"},
		{"no id in the callback, no type equal: added", callback.Callback{OutputType: hd, Link: link(hd)},
			[]vodstation.OutputStatus{{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE"}},
			[]rend{{sd, ""}, {hd, link(hd)}}, false, "no adaptive URL: rendition " + hd + " of this callback is not among"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cb := tt.cb
			cb.FileID, cb.FilePath, cb.Status = "42", "in/clip.mp4", callback.StatusComplete
			d := callback.Decide(callback.Facts{Callback: cb, Renditions: tt.outs, RenditionsKnown: true, ABR: playback.ABRSmil,
				Playback: &playback.Config{Domain: cbEdge, EncryptedBucket: cbEncrypt}})
			require.Len(t, d.Events, 3, "warnings: %q", d.Warnings)
			fc := d.Events[2]
			require.Equal(t, webhook.TypeFileComplete, fc.Type)
			var got []rend
			for _, r := range fc.Renditions {
				got = append(got, rend{r.OutputType, r.Link})
			}
			assert.Equal(t, tt.want, got)
			if tt.want[0].link == "" {
				assert.Nil(t, fc.Playback, "the first rendition's, which has none")
			} else {
				require.NotNil(t, fc.Playback)
			}
			if tt.adaptive {
				assert.Contains(t, fc.Playback.HLS, ".smil/", "the adaptive URL")
				assert.Empty(t, d.Warnings)
			} else {
				if fc.Playback != nil {
					assert.NotContains(t, fc.Playback.HLS, ".smil/")
				}
				require.Len(t, d.Warnings, 1, "warnings: %q", d.Warnings)
				assert.Contains(t, d.Warnings[0], tt.warning)
			}
		})
	}
}

// TestDecidePosterFromTheFirstLink: the poster sits beside the first
// rendition that has a link.
func TestDecidePosterFromTheFirstLink(t *testing.T) {
	yes := true
	a := "https://out-bucket.kr.object.ncloudstorage.com/first/clip_AVC_SD_1Pass_30fps.mp4"
	b := "https://out-bucket.kr.object.ncloudstorage.com/second/clip_AVC_HD_1Pass_30fps.mp4"
	d := callback.Decide(callback.Facts{
		Callback:        callback.Callback{FileID: "42", FilePath: "in/clip.mp4", EncodingOptionID: "2", OutputType: "AVC_HD_1Pass_30fps", Status: callback.StatusComplete, Link: b},
		RenditionsKnown: true, Poster: callback.PosterAuto,
		Renditions: []vodstation.OutputStatus{
			{EncodingOptionID: "3", OutputType: "AVC_LD_1Pass_30fps", Status: "COMPLETE"},
			{EncodingOptionID: "1", OutputType: "AVC_SD_1Pass_30fps", Status: "COMPLETE", Link: a},
			{EncodingOptionID: "2", OutputType: "AVC_HD_1Pass_30fps", Status: "COMPLETE", Link: b},
		},
		Status: &vodstation.FileStatus{Thumbnail: &yes},
	})
	require.Len(t, d.Events, 3)
	assert.Equal(t, "https://out-bucket.kr.object.ncloudstorage.com/first/clip_01.jpg", d.Events[2].Poster)
}
