package actions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// Issue 12 items 4, 7, 8 and 10, through the shipped binaries.

// redirector answers every request with status and the Location that
// location gives, and counts the requests.
type redirector struct {
	URL  string
	hits atomic.Int32
}

func newRedirector(t *testing.T, status int, location func(*http.Request) string) *redirector {
	t.Helper()
	rd := &redirector{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rd.hits.Add(1)
		w.Header().Set("Location", location(r))
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	rd.URL = srv.URL
	return rd
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Host
}

// newPlatform is a warm platform over the shipped binaries with the
// package's parameters pkg and the actions' own.
func newPlatform(t *testing.T, pkg map[string]any, actions map[string]map[string]any) (*localrun.Platform, *syncBuffer) {
	t.Helper()
	acts := map[string]paramsfile.Action{}
	for name, params := range actions {
		acts[name] = paramsfile.Action{Parameters: params}
	}
	logs := &syncBuffer{}
	plat := localrun.New(localrun.Config{BinDir: binDir, Logs: logs, Params: &paramsfile.File{
		Package: paramsfile.Package{Name: "vodflow", Parameters: pkg}, Actions: acts,
	}})
	t.Cleanup(func() {
		plat.Close()
		assertNoSentinel(t, logs.String())
	})
	return plat, logs
}

// TestRedirectIsNeverFollowedByTheBinaries (item 4): API_URL on a host
// that answers the category list or add-files with a redirect to the
// emulator (the very request URI, so that a followed request would verify
// and be accepted there) gives an error result naming the status and the
// target's host only; the emulator receives nothing and the redirecting
// host exactly one request. WEBHOOK_URL redirecting to another receiver:
// the upload is submitted, the event is reported as not delivered (the log
// names the status and the host), and the other receiver gets nothing.
func TestRedirectIsNeverFollowedByTheBinaries(t *testing.T) {
	for _, status := range []int{301, 302, 307, 308} {
		t.Run(fmt.Sprintf("%d to API_URL", status), func(t *testing.T) {
			for _, entry := range []string{"category list (the sequence)", "add-files alone"} {
				t.Run(entry, func(t *testing.T) {
					vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey, CallbackDelay: time.Hour})
					require.NoError(t, err)
					t.Cleanup(vod.Close)
					cat := vod.AddCategory(vodstationtest.Category{Name: "movies"})
					rd := newRedirector(t, status, func(r *http.Request) string { return vod.URL + r.URL.RequestURI() })
					plat, _ := newPlatform(t, map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": rd.URL},
						map[string]map[string]any{"lookup-category": {"CATEGORY_NAME": "movies", "BUCKET_NAME": bucket}})

					var res map[string]any
					if entry == "add-files alone" {
						res, err = plat.RunAction(context.Background(), "add-files",
							map[string]any{"category_id": fmt.Sprint(cat.ID), "bucket_name": bucket, "object_name": "uploads/clip.mp4"})
						require.NoError(t, err)
					} else {
						res = fire(t, env{vod: vod, plat: plat}, map[string]any{"object_name": "uploads/clip.mp4"})
					}

					e := errorOf(t, res)
					msg, _ := e["message"].(string)
					assert.Equal(t, "redirected", e["code"])
					assert.Contains(t, msg, fmt.Sprintf("HTTP %d", status))
					assert.Contains(t, msg, "redirect to host "+hostOf(t, vod.URL)+" not followed")
					assert.NotContains(t, msg, vod.URL, "the host only, not the Location")
					assert.NotContains(t, msg, "pageNo", "not the Location's query")
					assert.Empty(t, vod.Calls(), "the emulator receives nothing")
					assert.Empty(t, vod.Submissions())
					assert.Equal(t, int32(1), rd.hits.Load(), "exactly one request, never sent again")
				})
			}
		})
		t.Run(fmt.Sprintf("%d to WEBHOOK_URL", status), func(t *testing.T) {
			vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey, CallbackDelay: time.Hour})
			require.NoError(t, err)
			t.Cleanup(vod.Close)
			vod.AddCategory(vodstationtest.Category{Name: "movies"})
			other := webhooktest.NewReceiver(webhookSecret)
			t.Cleanup(other.Close)
			const leak = "steal-token-5a1e"
			rd := newRedirector(t, status, func(*http.Request) string { return other.URL + "/steal?token=" + leak })
			plat, logs := newPlatform(t, map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL,
				"WEBHOOK_URL": rd.URL, "WEBHOOK_SECRET": webhookSecret},
				map[string]map[string]any{"lookup-category": {"CATEGORY_NAME": "movies", "BUCKET_NAME": bucket}})

			res := fire(t, env{vod: vod, plat: plat}, map[string]any{"object_name": "uploads/clip.mp4"})

			require.NotContains(t, res, "error")
			assert.EqualValues(t, 1, res["submitted"])
			assert.Len(t, vod.Submissions(), 1)
			notified, _ := res["notified"].(map[string]any)
			assert.Len(t, notified["failed"], 1, "the submitted event is reported as not delivered: %v", res["notified"])
			assert.NotContains(t, notified, "sent")
			assert.Contains(t, logs.String(), fmt.Sprintf("receiver answered %d, a redirect to host %s, not followed", status, hostOf(t, other.URL)))
			assert.NotContains(t, logs.String(), leak)
			assert.NotContains(t, jsonText(res), leak)
			assert.Empty(t, other.Deliveries(), "the other receiver gets nothing")
			assert.Equal(t, int32(1), rd.hits.Load(), "one attempt: a redirect is not retried")
		})
	}
}

