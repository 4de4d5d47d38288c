package objectstoragetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/signing"
)

func start(t *testing.T, opts objectstoragetest.Options) *objectstoragetest.Server {
	t.Helper()
	opts.Buckets = append(opts.Buckets, "uploads")
	s, err := objectstoragetest.Start(opts)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func client(t *testing.T, s *objectstoragetest.Server, access, secret, region string) *objectstorage.Client {
	t.Helper()
	c, err := objectstorage.New(objectstorage.Config{Endpoint: s.URL, Region: region, AccessKey: access, SecretKey: signing.NewSecret(secret)},
		objectstorage.WithPartSize(5<<20), objectstorage.WithRetries(1))
	require.NoError(t, err)
	return c
}

func good(t *testing.T, s *objectstoragetest.Server) *objectstorage.Client {
	return client(t, s, objectstoragetest.DefaultAccessKey, objectstoragetest.DefaultSecretKey, "")
}

func TestSignedOperationsAndEvents(t *testing.T) {
	s := start(t, objectstoragetest.Options{})
	var mu sync.Mutex
	var got []map[string]any
	s.OnCreate("uploads", func(ev map[string]any) { mu.Lock(); got = append(got, ev); mu.Unlock() })
	c := good(t, s)
	ctx := context.Background()
	small, err := c.Upload(ctx, "uploads", "in/a b+c.mp4", strings.NewReader("hello"), 5, "video/mp4", nil)
	require.NoError(t, err)
	big := bytes.Repeat([]byte{7}, 11<<20)
	_, err = c.Upload(ctx, "uploads", "in/big.mp4", bytes.NewReader(big), int64(len(big)), "", nil)
	require.NoError(t, err)
	s.Wait()

	head, err := c.Head(ctx, "uploads", "in/a b+c.mp4")
	require.NoError(t, err)
	assert.Equal(t, small.ETag, head.ETag)
	objs, _, err := c.List(ctx, "uploads", "in/", "", 10)
	require.NoError(t, err)
	assert.Len(t, objs, 2)

	require.Len(t, got, 2)
	byKey := map[string]map[string]any{}
	for _, ev := range got {
		byKey[ev["object_name"].(string)] = ev
	}
	assert.Equal(t, "PUT", byKey["in/a b+c.mp4"]["event_type"])
	assert.Equal(t, "CompleteMultipartUpload", byKey["in/big.mp4"]["event_type"])
	assert.Equal(t, int64(11<<20), byKey["in/big.mp4"]["size"])
	assert.Equal(t, head.ETag, byKey["in/a b+c.mp4"]["etag"])
	// pkg/events decodes the payload as is.
	raw, err := json.Marshal(byKey["in/a b+c.mp4"])
	require.NoError(t, err)
	objs2, err := events.Decode(raw, events.DecodeAuto)
	require.NoError(t, err)
	require.Len(t, objs2, 1)
	assert.Equal(t, "in/a b+c.mp4", objs2[0].Key)
	assert.Equal(t, "uploads", objs2[0].Bucket)
	assert.Equal(t, head.ETag, objs2[0].ETag)
	assert.Equal(t, int64(5), objs2[0].Size)
	assert.Equal(t, 0, s.Refused())
	calls := s.Calls()
	assert.Equal(t, 3, calls["UploadPart"])
	assert.Equal(t, 1, calls["ListObjects"])
}

func TestRefusesBadSignatures(t *testing.T) {
	for _, tc := range []struct {
		name, access, secret, region string
		kind                         error
		want                         string
	}{
		{"wrong secret", objectstoragetest.DefaultAccessKey, "wrong-secret", "", objectstorage.ErrAccessDenied, "SignatureDoesNotMatch"},
		{"unknown access key", "nobody", objectstoragetest.DefaultSecretKey, "", objectstorage.ErrAccessDenied, "InvalidAccessKeyId"},
		{"wrong region", objectstoragetest.DefaultAccessKey, objectstoragetest.DefaultSecretKey, "sg-standard", nil, "AuthorizationHeaderMalformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, objectstoragetest.Options{})
			var fired atomic.Int32
			s.OnCreate("uploads", func(map[string]any) { fired.Add(1) })
			c := client(t, s, tc.access, tc.secret, tc.region)
			_, err := c.Upload(context.Background(), "uploads", "a.mp4", strings.NewReader("abc"), 3, "", nil)
			require.Error(t, err)
			if tc.kind != nil {
				require.ErrorIs(t, err, tc.kind)
			}
			assert.Contains(t, err.Error(), tc.want)
			_, _, err = c.List(context.Background(), "uploads", "", "", 10)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			s.Wait()
			assert.Zero(t, fired.Load(), "no event for a refused upload")
			assert.Empty(t, s.Keys("uploads"))
			assert.Equal(t, 2, s.Refused())
		})
	}
}

func TestUnsignedAndTampered(t *testing.T) {
	s := start(t, objectstoragetest.Options{})
	resp, err := http.Get(s.URL + "/uploads/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	c := good(t, s)
	u, _, err := c.PresignPut("uploads", "p.mp4", "", time.Minute)
	require.NoError(t, err)
	for _, tamper := range []func(string) string{
		func(u string) string { return strings.Replace(u, "p.mp4", "q.mp4", 1) },
		func(u string) string { return u + "&extra=1" },
		func(u string) string { return strings.Replace(u, "X-Amz-Expires=60", "X-Amz-Expires=600", 1) },
	} {
		req, _ := http.NewRequest(http.MethodPut, tamper(u), strings.NewReader("x"))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	}
	assert.Empty(t, s.Keys("uploads"))
}

func TestPresignedPutAndExpiry(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	s := start(t, objectstoragetest.Options{Clock: func() time.Time { return time.Unix(0, now.Load()) }})
	var fired atomic.Int32
	s.OnCreate("uploads", func(map[string]any) { fired.Add(1) })
	c := good(t, s)
	put := func(u string, headers map[string]string) int {
		req, _ := http.NewRequest(http.MethodPut, u, strings.NewReader("video"))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	// The client signs with the real clock; the server's clock is set to it.
	now.Store(time.Now().UnixNano())
	u, h, err := c.PresignPut("uploads", "p/a.mp4", "video/mp4", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, put(u, nil), "the signed Content-Type is missing")
	assert.Equal(t, http.StatusOK, put(u, h))
	now.Add(int64(2 * time.Minute))
	assert.Equal(t, http.StatusForbidden, put(u, h), "expired")
	s.Wait()
	assert.Equal(t, int32(1), fired.Load())
}

func TestDropEventsIsSeededAndRecorded(t *testing.T) {
	run := func(seed int64) []string {
		s := start(t, objectstoragetest.Options{DropEvents: 0.3, Seed: seed})
		var n atomic.Int32
		s.OnCreate("uploads", func(map[string]any) { n.Add(1) })
		c := good(t, s)
		for i := range 40 {
			_, err := c.Upload(context.Background(), "uploads", fmt.Sprintf("k%02d.mp4", i), strings.NewReader("x"), 1, "", nil)
			require.NoError(t, err)
		}
		s.Wait()
		var dropped []string
		for _, e := range s.Dropped() {
			dropped = append(dropped, e.Key)
		}
		assert.Len(t, s.Events(), 40)
		assert.Equal(t, 40-len(dropped), int(n.Load()), "every event is delivered or dropped")
		return dropped
	}
	a, b := run(7), run(7)
	assert.Equal(t, a, b, "the same seed drops the same events")
	assert.NotEmpty(t, a)
	assert.Less(t, len(a), 25)
}
