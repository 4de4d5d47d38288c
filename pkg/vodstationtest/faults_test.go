package vodstationtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const addFilesBody = `{"bucketName":"in-bucket","pathList":["v.mp4"]}`

func TestFaultStatusAndBody(t *testing.T) {
	tests := []struct {
		name       string
		fault      Fault
		wantStatus int
		wantCode   string
		wantBody   string // exact body when wantCode == ""
		wantCT     string
	}{
		{"throttle", Throttle("", "", 1), 429, CodeThrottleLimited, "", "application/json"},
		{"rate limit", RateLimit("", "", 1), 429, CodeRateLimited, "", "application/json"},
		{"quota", QuotaExceeded("", "", 1), 429, CodeQuotaExceeded, "", "application/json"},
		{"unavailable", Unavailable("", "", 1), 503, CodeEndpointError, "", "application/json"},
		{"gateway timeout", GatewayTimeout("", "", 1), 504, CodeEndpointTimeout, "", "application/json"},
		{"internal", InternalError("", "", 1), 500, CodeUnexpected, "", "application/json"},
		{"html page", Fault{Times: 1, Status: 502, Body: "<html>bad gateway</html>", ContentType: "text/html"}, 502, "", "<html>bad gateway</html>", "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Options{})
			s.AddCategory(Category{ID: 1, Name: "c"})
			s.InjectFault(tt.fault)

			resp, err := http.DefaultClient.Do(newRequest(t, http.MethodPut, s.URL, "/api/v2/category/1/add-files", []byte(addFilesBody)))
			require.NoError(t, err)
			defer resp.Body.Close()
			status, body := resp.StatusCode, readAll(t, resp)
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantCT, resp.Header.Get("Content-Type"))
			if tt.wantCode != "" {
				e := errorOf(t, body)
				assert.Equal(t, tt.wantCode, e.ErrorCode)
				assert.NotEmpty(t, e.Message)
			} else {
				assert.Equal(t, tt.wantBody, string(body))
			}
			assert.Empty(t, s.Submissions(), "a non-Process fault processes nothing")

			calls := s.Calls()
			require.Len(t, calls, 1)
			assert.True(t, calls[0].Fault)
			assert.False(t, calls[0].Authenticated)
			assert.Equal(t, tt.wantStatus, calls[0].Status)
			assert.Equal(t, addFilesBody, string(calls[0].Body))

			// Times: 1 — the next request is normal.
			status, _ = call(t, s, http.MethodPut, "/api/v2/category/1/add-files", addFilesBody)
			assert.Equal(t, http.StatusOK, status)
			assert.Len(t, s.Submissions(), 1)
		})
	}
}

func readAll(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}

func TestFaultMatchingTimesAndClear(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 1, Name: "c"})
	s.InjectFault(Throttle(http.MethodPut, "/api/v2/category/", 2))

	// Other method or path: unaffected.
	status, _ := call(t, s, http.MethodGet, "/api/v2/category", nil)
	assert.Equal(t, http.StatusOK, status)
	status, _ = call(t, s, http.MethodGet, "/api/v2/status", nil)
	assert.Equal(t, http.StatusOK, status)

	var got []int
	for range 3 {
		status, _ := call(t, s, http.MethodPut, "/api/v2/category/1/add-files", addFilesBody)
		got = append(got, status)
	}
	assert.Equal(t, []int{429, 429, 200}, got)
	assert.Equal(t, 3, s.CountCalls(http.MethodPut, "/api/v2/category/1/add-files"))
	assert.Equal(t, 5, s.CountCalls("", ""))
	assert.Equal(t, 1, s.CountCalls("get", "/api/v2/category"))

	// Unlimited until ClearFaults.
	s.InjectFault(Unavailable("", "/api/v2/status", 0))
	for range 3 {
		status, _ := call(t, s, http.MethodGet, "/api/v2/status", nil)
		assert.Equal(t, http.StatusServiceUnavailable, status)
	}
	s.ClearFaults()
	status, _ = call(t, s, http.MethodGet, "/api/v2/status", nil)
	assert.Equal(t, http.StatusOK, status)
}

func TestFaultBeforeAuthentication(t *testing.T) {
	s := newTestServer(t, Options{})
	s.InjectFault(Unavailable("", "", 1))
	req, err := http.NewRequest(http.MethodGet, s.URL+"/api/v2/category", nil) // unsigned
	require.NoError(t, err)
	status, body := do(t, nil, req)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, CodeEndpointError, errorOf(t, body).ErrorCode)
	status, _ = do(t, nil, req.Clone(context.Background()))
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestFaultDelay(t *testing.T) {
	t.Run("client timeout ends the wait", func(t *testing.T) {
		s := newTestServer(t, Options{})
		s.InjectFault(Latency("", "", 1, 10*time.Second))
		start := time.Now()
		_, err := freshClient(100 * time.Millisecond).Do(newRequest(t, http.MethodGet, s.URL, "/api/v2/category", nil))
		require.Error(t, err)
		var uerr *url.Error
		require.ErrorAs(t, err, &uerr)
		assert.True(t, uerr.Timeout(), "want a timeout, got %v", err)
		assert.Less(t, time.Since(start), 5*time.Second)
		// The server notices the client going away and records the call.
		assert.Eventually(t, func() bool { return s.CountCalls("", "") == 1 }, 5*time.Second, 5*time.Millisecond)
		c := s.Calls()[0]
		assert.True(t, c.Fault)
		assert.Zero(t, c.Status)
	})
	t.Run("latency then normal answer", func(t *testing.T) {
		s := newTestServer(t, Options{})
		s.InjectFault(Latency(http.MethodGet, "/api/v2/category", 1, 50*time.Millisecond))
		start := time.Now()
		status, _ := call(t, s, http.MethodGet, "/api/v2/category", nil)
		assert.Equal(t, http.StatusOK, status)
		assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
		c := s.Calls()[0]
		assert.True(t, c.Fault)
		assert.True(t, c.Authenticated)
	})
}

