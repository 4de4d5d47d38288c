package webhook_test

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/webhook"
)

func TestNewIDShapeAndStability(t *testing.T) {
	id := webhook.NewID(webhook.TypeRenditionComplete, "file-1", "opt-2")
	assert.Regexp(t, regexp.MustCompile(`^evt_[0-9a-f]{32}$`), id)
	assert.Equal(t, id, webhook.NewID(webhook.TypeRenditionComplete, "file-1", "opt-2"), "same inputs, same id")
	// Known answer: printf 'submitted\0bucket\0a.mp4' | sha256sum | cut -c1-32
	assert.Equal(t, "evt_c70515d9c2caa90ee5ec357dfe69df50", webhook.NewID(webhook.TypeSubmitted, "bucket", "a.mp4"))
}

func TestNewIDDistinct(t *testing.T) {
	tests := []struct {
		name string
		a, b []string // type first, then parts
	}{
		{"part boundaries", []string{"t", "ab", "c"}, []string{"t", "a", "bc"}},
		{"type boundary", []string{"ab", "c"}, []string{"a", "bc"}},
		{"trailing empty part", []string{"t", "a"}, []string{"t", "a", ""}},
		{"no parts vs empty part", []string{"t"}, []string{"t", ""}},
		{"order", []string{"t", "a", "b"}, []string{"t", "b", "a"}},
		{"type", []string{webhook.TypeSubmitted, "k"}, []string{webhook.TypeSubmitFailed, "k"}},
		{"case", []string{"t", "Key"}, []string{"t", "key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := webhook.NewID(tt.a[0], tt.a[1:]...)
			b := webhook.NewID(tt.b[0], tt.b[1:]...)
			assert.NotEqual(t, a, b)
		})
	}
}

func TestValidType(t *testing.T) {
	for _, typ := range []string{
		webhook.TypeSubmitted, webhook.TypeSubmitFailed, webhook.TypeEncodingStarted,
		webhook.TypeRenditionComplete, webhook.TypeReady, webhook.TypeFileComplete, webhook.TypeEncodingFailed,
	} {
		assert.True(t, webhook.ValidType(typ), typ)
	}
	for _, typ := range []string{"", "Submitted", "complete", "file_complete ", "Ready", "ready_to_stream"} {
		assert.False(t, webhook.ValidType(typ), typ)
	}
}

func TestEventJSON(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	created := time.Date(2024, 5, 1, 21, 30, 0, 0, seoul).UTC()
	tests := []struct {
		name string
		ev   webhook.Event
		want string
	}{
		{
			name: "minimal: optional fields omitted",
			ev:   webhook.Event{ID: "evt_1", Type: webhook.TypeSubmitted, CreatedAt: created},
			want: `{"id":"evt_1","type":"submitted","created_at":"2024-05-01T12:30:00Z"}`,
		},
		{
			name: "submitted",
			ev: webhook.Event{ID: "evt_2", Type: webhook.TypeSubmitted, CreatedAt: created,
				BucketName: "in", Key: "a/b.mp4", CategoryID: "12", CategoryName: "vod", FileID: "345"},
			want: `{"id":"evt_2","type":"submitted","created_at":"2024-05-01T12:30:00Z","bucket_name":"in","key":"a/b.mp4","category_id":"12","category_name":"vod","file_id":"345"}`,
		},
		{
			name: "file_complete",
			ev: webhook.Event{ID: "evt_3", Type: webhook.TypeFileComplete, CreatedAt: created, FileID: "345",
				Renditions: []webhook.Rendition{
					{EncodingOptionID: "1", OutputType: "HLS", Status: "COMPLETE", Link: "https://o/1.mp4", Playback: &webhook.Playback{HLS: "https://o/1.m3u8"}},
					{Status: "COMPLETE"},
				},
				Playback: &webhook.Playback{HLS: "https://o/1.m3u8", DASH: "https://o/1.mpd"}},
			want: `{"id":"evt_3","type":"file_complete","created_at":"2024-05-01T12:30:00Z","file_id":"345",` +
				`"renditions":[{"encoding_option_id":"1","output_type":"HLS","status":"COMPLETE","link":"https://o/1.mp4","playback":{"hls":"https://o/1.m3u8"}},{"status":"COMPLETE"}],` +
				`"playback":{"hls":"https://o/1.m3u8","dash":"https://o/1.mpd"}}`,
		},
		{
			name: "submit_failed",
			ev: webhook.Event{ID: "evt_4", Type: webhook.TypeSubmitFailed, CreatedAt: created,
				Error:        &webhook.ErrorInfo{Code: "throttled", Status: 429, Message: "slow down"},
				NotSubmitted: []string{"c"}, Uncertain: []string{"b"},
				Submitted: []webhook.Submitted{{Key: "a", FileID: "1"}}, Warnings: []string{"w"}},
			want: `{"id":"evt_4","type":"submit_failed","created_at":"2024-05-01T12:30:00Z",` +
				`"error":{"code":"throttled","status":429,"message":"slow down"},"not_submitted":["c"],"uncertain":["b"],` +
				`"submitted":[{"key":"a","file_id":"1"}],"warnings":["w"]}`,
		},
		{
			name: "encoding_failed: empty message and status still encoded",
			ev: webhook.Event{ID: "evt_5", Type: webhook.TypeEncodingFailed, CreatedAt: created,
				Rendition: &webhook.Rendition{}, Error: &webhook.ErrorInfo{}},
			want: `{"id":"evt_5","type":"encoding_failed","created_at":"2024-05-01T12:30:00Z","rendition":{"status":""},"error":{"message":""}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.ev)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(b))

			var back webhook.Event
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, tt.ev, back)
		})
	}
}
