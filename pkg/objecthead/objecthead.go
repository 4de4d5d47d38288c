// Package objecthead owns the one Object Storage request the upload
// sequence makes: a HEAD of the uploaded object, for its ETag, size and
// time, signed with AWS Signature Version 4 (NCP Object Storage's
// signature, with the NCP API key pair) by a small signer on the standard
// library alone, so that lookup-category does not link an S3 library.
//
// [Sign] signs a request without a body as AWS's SigV4 test suite and the
// S3 documentation define it (both tested as known answers); [Head] sends
// one path-style HEAD to an endpoint such as
// https://kr.object.ncloudstorage.com.
package objecthead

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/signing"
)

// EmptyPayloadHash is the SHA-256 of an empty body, the payload hash of a
// HEAD or GET.
const EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Header names of SigV4.
const (
	HeaderDate          = "X-Amz-Date"
	HeaderContentSHA256 = "X-Amz-Content-Sha256"
	HeaderAuthorization = "Authorization"
)

const timeFormat = "20060102T150405Z"

// Signer signs requests for one region and service ("s3" for Object
// Storage).
type Signer struct {
	Credentials signing.Credentials
	Region      string
	Service     string
	// ContentHeader adds X-Amz-Content-Sha256 (S3 requires it; AWS's
	// generic test suite has none).
	ContentHeader bool
	// Headers are more headers to sign, beside the host and X-Amz-*
	// (lower case; those the request has).
	Headers []string
}

// Sign signs req, which has no body, at now: it sets X-Amz-Date (and
// X-Amz-Content-Sha256 with ContentHeader) and Authorization, signing the
// host and every X-Amz-* header. The request's path is sent as it was
// signed: each segment percent-encoded except unreserved characters.
func (s Signer) Sign(req *http.Request, now time.Time) error {
	if err := s.Credentials.Valid(); err != nil {
		return err
	}
	stamp := now.UTC().Format(timeFormat)
	req.Header.Set(HeaderDate, stamp)
	if s.ContentHeader {
		req.Header.Set(HeaderContentSHA256, EmptyPayloadHash)
	}
	path := req.URL.Path
	if path == "" {
		path = "/"
	}
	canonicalURI := uriEncode(path, false)
	req.URL.RawPath = canonicalURI

	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	headers := map[string]string{"host": host}
	for name, vals := range req.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") || slices.Contains(s.Headers, lower) {
			trimmed := make([]string, len(vals))
			for i, v := range vals {
				trimmed[i] = strings.Join(strings.Fields(v), " ")
			}
			headers[lower] = strings.Join(trimmed, ",")
		}
	}
	names := make([]string, 0, len(headers))
	for n := range headers {
		names = append(names, n)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, n := range names {
		canonHeaders.WriteString(n + ":" + headers[n] + "\n")
	}
	signed := strings.Join(names, ";")
	canonical := strings.Join([]string{req.Method, canonicalURI, canonicalQuery(req.URL.Query()), canonHeaders.String(), signed, EmptyPayloadHash}, "\n")
	scope := stamp[:8] + "/" + s.Region + "/" + s.Service + "/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+s.Credentials.SecretKey.Reveal()), stamp[:8])
	for _, part := range []string{s.Region, s.Service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	req.Header.Set(HeaderAuthorization, "AWS4-HMAC-SHA256 Credential="+s.Credentials.AccessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalQuery sorts the parameters by name, then value, each encoded.
func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes every byte but the unreserved characters
// (A-Z a-z 0-9 - . _ ~), and "/" too when encodeSlash is set.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// Info is what a HEAD says of an object.
type Info struct {
	// ETag is the object's ETag without its quotes.
	ETag string
	// Size is Content-Length.
	Size int64
	// LastModified is the Last-Modified time (zero when absent).
	LastModified time.Time
}

// ErrNotFound reports an object (or bucket) that does not exist (404).
var ErrNotFound = errors.New("objecthead: no such object")

// ErrAccessDenied reports a 403: a wrong key pair, a clock too far off, or
// a key without Object Storage access to the bucket.
var ErrAccessDenied = errors.New("objecthead: access denied")

// Client sends HEADs to one endpoint.
type Client struct {
	// Endpoint is the scheme and host, e.g. https://kr.object.ncloudstorage.com.
	Endpoint string
	// Signer signs each request (Service "s3", ContentHeader true).
	Signer Signer
	// HTTP sends the requests (default http.DefaultClient; give it a
	// timeout).
	HTTP *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// New returns a client of endpoint for region, signing with creds.
func New(endpoint, region string, creds signing.Credentials, hc *http.Client) *Client {
	return &Client{Endpoint: strings.TrimRight(endpoint, "/"), HTTP: hc,
		Signer: Signer{Credentials: creds, Region: region, Service: "s3", ContentHeader: true}}
}

// Head returns the object's ETag, size and time. A 404 matches
// ErrNotFound and a 403 ErrAccessDenied; any error names the bucket and
// key and never carries the secret.
func (c *Client) Head(ctx context.Context, bucket, key string) (Info, error) {
	what := fmt.Sprintf("HEAD %s/%s", bucket, key)
	if bucket == "" || key == "" {
		return Info{}, fmt.Errorf("objecthead: %s: bucket and key are required", what)
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || u.Host == "" {
		return Info{}, fmt.Errorf("objecthead: endpoint %q is not a URL", c.Endpoint)
	}
	u.Path = "/" + bucket + "/" + strings.TrimPrefix(key, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u.String(), nil)
	if err != nil {
		return Info{}, fmt.Errorf("objecthead: %s: %w", what, err)
	}
	req.URL.Path = u.Path
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if err := c.Signer.Sign(req, now()); err != nil {
		return Info{}, fmt.Errorf("objecthead: %s: %w", what, err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Info{}, fmt.Errorf("objecthead: %s: Object Storage at %s did not answer: %w", what, u.Host, err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Info{}, fmt.Errorf("%w: %s answered 404 (the bucket or the object does not exist)", ErrNotFound, what)
	case resp.StatusCode == http.StatusForbidden:
		return Info{}, fmt.Errorf("%w: %s answered 403 (check NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY, the key's Object Storage permission on the bucket, OBJECT_STORAGE_REGION, and the clock)", ErrAccessDenied, what)
	case resp.StatusCode/100 != 2:
		return Info{}, fmt.Errorf("objecthead: %s answered %s", what, resp.Status)
	}
	info := Info{ETag: strings.Trim(resp.Header.Get("ETag"), `"`)}
	if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil {
		info.Size = n
	}
	if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		info.LastModified = t
	}
	return info, nil
}
