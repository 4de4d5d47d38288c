package actions_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// storageAge is how old the bucket's clock makes every object: past the
// least RECONCILE_MIN_AGE (120 s), so reconcile looks at them at once,
// with no sleep. The bucket accepts the skew (MaxSkew).
const storageAge = 10 * time.Minute

type reconcileEnv struct {
	vod   *vodstationtest.Server
	store *objectstoragetest.Server
	pkg   map[string]any
	acts  map[string]map[string]any
	plat  *localrun.Platform
}

// setupReconcile starts VOD Station, an Object Storage bucket whose clock
// is storageAge behind and which drops the fraction drop of its events, and
// a platform running the shipped binaries: the bucket's create events fire
// the upload sequence; reconcile lists the bucket through apiURL (the
// emulator's when "").
func setupReconcile(t *testing.T, drop float64, apiURL string) reconcileEnv {
	t.Helper()
	return setupReconcileWith(t, drop, apiURL, map[string]string{accessKey: secretKey})
}

// setupReconcileWith is setupReconcile with the keys the bucket accepts.
func setupReconcileWith(t *testing.T, drop float64, apiURL string, creds map[string]string) reconcileEnv {
	t.Helper()
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategories(60, "vod-")
	store, err := objectstoragetest.Start(objectstoragetest.Options{
		Credentials: creds, Buckets: []string{bucket},
		Clock: func() time.Time { return time.Now().Add(-storageAge) }, MaxSkew: time.Hour,
		DropEvents: drop, Seed: 14,
	})
	require.NoError(t, err)
	t.Cleanup(store.Close)
	if apiURL == "" {
		apiURL = vod.URL
	}
	e := reconcileEnv{vod: vod, store: store,
		pkg: map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL, "REGION": "KR"},
		acts: map[string]map[string]any{
			"lookup-category": {"CATEGORY_NAME": "vod-45", "BUCKET_NAME": bucket, "EXCLUDE_PREFIXES": "encoded/"},
			"reconcile": {"CATEGORY_NAME": "vod-45", "BUCKET_NAME": bucket, "EXCLUDE_PREFIXES": "encoded/",
				"OBJECT_STORAGE_ENDPOINT": store.URL, "RECONCILE_MIN_AGE": 120, "API_URL": apiURL},
		}}
	e.plat, _ = newPlatform(t, e.pkg, e.acts)
	store.OnCreate(bucket, func(ev map[string]any) {
		out := e.plat.Fire(context.Background(), ev)
		for _, s := range out.Steps {
			assert.NoError(t, s.Err, "%s crashed or timed out", s.Action)
		}
	})
	return e
}

func (e reconcileEnv) upload(t *testing.T, key string) {
	t.Helper()
	e.uploadAs(t, key, accessKey, secretKey)
}

func (e reconcileEnv) uploadAs(t *testing.T, key, ak, sk string) {
	t.Helper()
	c, err := objectstorage.New(objectstorage.Config{Endpoint: e.store.URL, AccessKey: ak, SecretKey: signing.NewSecret(sk)})
	require.NoError(t, err)
	body := []byte("video " + key)
	_, err = c.Upload(context.Background(), bucket, key, bytes.NewReader(body), int64(len(body)), "video/mp4", nil)
	require.NoError(t, err)
}

// reconcileOnce runs the shipped reconcile binary once on plat and returns
// its result, which must not be an error.
func reconcileOnce(t *testing.T, plat *localrun.Platform) map[string]any {
	t.Helper()
	res, err := plat.RunAction(context.Background(), "reconcile", nil)
	require.NoError(t, err)
	require.NotContains(t, res, "error", "reconcile failed: %v", res)
	assert.NotContains(t, jsonText(res), secretKey)
	return res
}

func submittedKeys(res map[string]any) []string {
	var keys []string
	list, _ := res["submitted"].([]any)
	for _, f := range list {
		keys = append(keys, f.(map[string]any)["path"].(string))
	}
	return keys
}

// TestReconcileFindsEveryDroppedEvent is issue 14's proof: 80 uploads whose
// bucket events fire the upload sequence, a tenth of the events dropped;
// one run of the shipped reconcile binary submits exactly the dropped ones,
// so VOD Station's own records hold every upload exactly once; a second
// run, in a cold container that remembers nothing, submits nothing.
func TestReconcileFindsEveryDroppedEvent(t *testing.T) {
	e := setupReconcile(t, 0.1, "")
	const n = 80
	want := map[string]int{}
	for i := range n {
		key := fmt.Sprintf("uploads/clip-%03d.mp4", i)
		e.upload(t, key)
		want[bucket+"/"+key] = 1
	}
	e.store.Wait()
	dropped := e.store.Dropped()
	require.InDelta(t, n/10, len(dropped), n/20, "the seed drops about a tenth of the events")
	require.Len(t, e.store.Events(), n)
	assert.Len(t, e.vod.SubmittedPaths(), n-len(dropped), "the live trigger submitted the delivered events only")
	var droppedKeys []string
	for _, ev := range dropped {
		droppedKeys = append(droppedKeys, ev.Key)
	}

	res := reconcileOnce(t, e.plat)
	assert.ElementsMatch(t, droppedKeys, submittedKeys(res), "reconcile submits the dropped uploads, and only those")
	assert.EqualValues(t, n, res["candidates"])
	assert.EqualValues(t, n-len(dropped), res["received"])
	assert.NotContains(t, res, "left")
	assert.NotContains(t, res, "raced", "the first status read found what the live trigger submitted; nothing raced")
	assert.Equal(t, want, e.vod.SubmittedPaths(), "every upload submitted exactly once: 0 lost, 0 duplicates")

	cold, _ := newPlatform(t, e.pkg, e.acts)
	res = reconcileOnce(t, cold)
	assert.Empty(t, submittedKeys(res), "a second run submits nothing")
	assert.EqualValues(t, n, res["received"])
	assert.Equal(t, want, e.vod.SubmittedPaths())
}