// callbackGate receives the emulator's callbacks and holds the first one
// with a given status until released, so that the file stays in that
// status (the emulator changes a file's status, then posts the callback).
type callbackGate struct {
	URL     string
	hold    string
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

func newCallbackGate(t *testing.T, hold string) *callbackGate {
	t.Helper()
	g := &callbackGate{hold: hold, reached: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var cb vodstationtest.Callback
		_ = json.NewDecoder(r.Body).Decode(&cb)
		if cb.Status == g.hold {
			g.once.Do(func() { close(g.reached) })
			<-g.release
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	var released sync.Once
	t.Cleanup(func() { released.Do(func() { close(g.release) }) }) // runs before srv.Close
	g.URL = srv.URL + "/cb"
	return g
}

func (g *callbackGate) wait(t *testing.T) {
	t.Helper()
	select {
	case <-g.reached:
	case <-time.After(10 * time.Second):
		t.Fatalf("the emulator never posted a %s callback", g.hold)
	}
}

// TestDedupCheckStatusAcrossProcesses (item 7): with DEDUP_CHECK_STATUS,
// a second, cold add-files process (so its in-memory duplicate window
// knows nothing) asks the status list. The same key from another bucket is
// submitted; the same key after the first encoding ended FAILURE is
// submitted; the same bucket, key and category while the first encoding is
// WAITING, RUNNING or COMPLETE is skipped as duplicate.
func TestDedupCheckStatusAcrossProcesses(t *testing.T) {
	const otherBucket = "vodflow-other-uploads"
	tests := []struct {
		name        string
		firstBucket string
		key         string
		hold        string // the status the first encoding is held at; "" runs it to its end
		wantFinal   string // the first file's status when the second upload comes
		dup         bool
	}{
		{"same key, another bucket", otherBucket, "uploads/clip.mp4", "", vodstationtest.StatusComplete, false},
		{"same key after FAILURE", bucket, "uploads/fail-take.mp4", "", vodstationtest.StatusFailure, false},
		{"same bucket, key and category while WAITING", bucket, "uploads/clip.mp4", vodstationtest.StatusWaiting, vodstationtest.StatusWaiting, true},
		{"same bucket, key and category while RUNNING", bucket, "uploads/clip.mp4", vodstationtest.StatusRunning, vodstationtest.StatusRunning, true},
		{"same bucket, key and category when COMPLETE", bucket, "uploads/clip.mp4", "", vodstationtest.StatusComplete, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey})
			require.NoError(t, err)
			t.Cleanup(vod.Close)
			vod.AddCategory(vodstationtest.Category{Name: "movies"})
			gate := newCallbackGate(t, tt.hold)
			pkg := map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL}
			actions := map[string]map[string]any{
				"lookup-category": {"CATEGORY_NAME": "movies", "BUCKET_NAME": bucket},
				"add-files":       {"DEDUP_CHECK_STATUS": "true", "NOTIFICATION_URL": gate.URL},
			}
			first, _ := newPlatform(t, pkg, actions)
			second, _ := newPlatform(t, pkg, actions)

			res := fire(t, env{vod: vod, plat: first}, map[string]any{"bucket_name": tt.firstBucket, "object_name": tt.key})
			require.NotContains(t, res, "error")
			require.EqualValues(t, 1, res["submitted"])
			fileID := vod.Submissions()[0].FileIDs[0]
			if tt.hold != "" {
				gate.wait(t)
			} else {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				require.NoError(t, vod.WaitIdle(ctx))
			}
			statuses, ok := vod.FileStatus(fileID)
			require.True(t, ok)
			require.Equal(t, tt.wantFinal, statuses[0], "the first file's status when the second upload comes")

			res = fire(t, env{vod: vod, plat: second}, map[string]any{"object_name": tt.key})

			require.NotContains(t, res, "error")
			paths := vod.SubmittedPaths()
			if tt.dup {
				assert.Equal(t, true, res["skipped"], "%v", res)
				assert.Equal(t, "duplicate", res["reason"])
				assert.Equal(t, 1, paths[bucket+"/"+tt.key], "submitted once")
				assert.Len(t, vod.Submissions(), 1)
				return
			}
			assert.NotContains(t, res, "skipped")
			assert.EqualValues(t, 1, res["submitted"], "%v", res)
			assert.Len(t, vod.Submissions(), 2)
			if tt.firstBucket == otherBucket {
				assert.Equal(t, 1, paths[otherBucket+"/"+tt.key])
				assert.Equal(t, 1, paths[bucket+"/"+tt.key])
			} else {
				assert.Equal(t, 2, paths[bucket+"/"+tt.key], "re-submitted after the failure")
			}
		})
	}
}

