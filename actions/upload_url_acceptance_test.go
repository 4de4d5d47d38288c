package actions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/uploadid"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

const (
	// uploadToken is a sentinel: it must never appear in any output.
	uploadToken = "UP-TOKEN-SENTINEL-3f81d6"
	siteOrigin  = "https://site.example"
)

// uploadEnv is VOD Station, an Object Storage bucket whose create events
// run the upload sequence, and upload-url behind a loopback gateway, all
// through the shipped binaries.
type uploadEnv struct {
	vod     *vodstationtest.Server
	store   *objectstoragetest.Server
	gateway *httptest.Server
	plat    *localrun.Platform
	logs    *syncBuffer
	clock   *atomic.Int64 // the store's offset from now, in ns

	mu      sync.Mutex
	results []map[string]any // the upload sequence's results
}

func setupUpload(t *testing.T, overrides map[string]any) *uploadEnv {
	t.Helper()
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out", OutputPath: "encoded"})
	e := &uploadEnv{vod: vod, clock: &atomic.Int64{}}
	e.store, err = objectstoragetest.Start(objectstoragetest.Options{
		Credentials: map[string]string{accessKey: secretKey}, Buckets: []string{bucket},
		Clock:       func() time.Time { return time.Now().Add(time.Duration(e.clock.Load())) },
		MinPartSize: 5 << 20,
		CORS: map[string][]objectstoragetest.CORSRule{bucket: {{
			AllowedOrigins: []string{siteOrigin}, AllowedMethods: []string{"PUT", "POST", "DELETE"},
			AllowedHeaders: []string{"content-type"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: 600,
		}}},
	})
	require.NoError(t, err)
	t.Cleanup(e.store.Close)
	uploadParams := map[string]any{"UPLOAD_TOKEN": uploadToken, "OBJECT_STORAGE_ENDPOINT": e.store.URL,
		"INPUT_PREFIX": "uploads/", "ALLOWED_ORIGINS": siteOrigin, "UPLOAD_PART_SIZE": 5 << 20}
	for k, v := range overrides {
		setOrDelete(uploadParams, k, v)
	}
	e.plat, e.logs = newPlatform(t,
		map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL, "REGION": "KR", "BUCKET_NAME": bucket},
		map[string]map[string]any{
			"lookup-category": {"CATEGORY_NAME": "movies", "INPUT_PREFIX": "uploads/"},
			"upload-url":      uploadParams,
		})
	e.gateway = httptest.NewServer(e.plat.WebHandler("upload-url", "/upload-url"))
	t.Cleanup(e.gateway.Close)
	e.store.OnCreate(bucket, func(ev map[string]any) {
		out := e.plat.Fire(context.Background(), ev)
		for _, s := range out.Steps {
			assert.NoError(t, s.Err, "%s crashed or timed out", s.Action)
		}
		e.mu.Lock()
		e.results = append(e.results, out.Result)
		e.mu.Unlock()
	})
	t.Cleanup(func() {
		for _, s := range []string{uploadToken, secretKey} {
			assert.NotContains(t, e.logs.String(), s, "a secret reached the actions' stdout/stderr")
		}
	})
	return e
}

// ask POSTs body to upload-url with the token and headers, and returns
// the status, the answer's headers and its decoded JSON body.
func (e *uploadEnv) ask(t *testing.T, method, token string, body any, headers map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.gateway.URL+"/upload-url", r)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), uploadToken)
	assert.NotContains(t, string(raw), secretKey)
	var out map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out), "answer %s", raw)
	}
	return resp.StatusCode, resp.Header, out
}

