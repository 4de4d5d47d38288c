package upload_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// fakeStorage answers HEAD /<bucket>/<key> with the ETag it holds, and
// counts the signed HEADs.
type fakeStorage struct {
	mu    sync.Mutex
	etags map[string]string
	sizes map[string]string // Content-Length, where set
	heads int
}

func (s *fakeStorage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodHead || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="+cbAK+"/") {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	s.heads++
	etag, ok := s.etags[strings.TrimPrefix(r.URL.Path, "/")]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	if n, ok := s.sizes[strings.TrimPrefix(r.URL.Path, "/")]; ok {
		w.Header().Set("Content-Length", n)
	}
}

func (s *fakeStorage) set(key, etag string) { s.mu.Lock(); s.etags[key] = etag; s.mu.Unlock() }

// TestDedupKnowsTheObject: NCP's flat payload carries no ETag. Without
// storage access a re-upload of new content under the same key within
// DEDUP_WINDOW is skipped as a duplicate; with OBJECT_STORAGE_ENDPOINT,
// lookup-category reads the ETag by HEAD, the re-upload is submitted and
// a repeated event of the same content is still skipped.
func TestDedupKnowsTheObject(t *testing.T) {
	tests := []struct {
		name      string
		storage   bool
		reupload  bool // new content between the two events
		wantSubs  int
		wantHeads int
		wantWarn  string
	}{
		{name: "no storage: the re-upload is skipped (the old behaviour)", reupload: true, wantSubs: 1},
		{name: "storage: the re-upload is submitted", storage: true, reupload: true, wantSubs: 2, wantHeads: 2},
		{name: "storage: the same content twice is a duplicate", storage: true, wantSubs: 1, wantHeads: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
			st := &fakeStorage{etags: map[string]string{"in-bucket/a.mp4": "v1"}}
			srv := httptest.NewServer(st)
			defer srv.Close()
			u := upload.New()
			lookupParams := map[string]any{"CATEGORY_NAME": "movies", "BUCKET_NAME": "in-bucket"}
			if tt.storage {
				lookupParams["OBJECT_STORAGE_ENDPOINT"] = srv.URL
			}
			pkg := map[string]any{"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": l.vod.URL}
			for i := range 2 {
				if i == 1 && tt.reupload {
					st.set("in-bucket/a.mp4", "v2")
				}
				sub := invoke(t, u.Lookup(), mergeMaps(pkg, lookupParams, map[string]any{"object_name": "a.mp4"}))
				require.NotContains(t, sub, "error")
				addFilesResult(t, invoke(t, u.AddFiles(), mergeMaps(pkg, sub)))
			}
			assert.Len(t, l.vod.Submissions(), tt.wantSubs)
			assert.Equal(t, tt.wantHeads, st.heads)
		})
	}
}

// TestHeadFailureStillSubmits: a HEAD that fails (the object is gone, the
// key lacks the permission) is a warning; the upload is submitted.
func TestHeadFailureStillSubmits(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	srv := httptest.NewServer(&fakeStorage{etags: map[string]string{}})
	defer srv.Close()
	pkg := map[string]any{"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": l.vod.URL}
	sub := invoke(t, upload.New().Lookup(), mergeMaps(pkg, map[string]any{"CATEGORY_NAME": "movies", "BUCKET_NAME": "in-bucket",
		"OBJECT_STORAGE_ENDPOINT": srv.URL}, map[string]any{"object_name": "gone.mp4"}))
	require.NotContains(t, sub, "error")
	assert.Equal(t, "gone.mp4", sub["file_name"])
	require.Contains(t, sub, "warnings")
	assert.Contains(t, sub["warnings"].([]any)[0], "could not read the ETag of gone.mp4")
	assert.NotContains(t, sub["warnings"].([]any)[0], cbSK)
}

// TestHeadVersionsSeveralObjects: in an event of several objects, only
// those without an ETag are read by HEAD; one HEAD failing does not stop
// the others; a HEAD fills the size only where the event gave none; and
// at most MaxHeads objects are read, with a warning for the rest.
func TestHeadVersionsSeveralObjects(t *testing.T) {
	rec := func(key, etag string, size int) any {
		obj := map[string]any{"key": key}
		if etag != "" {
			obj["eTag"] = etag
		}
		if size > 0 {
			obj["size"] = size
		}
		return map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "in-bucket"}, "object": obj}}
	}
	lookup := func(t *testing.T, st *fakeStorage, records []any) map[string]any {
		t.Helper()
		l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
		srv := httptest.NewServer(st)
		t.Cleanup(srv.Close)
		sub := invoke(t, upload.New().Lookup(), map[string]any{"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": l.vod.URL,
			"CATEGORY_NAME": "movies", "BUCKET_NAME": "in-bucket", "OBJECT_STORAGE_ENDPOINT": srv.URL, "Records": records})
		require.NotContains(t, sub, "error")
		return sub
	}

	t.Run("mixed", func(t *testing.T) {
		st := &fakeStorage{
			etags: map[string]string{"in-bucket/tagged.mp4": "stale", "in-bucket/b.mp4": "v1", "in-bucket/c.mp4": "v2"},
			sizes: map[string]string{"in-bucket/b.mp4": "1234", "in-bucket/c.mp4": "999"},
		}
		sub := lookup(t, st, []any{rec("tagged.mp4", "t1", 10), rec("gone.mp4", "", 0), rec("b.mp4", "", 0), rec("c.mp4", "", 77)})
		assert.Equal(t, 3, st.heads, "no HEAD for the object the event gave an ETag")
		assert.Equal(t, map[string]any{
			"tagged.mp4": "etag=t1 size=10",
			"b.mp4":      "etag=v1 size=1234",
			"c.mp4":      "etag=v2 size=77",
		}, sub["versions"])
		require.Len(t, sub["warnings"], 1)
		assert.Contains(t, sub["warnings"].([]any)[0], "could not read the ETag of gone.mp4")
		assert.Equal(t, []any{"tagged.mp4", "gone.mp4", "b.mp4", "c.mp4"}, sub["paths"])
	})

	t.Run("more than MaxHeads", func(t *testing.T) {
		st := &fakeStorage{etags: map[string]string{}}
		var records []any
		want := map[string]any{}
		for i := range upload.MaxHeads + 2 {
			key := fmt.Sprintf("v%02d.mp4", i)
			st.etags["in-bucket/"+key] = fmt.Sprintf("e%02d", i)
			records = append(records, rec(key, "", 0))
			if i < upload.MaxHeads {
				want[key] = fmt.Sprintf("etag=e%02d", i)
			}
		}
		sub := lookup(t, st, records)
		assert.Equal(t, upload.MaxHeads, st.heads)
		assert.Equal(t, want, sub["versions"], "the objects after the first MaxHeads have no version")
		require.Len(t, sub["warnings"], 1)
		assert.Contains(t, sub["warnings"].([]any)[0], fmt.Sprintf("only the first %d objects without an ETag were read by HEAD", upload.MaxHeads))
		assert.Len(t, sub["paths"], upload.MaxHeads+2, "every object is still submitted")
	})
}
