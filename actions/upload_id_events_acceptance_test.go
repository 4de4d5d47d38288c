package actions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/uploadid"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// TestUploadIDOnEveryEvent: a file uploaded through upload-url's URL runs
// the whole loop through the shipped binaries (bucket event →
// lookup-category → add-files → VOD Station's callbacks →
// encoding-callback), and the upload_id upload-url answered is on the
// submitted event add-files sends and on encoding-callback's
// file_complete (and every event between). A file put in the bucket
// another way (its key carries no id) gets events without upload_id.
func TestUploadIDOnEveryEvent(t *testing.T) {
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out", OutputPath: "encoded"})
	ch := vod.AddChannel(vodstationtest.Channel{Name: "movies", StorageBucketName: "out", EncryptedBucketName: "encX",
		CDNDomain: "movies.edge.naverncp.com", ProtocolList: []string{"HLS"}})
	receiver := webhooktest.NewReceiver(webhookSecret)
	t.Cleanup(receiver.Close)
	store, err := objectstoragetest.Start(objectstoragetest.Options{Credentials: map[string]string{accessKey: secretKey}, Buckets: []string{bucket}})
	require.NoError(t, err)
	t.Cleanup(store.Close)

	var plat *localrun.Platform
	mux := http.NewServeMux()
	mux.HandleFunc("/upload-url", func(w http.ResponseWriter, r *http.Request) {
		plat.WebHandler("upload-url", "/upload-url").ServeHTTP(w, r)
	})
	mux.HandleFunc("/cb", func(w http.ResponseWriter, r *http.Request) {
		plat.WebHandler("encoding-callback", "/cb").ServeHTTP(w, r)
	})
	gateway := httptest.NewServer(mux)
	t.Cleanup(gateway.Close)
	var logs *syncBuffer
	plat, logs = newPlatform(t,
		map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL, "REGION": "KR",
			"BUCKET_NAME": bucket, "WEBHOOK_URL": receiver.URL, "WEBHOOK_SECRET": webhookSecret},
		map[string]map[string]any{
			"lookup-category":   {"CATEGORY_NAME": "movies", "INPUT_PREFIX": "uploads/"},
			"add-files":         {"NOTIFICATION_URL": gateway.URL + "/cb?token=" + callbackToken},
			"encoding-callback": {"CALLBACK_TOKEN": callbackToken, "CHANNEL_ID": ch.ID},
			"upload-url":        {"UPLOAD_TOKEN": uploadToken, "OBJECT_STORAGE_ENDPOINT": store.URL, "INPUT_PREFIX": "uploads/"},
		})
	t.Cleanup(func() {
		for _, s := range []string{uploadToken, callbackToken, webhookSecret} {
			assert.NotContains(t, logs.String(), s, "a secret reached the actions' stdout/stderr")
		}
	})
	var mu sync.Mutex
	var results []map[string]any
	store.OnCreate(bucket, func(ev map[string]any) {
		out := plat.Fire(context.Background(), ev)
		for _, s := range out.Steps {
			assert.NoError(t, s.Err, "%s crashed or timed out", s.Action)
		}
		mu.Lock()
		results = append(results, out.Result)
		mu.Unlock()
	})

	// The site's server asks upload-url, the browser PUTs to the answer.
	body := bytes.Repeat([]byte("frame"), 2000)
	raw, err := json.Marshal(map[string]any{"filename": "Holiday clip.mp4", "content_type": "video/mp4", "size": len(body)})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, gateway.URL+"/upload-url", bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+uploadToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", answer)
	var a struct {
		UploadID string            `json:"upload_id"`
		Key      string            `json:"key"`
		URL      string            `json:"url"`
		Headers  map[string]string `json:"headers"`
	}
	require.NoError(t, json.Unmarshal(answer, &a))
	require.True(t, uploadid.Valid(a.UploadID), "upload_id %q", a.UploadID)
	require.Equal(t, "uploads/"+a.UploadID+"/Holiday_clip.mp4", a.Key)
	require.Equal(t, http.StatusOK, put(t, http.MethodPut, a.URL, a.Headers, body).StatusCode)

	// The same bucket, a key written another way: no upload id.
	c, err := objectstorage.New(objectstorage.Config{Endpoint: store.URL, Region: objectstoragetest.DefaultRegion, AccessKey: accessKey, SecretKey: signing.NewSecret(secretKey)})
	require.NoError(t, err)
	_, err = c.Upload(context.Background(), bucket, "uploads/direct.mp4", bytes.NewReader(body), int64(len(body)), "video/mp4", nil)
	require.NoError(t, err)
	store.Wait()

	mu.Lock()
	require.Len(t, results, 2, "one sequence run per upload")
	fileIDs := map[string]string{} // file_id → the key's upload id
	for _, res := range results {
		require.NotContains(t, res, "error", "%v", res)
		files := res["files"].([]any)
		require.Len(t, files, 1)
		f := files[0].(map[string]any)
		id, _ := f["upload_id"].(string)
		fileIDs[f["file_id"].(string)] = id
		assert.Equal(t, uploadid.Of(f["path"].(string)), id, "add-files names the key's id, or none")
	}
	mu.Unlock()
	require.Len(t, fileIDs, 2)
	require.Contains(t, fileIDs, fileIDOf(fileIDs, a.UploadID), "one of the files is the upload-url one")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = receiver.Wait(ctx, func(evs []webhook.Event) bool {
		n := 0
		for _, ev := range evs {
			if ev.Type == webhook.TypeFileComplete {
				n++
			}
		}
		return n == 2
	})
	require.NoError(t, err, "two file_complete never came; got %v", receiver.Events())
	require.NoError(t, vod.WaitIdle(ctx))

	byFile := map[string]map[string][]string{} // file_id → type → upload ids
	for _, ev := range receiver.Events() {
		if byFile[ev.FileID] == nil {
			byFile[ev.FileID] = map[string][]string{}
		}
		byFile[ev.FileID][ev.Type] = append(byFile[ev.FileID][ev.Type], ev.UploadID)
	}
	require.Len(t, byFile, 2)
	for fileID, want := range fileIDs {
		types := byFile[fileID]
		require.NotNil(t, types, "events of %s", fileID)
		assert.Equal(t, []string{want}, types[webhook.TypeSubmitted], "%s: submitted (add-files)", fileID)
		assert.Equal(t, []string{want}, types[webhook.TypeFileComplete], "%s: file_complete (encoding-callback)", fileID)
		for typ, ids := range types {
			for _, id := range ids {
				assert.Equal(t, want, id, "%s: %s", fileID, typ)
			}
		}
	}
	for _, d := range receiver.Deliveries() {
		assert.True(t, d.Verified, "signed with WEBHOOK_SECRET: %v", d.Err)
		if strings.Contains(string(d.Body), "direct.mp4") {
			assert.NotContains(t, string(d.Body), "upload_id", "no id: the field is left out")
		}
	}
}

// fileIDOf returns the file id whose upload id is id ("" when none).
func fileIDOf(fileIDs map[string]string, id string) string {
	for f, u := range fileIDs {
		if u == id {
			return f
		}
	}
	return ""
}
