package objectstoragetest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/cors"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/objectstoragetest"
)

const site = "https://site.example"

// minioCore is a real S3 client (minio-go) for s, path-style.
func minioCore(t *testing.T, s *objectstoragetest.Server) *minio.Core {
	t.Helper()
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	c, err := minio.NewCore(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(objectstoragetest.DefaultAccessKey, objectstoragetest.DefaultSecretKey, ""),
		Region: objectstoragetest.DefaultRegion, BucketLookup: minio.BucketLookupPath, MaxRetries: 1,
	})
	require.NoError(t, err)
	return c
}

func siteRules() []objectstoragetest.CORSRule {
	return []objectstoragetest.CORSRule{
		{AllowedOrigins: []string{site}, AllowedMethods: []string{"PUT", "POST", "DELETE"},
			AllowedHeaders: []string{"content-type"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: 600},
		{AllowedOrigins: []string{"https://*.wild.example"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"*"}},
	}
}

func TestBucketCORSThroughARealClient(t *testing.T) {
	s := start(t, objectstoragetest.Options{})
	c := minioCore(t, s)
	ctx := context.Background()

	got, err := c.GetBucketCors(ctx, "uploads")
	require.NoError(t, err, "no configuration: NoSuchCORSConfiguration, which minio-go reads as none")
	assert.Nil(t, got)

	want := cors.NewConfig([]cors.Rule{
		{AllowedOrigin: []string{site}, AllowedMethod: []string{"PUT", "POST"}, AllowedHeader: []string{"content-type"}, ExposeHeader: []string{"ETag"}, MaxAgeSeconds: 600},
		{AllowedOrigin: []string{"*"}, AllowedMethod: []string{"GET"}},
	})
	require.NoError(t, c.SetBucketCors(ctx, "uploads", want))
	got, err = c.GetBucketCors(ctx, "uploads")
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, want.CORSRules, got.CORSRules)
	assert.Equal(t, []objectstoragetest.CORSRule{
		{AllowedOrigins: []string{site}, AllowedMethods: []string{"PUT", "POST"}, AllowedHeaders: []string{"content-type"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: 600},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}},
	}, s.CORS("uploads"))

	// Put replaces the whole configuration, as S3's does.
	require.NoError(t, c.SetBucketCors(ctx, "uploads", cors.NewConfig([]cors.Rule{{AllowedOrigin: []string{"https://b.example"}, AllowedMethod: []string{"PUT"}}})))
	got, err = c.GetBucketCors(ctx, "uploads")
	require.NoError(t, err)
	require.Len(t, got.CORSRules, 1)
	assert.Equal(t, []string{"https://b.example"}, got.CORSRules[0].AllowedOrigin)

	require.NoError(t, c.SetBucketCors(ctx, "uploads", nil), "nil deletes (DeleteBucketCors)")
	got, err = c.GetBucketCors(ctx, "uploads")
	require.NoError(t, err)
	assert.Nil(t, got)
	assert.Empty(t, s.CORS("uploads"))

	err = c.SetBucketCors(ctx, "no-such-bucket", want)
	require.Error(t, err)
	assert.Equal(t, "NoSuchBucket", minio.ToErrorResponse(err).Code)

	err = c.SetBucketCors(ctx, "uploads", cors.NewConfig([]cors.Rule{{AllowedOrigin: []string{site}}}))
	require.Error(t, err, "a rule without a method")
	assert.Equal(t, "MalformedXML", minio.ToErrorResponse(err).Code)
	assert.Empty(t, s.CORS("uploads"), "a refused configuration changes nothing")

	// Unsigned, or signed with a wrong key, the configuration is not changed.
	body := `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod></CORSRule></CORSConfiguration>`
	req, err := http.NewRequest(http.MethodPut, s.URL+"/uploads?cors", strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Empty(t, s.CORS("uploads"))
}

func preflight(t *testing.T, s *objectstoragetest.Server, path string, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, s.URL+path, nil)
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