// put sends body to a presigned URL with headers and returns the answer.
func put(t *testing.T, method, url string, headers map[string]string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (e *uploadEnv) waitResults(t *testing.T, n int) []map[string]any {
	t.Helper()
	e.store.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	require.Len(t, e.results, n, "sequence runs")
	return append([]map[string]any(nil), e.results...)
}

func headersOf(m map[string]any) map[string]string {
	out := map[string]string{}
	h, _ := m["headers"].(map[string]any)
	for k, v := range h {
		out[k] = v.(string)
	}
	return out
}

// TestUploadURLSinglePutRunsTheSequence: the answer's url and headers land
// the object; the bucket event runs lookup-category → add-files, whose
// result names the upload_id; the answer is CORS-readable by the site.
func TestUploadURLSinglePutRunsTheSequence(t *testing.T) {
	e := setupUpload(t, nil)
	body := []byte("a small video")
	status, h, a := e.ask(t, http.MethodPost, uploadToken,
		map[string]any{"filename": "My Trip #1.MP4", "content_type": "video/mp4", "size": len(body)},
		map[string]string{"Origin": siteOrigin})
	require.Equal(t, http.StatusOK, status, "answer %v", a)
	assert.Equal(t, siteOrigin, h.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "Origin", h.Get("Vary"))
	id, _ := a["upload_id"].(string)
	require.True(t, uploadid.Valid(id), "upload_id %q", id)
	assert.Equal(t, "uploads/"+id+"/My_Trip__1.mp4", a["key"])
	assert.Equal(t, "PUT", a["method"])
	assert.Equal(t, map[string]string{"Content-Type": "video/mp4"}, headersOf(a))
	exp, err := time.Parse(time.RFC3339, a["expires_at"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(15*time.Minute), exp, time.Minute)
	u := a["url"].(string)
	assert.Contains(t, u, "X-Amz-Signature=")
	assert.Contains(t, u, "content-length%3Bcontent-type%3Bhost")

	resp := put(t, http.MethodPut, u, map[string]string{"Content-Type": "video/mp4", "Origin": siteOrigin}, body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, siteOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "ETag", resp.Header.Get("Access-Control-Expose-Headers"))
	assert.Equal(t, []string{a["key"].(string)}, e.store.Keys(bucket))

	res := e.waitResults(t, 1)[0]
	require.NotContains(t, res, "error", "%v", res)
	assert.Equal(t, id, res["upload_id"], "add-files' result names the upload")
	files := res["files"].([]any)
	require.Len(t, files, 1)
	assert.Equal(t, id, files[0].(map[string]any)["upload_id"])
	assert.Equal(t, a["key"], files[0].(map[string]any)["path"])
	assert.Equal(t, 1, e.vod.CountCalls("PUT", "/api/v2/category/"))
}

// completeXML is the CompleteMultipartUpload body for the parts' ETags.
func completeXML(etags []string) []byte {
	type part struct {
		PartNumber int
		ETag       string
	}
	var doc struct {
		XMLName xml.Name `xml:"CompleteMultipartUpload"`
		Parts   []part   `xml:"Part"`
	}
	for i, e := range etags {
		doc.Parts = append(doc.Parts, part{i + 1, e})
	}
	b, _ := xml.Marshal(doc)
	return b
}

// TestUploadURLMultipartCompletes: above UPLOAD_PART_SIZE (5 MiB, S3's
// smallest, which the bucket enforces) the answer is a multipart upload:
// each part's URL takes exactly its size, the completion lands the object
// and its event runs the sequence.
func TestUploadURLMultipartCompletes(t *testing.T) {
	e := setupUpload(t, nil)
	size := 11<<20 + 123
	body := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	status, _, a := e.ask(t, http.MethodPost, uploadToken,
		map[string]any{"filename": "big.mkv", "content_type": "video/x-matroska", "size": size}, nil)
	require.Equal(t, http.StatusOK, status, "answer %v", a)
	assert.NotContains(t, a, "url")
	id := a["upload_id"].(string)
	mp := a["multipart"].(map[string]any)
	assert.EqualValues(t, 5<<20, mp["part_size"])
	parts := mp["parts"].([]any)
	require.Len(t, parts, 3)
	assert.Equal(t, 1, e.store.Calls()["CreateMultipartUpload"], "the action created the upload")

	var etags []string
	off := 0
	for i, p := range parts {
		p := p.(map[string]any)
		assert.EqualValues(t, i+1, p["number"])
		n := int(p["size"].(float64))
		// One byte short is refused: the part's size is signed.
		short := put(t, http.MethodPut, p["url"].(string), nil, body[off:off+n-1])
		assert.Equal(t, http.StatusForbidden, short.StatusCode, "part %d one byte short", i+1)
		resp := put(t, http.MethodPut, p["url"].(string), map[string]string{"Origin": siteOrigin}, body[off:off+n])
		require.Equal(t, http.StatusOK, resp.StatusCode, "part %d", i+1)
		require.NotEmpty(t, resp.Header.Get("ETag"))
		assert.Equal(t, "ETag", resp.Header.Get("Access-Control-Expose-Headers"))
		etags = append(etags, resp.Header.Get("ETag"))
		off += n
	}
	require.Equal(t, size, off)
	assert.Empty(t, e.store.Events(), "no event before completion")
	c := mp["complete"].(map[string]any)
	assert.Equal(t, "POST", c["method"])
	resp := put(t, http.MethodPost, c["url"].(string), map[string]string{"Content-Type": "application/xml"}, completeXML(etags))
	require.Equal(t, http.StatusOK, resp.StatusCode)

	res := e.waitResults(t, 1)[0]
	require.NotContains(t, res, "error", "%v", res)
	assert.Equal(t, id, res["upload_id"])
	evs := e.store.Events()
	require.Len(t, evs, 1)
	assert.Equal(t, "CompleteMultipartUpload", evs[0].Type)
	assert.EqualValues(t, size, evs[0].Size)
	rc, err := e.store.Open(bucket, a["key"].(string))
	require.NoError(t, err)
	got, _ := io.ReadAll(rc)
	rc.Close()
	assert.True(t, bytes.Equal(body, got), "the object is the file")
}

// TestUploadURLAbort: the abort URL gives the multipart upload up; its
// completion then fails and nothing is submitted.
func TestUploadURLAbort(t *testing.T) {
	e := setupUpload(t, nil)
	status, _, a := e.ask(t, http.MethodPost, uploadToken,
		map[string]any{"filename": "big.mp4", "content_type": "video/mp4", "size": 6 << 20}, nil)
	require.Equal(t, http.StatusOK, status)
	mp := a["multipart"].(map[string]any)
	ab := mp["abort"].(map[string]any)
	assert.Equal(t, "DELETE", ab["method"])
	resp := put(t, http.MethodDelete, ab["url"].(string), nil, nil)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, 1, e.store.Calls()["AbortMultipartUpload"])
	assert.Empty(t, e.store.Keys(bucket))
	assert.Zero(t, e.vod.CountCalls("PUT", "/api/v2/category/"))
	_ = fmt.Sprint
}

// TestUploadURLRefusals: each refusal has its status and a message naming
// what is wrong, and nothing reaches Object Storage.
func TestUploadURLRefusals(t *testing.T) {
	e := setupUpload(t, map[string]any{"UPLOAD_MAX_SIZE": 1000})
	good := map[string]any{"filename": "a.mp4", "content_type": "video/mp4", "size": 10}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		setOrDelete(m, k, v)
		return m
	}
	for _, tc := range []struct {
		name    string
		method  string
		token   string
		body    any
		headers map[string]string
		status  int
		code    string
		field   string
		message string
	}{
		{"no token", "POST", "", good, nil, 401, "unauthorized", "Authorization", "bearer token"},
		{"wrong token", "POST", "wrong-token", good, nil, 401, "unauthorized", "Authorization", "bearer token"},
		{"token prefix", "POST", uploadToken[:len(uploadToken)-1], good, nil, 401, "unauthorized", "Authorization", "bearer token"},
		{"GET", "GET", uploadToken, nil, nil, 405, "method_not_allowed", "", "method GET"},
		{"PUT", "PUT", uploadToken, good, nil, 405, "method_not_allowed", "", "method PUT"},
		{"origin not allowed", "POST", uploadToken, good, map[string]string{"Origin": "https://evil.example"}, 403, "origin_not_allowed", "Origin", "ALLOWED_ORIGINS"},
		{"not JSON", "POST", uploadToken, "filename=a.mp4", nil, 400, "bad_request", "body", "JSON object"},
		{"no filename", "POST", uploadToken, with("filename", nil), nil, 400, "bad_request", "filename", "filename: missing"},
		{"filename not a string", "POST", uploadToken, with("filename", 7), nil, 400, "bad_request", "filename", "want a string"},
		{"no content_type", "POST", uploadToken, with("content_type", nil), nil, 400, "bad_request", "content_type", "content_type: missing"},
		{"content_type malformed", "POST", uploadToken, with("content_type", "video"), nil, 400, "bad_request", "content_type", "media type"},
		{"no size", "POST", uploadToken, with("size", nil), nil, 400, "bad_request", "size", "size: missing"},
		{"size a string", "POST", uploadToken, with("size", "10"), nil, 400, "bad_request", "size", "integer"},
		{"size zero", "POST", uploadToken, with("size", 0), nil, 400, "bad_request", "size", "1 or more"},
		{"size fractional", "POST", uploadToken, with("size", 1.5), nil, 400, "bad_request", "size", "integer"},
		{"not video", "POST", uploadToken, with("content_type", "image/png"), nil, 415, "unsupported_media_type", "content_type", "video/*"},
		{"too large", "POST", uploadToken, with("size", 1001), nil, 413, "too_large", "size", "UPLOAD_MAX_SIZE"},
		{"extension", "POST", uploadToken, with("filename", "a.exe"), nil, 400, "unsupported_extension", "filename", "EXTENSIONS"},
		{"no extension", "POST", uploadToken, with("filename", "movie"), nil, 400, "unsupported_extension", "filename", "EXTENSIONS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, a := e.ask(t, tc.method, tc.token, tc.body, tc.headers)
			require.Equal(t, tc.status, status, "answer %v", a)
			er, _ := a["error"].(map[string]any)
			require.NotNil(t, er, "answer %v", a)
			assert.Equal(t, tc.code, er["code"])
			if tc.field == "" {
				assert.NotContains(t, er, "field")
			} else {
				assert.Equal(t, tc.field, er["field"], "%v", er)
			}
			assert.Contains(t, er["message"], tc.message)
			assert.EqualValues(t, tc.status, er["status"])
			assert.Equal(t, "no-store", h.Get("Cache-Control"))
			if tc.status == 401 {
				assert.Contains(t, h.Get("WWW-Authenticate"), "Bearer")
			}
			if tc.status == 405 {
				assert.Equal(t, "POST, OPTIONS", h.Get("Allow"))
			}
		})
	}
	assert.Empty(t, e.store.Calls(), "no refusal reached Object Storage")

	// A misconfigured action answers 500 naming the parameter.
	e2 := setupUpload(t, map[string]any{"UPLOAD_TOKEN": nil})
	status, _, a := e2.ask(t, "POST", uploadToken, good, nil)
	assert.Equal(t, 500, status)
	assert.Equal(t, "UPLOAD_TOKEN", a["error"].(map[string]any)["field"])
}

