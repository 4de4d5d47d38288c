package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/reconcile"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

const (
	testBucket = "in-bucket"
	testAccess = "AK-reconcile"
	testSecret = "SK-reconcile-secret"
)

// fakeBucket is an in-memory bucket listed like ListObjects V1: keys in
// order, after the marker, at most max, the last key as the next marker
// while more remain.
type fakeBucket struct {
	mu    sync.Mutex
	objs  map[string]reconcile.Object
	calls int
	err   error
}

func newBucket() *fakeBucket { return &fakeBucket{objs: map[string]reconcile.Object{}} }

func (b *fakeBucket) put(key string, age time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.objs[key] = reconcile.Object{Key: key, ETag: fmt.Sprintf("%q", "etag-"+key), Size: 10, LastModified: time.Now().Add(-age)}
}

func (b *fakeBucket) List(_ context.Context, bucket, prefix, marker string, max int) ([]reconcile.Object, string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	if b.err != nil {
		return nil, "", b.err
	}
	keys := make([]string, 0, len(b.objs))
	for k := range b.objs {
		if strings.HasPrefix(k, prefix) && k > marker {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	next := ""
	if len(keys) > max {
		keys = keys[:max]
		next = keys[max-1]
	}
	out := make([]reconcile.Object, len(keys))
	for i, k := range keys {
		out[i] = b.objs[k]
	}
	return out, next, nil
}

// env is a bucket, the VOD Station emulator and a client of it.
type env struct {
	bucket *fakeBucket
	emu    *vodstationtest.Emulator
	client *vodstation.Client
	cat    vodstation.Category
}

func newEnv(t *testing.T) *env {
	t.Helper()
	emu := vodstationtest.New(vodstationtest.Options{AccessKey: testAccess, SecretKey: testSecret, FFmpeg: "none"})
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { srv.Close(); emu.Close() })
	c, err := vodstation.New(srv.URL, signing.Credentials{AccessKey: testAccess, SecretKey: signing.NewSecret(testSecret)})
	require.NoError(t, err)
	cat := emu.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out-bucket"})
	return &env{bucket: newBucket(), emu: emu, client: c, cat: vodstation.Category{ID: vodstation.ID(fmt.Sprint(cat.ID)), Name: cat.Name}}
}

func (e *env) plan() reconcile.Plan {
	return reconcile.Plan{
		Bucket: testBucket, Category: e.cat, Filter: upload.NewFilter("", nil, nil),
		Window: 24 * time.Hour, MinAge: 5 * time.Minute, Max: 100, ListPages: 20, StatusPages: 200,
	}
}

// submitted is the emulator's own count of each path's submissions.
func (e *env) submitted() map[string]int {
	out := map[string]int{}
	for k, v := range e.emu.SubmittedPaths() {
		out[strings.TrimPrefix(k, testBucket+"/")] = v
	}
	return out
}

func (e *env) addFiles(t *testing.T, paths ...string) {
	t.Helper()
	_, err := e.client.AddFiles(context.Background(), string(e.cat.ID), vodstation.AddFilesRequest{BucketName: testBucket, Paths: paths})
	require.NoError(t, err)
}

type mapMemory map[string]bool

func (m mapMemory) Seen(id string) bool { return m[id] }
func (m mapMemory) Remember(id string)  { m[id] = true }

// TestRunSubmitsWhatVODStationNeverReceived: each upload of the window
// that lookup-category would submit and that the status list does not
// have is submitted once; a second run submits nothing.
func TestRunSubmitsWhatVODStationNeverReceived(t *testing.T) {
	tests := []struct {
		name          string
		objects       map[string]time.Duration // key → age
		received      []string                 // submitted before the run (the live trigger)
		plan          func(*reconcile.Plan)
		wantSubmitted []string
		wantSkipped   map[string]int
		wantYoung     int
	}{
		{name: "lost uploads are submitted, received ones are not",
			objects:       map[string]time.Duration{"a.mp4": time.Hour, "b.mp4": time.Hour, "c.mov": 2 * time.Hour},
			received:      []string{"b.mp4"},
			wantSubmitted: []string{"a.mp4", "c.mov"}},
		{name: "younger than RECONCILE_MIN_AGE: the live trigger's",
			objects:       map[string]time.Duration{"new.mp4": time.Minute, "old.mp4": time.Hour},
			wantSubmitted: []string{"old.mp4"}, wantYoung: 1},
		{name: "outside the window: not looked at",
			objects:       map[string]time.Duration{"ancient.mp4": 48 * time.Hour, "a.mp4": time.Hour},
			wantSubmitted: []string{"a.mp4"}},
		{name: "lookup-category's filter and recursion guard apply",
			objects: map[string]time.Duration{"in/a.mp4": time.Hour, "in/skip/b.mp4": time.Hour, "in/c.txt": time.Hour,
				"other/d.mp4": time.Hour, "in/movies/e.mp4": time.Hour, "in/f_AVC_SD_1Pass_30fps.mp4": time.Hour, "in/dir/": time.Hour},
			plan: func(p *reconcile.Plan) {
				p.Filter = upload.NewFilter("in/", []string{"in/skip/"}, nil)
				p.Guard = upload.NewOutputGuard(vodstation.Category{Name: "movies", Output: &vodstation.CategoryOutput{BucketName: testBucket, FilePath: "in/movies"}},
					[]string{"AVC_SD_1Pass_30fps"})
			},
			wantSubmitted: []string{"in/a.mp4"},
			wantSkipped:   map[string]int{upload.ReasonExcludedPrefix: 1, upload.ReasonUnsupportedExtension: 1, upload.ReasonCategoryOutput: 2, upload.ReasonFolderMarker: 1}},
		{name: "nothing lost: nothing submitted",
			objects:  map[string]time.Duration{"a.mp4": time.Hour},
			received: []string{"a.mp4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			for k, age := range tt.objects {
				e.bucket.put(k, age)
			}
			if len(tt.received) > 0 {
				e.addFiles(t, tt.received...)
			}
			p := e.plan()
			if tt.plan != nil {
				tt.plan(&p)
			}
			res, err := reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
			require.NoError(t, err)
			var got []string
			for _, f := range res.Submitted {
				got = append(got, f.Path)
				assert.NotEmpty(t, f.FileID)
			}
			assert.ElementsMatch(t, tt.wantSubmitted, got)
			assert.Equal(t, tt.wantYoung, res.TooYoung)
			if tt.wantSkipped != nil {
				assert.Equal(t, tt.wantSkipped, res.Skipped)
			}
			assert.Equal(t, len(tt.received), res.Received)
			assert.Nil(t, res.Left)

			// Exactly once, from the emulator's records; and again.
			res2, err := reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
			require.NoError(t, err)
			assert.Empty(t, res2.Submitted, "a second run submits nothing")
			for path, n := range e.submitted() {
				assert.Equal(t, 1, n, "%s submitted %d times", path, n)
			}
			assert.Len(t, e.submitted(), len(tt.wantSubmitted)+len(tt.received))
		})
	}
}

