package ncpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/ncpfunctions"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// TestRedirectIsAnErrorNeverFollowed: both NCP clients are built on
// ncpapi.NewClient; a 3xx answer to any call is an error naming the status
// and the Location's host (never its query), the other host receives
// nothing, and the first receives exactly one request (add-files never
// re-sends).
func TestRedirectIsAnErrorNeverFollowed(t *testing.T) {
	creds := signing.Credentials{AccessKey: "AK", SecretKey: signing.NewSecret("SK-redirect-secret")}
	calls := []struct {
		name string
		call func(ctx context.Context, base string, hc *http.Client) error
	}{
		{"vodstation add-files", func(ctx context.Context, base string, hc *http.Client) error {
			c, err := vodstation.New(base, creds, vodstation.WithHTTPClient(hc))
			require.NoError(t, err)
			_, err = c.AddFiles(ctx, "1", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a.mp4"}})
			return err
		}},
		{"vodstation category list (a read, retried on 5xx)", func(ctx context.Context, base string, hc *http.Client) error {
			c, err := vodstation.New(base, creds, vodstation.WithHTTPClient(hc))
			require.NoError(t, err)
			_, err = c.ListCategories(ctx, 1, 20)
			return err
		}},
		{"cloud functions put package", func(ctx context.Context, base string, hc *http.Client) error {
			c, err := ncpfunctions.New(base, creds, ncpfunctions.PlatformVPC, ncpfunctions.WithHTTPClient(hc))
			require.NoError(t, err)
			return c.PutPackage(ctx, "vodflow", ncpfunctions.PackageBody{})
		}},
	}
	clients := []struct {
		name string
		hc   func() *http.Client
	}{
		{"default client", func() *http.Client { return nil }},
		{"caller's client that follows redirects", func() *http.Client { return &http.Client{} }},
	}
	for _, status := range []int{301, 302, 307, 308} {
		for _, call := range calls {
			for _, cl := range clients {
				t.Run(strconv.Itoa(status)+"/"+call.name+"/"+cl.name, func(t *testing.T) {
					var elsewhere atomic.Int32
					other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
						elsewhere.Add(1)
						_, _ = w.Write([]byte(`{"content":[{"id":"99","filePath":"a.mp4"}],"total":1}`))
					}))
					t.Cleanup(other.Close)
					var first atomic.Int32
					api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						first.Add(1)
						w.Header().Set("Location", other.URL+"/steal?token=leaked-token-value")
						w.WriteHeader(status)
					}))
					t.Cleanup(api.Close)
					hc := cl.hc()

					err := call.call(context.Background(), api.URL, hc)

					require.Error(t, err)
					otherHost := mustHost(t, other.URL)
					assert.Contains(t, err.Error(), "HTTP "+strconv.Itoa(status))
					assert.Contains(t, err.Error(), "redirect to host "+otherHost+" not followed")
					assert.NotContains(t, err.Error(), "leaked-token-value")
					assert.NotContains(t, err.Error(), "/steal")
					assert.Zero(t, elsewhere.Load(), "the other host receives nothing")
					assert.Equal(t, int32(1), first.Load(), "exactly one request")
					if hc != nil {
						assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
					}
				})
			}
		}
	}
}

func TestRedirectWithoutLocation(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(api.Close)
	c, err := vodstation.New(api.URL, signing.Credentials{AccessKey: "AK", SecretKey: signing.NewSecret("SK")})
	require.NoError(t, err)
	_, err = c.AddFiles(context.Background(), "1", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a.mp4"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTP 302 Found: redirect without a Location, not followed")
	var ae *vodstation.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "redirected", ae.ErrorCode())
	assert.Equal(t, http.StatusBadGateway, ae.HTTPStatus())
}

func mustHost(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Host
}
