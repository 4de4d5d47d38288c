package vodstationtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignatureKnownAnswers(t *testing.T) {
	tests := []struct {
		name, method, uri, ts, ak, sk, want string
	}{
		{"list categories", "GET", "/api/v2/category?pageNo=1&pageSizeNo=20", "1700000000000", "AK_TEST", "SK_TEST", "ry4IMMB9QxhX1e3ASe/wy5C8NF6kjXkeuRNLYo3WiiU="},
		{"add files", "PUT", "/api/v2/category/1234/add-files", "1700000000000", "AK_TEST", "SK_TEST", "Cmcm8XCFHJSY4OSoHla4cL5MSkPQh8vK9e2A29CP/EU="},
		{"vserver", "POST", "/vserver/v2/createServerInstances?regionCode=KR", "1700000000000", "AK_TEST", "SK_TEST", "xBcE26XFU55BMjppdPT7ZY3oDrqoOedfPyAn3Cq4lUw="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, signature(tt.sk, tt.method, tt.uri, tt.ts, tt.ak), "emulator")
			assert.Equal(t, tt.want, sign(tt.method, tt.uri, tt.ts, tt.ak, tt.sk), "test helper")
		})
	}
}

func TestAuthentication(t *testing.T) {
	s := newTestServer(t, Options{})
	const uri = "/api/v2/category?pageNo=1&pageSizeNo=20"
	nowMS := fixedNow.UnixMilli()
	window := TimestampWindow.Milliseconds()

	tests := []struct {
		name     string
		sendURI  string // what is requested
		signURI  string // what is signed ("" = sendURI)
		tsMS     int64
		tsText   string // overrides tsMS when set
		ak, sk   string
		drop     string // header to leave out
		wantOK   bool
		wantText string // substring of details
	}{
		{name: "good", wantOK: true},
		{name: "bad signature", sk: "SK_WRONG", wantText: "signature"},
		{name: "wrong access key", ak: "AK_OTHER", wantText: "access key"},
		{name: "stale by exactly 5 min", tsMS: nowMS - window, wantText: "window"},
		{name: "stale by 5 min minus 1 ms", tsMS: nowMS - window + 1, wantOK: true},
		{name: "ahead by exactly 5 min", tsMS: nowMS + window, wantText: "window"},
		{name: "ahead by 5 min minus 1 ms", tsMS: nowMS + window - 1, wantOK: true},
		{name: "timestamp in seconds", tsText: strconv.FormatInt(nowMS/1000, 10), wantText: "window"},
		{name: "timestamp not a number", tsText: "yesterday", wantText: "window"},
		{name: "missing timestamp", drop: HeaderTimestamp, wantText: HeaderTimestamp},
		{name: "missing access key", drop: HeaderAccessKey, wantText: HeaderAccessKey},
		{name: "missing signature", drop: HeaderSignature, wantText: HeaderSignature},
		{name: "query reordered after signing", sendURI: "/api/v2/category?pageSizeNo=20&pageNo=1", signURI: uri, wantText: "signature"},
		{name: "query added after signing", sendURI: uri, signURI: "/api/v2/category", wantText: "signature"},
		{name: "empty query signed with bare ?", sendURI: "/api/v2/category", signURI: "/api/v2/category?", wantText: "signature"},
		{name: "no query", sendURI: "/api/v2/category", wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sendURI := tt.sendURI
			if sendURI == "" {
				sendURI = uri
			}
			signURI := tt.signURI
			if signURI == "" {
				signURI = sendURI
			}
			ts := tt.tsText
			if ts == "" {
				ms := tt.tsMS
				if ms == 0 {
					ms = nowMS
				}
				ts = strconv.FormatInt(ms, 10)
			}
			ak, sk := testAK, testSK
			if tt.ak != "" {
				ak = tt.ak
			}
			if tt.sk != "" {
				sk = tt.sk
			}
			req, err := http.NewRequest(http.MethodGet, s.URL+sendURI, nil)
			require.NoError(t, err)
			sig := sign(http.MethodGet, signURI, ts, ak, sk)
			req.Header.Set(HeaderTimestamp, ts)
			req.Header.Set(HeaderAccessKey, ak)
			req.Header.Set(HeaderSignature, sig)
			if tt.drop != "" {
				req.Header.Del(tt.drop)
			}

			status, body := do(t, nil, req)
			if tt.wantOK {
				assert.Equal(t, http.StatusOK, status, "body %s", body)
				return
			}
			assert.Equal(t, http.StatusUnauthorized, status)
			e := errorOf(t, body)
			assert.Equal(t, CodeAuthFailed, e.ErrorCode)
			assert.Equal(t, "Authentication Failed", e.Message)
			assert.Contains(t, e.Details, tt.wantText)
			want := sign(http.MethodGet, req.URL.RequestURI(), ts, testAK, testSK)
			assert.NotContains(t, string(body), want, "must not echo the expected signature")
			assert.NotContains(t, string(body), testSK)
		})
	}
}