// TestCategoryCacheTTLZeroInOneWarmProcess (item 8): in one warm
// lookup-category process, a run with CATEGORY_CACHE_TTL 300 stores the
// category found by name (a second such run lists nothing), and every run
// with CATEGORY_CACHE_TTL 0 lists the categories again instead of using
// that stored id.
func TestCategoryCacheTTLZeroInOneWarmProcess(t *testing.T) {
	e := setup(t, nil, nil)
	lists := func() int { // GET /api/v2/category itself, not a category's info
		n := 0
		for _, c := range e.vod.Calls() {
			if c.Method == http.MethodGet && c.Path == "/api/v2/category" {
				n++
			}
		}
		return n
	}
	var activations []string
	run := func(ttl any) {
		t.Helper()
		res, err := e.plat.RunAction(context.Background(), "lookup-category", map[string]any{"object_name": "uploads/clip.mp4", "CATEGORY_CACHE_TTL": ttl})
		require.NoError(t, err)
		require.NotContains(t, res, "error")
		assert.Equal(t, "45", res["category_id"])
		activations = append(activations, e.plat.LastResult("lookup-category").ActivationID)
	}
	run(300)
	require.Equal(t, 3, lists(), "pages 1 to 3")
	run(300)
	require.Equal(t, 3, lists(), "stored: the warm process lists nothing")
	for i, ttl := range []any{0, "0", 0} {
		run(ttl)
		assert.Equal(t, 3*(i+2), lists(), "CATEGORY_CACHE_TTL %v: listed again, pages 1 to 3", jsonText(ttl))
	}
	assert.Len(t, activations, 5)
	assert.Empty(t, e.vod.Submissions())
}

