package vodstationtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	testAK = "AK_TEST"
	testSK = "SK_TEST"
)

// fixedNow is the emulator clock in most tests: ts 1700000000000.
var fixedNow = time.UnixMilli(1700000000000)

// sign is the test's own signature v2: Base64(HMAC-SHA256(sk, method + " " +
// uri + "\n" + ts + "\n" + ak)).
func sign(method, uri, ts, ak, sk string) string {
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(method + " " + uri + "\n" + ts + "\n" + ak))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// newTestServer starts an emulator with the test keys and a fixed clock
// (unless opts sets them) and closes it with the test.
func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.AccessKey == "" {
		opts.AccessKey, opts.SecretKey = testAK, testSK
	}
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return fixedNow }
	}
	s, err := NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// newRequest builds a request to base+uri signed at fixedNow over
// req.URL.RequestURI().
func newRequest(t testing.TB, method, base, uri string, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, base+uri, rd)
	require.NoError(t, err)
	ts := strconv.FormatInt(fixedNow.UnixMilli(), 10)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderAccessKey, testAK)
	req.Header.Set(HeaderSignature, sign(method, req.URL.RequestURI(), ts, testAK, testSK))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// freshClient returns a client that never reuses connections, so that a
// dropped connection is seen as such (no transparent retry).
func freshClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

// do sends req and returns the status and body.
func do(t testing.TB, c *http.Client, req *http.Request) (int, []byte) {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// call sends a signed request to the server and returns status and body.
func call(t testing.TB, s *Server, method, uri string, body any) (int, []byte) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		raw, err = json.Marshal(b)
		require.NoError(t, err)
	}
	return do(t, nil, newRequest(t, method, s.URL, uri, raw))
}

// errorOf decodes an error body.
func errorOf(t testing.TB, body []byte) errorDetail {
	t.Helper()
	var env errorEnvelope
	require.NoError(t, json.Unmarshal(body, &env), "body %s", body)
	return env.Error
}

// receiver collects callbacks.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []Callback
	fail bool
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var cb Callback
		if err := json.NewDecoder(r.Body).Decode(&cb); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.got = append(rc.got, cb)
		fail := rc.fail
		rc.mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) callbacks() []Callback {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Callback(nil), rc.got...)
}