func TestAuthenticationRecordedInCalls(t *testing.T) {
	s := newTestServer(t, Options{})
	status, _ := call(t, s, http.MethodGet, "/api/v2/category", nil)
	require.Equal(t, http.StatusOK, status)
	req, err := http.NewRequest(http.MethodGet, s.URL+"/api/v2/category", nil)
	require.NoError(t, err)
	status, _ = do(t, nil, req)
	require.Equal(t, http.StatusUnauthorized, status)

	calls := s.Calls()
	require.Len(t, calls, 2)
	assert.True(t, calls[0].Authenticated)
	assert.Equal(t, http.StatusOK, calls[0].Status)
	assert.Equal(t, "/api/v2/category", calls[0].RequestURI)
	assert.Equal(t, fixedNow, calls[0].At)
	// The signature header is kept so a test can recompute it.
	ts := calls[0].Header.Get(HeaderTimestamp)
	assert.Equal(t, sign("GET", calls[0].RequestURI, ts, testAK, testSK), calls[0].Header.Get(HeaderSignature))
	assert.False(t, calls[1].Authenticated)
	assert.Equal(t, http.StatusUnauthorized, calls[1].Status)
}

func TestRealClockWindow(t *testing.T) {
	// With the default clock, a request signed now is accepted.
	s, err := NewServer(Options{AccessKey: testAK, SecretKey: testSK})
	require.NoError(t, err)
	defer s.Close()
	req, err := http.NewRequest(http.MethodGet, s.URL+"/api/v2/category", nil)
	require.NoError(t, err)
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderAccessKey, testAK)
	req.Header.Set(HeaderSignature, sign("GET", "/api/v2/category", ts, testAK, testSK))
	status, body := do(t, nil, req)
	assert.Equal(t, http.StatusOK, status, "body %s", body)
}

func TestSecretNeverLogged(t *testing.T) {
	var (
		mu   sync.Mutex
		logs strings.Builder
	)
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&logs, format+"\n", args...)
	}
	s := newTestServer(t, Options{Logf: logf, SecretKey: "TOP-SECRET-KEY", AccessKey: testAK})
	req, err := http.NewRequest(http.MethodGet, s.URL+"/api/v2/category", nil)
	require.NoError(t, err)
	req.Header.Set(HeaderTimestamp, "1700000000000")
	req.Header.Set(HeaderAccessKey, testAK)
	req.Header.Set(HeaderSignature, "bogus")
	status, body := do(t, nil, req)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.NotContains(t, string(body), "TOP-SECRET-KEY")

	mu.Lock()
	defer mu.Unlock()
	assert.NotEmpty(t, logs.String())
	assert.NotContains(t, logs.String(), "TOP-SECRET-KEY")
}

func TestUnknownRoute(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, uri := range []string{"/api/v2/nothing", "/", "/api/v2/category/1/remove-files", "/api/v2/category/"} {
		t.Run(uri, func(t *testing.T) {
			status, body := call(t, s, http.MethodGet, uri, nil)
			assert.Equal(t, http.StatusNotFound, status)
			assert.Equal(t, CodeNotFound, errorOf(t, body).ErrorCode)
			assert.Equal(t, "Not Found Exception", errorOf(t, body).Message)
		})
	}
	status, body := call(t, s, http.MethodDelete, "/api/v2/category", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, CodeNotFound, errorOf(t, body).ErrorCode)
}

func TestBodyTooLarge(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 1, Name: "c"})
	big := make([]byte, MaxBodyBytes+10)
	for i := range big {
		big[i] = ' '
	}
	status, body := call(t, s, http.MethodPut, "/api/v2/category/1/add-files", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Equal(t, CodeEntityTooLarge, errorOf(t, body).ErrorCode)
	assert.Empty(t, s.Submissions())
}