// TestUploadURLPreflight: the action answers preflight for allowed origins
// (POST, Authorization and Content-Type) and refuses others; the bucket
// answers its own preflight by its CORS configuration.
func TestUploadURLPreflight(t *testing.T) {
	e := setupUpload(t, nil)
	pre := func(url, origin, method, headers string) *http.Response {
		req, err := http.NewRequest(http.MethodOptions, url, nil)
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			req.Header.Set("Access-Control-Request-Headers", headers)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	resp := pre(e.gateway.URL+"/upload-url", siteOrigin, "POST", "authorization,content-type")
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, siteOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "POST", resp.Header.Get("Access-Control-Allow-Methods"))
	assert.Equal(t, "Authorization, Content-Type", resp.Header.Get("Access-Control-Allow-Headers"))
	assert.Equal(t, "Origin", resp.Header.Get("Vary"))
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"))
	for _, bad := range []struct{ origin, method, headers string }{
		{"https://evil.example", "POST", "authorization"},
		{"https://site.example.evil", "POST", ""},
		{siteOrigin, "DELETE", ""},
		{siteOrigin, "POST", "x-other"},
	} {
		resp := pre(e.gateway.URL+"/upload-url", bad.origin, bad.method, bad.headers)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%v", bad)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "%v", bad)
	}

	obj := e.store.URL + "/" + bucket + "/uploads/up_aaaaaaaaaaaaaaaaaaaa/a.mp4"
	resp = pre(obj, siteOrigin, "PUT", "content-type")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, siteOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "PUT")
	assert.Equal(t, "ETag", resp.Header.Get("Access-Control-Expose-Headers"))
	for _, bad := range []struct{ origin, method, headers string }{
		{"https://evil.example", "PUT", "content-type"},
		{siteOrigin, "GET", ""},
		{siteOrigin, "PUT", "x-amz-acl"},
	} {
		resp := pre(obj, bad.origin, bad.method, bad.headers)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%v", bad)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "%v", bad)
	}
}

