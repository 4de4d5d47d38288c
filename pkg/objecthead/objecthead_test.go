package objecthead_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/objecthead"
	"github.com/vodflow/vodflow/pkg/signing"
)

// TestSignKnownAnswers: the signatures AWS publishes, from its SigV4 test
// suite (aws-sig-v4-test-suite: get-vanilla, get-vanilla-query-order-key-case;
// service "service", us-east-1, 2015-08-30T12:36:00Z) and from the S3
// documentation's "Signature Calculations for the Authorization Header"
// examples (GET Object with a range, GET Bucket lifecycle, List Objects;
// examplebucket, 2013-05-24).
func TestSignKnownAnswers(t *testing.T) {
	suite := signing.Credentials{AccessKey: "AKIDEXAMPLE", SecretKey: signing.NewSecret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")}
	s3doc := signing.Credentials{AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: signing.NewSecret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")}
	suiteTime := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	s3Time := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		signer  objecthead.Signer
		url     string
		headers map[string]string
		at      time.Time
		want    string // the whole Authorization header
	}{
		{name: "get-vanilla", signer: objecthead.Signer{Credentials: suite, Region: "us-east-1", Service: "service"},
			url: "https://example.amazonaws.com/", at: suiteTime,
			want: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{name: "get-vanilla-query-order-key-case", signer: objecthead.Signer{Credentials: suite, Region: "us-east-1", Service: "service"},
			url: "https://example.amazonaws.com/?Param2=value2&Param1=value1", at: suiteTime,
			want: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
		{name: "S3 GET Object with a range", signer: objecthead.Signer{Credentials: s3doc, Region: "us-east-1", Service: "s3", ContentHeader: true, Headers: []string{"range"}},
			url: "https://examplebucket.s3.amazonaws.com/test.txt", headers: map[string]string{"Range": "bytes=0-9"}, at: s3Time,
			want: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
		{name: "S3 GET Bucket lifecycle", signer: objecthead.Signer{Credentials: s3doc, Region: "us-east-1", Service: "s3", ContentHeader: true},
			url: "https://examplebucket.s3.amazonaws.com/?lifecycle", at: s3Time,
			want: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"},
		{name: "S3 List Objects", signer: objecthead.Signer{Credentials: s3doc, Region: "us-east-1", Service: "s3", ContentHeader: true},
			url: "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", at: s3Time,
			want: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, tt.url, nil)
			require.NoError(t, err)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			require.NoError(t, tt.signer.Sign(req, tt.at))
			assert.Equal(t, tt.want, req.Header.Get(objecthead.HeaderAuthorization))
		})
	}
}

// TestSignPathEncoding: a key is signed and sent with every byte but the
// unreserved ones percent-encoded, once, "/" kept.
func TestSignPathEncoding(t *testing.T) {
	req, err := http.NewRequest(http.MethodHead, "https://kr.object.ncloudstorage.com/", nil)
	require.NoError(t, err)
	req.URL.Path = "/b/dir/a b+c$;#,한.mp4"
	s := objecthead.Signer{Credentials: signing.Credentials{AccessKey: "a", SecretKey: signing.NewSecret("s")}, Region: "kr-standard", Service: "s3"}
	require.NoError(t, s.Sign(req, time.Now()))
	assert.Equal(t, "/b/dir/a%20b%2Bc%24%3B%23%2C%ED%95%9C.mp4", req.URL.EscapedPath())
}

// TestHead: the answer's ETag, size and time; 404, 403 and an endpoint
// that is down are errors naming what is wrong, without the secret.
func TestHead(t *testing.T) {
	const secret = "SK-very-secret"
	creds := signing.Credentials{AccessKey: "AK", SecretKey: signing.NewSecret(secret)}
	var gotAuth, gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotPath = r.Header.Get("Authorization"), r.URL.EscapedPath()
		switch {
		case strings.HasSuffix(r.URL.Path, "/missing.mp4"):
			w.WriteHeader(http.StatusNotFound)
		case strings.HasSuffix(r.URL.Path, "/denied.mp4"):
			w.WriteHeader(http.StatusForbidden)
		default:
			w.Header().Set("ETag", `"abc123"`)
			w.Header().Set("Last-Modified", "Wed, 21 Oct 2026 07:28:00 GMT")
			w.Header().Set("Content-Length", "42")
		}
	}))
	defer srv.Close()
	c := objecthead.New(srv.URL, "kr-standard", creds, srv.Client())
	info, err := c.Head(context.Background(), "in-bucket", "dir/a b.mp4")
	require.NoError(t, err)
	assert.Equal(t, objecthead.Info{ETag: "abc123", Size: 42, LastModified: time.Date(2026, 10, 21, 7, 28, 0, 0, time.UTC)}, info)
	assert.Equal(t, "/in-bucket/dir/a%20b.mp4", gotPath)
	assert.Contains(t, gotAuth, "Credential=AK/")
	assert.Contains(t, gotAuth, "/kr-standard/s3/aws4_request")

	_, err = c.Head(context.Background(), "in-bucket", "missing.mp4")
	assert.ErrorIs(t, err, objecthead.ErrNotFound)
	assert.Contains(t, err.Error(), "in-bucket/missing.mp4")
	_, err = c.Head(context.Background(), "in-bucket", "denied.mp4")
	assert.ErrorIs(t, err, objecthead.ErrAccessDenied)
	assert.Contains(t, err.Error(), "NCLOUD_ACCESS_KEY")
	assert.NotContains(t, err.Error(), secret)

	down := objecthead.New("http://127.0.0.1:1", "kr-standard", creds, nil)
	_, err = down.Head(context.Background(), "in-bucket", "a.mp4")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "did not answer")
	assert.NotContains(t, err.Error(), secret)
}