func TestFaultDrop(t *testing.T) {
	tests := []struct {
		mode            DropMode
		wantSubmissions int
		wantBody        bool
	}{
		{DropBeforeBody, 0, false},
		{DropAfterBody, 0, true},
		{DropAfterProcessing, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			s := newTestServer(t, Options{})
			s.AddCategory(Category{ID: 1, Name: "c"})
			s.InjectFault(Drop(http.MethodPut, "", 1, tt.mode))

			resp, err := freshClient(5 * time.Second).Do(newRequest(t, http.MethodPut, s.URL, "/api/v2/category/1/add-files", []byte(addFilesBody)))
			if resp != nil {
				resp.Body.Close()
			}
			require.Error(t, err, "a dropped connection is a transport error, not a response")
			var uerr *url.Error
			require.ErrorAs(t, err, &uerr)
			assert.False(t, uerr.Timeout(), "dropped, not timed out: %v", err)
			assert.False(t, errors.Is(err, context.DeadlineExceeded))

			assert.Len(t, s.Submissions(), tt.wantSubmissions)
			calls := s.Calls()
			require.Len(t, calls, 1)
			assert.True(t, calls[0].Fault)
			assert.Zero(t, calls[0].Status)
			if tt.wantBody {
				assert.Equal(t, addFilesBody, string(calls[0].Body))
			} else {
				assert.Nil(t, calls[0].Body)
			}
			assert.Equal(t, tt.mode == DropAfterProcessing, calls[0].Authenticated)

			// The fault is used up: a retry succeeds.
			status, _ := call(t, s, http.MethodPut, "/api/v2/category/1/add-files", addFilesBody)
			assert.Equal(t, http.StatusOK, status)
			assert.Len(t, s.Submissions(), tt.wantSubmissions+1)
		})
	}
}

func TestFaultProcess(t *testing.T) {
	rc := newReceiver(t)
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 1, Name: "c", NotificationURL: rc.URL})
	s.InjectFault(Fault{Method: http.MethodPut, Times: 1, Process: true, Status: 504, Body: ErrorBody(CodeEndpointTimeout, "", "late")})

	status, body := call(t, s, http.MethodPut, "/api/v2/category/1/add-files", addFilesBody)
	assert.Equal(t, http.StatusGatewayTimeout, status)
	assert.Equal(t, CodeEndpointTimeout, errorOf(t, body).ErrorCode)
	require.Len(t, s.Submissions(), 1, "Process=true records the submission")
	assert.Equal(t, map[string]int{"in-bucket/v.mp4": 1}, s.SubmittedPaths())
	require.NoError(t, s.WaitIdle(context.Background()))
	assert.Len(t, rc.callbacks(), 6, "the encoding runs")
	c := s.Calls()[0]
	assert.True(t, c.Fault)
	assert.True(t, c.Authenticated)
	assert.Equal(t, http.StatusGatewayTimeout, c.Status)

	// Process without Status: the real answer.
	s.InjectFault(Fault{Method: http.MethodPut, Times: 1, Process: true})
	status, _ = call(t, s, http.MethodPut, "/api/v2/category/1/add-files", addFilesBody)
	assert.Equal(t, http.StatusOK, status)
	assert.Len(t, s.Submissions(), 2)
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	run := func(seed int64) []int {
		s := newTestServer(t, Options{Seed: seed})
		s.InjectFault(Fault{Probability: 0.5, Status: 429, Body: ErrorBody(CodeThrottleLimited, "", "")})
		var got []int
		for range 40 {
			status, _ := call(t, s, http.MethodGet, "/api/v2/category", nil)
			got = append(got, status)
		}
		return got
	}
	a, b := run(7), run(7)
	assert.Equal(t, a, b, "same seed, same outcome")
	assert.Contains(t, a, 429)
	assert.Contains(t, a, 200)
	assert.NotEqual(t, a, run(8), "another seed, another outcome (for these seeds)")
}

func TestFaultProbabilityDoesNotUseUpTimes(t *testing.T) {
	s := newTestServer(t, Options{Seed: 1})
	s.InjectFault(Fault{Probability: 0.3, Times: 3, Status: 503})
	n := 0
	for range 200 {
		status, _ := call(t, s, http.MethodGet, "/api/v2/category", nil)
		if status == 503 {
			n++
		}
	}
	assert.Equal(t, 3, n)
}