// TestUploadURLStoreRefusesWhatWasNotSigned: another content type, another
// size, a tampered URL and an expired one are refused by the bucket, and
// nothing is submitted.
func TestUploadURLStoreRefusesWhatWasNotSigned(t *testing.T) {
	e := setupUpload(t, map[string]any{"UPLOAD_URL_TTL": "60s"})
	body := []byte("0123456789")
	ask := func() (string, map[string]string) {
		status, _, a := e.ask(t, http.MethodPost, uploadToken, map[string]any{"filename": "a.mp4", "content_type": "video/mp4", "size": len(body)}, nil)
		require.Equal(t, http.StatusOK, status, "%v", a)
		return a["url"].(string), headersOf(a)
	}
	u, h := ask()
	for name, try := range map[string]func() *http.Response{
		"another type":  func() *http.Response { return put(t, "PUT", u, map[string]string{"Content-Type": "video/webm"}, body) },
		"no type":       func() *http.Response { return put(t, "PUT", u, nil, body) },
		"one byte more": func() *http.Response { return put(t, "PUT", u, h, append(body, 'x')) },
		"one byte less": func() *http.Response { return put(t, "PUT", u, h, body[1:]) },
		"tampered key":  func() *http.Response { return put(t, "PUT", strings.Replace(u, "/a.mp4?", "/b.mp4?", 1), h, body) },
		"longer expiry": func() *http.Response {
			return put(t, "PUT", strings.Replace(u, "X-Amz-Expires=60", "X-Amz-Expires=600", 1), h, body)
		},
		"bad signature": func() *http.Response {
			return put(t, "PUT", u[:len(u)-1]+string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", u[len(u)-1])+1)%16]), h, body)
		},
		"other method": func() *http.Response { return put(t, "POST", u, h, body) },
	} {
		resp := try()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, name)
	}
	require.Contains(t, u, "X-Amz-Expires=60&")
	e.clock.Store(int64(61 * time.Second))
	resp := put(t, "PUT", u, h, body)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "expired")
	assert.Empty(t, e.store.Keys(bucket))
	assert.Empty(t, e.store.Events())
	assert.Zero(t, e.vod.CountCalls("PUT", "/api/v2/category/"), "nothing submitted")

	e.clock.Store(int64(59 * time.Second))
	resp = put(t, "PUT", u, h, body)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "still valid a second before")
	e.waitResults(t, 1)
}
