package vodstation_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

func TestGetChannelFromEmulator(t *testing.T) {
	s, c := newEmulatorClient(t)
	dash := s.AddChannel(vodstationtest.Channel{
		Name: "demo", StorageBucketName: "out", EncryptedBucketName: "abcDEF12",
		CDNDomain: "example.edge.naverncp.com", ProtocolList: []string{"hls", "Dash"},
	})
	plain := s.AddChannel(vodstationtest.Channel{ID: "vs-20240101000000-abcde", Name: "plain", StorageBucketName: "b2", EncryptedBucketName: "zz9"})
	tests := []struct {
		name string
		id   string
		want vodstation.Channel
	}{
		{"both protocols, upper-cased", dash.ID, vodstation.Channel{
			ID: vodstation.ID(dash.ID), Name: "demo", Status: "READY", StorageBucketName: "out", EncryptedBucketName: "abcDEF12",
			ProtocolList: []string{"HLS", "DASH"}, CDNDomain: "example.edge.naverncp.com",
		}},
		{"no CDN domain", plain.ID, vodstation.Channel{
			ID: "vs-20240101000000-abcde", Name: "plain", Status: "READY", StorageBucketName: "b2", EncryptedBucketName: "zz9",
			ProtocolList: []string{"HLS"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.ResetCalls()
			got, err := c.GetChannel(context.Background(), tt.id)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			calls := s.Calls()
			require.Len(t, calls, 1)
			assert.Equal(t, "GET", calls[0].Method)
			assert.Equal(t, "/api/v2/channels/"+tt.id, calls[0].RequestURI)
			assert.True(t, calls[0].Authenticated)
		})
	}

	t.Run("unknown channel", func(t *testing.T) {
		s.ResetCalls()
		_, err := c.GetChannel(context.Background(), "vs-nope")
		require.Error(t, err)
		assert.ErrorIs(t, err, vodstation.ErrChannelNotFound)
		assert.NotErrorIs(t, err, vodstation.ErrFileNotFound)
		var apiErr *vodstation.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, vodstationtest.CodeResourceNotFound, apiErr.Code)
		assert.Contains(t, err.Error(), `vodstation: channel info: channel "vs-nope"`)
		assert.Equal(t, 1, s.CountCalls("GET", "/api/v2/channels/"))
	})
	t.Run("empty id is not sent", func(t *testing.T) {
		s.ResetCalls()
		_, err := c.GetChannel(context.Background(), "")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "CHANNEL_ID")
		assert.Empty(t, s.Calls())
	})
	t.Run("throttled then served", func(t *testing.T) {
		s.ResetCalls()
		s.InjectFault(vodstationtest.Throttle("GET", "/api/v2/channels/", 2))
		got, err := c.GetChannel(context.Background(), dash.ID)
		require.NoError(t, err)
		assert.Equal(t, "abcDEF12", got.EncryptedBucketName)
		assert.Equal(t, 3, s.CountCalls("GET", "/api/v2/channels/"))
	})
}

