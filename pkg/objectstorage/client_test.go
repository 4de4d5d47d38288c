package objectstorage_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
)

const secret = "s3cr3t-key-never-printed-0123456789"

// fake starts an unsigned S3 fake with one bucket and returns a client to it.
func fake(t *testing.T, opts ...objectstorage.Option) (*objectstorage.Client, *s3mem.Backend) {
	t.Helper()
	be := s3mem.New()
	require.NoError(t, be.CreateBucket("uploads"))
	srv := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(srv.Close)
	c, err := objectstorage.New(objectstorage.Config{Endpoint: srv.URL, AccessKey: "AK", SecretKey: signing.NewSecret(secret)}, opts...)
	require.NoError(t, err)
	return c, be
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  objectstorage.Config
		want string
	}{
		{"no keys", objectstorage.Config{}, "set NCLOUD_ACCESS_KEY"},
		{"path", objectstorage.Config{Endpoint: "https://h/x", AccessKey: "a", SecretKey: signing.NewSecret("b")}, "no path"},
		{"scheme", objectstorage.Config{Endpoint: "ftp://h", AccessKey: "a", SecretKey: signing.NewSecret("b")}, "http(s) URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := objectstorage.New(tc.cfg)
			require.ErrorIs(t, err, objectstorage.ErrInvalid)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestUploadHeadList(t *testing.T) {
	for _, tc := range []struct {
		name      string
		size      int
		multipart bool
	}{
		{"empty", 0, false},
		{"small", 1000, false},
		{"at threshold", 5 << 20, false},
		{"multipart", 11<<20 + 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := fake(t, objectstorage.WithPartSize(5<<20))
			data := bytes.Repeat([]byte("0123456789abcdef"), tc.size/16+1)[:tc.size]
			var last int64
			obj, err := c.Upload(context.Background(), "uploads", "in/a b.mp4", bytes.NewReader(data), int64(len(data)), "video/mp4", func(d int64) { last = d })
			require.NoError(t, err)
			assert.Equal(t, int64(len(data)), last, "progress ends at the size")
			assert.Equal(t, int64(len(data)), obj.Size)
			sum := md5.Sum(data)
			if tc.multipart {
				assert.True(t, strings.HasSuffix(obj.ETag, "-3"), obj.ETag)
			} else {
				assert.Equal(t, hex.EncodeToString(sum[:]), obj.ETag)
			}
			head, err := c.Head(context.Background(), "uploads", "in/a b.mp4")
			require.NoError(t, err)
			assert.Equal(t, int64(len(data)), head.Size)
			if !tc.multipart { // gofakes3 stores a multipart object's ETag as the whole MD5
				assert.Equal(t, obj.ETag, head.ETag)
			}
			objs, next, err := c.List(context.Background(), "uploads", "in/", "", 10)
			require.NoError(t, err)
			assert.Empty(t, next)
			require.Len(t, objs, 1)
			assert.Equal(t, "in/a b.mp4", objs[0].Key)
		})
	}
}

func TestListPages(t *testing.T) {
	c, be := fake(t)
	for i := range 25 {
		_, err := be.PutObject("uploads", fmt.Sprintf("v/%02d.mp4", i), nil, strings.NewReader("x"), 1, nil)
		require.NoError(t, err)
	}
	_, err := be.PutObject("uploads", "other.mp4", nil, strings.NewReader("x"), 1, nil)
	require.NoError(t, err)
	var keys []string
	marker, calls := "", 0
	for {
		objs, next, err := c.List(context.Background(), "uploads", "v/", marker, 10)
		require.NoError(t, err)
		calls++
		for _, o := range objs {
			keys = append(keys, o.Key)
		}
		if next == "" {
			break
		}
		marker = next
	}
	assert.Equal(t, 3, calls)
	require.Len(t, keys, 25)
	assert.Equal(t, "v/00.mp4", keys[0])
	assert.Equal(t, "v/24.mp4", keys[24])
}

func TestNotFoundAndNoBucket(t *testing.T) {
	c, _ := fake(t)
	_, err := c.Head(context.Background(), "uploads", "nope.mp4")
	require.ErrorIs(t, err, objectstorage.ErrNotFound)
	assert.NotErrorIs(t, err, objectstorage.ErrNoBucket)
	assert.Contains(t, err.Error(), "objectstorage: head nope.mp4: no object")

	_, err = c.Head(context.Background(), "missing", "a.mp4")
	require.ErrorIs(t, err, objectstorage.ErrNoBucket)
	assert.Contains(t, err.Error(), `no bucket "missing"`)

	_, _, err = c.List(context.Background(), "missing", "", "", 10)
	require.ErrorIs(t, err, objectstorage.ErrNoBucket)

	_, err = c.Upload(context.Background(), "missing", "a.mp4", strings.NewReader("abc"), 3, "", nil)
	require.ErrorIs(t, err, objectstorage.ErrNoBucket)
	assert.False(t, objectstorage.Retryable(err))
}

func TestInvalidKey(t *testing.T) {
	c, _ := fake(t)
	for _, key := range []string{"", strings.Repeat("k", 1025), "bad\xff"} {
		_, err := c.Head(context.Background(), "uploads", key)
		require.ErrorIs(t, err, objectstorage.ErrInvalid)
	}
	require.NoError(t, objectstorage.ValidateKey(strings.Repeat("k", 1024)))
}

// refusing answers every request with a 403 S3 error of code.
func refusing(t *testing.T, code string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		if r.Method != http.MethodHead {
			fmt.Fprintf(w, `<?xml version="1.0"?><Error><Code>%s</Code><Message>refused</Message></Error>`, code)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAccessDenied(t *testing.T) {
	for _, tc := range []struct{ code, want string }{
		{"SignatureDoesNotMatch", "check NCLOUD_SECRET_KEY"},
		{"InvalidAccessKeyId", "check NCLOUD_ACCESS_KEY"},
		{"AccessDenied", "access denied"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			c, err := objectstorage.New(objectstorage.Config{Endpoint: refusing(t, tc.code), AccessKey: "AK", SecretKey: signing.NewSecret(secret)}, objectstorage.WithRetries(1))
			require.NoError(t, err)
			_, _, err = c.List(context.Background(), "uploads", "", "", 10)
			require.ErrorIs(t, err, objectstorage.ErrAccessDenied)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "403 "+tc.code)
			_, err = c.Upload(context.Background(), "uploads", "a.mp4", strings.NewReader("abc"), 3, "", nil)
			require.ErrorIs(t, err, objectstorage.ErrAccessDenied)
			assert.Contains(t, err.Error(), "objectstorage: upload a.mp4: ")
			assert.NotContains(t, err.Error(), secret)
			_, err = c.Head(context.Background(), "uploads", "a.mp4")
			require.ErrorIs(t, err, objectstorage.ErrAccessDenied)
		})
	}
}

func TestEndpointDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c, err := objectstorage.New(objectstorage.Config{Endpoint: "http://" + addr, AccessKey: "AK", SecretKey: signing.NewSecret(secret)}, objectstorage.WithRetries(1))
	require.NoError(t, err)
	ctx := redact.NewContext(context.Background(), redact.New("uploads-private-name"))
	_, err = c.Upload(ctx, "uploads", "a.mp4", strings.NewReader("abc"), 3, "", nil)
	require.ErrorIs(t, err, objectstorage.ErrUnreachable)
	assert.True(t, objectstorage.Retryable(err))
	assert.Contains(t, err.Error(), "cannot reach Object Storage at http://"+addr)
	_, _, err = c.List(ctx, "uploads", "", "", 1)
	require.ErrorIs(t, err, objectstorage.ErrUnreachable)
	_, err = c.Head(ctx, "uploads", "a.mp4")
	require.ErrorIs(t, err, objectstorage.ErrUnreachable)
}