func TestPreflight(t *testing.T) {
	s := start(t, objectstoragetest.Options{Buckets: []string{"bare"}, CORS: map[string][]objectstoragetest.CORSRule{"uploads": siteRules()}})
	for _, tc := range []struct {
		name    string
		path    string
		origin  string
		method  string
		headers string
		status  int
		allowH  string
	}{
		{name: "a PUT from the site", origin: site, method: "PUT", headers: "content-type", status: 200, allowH: "content-type"},
		{name: "header names in any case", origin: site, method: "PUT", headers: "Content-Type", status: 200, allowH: "content-type"},
		{name: "no header asked", origin: site, method: "POST", status: 200},
		{name: "a DELETE (abort)", origin: site, method: "DELETE", status: 200},
		{name: "another origin", origin: "https://evil.example", method: "PUT", headers: "content-type", status: 403},
		{name: "the site over http", origin: "http://site.example", method: "PUT", status: 403},
		{name: "a method the rule does not allow", origin: site, method: "GET", status: 403},
		{name: "a header the rule does not allow", origin: site, method: "PUT", headers: "content-type, x-amz-acl", status: 403},
		{name: "a wildcard origin", origin: "https://a.wild.example", method: "GET", headers: "x-anything", status: 200, allowH: "x-anything"},
		{name: "the wildcard needs a subdomain", origin: "https://wild.example", method: "GET", status: 403},
		{name: "a bucket without CORS", path: "/bare/k", origin: site, method: "PUT", status: 403},
		{name: "no Origin", method: "PUT", status: 400},
		{name: "no Access-Control-Request-Method", origin: site, status: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			for k, v := range map[string]string{"Origin": tc.origin, "Access-Control-Request-Method": tc.method, "Access-Control-Request-Headers": tc.headers} {
				if v != "" {
					h[k] = v
				}
			}
			path := tc.path
			if path == "" {
				path = "/uploads/in/clip.mp4"
			}
			resp := preflight(t, s, path, h)
			assert.Equal(t, tc.status, resp.StatusCode)
			if tc.status != 200 {
				for k := range resp.Header {
					assert.False(t, strings.HasPrefix(k, "Access-Control-"), "a refused preflight has no %s", k)
				}
				return
			}
			assert.Equal(t, tc.origin, resp.Header.Get("Access-Control-Allow-Origin"))
			assert.NotEmpty(t, resp.Header.Get("Access-Control-Allow-Methods"))
			assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), tc.method)
			assert.Equal(t, tc.allowH, resp.Header.Get("Access-Control-Allow-Headers"))
			assert.Contains(t, resp.Header.Get("Vary"), "Origin")
			if tc.origin == site {
				assert.Equal(t, "ETag", resp.Header.Get("Access-Control-Expose-Headers"))
				assert.Equal(t, "600", resp.Header.Get("Access-Control-Max-Age"))
			} else {
				assert.Empty(t, resp.Header.Get("Access-Control-Expose-Headers"))
				assert.Empty(t, resp.Header.Get("Access-Control-Max-Age"))
			}
		})
	}
}