func TestGetChannelShapes(t *testing.T) {
	const common = `"id":"vs-1","name":"ch","storageBucketName":"out","encryptedBucketName":"enc"`
	tests := []struct {
		name       string
		content    string
		wantDomain string
		wantProtos []string
		wantStatus string
	}{
		{"cdn.cdnDomain", `{` + common + `,"channelStatus":"READY","protocolList":["HLS"],"cdn":{"cdnType":"GLOBAL_EDGE","cdnDomain":"a.edge.naverncp.com"}}`, "a.edge.naverncp.com", []string{"HLS"}, "READY"},
		{"cdn.domain", `{` + common + `,"cdn":{"domain":"b.edge.naverncp.com"}}`, "b.edge.naverncp.com", nil, ""},
		{"content.cdnDomain", `{` + common + `,"cdnDomain":"c.edge.naverncp.com"}`, "c.edge.naverncp.com", nil, ""},
		{"cdn.playbackUrl host", `{` + common + `,"cdn":{"playbackUrl":"https://d.edge.naverncp.com/hls/enc/x.mp4/index.m3u8"}}`, "d.edge.naverncp.com", nil, ""},
		{"content.playbackUrl host", `{` + common + `,"playbackUrl":"https://e.edge.naverncp.com/hls/enc/"}`, "e.edge.naverncp.com", nil, ""},
		{"cdnDomain wins over playbackUrl", `{` + common + `,"cdn":{"playbackUrl":"https://late.example.com/x"},"cdnDomain":"early.edge.naverncp.com"}`, "early.edge.naverncp.com", nil, ""},
		{"domain given with scheme and slash", `{` + common + `,"cdn":{"cdnDomain":"https://f.edge.naverncp.com/"}}`, "f.edge.naverncp.com", nil, ""},
		{"cdn list", `{` + common + `,"cdn":[{"cdnType":"GLOBAL_EDGE"},{"cdnDomain":"g.edge.naverncp.com"}]}`, "g.edge.naverncp.com", nil, ""},
		{"no domain anywhere", `{` + common + `,"cdn":{"cdnType":"NONE"}}`, "", nil, ""},
		{"cdn null", `{` + common + `,"cdn":null}`, "", nil, ""},
		{"cdn of an unexpected type", `{` + common + `,"cdn":"yes","cdnDomain":"h.edge.naverncp.com"}`, "h.edge.naverncp.com", nil, ""},
		{"protocols as a string, status as status", `{` + common + `,"status":"STOPPED","protocolList":"hls, dash"}`, "", []string{"HLS", "DASH"}, "STOPPED"},
		{"protocols of an unexpected type", `{` + common + `,"protocolList":{"HLS":true}}`, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"content":`+tt.content+`}`)
			})
			ch, err := c.GetChannel(context.Background(), "vs-1")
			require.NoError(t, err)
			assert.Equal(t, vodstation.Channel{
				ID: "vs-1", Name: "ch", Status: tt.wantStatus, StorageBucketName: "out", EncryptedBucketName: "enc",
				ProtocolList: tt.wantProtos, CDNDomain: tt.wantDomain,
			}, ch)
			calls := got()
			require.Len(t, calls, 1)
			assert.Equal(t, "GET", calls[0].Method)
			assert.Equal(t, "/api/v2/channels/vs-1", calls[0].URI)
		})
	}
}

func TestGetChannelBadAnswers(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		notFound  bool
		wantText  string
		wantCalls int
	}{
		{"non-JSON 200", 200, "OK", false, "not a JSON object", 1},
		{"200 without content", 200, `{"id":"vs-1"}`, false, "no content", 1},
		{"200 with null content", 200, `{"content":null}`, false, "content is not an object", 1},
		{"bad id type", 200, `{"content":{"id":true}}`, false, "unreadable channel", 1},
		{"404", 404, `{"error":{"errorCode":"260004","message":"not found"}}`, true, "channel not found", 1},
		{"400 260004", 400, `{"error":{"errorCode":"260004","message":"not found"}}`, true, "channel not found", 1},
		{"invalid channel is not 'not found'", 400, `{"error":{"errorCode":"260017","message":"invalid channel"}}`, false, "260017", 1},
		{"401", 401, `{"error":{"errorCode":"200","message":"Authentication Failed"}}`, false, "Authentication Failed", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			_, err := c.GetChannel(context.Background(), "vs-1")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "vodstation: channel info: ")
			assert.Contains(t, err.Error(), tt.wantText)
			if tt.notFound {
				assert.ErrorIs(t, err, vodstation.ErrChannelNotFound)
			} else {
				assert.NotErrorIs(t, err, vodstation.ErrChannelNotFound)
			}
			var apiErr *vodstation.APIError
			assert.ErrorAs(t, err, &apiErr)
			assert.Len(t, got(), tt.wantCalls)
		})
	}
}

func TestGetChannelEscapesID(t *testing.T) {
	c, got := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"content":{"name":"x"}}`)
	})
	ch, err := c.GetChannel(context.Background(), "vs 1/x")
	require.NoError(t, err)
	assert.Equal(t, vodstation.ID("vs 1/x"), ch.ID, "the id asked for when the answer has none")
	require.Len(t, got(), 1)
	assert.Equal(t, "/api/v2/channels/vs%201%2Fx", got()[0].URI)
}