// TestVerifyStatusThroughTheCallbackBinary (item 10): with
// VERIFY_STATUS=true, the shipped encoding-callback behind a gateway
// refuses with 409 a COMPLETE callback for a real, completed file that
// names another link, key or category name, and the receiver gets nothing;
// a bare one (file id, option and status only), sent after those in the
// same warm container, still reaches the receiver with VOD Station's link,
// key and category name, under the id the real callback's event has: no
// forged event took its place.
func TestVerifyStatusThroughTheCallbackBinary(t *testing.T) {
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	cat := vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out", OutputPath: "encoded"})
	receiver := webhooktest.NewReceiver(webhookSecret)
	t.Cleanup(receiver.Close)
	plat, _ := newPlatform(t, map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL,
		"WEBHOOK_URL": receiver.URL, "WEBHOOK_SECRET": webhookSecret, "BUCKET_NAME": bucket},
		map[string]map[string]any{
			"lookup-category":   {"CATEGORY_NAME": "movies"},
			"encoding-callback": {"CALLBACK_TOKEN": callbackToken, "VERIFY_STATUS": "true"},
		})

	// A real file, encoded to the end; no callback reaches the action.
	res := fire(t, env{vod: vod, plat: plat}, map[string]any{"object_name": "uploads/real.mp4"})
	require.NotContains(t, res, "error")
	fileID := vod.Submissions()[0].FileIDs[0]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, vod.WaitIdle(ctx))
	statuses, _ := vod.FileStatus(fileID)
	require.Equal(t, []string{vodstationtest.StatusComplete, vodstationtest.StatusComplete}, statuses)

	const sd = "AVC_SD_1Pass_30fps"
	realLink := "https://out.kr.object.ncloudstorage.com/encoded/movies/real_" + sd + ".mp4"
	callback := func(mod func(map[string]any)) map[string]any {
		m := map[string]any{"categoryId": cat.ID, "categoryName": "movies", "fileId": fileID, "filePath": "uploads/real.mp4",
			"encodingOptionId": 1, "outputType": sd, "status": "COMPLETE", "link": realLink}
		if mod != nil {
			mod(m)
		}
		return m
	}
	gateway := plat.WebHandler("encoding-callback", "/cb")
	post := func(body map[string]any) (int, map[string]any) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/cb?token="+callbackToken, strings.NewReader(jsonText(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		gateway.ServeHTTP(rec, req)
		var answer map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &answer), rec.Body.String())
		return rec.Code, answer
	}

	for _, tt := range []struct {
		name, field string
		value       any
		want        string
	}{
		{"another link", "link", "https://evil.example/phish.m3u8", "another link"},
		{"another key", "filePath", "uploads/other.mp4", `not "uploads/other.mp4"`},
		{"another category name", "categoryName", "ads", `not "ads"`},
	} {
		t.Run("forged: "+tt.name, func(t *testing.T) {
			before := len(receiver.Deliveries())
			code, answer := post(callback(func(m map[string]any) { m[tt.field] = tt.value }))
			assert.Equal(t, http.StatusConflict, code, "%v", answer)
			assert.Contains(t, answer["error"], tt.want)
			assert.Len(t, receiver.Deliveries(), before, "the receiver gets nothing")
		})
	}

	t.Run("bare: VOD Station's values", func(t *testing.T) {
		before := len(receiver.Deliveries())
		code, answer := post(callback(func(m map[string]any) {
			for _, k := range []string{"link", "filePath", "categoryName", "categoryId"} {
				delete(m, k)
			}
		}))
		require.Equal(t, http.StatusOK, code, "%v", answer)
		var got *webhook.Event
		for _, d := range receiver.Deliveries()[before:] {
			assert.True(t, d.Verified, d.Err)
			if d.Event.Type == webhook.TypeRenditionComplete {
				ev := d.Event
				got = &ev
			}
		}
		require.NotNil(t, got, "a rendition_complete reached the receiver")
		require.NotNil(t, got.Rendition)
		assert.Equal(t, realLink, got.Rendition.Link)
		assert.Equal(t, "uploads/real.mp4", got.Key)
		assert.Equal(t, "movies", got.CategoryName)
		assert.Equal(t, fmt.Sprint(cat.ID), got.CategoryID)
		assert.Equal(t, bucket, got.BucketName)

		// The real callback's event is that very event: same id, not sent again.
		delivered := len(receiver.Deliveries())
		code, answer = post(callback(nil))
		require.Equal(t, http.StatusOK, code, "%v", answer)
		events, _ := answer["events"].([]any)
		require.NotEmpty(t, events)
		assert.Equal(t, got.ID, events[0].(map[string]any)["id"])
		assert.Len(t, receiver.Deliveries(), delivered, "the receiver already has it")
	})
}
