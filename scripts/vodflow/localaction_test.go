package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// rawGet is a raw web action's GET with a query and a bearer token.
func rawGet(t *testing.T, query, bearer string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"__ow_method": "get", "__ow_path": "", "__ow_query": query,
		"__ow_headers": map[string]any{"authorization": "Bearer " + bearer}})
	require.NoError(t, err)
	return string(b)
}

// TestLocalActionPlaybackURL: vodflow local --action playback-url (the
// tool binary) runs the action with what it gets deployed: the signing
// key and channel from encoding-callback's section (where
// params.example.json and -p put them), its own token.
func TestLocalActionPlaybackURL(t *testing.T) {
	t.Run("on the demo emulator, with -p", func(t *testing.T) {
		args := []string{"local", "--action", "playback-url", "-p", "PLAYBACK_URL_TOKEN=pu-local-token", "-p", "PLAYBACK_TOKEN_KEY=" + localTokenKey}
		r := exe(t, "", append(args, "--event", rawGet(t, "file_id=1", "pu-local-token"))...)
		assert.Equal(t, 1, r.code, "a 404 answer is a failure")
		assert.Contains(t, r.stdout, `answered HTTP 404: {"error":"VOD Station has no file 1"}`, "the key reached playback-url: %s", r.stdout)
		r = exe(t, "", append(args, "--event", rawGet(t, "file_id=1", "wrong"))...)
		assert.Contains(t, r.stdout, "answered HTTP 401")
		assertNoKey(t, localTokenKey, r.stdout, r.stderr)
		assert.NotContains(t, r.stdout+r.stderr, "pu-local-token")
	})

	t.Run("with --params, against an emulator with a complete file", func(t *testing.T) {
		srv, _, ids := seededEmulator(t, "uploads/clip.mp4")
		ch := srv.AddChannel(vodstationtest.Channel{Name: "c", StorageBucketName: demoOutputBucket, EncryptedBucketName: "encL",
			CDNDomain: "c.edge.naverncp.com", ProtocolList: []string{"HLS"}})
		sg, err := edgetoken.NewSigner(edgetoken.TypeSecureToken, localTokenKey, "", time.Hour)
		require.NoError(t, err)
		srv.SetEdgeToken(&sg)
		params := filepath.Join(t.TempDir(), "params.json")
		b, err := json.Marshal(map[string]any{
			"package": map[string]any{"parameters": map[string]any{"NCLOUD_ACCESS_KEY": demoAccessKey, "NCLOUD_SECRET_KEY": demoSecretKey,
				"API_URL": srv.URL, "BUCKET_NAME": demoBucket}},
			"actions": map[string]any{
				"encoding-callback": map[string]any{"parameters": map[string]any{"CALLBACK_TOKEN": "cb-local-token", "CHANNEL_ID": ch.ID,
					"PLAYBACK_TOKEN_KEY": localTokenKey, "PLAYBACK_TOKEN_TTL": "2h"}},
				"playback-url": map[string]any{"parameters": map[string]any{"PLAYBACK_URL_TOKEN": "pu-local-token"}},
			},
		})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(params, b, 0o600))
		r := exe(t, "", "local", "--params", params, "--action", "playback-url", "--result", "--event", rawGet(t, "file_id="+ids[0], "pu-local-token"))
		require.Equal(t, 0, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
		var res struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &res), r.stdout)
		require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
		var a struct {
			Playback  struct{ HLS string }
			ExpiresAt time.Time `json:"expires_at"`
		}
		require.NoError(t, json.Unmarshal([]byte(res.Body), &a))
		assert.WithinDuration(t, time.Now().Add(2*time.Hour), a.ExpiresAt, time.Minute, "PLAYBACK_TOKEN_TTL from encoding-callback's section")
		require.Contains(t, a.Playback.HLS, "?token=exp=")
		p := playWithQuery(t, onEdge(srv.URL, a.Playback.HLS))
		assert.Empty(t, p.Refused)
		assert.GreaterOrEqual(t, p.Fetched(), 3)
		bare, _, _ := strings.Cut(onEdge(srv.URL, a.Playback.HLS), "?")
		code, _ := fetchStatus(t, bare)
		assert.Equal(t, http.StatusForbidden, code)
		assertNoKey(t, localTokenKey, r.stdout, r.stderr)
	})
}