// TestCORSHeadersOnRealAnswers: a presigned PUT from an allowed origin
// answers Access-Control-Allow-Origin and exposes ETag (a browser reads
// each part's ETag); another origin, a method the rule does not allow or
// no Origin gets no CORS header at all (not gofakes3's "*"); an error
// answer to an allowed origin carries them, so the page can read it.
func TestCORSHeadersOnRealAnswers(t *testing.T) {
	s := start(t, objectstoragetest.Options{CORS: map[string][]objectstoragetest.CORSRule{"uploads": siteRules()}})
	c := minioCore(t, s)
	ctx := context.Background()
	put, err := c.PresignedPutObject(ctx, "uploads", "in/clip.mp4", 15*time.Minute)
	require.NoError(t, err)
	get, err := c.PresignedGetObject(ctx, "uploads", "in/clip.mp4", 15*time.Minute, nil)
	require.NoError(t, err)

	do := func(method, u, origin string) *http.Response {
		t.Helper()
		var body io.Reader
		if method == http.MethodPut {
			body = strings.NewReader("hello")
		}
		req, err := http.NewRequest(method, u, body)
		require.NoError(t, err)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp
	}
	noCORS := func(resp *http.Response, what string) {
		t.Helper()
		for k := range resp.Header {
			assert.False(t, strings.HasPrefix(k, "Access-Control-"), "%s: no %s", what, k)
		}
	}

	resp := do(http.MethodPut, put.String(), site)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, site, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "ETag", resp.Header.Get("Access-Control-Expose-Headers"))
	assert.Contains(t, resp.Header.Values("Vary"), "Origin")
	assert.NotEmpty(t, resp.Header.Get("ETag"))

	resp = do(http.MethodPut, put.String(), "https://evil.example")
	require.Equal(t, http.StatusOK, resp.StatusCode, "S3 serves the request; the browser refuses the answer")
	noCORS(resp, "another origin")
	assert.Contains(t, resp.Header.Values("Vary"), "Origin")

	resp = do(http.MethodPut, put.String(), "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	noCORS(resp, "no Origin")

	resp = do(http.MethodGet, get.String(), site)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	noCORS(resp, "GET is not in the site's rule")

	resp = do(http.MethodGet, get.String(), "https://x.wild.example")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "https://x.wild.example", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, resp.Header.Get("Access-Control-Expose-Headers"))

	tampered := strings.Replace(put.String(), "in%2Fclip.mp4", "in%2Fother.mp4", 1)
	tampered = strings.Replace(tampered, "/in/clip.mp4", "/in/other.mp4", 1)
	require.NotEqual(t, put.String(), tampered)
	resp = do(http.MethodPut, tampered, site)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "signature of another key")
	assert.Equal(t, site, resp.Header.Get("Access-Control-Allow-Origin"), "the page can read the error")
}

// TestMinPartSize: with MinPartSize, CompleteMultipartUpload refuses a
// part but the last under it (EntityTooSmall) and accepts a small last
// part, as S3 does with 5 MiB; without it, any size goes.
func TestMinPartSize(t *testing.T) {
	const min = 5 << 20
	for _, tc := range []struct {
		name    string
		minPart int64
		parts   []int
		refused bool
	}{
		{"a small non-last part", min, []int{1024, 1024}, true},
		{"a byte under the minimum", min, []int{min - 1, 1}, true},
		{"a small middle part", min, []int{min, 1024, 1024}, true},
		{"the minimum and a one-byte last part", min, []int{min, 1}, false},
		{"two minimum parts and a small last", min, []int{min, min, 10}, false},
		{"one small part, which is the last", min, []int{1024}, false},
		{"no minimum: small parts", 0, []int{1024, 1024, 7}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, objectstoragetest.Options{MinPartSize: tc.minPart})
			c := minioCore(t, s)
			ctx := context.Background()
			key := "in/parts.mp4"
			id, err := c.NewMultipartUpload(ctx, "uploads", key, minio.PutObjectOptions{ContentType: "video/mp4"})
			require.NoError(t, err)
			var done []minio.CompletePart
			var all []byte
			for i, n := range tc.parts {
				data := bytes.Repeat([]byte{byte('a' + i)}, n)
				all = append(all, data...)
				p, err := c.PutObjectPart(ctx, "uploads", key, id, i+1, bytes.NewReader(data), int64(n), minio.PutObjectPartOptions{})
				require.NoError(t, err, "part %d: a part is accepted whatever its size; the completion judges", i+1)
				done = append(done, minio.CompletePart{PartNumber: i + 1, ETag: p.ETag})
			}
			_, err = c.CompleteMultipartUpload(ctx, "uploads", key, id, done, minio.PutObjectOptions{})
			s.Wait()
			if tc.refused {
				require.Error(t, err)
				assert.Equal(t, "EntityTooSmall", minio.ToErrorResponse(err).Code)
				assert.Equal(t, http.StatusBadRequest, minio.ToErrorResponse(err).StatusCode)
				assert.Empty(t, s.Keys("uploads"), "no object")
				assert.Empty(t, s.Events(), "no event")
				return
			}
			require.NoError(t, err)
			rc, err := s.Open("uploads", key)
			require.NoError(t, err)
			got, err := io.ReadAll(rc)
			require.NoError(t, err)
			_ = rc.Close()
			assert.Equal(t, all, got)
			require.Len(t, s.Events(), 1)
			assert.Equal(t, "CompleteMultipartUpload", s.Events()[0].Type)
		})
	}
}
