package vodstationtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConcurrentAddFilesBurst(t *testing.T) {
	const n = 1000
	rc := newReceiver(t)
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 1, Name: "burst", NotificationURL: rc.URL})
	s.AddCategories(50, "other-")

	tr := &http.Transport{MaxIdleConnsPerHost: n}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		mu      sync.Mutex
		fileIDs []int64
		errs    []string
	)
	reqs := make([]*http.Request, n)
	for i := range reqs {
		body := fmt.Sprintf(`{"bucketName":"in-bucket","pathList":["burst/v%04d.mp4"]}`, i)
		reqs[i] = newRequest(t, http.MethodPut, s.URL, "/api/v2/category/1/add-files", []byte(body))
	}
	for _, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := client.Do(req)
			if err != nil {
				mu.Lock()
				errs = append(errs, err.Error())
				mu.Unlock()
				return
			}
			defer resp.Body.Close()
			var out struct {
				Content []struct {
					ID int64 `json:"id"`
				} `json:"content"`
			}
			decErr := json.NewDecoder(resp.Body).Decode(&out)
			mu.Lock()
			defer mu.Unlock()
			if resp.StatusCode != http.StatusOK || decErr != nil || len(out.Content) != 1 {
				errs = append(errs, fmt.Sprintf("status %d, %v", resp.StatusCode, decErr))
				return
			}
			fileIDs = append(fileIDs, out.Content[0].ID)
		}()
	}
	// Readers and fault churn at the same time, for the race detector.
	stop := make(chan struct{})
	listReq := newRequest(t, http.MethodGet, s.URL, "/api/v2/category?pageNo=2&pageSizeNo=10", nil)
	var side sync.WaitGroup
	side.Add(1)
	go func() {
		defer side.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			s.InjectFault(Fault{Method: http.MethodDelete, Times: 1, Status: 500})
			_ = s.Calls()
			_ = s.SubmittedPaths()
			_ = s.CountCalls(http.MethodPut, "/api/v2/")
			s.ClearFaults()
			resp, err := client.Do(listReq)
			if assert.NoError(t, err) {
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				resp.Body.Close()
			}
		}
	}()
	close(start)
	wg.Wait()
	close(stop)
	side.Wait()

	require.Empty(t, errs)
	require.Len(t, fileIDs, n)
	slices.Sort(fileIDs)
	assert.Equal(t, n, len(slices.Compact(slices.Clone(fileIDs))), "file ids are unique")

	paths := s.SubmittedPaths()
	assert.Len(t, paths, n)
	for k, v := range paths {
		assert.Equal(t, 1, v, k)
	}
	assert.Len(t, s.Submissions(), n)
	assert.Equal(t, n, s.CountCalls(http.MethodPut, "/api/v2/category/1/add-files"))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, s.WaitIdle(ctx))
	got := rc.callbacks()
	assert.Len(t, got, n*2*3)

	// Per file, the callbacks arrive in order.
	perFile := map[int64][]string{}
	for _, cb := range got {
		perFile[cb.FileID] = append(perFile[cb.FileID], fmt.Sprintf("%d:%s", cb.EncodingOptionID, cb.Status))
	}
	want := "1:WAITING 1:RUNNING 1:COMPLETE 2:WAITING 2:RUNNING 2:COMPLETE"
	for id, seq := range perFile {
		if !assert.Equal(t, want, strings.Join(seq, " "), "file %d", id) {
			break
		}
	}
}

// FuzzAddFiles checks that no body makes the emulator panic or answer
// anything but a JSON success or a JSON error. `go test` runs the seeds.
func FuzzAddFiles(f *testing.F) {
	for _, seed := range []string{
		addFilesBody,
		`{"httpDownloadUrlList":["https://x.example/a.mp4"]}`,
		`{"bucketName":"in-bucket","pathList":["a"],"httpDownloadUrlList":["http://x/"]}`,
		`{"bucketName":null,"pathList":null}`,
		`{"bucketName":"ab","pathList":[""]}`,
		`{"bucketName":"in-bucket","pathList":["a"],"output":{"bucketName":"o"}}`,
		`{"notification":{"x":1}}`,
		`[]`, `""`, `0`, `{`, "\x00\xff",
	} {
		f.Add([]byte(seed))
	}
	e := New(Options{AccessKey: testAK, SecretKey: testSK, Clock: func() time.Time { return fixedNow }, MaxCalls: 10})
	defer e.Close()
	e.AddCategory(Category{ID: 1, Name: "c"})
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, newRequest(t, http.MethodPut, "http://emulator", "/api/v2/category/1/add-files", body))
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for body %q", rec.Code, body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("answer is not JSON: %q", rec.Body.Bytes())
		}
	})
}

func TestMaxCalls(t *testing.T) {
	e := New(Options{AccessKey: testAK, SecretKey: testSK, Clock: func() time.Time { return fixedNow }, MaxCalls: 3})
	defer e.Close()
	for i := range 10 {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, newRequest(t, http.MethodGet, "http://emulator", fmt.Sprintf("/api/v2/category?pageNo=%d", i+1), nil))
		require.Equal(t, http.StatusOK, rec.Code)
	}
	calls := e.Calls()
	require.Len(t, calls, 3)
	assert.Equal(t, "/api/v2/category?pageNo=10", calls[2].RequestURI)
	assert.Equal(t, 3, e.CountCalls("", ""))
	e.ResetCalls()
	assert.Empty(t, e.Calls())
}

func TestListen(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Options{AccessKey: testAK, SecretKey: testSK, Clock: func() time.Time { return fixedNow }})
	require.NoError(t, err)
	defer s.Close()
	assert.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"))
	status, _ := call(t, s, http.MethodGet, "/api/v2/category", nil)
	assert.Equal(t, http.StatusOK, status)

	_, err = Listen(strings.TrimPrefix(s.URL, "http://"), Options{})
	assert.Error(t, err, "address in use")
	s.Close()
	s.Close() // idempotent
}

func BenchmarkAddFiles(b *testing.B) {
	e := New(Options{AccessKey: testAK, SecretKey: testSK, Clock: func() time.Time { return fixedNow }, MaxCalls: 1000})
	defer e.Close()
	e.AddCategory(Category{ID: 1, Name: "bench"})
	body := []byte(addFilesBody)
	req := newRequest(b, http.MethodPut, "http://emulator", "/api/v2/category/1/add-files", body)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r := req.Clone(context.Background())
		r.Body = nopCloser{strings.NewReader(addFilesBody)}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	_ = e.WaitIdle(context.Background())
}

func BenchmarkListCategoriesParallel(b *testing.B) {
	e := New(Options{AccessKey: testAK, SecretKey: testSK, Clock: func() time.Time { return fixedNow }, MaxCalls: 1000})
	defer e.Close()
	e.AddCategories(900, "cat-")
	req := newRequest(b, http.MethodGet, "http://emulator", "/api/v2/category?pageNo=3&pageSizeNo=20", nil)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
	})
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