// shrinking is a source that ends at have although the upload was told size.
type shrinking struct {
	data []byte
	have int64
}

func (s *shrinking) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.have {
		return 0, io.EOF
	}
	n := copy(p, s.data[off:min(int64(len(s.data)), s.have)])
	if off+int64(n) >= s.have {
		return n, io.EOF
	}
	return n, nil
}

func TestSourceShrinks(t *testing.T) {
	for _, tc := range []struct {
		name       string
		size, have int64
	}{
		{"single PUT", 1000, 400},
		{"multipart, in the last part", 11 << 20, 10 << 20},
		{"multipart, vanished", 11 << 20, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, be := fake(t, objectstorage.WithPartSize(5<<20), objectstorage.WithRetries(1))
			src := &shrinking{data: make([]byte, tc.size), have: tc.have}
			_, err := c.Upload(context.Background(), "uploads", "a.mp4", src, tc.size, "", nil)
			require.ErrorIs(t, err, objectstorage.ErrSourceChanged)
			assert.True(t, objectstorage.Retryable(err))
			assert.Contains(t, err.Error(), "the file shrank")
			_, err = c.Head(context.Background(), "uploads", "a.mp4")
			require.ErrorIs(t, err, objectstorage.ErrNotFound, "nothing is created")
			up, err := be.ListBucket("uploads", nil, gofakes3.ListBucketPage{})
			require.NoError(t, err)
			assert.Empty(t, up.Contents)
			// Retryable: the whole file uploads on the next try.
			src.have = tc.size
			_, err = c.Upload(context.Background(), "uploads", "a.mp4", src, tc.size, "", nil)
			require.NoError(t, err)
		})
	}
}

func TestPresignPut(t *testing.T) {
	c, _ := fake(t)
	u, headers, err := c.PresignPut("uploads", "p/a.mp4", "video/mp4", 10*time.Minute)
	require.NoError(t, err)
	assert.Contains(t, u, "/uploads/p/a.mp4?")
	assert.Contains(t, u, "X-Amz-Signature=")
	assert.Contains(t, u, "X-Amz-SignedHeaders=content-type%3Bhost")
	assert.Equal(t, map[string]string{"Content-Type": "video/mp4"}, headers)
	req, err := http.NewRequest(http.MethodPut, u, strings.NewReader("video"))
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	obj, err := c.Head(context.Background(), "uploads", "p/a.mp4")
	require.NoError(t, err)
	assert.Equal(t, int64(5), obj.Size)

	_, _, err = c.PresignPut("uploads", "p/a.mp4", "", 8*24*time.Hour)
	require.ErrorIs(t, err, objectstorage.ErrInvalid)
}