// TestLiveTriggerDuringReconcileSubmitsOnce: the bucket event of an upload
// arrives late, while reconcile runs. Reconcile's first status read comes
// back without the upload; before the answer reaches reconcile, the live
// trigger submits it. Reconcile's re-check right before submitting sees
// it and lists it as raced: VOD Station has it once.
func TestLiveTriggerDuringReconcileSubmitsOnce(t *testing.T) {
	const key = "uploads/late-event.mp4"
	var (
		once sync.Once
		mu   sync.Mutex
		env  *reconcileEnv
	)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		e := env
		mu.Unlock()
		target, err := url.Parse(e.vod.URL)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		rp := httputil.NewSingleHostReverseProxy(target)
		rp.ModifyResponse = func(resp *http.Response) error {
			if resp.Request.URL.Path != "/api/v2/status" {
				return nil
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
			once.Do(func() {
				// The late event, delivered now, while reconcile holds a
				// status list without the upload.
				ev := e.store.Events()
				require.Len(t, ev, 1)
				out := e.plat.Fire(context.Background(), ev[0].Payload())
				assert.EqualValues(t, 1, out.Result["submitted"], "the live trigger submits it: %v", out.Result)
			})
			return nil
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	e := setupReconcile(t, 1, proxy.URL) // every event dropped: delivered by hand above
	mu.Lock()
	env = &e
	mu.Unlock()

	e.upload(t, key)
	e.store.Wait()
	require.Empty(t, e.vod.SubmittedPaths())

	res := reconcileOnce(t, e.plat)
	assert.Empty(t, submittedKeys(res), "reconcile does not submit what the live trigger submitted meanwhile")
	assert.Equal(t, []any{key}, res["raced"])
	assert.Equal(t, map[string]int{bucket + "/" + key: 1}, e.vod.SubmittedPaths(), "submitted once")
}

// TestReconcileBadStorageSubmitsNothing: the bucket holds an upload no
// trigger delivered, which a working run would submit. A missing bucket,
// keys Object Storage refuses (403) and an endpoint that is down each give
// an error result naming what is wrong, no secret, and no submission.
func TestReconcileBadStorageSubmitsNothing(t *testing.T) {
	tests := []struct {
		name      string
		wantCode  string
		creds     map[string]string
		override  map[string]any
		wantInMsg []string
	}{
		{"missing bucket", "bucket_not_found", nil, map[string]any{"BUCKET_NAME": "no-such-bucket"},
			[]string{"no-such-bucket"}},
		{"keys refused", "storage_access_denied", map[string]string{"AK_STORAGE_ONLY": "SK_STORAGE_ONLY"}, nil,
			[]string{"403", "NCLOUD_ACCESS_KEY"}},
		// The access key is known to the bucket, the secret key is not its.
		{"wrong secret key", "storage_access_denied", map[string]string{accessKey: "SK_OF_THE_BUCKET_ONLY"}, nil,
			[]string{"403 SignatureDoesNotMatch", "NCLOUD_SECRET_KEY"}},
		{"endpoint down", "storage_unreachable", nil, map[string]any{"OBJECT_STORAGE_ENDPOINT": "http://127.0.0.1:1"},
			[]string{"cannot reach Object Storage at http://127.0.0.1:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds := map[string]string{accessKey: secretKey}
			ak, sk := accessKey, secretKey
			for k, v := range tt.creds {
				creds, ak, sk = map[string]string{k: v}, k, v
			}
			e := setupReconcileWith(t, 1, "", creds)
			for k, v := range tt.override {
				e.acts["reconcile"][k] = v
			}
			plat, _ := newPlatform(t, e.pkg, e.acts)
			e.uploadAs(t, "uploads/untriggered.mp4", ak, sk)
			e.store.Wait()

			res, err := plat.RunAction(context.Background(), "reconcile", nil)
			require.NoError(t, err)
			body := errorOf(t, res)
			assert.Equal(t, tt.wantCode, body["code"], body["message"])
			for _, want := range tt.wantInMsg {
				assert.Contains(t, body["message"], want)
			}
			assert.NotContains(t, jsonText(res), secretKey)
			assert.NotContains(t, jsonText(res), sk)
			assert.Empty(t, e.vod.Submissions(), "nothing submitted")
		})
	}
}

// TestLateEventAfterReconcile: reconcile submits an upload whose event was
// lost; the event then arrives after all. With DEDUP_CHECK_STATUS,
// add-files finds it on VOD Station's status list and skips it: submitted
// once. (Without it, a cold add-files container cannot know, and submits
// it again: README's "What is left".)
func TestLateEventAfterReconcile(t *testing.T) {
	e := setupReconcile(t, 1, "")
	e.acts["add-files"] = map[string]any{"DEDUP_CHECK_STATUS": true}
	plat, _ := newPlatform(t, e.pkg, e.acts)
	const key = "uploads/very-late.mp4"
	e.upload(t, key)
	e.store.Wait()
	res := reconcileOnce(t, plat)
	require.Equal(t, []string{key}, submittedKeys(res))

	ev := e.store.Events()
	require.Len(t, ev, 1)
	out := plat.Fire(context.Background(), ev[0].Payload())
	assert.Equal(t, true, out.Result["skipped"], "%v", out.Result)
	assert.Equal(t, map[string]int{bucket + "/" + key: 1}, e.vod.SubmittedPaths(), "submitted once")
}