// TestRunBounds: the maximum, the list pages, the status pages and the
// deadline each stop a run, which says what it left; the next run goes on.
func TestRunBounds(t *testing.T) {
	t.Run("RECONCILE_MAX", func(t *testing.T) {
		e := newEnv(t)
		for i := range 5 {
			e.bucket.put(fmt.Sprintf("v%d.mp4", i), time.Hour)
		}
		p := e.plan()
		p.Max = 2
		res, err := reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
		require.NoError(t, err)
		assert.Len(t, res.Submitted, 2)
		require.NotNil(t, res.Left)
		assert.Equal(t, reconcile.LeftMax, res.Left.Reason)
		assert.Equal(t, 3, res.Left.Files)
		for range 2 {
			_, err = reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
			require.NoError(t, err)
		}
		got := e.submitted()
		assert.Len(t, got, 5)
		for path, n := range got {
			assert.Equal(t, 1, n, path)
		}
	})
	t.Run("RECONCILE_PAGES", func(t *testing.T) {
		e := newEnv(t)
		for i := range 2500 {
			e.bucket.put(fmt.Sprintf("k%05d.txt", i), time.Hour)
		}
		e.bucket.put("z.mp4", time.Hour)
		p := e.plan()
		p.ListPages = 2
		res, err := reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
		require.NoError(t, err)
		require.NotNil(t, res.Left)
		assert.Equal(t, reconcile.LeftPages, res.Left.Reason)
		assert.Equal(t, "k01999.txt", res.Left.NextMarker)
		assert.Equal(t, 2000, res.Listed)
		assert.Empty(t, res.Submitted)
		p.Marker = res.Left.NextMarker
		res, err = reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
		require.NoError(t, err)
		assert.Nil(t, res.Left)
		require.Len(t, res.Submitted, 1)
		assert.Equal(t, "z.mp4", res.Submitted[0].Path)
	})
	t.Run("RECONCILE_STATUS_PAGES: nothing submitted on a list not read to its end", func(t *testing.T) {
		e := newEnv(t)
		var paths []string
		for i := range 60 { // 60 files × 2 renditions = 120 rows > 1 page
			paths = append(paths, fmt.Sprintf("r%02d.mp4", i))
			e.bucket.put(paths[i], time.Hour)
		}
		e.addFiles(t, paths...)
		e.bucket.put("lost.mp4", time.Hour)
		p := e.plan()
		p.StatusPages = 1
		res, err := reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
		require.NoError(t, err)
		require.NotNil(t, res.Left)
		assert.Equal(t, reconcile.LeftStatusPages, res.Left.Reason)
		assert.Empty(t, res.Submitted)
		assert.NotContains(t, e.submitted(), "lost.mp4")
	})
	t.Run("deadline", func(t *testing.T) {
		e := newEnv(t)
		e.bucket.put("a.mp4", time.Hour)
		p := e.plan()
		p.StopAt = time.Now().Add(-time.Second)
		res, err := reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
		require.NoError(t, err)
		require.NotNil(t, res.Left)
		assert.Equal(t, reconcile.LeftTime, res.Left.Reason)
		assert.Empty(t, e.submitted())
	})
	t.Run("dry run", func(t *testing.T) {
		e := newEnv(t)
		e.bucket.put("a.mp4", time.Hour)
		p := e.plan()
		p.DryRun = true
		res, err := reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"a.mp4"}, res.WouldSubmit)
		assert.Empty(t, e.submitted())
	})
}

