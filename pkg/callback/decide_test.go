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

// TestDecide checks the pure decision: which events a callback implies,
// what they carry, and that their ids depend only on the file and the
// rendition.
func TestDecide(t *testing.T) {
	const (
		sd, hd       = "AVC_SD_1Pass_30fps", "AVC_HD_1Pass_30fps"
		statusBucket = "status-bucket"
		cfgBucket    = "cfg-bucket"
	)
	link := func(typ string) string {
		return "https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/a_" + typ + ".mp4"
	}
	hls := func(typ string) string {
		return "https://" + cbEdge + "/hls/" + cbEncrypt + "/encoded/movies/a_" + typ + ".mp4/index.m3u8"
	}
	cb := func(status string) callback.Callback {
		c := callback.Callback{CategoryID: "7", CategoryName: "movies", FileID: "42", FilePath: "in/a.mp4",
			EncodingOptionID: "1", OutputType: sd, Status: status}
		if status == callback.StatusComplete {
			c.Link = link(sd)
		}
		return c
	}
	outputs := func(hdStatus string) []vodstation.OutputStatus {
		o := []vodstation.OutputStatus{
			{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE", Link: link(sd)},
			{EncodingOptionID: "2", OutputType: hd, Status: hdStatus},
		}
		if hdStatus == "COMPLETE" || hdStatus == "complete" {
			o[1].Link = link(hd)
		}
		return o
	}
	status := func(bucket string) *vodstation.FileStatus {
		return &vodstation.FileStatus{FileID: "42", BucketName: bucket, FilePath: "in/a.mp4", CategoryID: "7",
			CategoryName: "movies", Outputs: outputs("COMPLETE"), OutputsKnown: true}
	}
	pb := func() *playback.Config { return &playback.Config{Domain: cbEdge, EncryptedBucket: cbEncrypt} }

	var (
		startedID = webhook.NewID(webhook.TypeEncodingStarted, "42")
		failedID  = webhook.NewID(webhook.TypeEncodingFailed, "42", "1")
		doneID    = webhook.NewID(webhook.TypeRenditionComplete, "42", "1", sd, link(sd))
		fileID    = webhook.NewID(webhook.TypeFileComplete, "42")
		readyID   = webhook.NewID(webhook.TypeReady, "42")
	)
	tests := []struct {
		name       string
		facts      func() callback.Facts // a fresh copy each time
		wantIDs    []string
		wantTypes  []string
		wantBucket string
		check      func(t *testing.T, d callback.Decision)
	}{
		{
			name:      "RUNNING: encoding_started",
			facts:     func() callback.Facts { return callback.Facts{Callback: cb("RUNNING"), Bucket: cfgBucket} },
			wantIDs:   []string{startedID},
			wantTypes: []string{webhook.TypeEncodingStarted}, wantBucket: cfgBucket,
			check: func(t *testing.T, d callback.Decision) {
				ev := d.Events[0]
				require.NotNil(t, ev.Rendition)
				assert.Equal(t, "RUNNING", ev.Rendition.Status)
				assert.Equal(t, sd, ev.Rendition.OutputType)
				assert.Nil(t, ev.Error)
				assert.Nil(t, d.Playback)
				assert.Equal(t, "in/a.mp4", ev.Key)
				assert.Equal(t, "7", ev.CategoryID)
				assert.Equal(t, "movies", ev.CategoryName)
				assert.Equal(t, "42", ev.FileID)
			},
		},
		{
			name: "FAILURE: encoding_failed with the error",
			facts: func() callback.Facts {
				return callback.Facts{Callback: cb("FAILURE"), Bucket: cfgBucket, Status: status(statusBucket)}
			},
			wantIDs:   []string{failedID},
			wantTypes: []string{webhook.TypeEncodingFailed}, wantBucket: statusBucket,
			check: func(t *testing.T, d callback.Decision) {
				ev := d.Events[0]
				require.NotNil(t, ev.Error)
				assert.Equal(t, "encoding_failed", ev.Error.Code)
				assert.Contains(t, ev.Error.Message, "FAILURE")
				assert.Contains(t, ev.Error.Message, sd)
				assert.Contains(t, ev.Error.Message, "42")
				require.NotNil(t, ev.Rendition)
				assert.Equal(t, "FAILURE", ev.Rendition.Status)
			},
		},
		{
			name:      "CANCELED: encoding_failed with the error",
			facts:     func() callback.Facts { return callback.Facts{Callback: cb("CANCELED"), Bucket: cfgBucket} },
			wantIDs:   []string{failedID},
			wantTypes: []string{webhook.TypeEncodingFailed}, wantBucket: cfgBucket,
			check: func(t *testing.T, d callback.Decision) {
				require.NotNil(t, d.Events[0].Error)
				assert.Equal(t, "encoding_failed", d.Events[0].Error.Code)
				assert.Contains(t, d.Events[0].Error.Message, "CANCELED")
			},
		},
		{
			name: "WAITING: no event",
			facts: func() callback.Facts {
				return callback.Facts{Callback: cb("WAITING"), Bucket: cfgBucket, Status: status(statusBucket)}
			},
			check: func(t *testing.T, d callback.Decision) { assert.Nil(t, d.Playback) },
		},
		{
			name: "COMPLETE, every rendition complete: rendition_complete and file_complete",
			facts: func() callback.Facts {
				return callback.Facts{Callback: cb("COMPLETE"), Bucket: cfgBucket, Status: status(statusBucket),
					Renditions: outputs("complete"), RenditionsKnown: true, Playback: pb()}
			},
			wantIDs:   []string{doneID, readyID, fileID},
			wantTypes: []string{webhook.TypeRenditionComplete, webhook.TypeReady, webhook.TypeFileComplete}, wantBucket: statusBucket,
			check: func(t *testing.T, d callback.Decision) {
				done, ready, fc := d.Events[0], d.Events[1], d.Events[2]
				require.NotNil(t, done.Rendition)
				require.NotNil(t, done.Rendition.Playback)
				assert.Equal(t, hls(sd), done.Rendition.Playback.HLS)
				assert.Empty(t, done.Rendition.Playback.DASH, "HLS only by default")
				assert.Equal(t, done.Rendition.Playback, d.Playback, "the answer's playback is this rendition's")
				assert.Equal(t, done.Rendition, ready.Rendition, "ready names the rendition that made the file playable")
				assert.Equal(t, done.Rendition.Playback, ready.Playback)
				require.Len(t, fc.Renditions, 2)
				for i, typ := range []string{sd, hd} {
					r := fc.Renditions[i]
					assert.Equal(t, typ, r.OutputType)
					assert.Equal(t, "COMPLETE", r.Status)
					assert.Equal(t, link(typ), r.Link)
					require.NotNil(t, r.Playback, typ)
					assert.Equal(t, hls(typ), r.Playback.HLS)
				}
				require.NotNil(t, fc.Playback)
				assert.Equal(t, "https://"+cbEdge+"/hls/"+cbEncrypt+"/encoded/movies/a_,"+sd+","+hd+",.mp4.smil/master.m3u8", fc.Playback.HLS,
					"the adaptive URL over both renditions, SD first")
				assert.Nil(t, fc.Rendition)
				assert.Empty(t, d.Warnings)
			},
		},
		{
			name: "COMPLETE, one rendition RUNNING: only rendition_complete",
			facts: func() callback.Facts {
				return callback.Facts{Callback: cb("COMPLETE"), Status: status(statusBucket),
					Renditions: outputs("RUNNING"), RenditionsKnown: true, Playback: pb()}
			},
			wantIDs:   []string{doneID, readyID},
			wantTypes: []string{webhook.TypeRenditionComplete, webhook.TypeReady}, wantBucket: statusBucket,
		},
		{
			name: "COMPLETE, renditions not known: no file_complete",
			facts: func() callback.Facts {
				return callback.Facts{Callback: cb("COMPLETE"), Bucket: cfgBucket,
					Renditions: outputs("COMPLETE"), RenditionsKnown: false, Playback: pb(),
					Warnings: []string{"file_complete not judged: the status API is down"}}
			},
			wantIDs:   []string{doneID, readyID},
			wantTypes: []string{webhook.TypeRenditionComplete, webhook.TypeReady}, wantBucket: cfgBucket,
			check: func(t *testing.T, d callback.Decision) {
				assert.Equal(t, []string{"file_complete not judged: the status API is down"}, d.Warnings, "gathering's warnings are kept")
			},
		},
		{
			name: "COMPLETE, no rendition listed: no file_complete, a warning",
			facts: func() callback.Facts {
				return callback.Facts{Callback: cb("COMPLETE"), Bucket: cfgBucket, RenditionsKnown: true}
			},
			wantIDs:   []string{doneID, readyID},
			wantTypes: []string{webhook.TypeRenditionComplete, webhook.TypeReady}, wantBucket: cfgBucket,
			check: func(t *testing.T, d callback.Decision) {
				require.Len(t, d.Warnings, 1)
				assert.Contains(t, d.Warnings[0], "lists no rendition")
				assert.Nil(t, d.Playback, "no playback without a playback config")
			},
		},
		{
			name: "COMPLETE without a link: no playback, a warning",
			facts: func() callback.Facts {
				c := cb("COMPLETE")
				c.Link = ""
				return callback.Facts{Callback: c, Playback: pb()}
			},
			wantIDs:   []string{webhook.NewID(webhook.TypeRenditionComplete, "42", "1", sd, ""), readyID},
			wantTypes: []string{webhook.TypeRenditionComplete, webhook.TypeReady},
			check: func(t *testing.T, d callback.Decision) {
				assert.Nil(t, d.Playback)
				assert.NotEmpty(t, d.Warnings)
			},
		},
		{
			name: "the status without a bucket: BUCKET_NAME",
			facts: func() callback.Facts {
				c := cb("COMPLETE")
				c.FilePath, c.CategoryID, c.CategoryName = "", "", ""
				return callback.Facts{Callback: c, Bucket: cfgBucket, Status: status(""),
					Renditions: outputs("COMPLETE"), RenditionsKnown: true}
			},
			wantIDs:   []string{doneID, readyID, fileID},
			wantTypes: []string{webhook.TypeRenditionComplete, webhook.TypeReady, webhook.TypeFileComplete}, wantBucket: cfgBucket,
			check: func(t *testing.T, d callback.Decision) {
				for _, ev := range d.Events {
					assert.Equal(t, "in/a.mp4", ev.Key, "the key from the status API")
					assert.Equal(t, "7", ev.CategoryID)
					assert.Equal(t, "movies", ev.CategoryName)
				}
			},
		},
		{
			name: "COMPLETE with renditions from the status list (no option ids)",
			facts: func() callback.Facts {
				return callback.Facts{Callback: cb("COMPLETE"), Playback: pb(), RenditionsKnown: true,
					Renditions: []vodstation.OutputStatus{{OutputType: sd, Status: "COMPLETE", Link: link(sd)}, {OutputType: hd, Status: "COMPLETE", Link: link(hd)}}}
			},
			wantIDs:   []string{doneID, readyID, fileID},
			wantTypes: []string{webhook.TypeRenditionComplete, webhook.TypeReady, webhook.TypeFileComplete},
			check: func(t *testing.T, d callback.Decision) {
				require.Len(t, d.Events[2].Renditions, 2)
				assert.Equal(t, hls(hd), d.Events[2].Renditions[1].Playback.HLS)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.facts()
			d := callback.Decide(f)
			assert.Equal(t, tt.facts(), f, "Decide changes nothing it is given")
			assert.Equal(t, d, callback.Decide(tt.facts()), "the same facts, the same decision")
			var types, ids []string
			for _, ev := range d.Events {
				types = append(types, ev.Type)
				ids = append(ids, ev.ID)
				assert.Equal(t, tt.wantBucket, ev.BucketName, "%s's bucket", ev.Type)
				assert.True(t, ev.CreatedAt.IsZero(), "the notifier stamps the time, not the decision")
				assert.Equal(t, "42", ev.FileID)
			}
			assert.Equal(t, tt.wantTypes, types)
			assert.Equal(t, tt.wantIDs, ids, "stable ids: the type, the file and the rendition")
			if tt.check != nil && len(d.Events) == len(tt.wantTypes) {
				tt.check(t, d)
			}
		})
	}
}

// TestDecideIDsIgnoreWhatWasRead: an event's id does not depend on the
// bucket, the status read or the playback settings, so containers that
// read different facts still send the same ids.
func TestDecideIDsIgnoreWhatWasRead(t *testing.T) {
	c := callback.Callback{FileID: "9", EncodingOptionID: "3", OutputType: "AVC_HD_1Pass_30fps", Status: callback.StatusComplete,
		Link: "https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/x_AVC_HD_1Pass_30fps.mp4"}
	all := []vodstation.OutputStatus{{EncodingOptionID: "3", OutputType: "AVC_HD_1Pass_30fps", Status: "COMPLETE", Link: c.Link}}
	a := callback.Decide(callback.Facts{Callback: c, Renditions: all, RenditionsKnown: true})
	b := callback.Decide(callback.Facts{Callback: c, Bucket: "b", Status: &vodstation.FileStatus{BucketName: "s", FilePath: "k"},
		Renditions: all, RenditionsKnown: true, Playback: &playback.Config{Domain: cbEdge, EncryptedBucket: cbEncrypt}})
	require.Len(t, a.Events, 3)
	require.Len(t, b.Events, 3)
	for i := range a.Events {
		assert.Equal(t, a.Events[i].ID, b.Events[i].ID)
	}
	// A rendition is named by its option id, else its output type; the id
	// also covers the output and the link it announces.
	c.EncodingOptionID = ""
	d := callback.Decide(callback.Facts{Callback: c})
	require.Len(t, d.Events, 2)
	assert.Equal(t, webhook.NewID(webhook.TypeRenditionComplete, "9", "AVC_HD_1Pass_30fps", "AVC_HD_1Pass_30fps", c.Link), d.Events[0].ID)
	c.Link += "?forged"
	assert.NotEqual(t, d.Events[0].ID, callback.Decide(callback.Facts{Callback: c}).Events[0].ID,
		"an event announcing another link has another id")
}