// racingStation submits a file itself (a late live trigger, another run)
// right after the run's first read of the status list.
type racingStation struct {
	*vodstation.Client
	once  sync.Once
	race  func()
	reads int
}

func (s *racingStation) ListStatus(ctx context.Context, q vodstation.StatusQuery) (vodstation.StatusPage, error) {
	page, err := s.Client.ListStatus(ctx, q)
	s.reads++
	if s.reads == 1 {
		s.once.Do(s.race)
	}
	return page, err
}

// TestRunRecheckBeforeSubmitting: a submission that lands between the
// first read of the status list and the submission is seen by the
// re-check and not repeated.
func TestRunRecheckBeforeSubmitting(t *testing.T) {
	e := newEnv(t)
	e.bucket.put("a.mp4", time.Hour)
	e.bucket.put("b.mp4", time.Hour)
	st := &racingStation{Client: e.client, race: func() { e.addFiles(t, "a.mp4") }}
	res, err := reconcile.Run(context.Background(), e.plan(), e.bucket, st, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.mp4"}, res.Raced)
	require.Len(t, res.Submitted, 1)
	assert.Equal(t, "b.mp4", res.Submitted[0].Path)
	assert.Equal(t, map[string]int{"a.mp4": 1, "b.mp4": 1}, e.submitted())
}

// TestRunMemory: what this container submitted is not submitted again
// while VOD Station does not list it yet.
func TestRunMemory(t *testing.T) {
	e := newEnv(t)
	e.bucket.put("a.mp4", time.Hour)
	mem := mapMemory{}
	res, err := reconcile.Run(context.Background(), e.plan(), e.bucket, e.client, mem)
	require.NoError(t, err)
	require.Len(t, res.Submitted, 1)
	// A station whose status list has forgotten everything.
	blind := &blindStation{e.client}
	res, err = reconcile.Run(context.Background(), e.plan(), e.bucket, blind, mem)
	require.NoError(t, err)
	assert.Empty(t, res.Submitted)
	assert.Equal(t, 1, res.Received)
	res, err = reconcile.Run(context.Background(), e.plan(), e.bucket, blind, mapMemory{})
	require.NoError(t, err)
	assert.Len(t, res.Submitted, 1, "without the memory, a blind list resubmits: the memory is what stopped it")
}

type blindStation struct{ *vodstation.Client }

func (blindStation) ListStatus(context.Context, vodstation.StatusQuery) (vodstation.StatusPage, error) {
	return vodstation.StatusPage{}, nil
}

// TestRunReupload: new content written under a received key after VOD
// Station's last work on it was never received; the old upload was.
func TestRunReupload(t *testing.T) {
	e := newEnv(t)
	e.bucket.put("a.mp4", time.Hour)
	e.addFiles(t, "a.mp4")
	require.NoError(t, e.emu.WaitIdle(context.Background()))
	e.bucket.mu.Lock()
	o := e.bucket.objs["a.mp4"]
	o.LastModified, o.ETag = time.Now().Add(time.Minute), `"new"`
	e.bucket.objs["a.mp4"] = o
	e.bucket.mu.Unlock()
	p := e.plan()
	p.Now = time.Now().Add(time.Hour) // the re-upload is old enough
	res, err := reconcile.Run(context.Background(), p, e.bucket, e.client, nil)
	require.NoError(t, err)
	require.Len(t, res.Submitted, 1)
	assert.Equal(t, 2, e.submitted()["a.mp4"])
}

// TestRunErrors: a bucket that cannot be listed and a VOD Station that is
// down are errors naming what failed, and nothing is submitted.
func TestRunErrors(t *testing.T) {
	t.Run("listing fails", func(t *testing.T) {
		e := newEnv(t)
		e.bucket.put("a.mp4", time.Hour)
		e.bucket.err = errors.New("NoSuchBucket: the bucket does not exist")
		_, err := reconcile.Run(context.Background(), e.plan(), e.bucket, e.client, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "listing bucket in-bucket")
		assert.Contains(t, err.Error(), "NoSuchBucket")
		assert.Empty(t, e.submitted())
	})
	t.Run("VOD Station down", func(t *testing.T) {
		e := newEnv(t)
		e.bucket.put("a.mp4", time.Hour)
		down, err := vodstation.New("http://127.0.0.1:1", signing.Credentials{AccessKey: testAccess, SecretKey: signing.NewSecret(testSecret)},
			vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 1}))
		require.NoError(t, err)
		_, err = reconcile.Run(context.Background(), e.plan(), e.bucket, down, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "status list")
		assert.Empty(t, e.submitted())
	})
	t.Run("add-files fails: a SubmitError naming what was not submitted", func(t *testing.T) {
		e := newEnv(t)
		e.bucket.put("a.mp4", time.Hour)
		e.emu.InjectFault(vodstationtest.Unavailable("PUT", "/api/v2/category/", 10))
		_, err := reconcile.Run(context.Background(), e.plan(), e.bucket, e.client, nil)
		var se *upload.SubmitError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, []string{"a.mp4"}, se.NotSubmitted)
	})
}
