package objectstorage

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/signer"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
)

const (
	// DefaultEndpoint is NCP Object Storage in Korea.
	DefaultEndpoint = "https://kr.object.ncloudstorage.com"
	// DefaultRegion is the SigV4 region of DefaultEndpoint.
	DefaultRegion = "kr-standard"
	// MaxKeyLen is the longest object key, in bytes.
	MaxKeyLen = 1024
	// MaxListKeys is the most objects one List call returns.
	MaxListKeys = 1000
	// MaxPresignExpiry is the longest a presigned URL may live (SigV4's limit).
	MaxPresignExpiry = 7 * 24 * time.Hour
)

// Config says where Object Storage is and which keys sign for it.
type Config struct {
	// Endpoint is the service URL, scheme and host only; DefaultEndpoint if
	// empty. Buckets are always addressed path-style (Endpoint/bucket/key).
	Endpoint string
	// Region is the SigV4 region; DefaultRegion if empty.
	Region string
	// AccessKey is the NCP access key (NCLOUD_ACCESS_KEY).
	AccessKey string
	// SecretKey is the NCP secret key (NCLOUD_SECRET_KEY).
	SecretKey signing.Secret
}

// Option changes how a Client is made.
type Option func(*options)

type options struct {
	transport   http.RoundTripper
	retries     int
	concurrency int
	partSize    int64
}

// WithHTTPClient sends every request through hc's Transport (its Timeout is
// not used: bound an operation with its context).
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) {
		if hc != nil && hc.Transport != nil {
			o.transport = hc.Transport
		}
	}
}

// WithRetries sets how many times a request is tried on a network error or
// a 5xx answer before the operation fails; default 3.
func WithRetries(n int) Option { return func(o *options) { o.retries = max(n, 1) } }

// WithConcurrency sets how many parts of a multipart upload are sent at
// once; default 4. Memory does not depend on it: parts are read from the
// source as they are sent.
func WithConcurrency(n int) Option { return func(o *options) { o.concurrency = max(n, 1) } }

// WithPartSize sets the multipart part size (and so the threshold above
// which an upload is multipart); default PartSize. S3 wants at least 5 MiB
// for every part but the last; the emulator accepts less, for tests.
func WithPartSize(n int64) Option { return func(o *options) { o.partSize = max(n, 1) } }

// Client talks to one Object Storage endpoint with one pair of keys. It is
// safe for concurrent use.
type Client struct {
	mc        *minio.Client
	core      minio.Core
	hc        *http.Client
	endpoint  string // scheme://host, for messages and List
	region    string
	accessKey string
	secret    signing.Secret
	scrub     *redact.Set
	opts      options
}

// New makes a Client. It checks cfg but sends nothing.
func New(cfg Config, opts ...Option) (*Client, error) {
	o := options{transport: http.DefaultTransport, retries: 3, concurrency: 4, partSize: PartSize}
	for _, f := range opts {
		f(&o)
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return nil, fmt.Errorf("objectstorage: endpoint %q: want an http(s) URL with a host and no path, such as %s: %w", redact.URL(cfg.Endpoint), DefaultEndpoint, ErrInvalid)
	}
	if cfg.AccessKey == "" || cfg.SecretKey.Empty() {
		return nil, fmt.Errorf("objectstorage: no access key or secret key: set NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY: %w", ErrInvalid)
	}
	mc, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey.Reveal(), ""),
		Secure:       u.Scheme == "https",
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
		Transport:    o.transport,
		MaxRetries:   o.retries,
	})
	if err != nil {
		return nil, fmt.Errorf("objectstorage: endpoint %s: %w", u.Host, err)
	}
	return &Client{
		mc: mc, core: minio.Core{Client: mc}, hc: &http.Client{Transport: o.transport},
		endpoint: u.Scheme + "://" + u.Host, region: cfg.Region,
		accessKey: cfg.AccessKey, secret: cfg.SecretKey,
		scrub: redact.New(cfg.SecretKey.Reveal()), opts: o,
	}, nil
}

// Endpoint returns the endpoint the client talks to (scheme://host).
func (c *Client) Endpoint() string { return c.endpoint }

// Object is what Object Storage says of one object.
type Object struct {
	// Key is the object's key.
	Key string `json:"key"`
	// ETag is the entity tag without quotes (the MD5 of a single PUT; for
	// a multipart upload, another value ending in -<parts>).
	ETag string `json:"etag"`
	// Size is the size in bytes.
	Size int64 `json:"size"`
	// LastModified is when the object was last written.
	LastModified time.Time `json:"last_modified"`
}

// ValidateKey checks key the way Object Storage will: not empty, valid
// UTF-8, at most MaxKeyLen bytes. Its error matches ErrInvalid.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("the key is empty: %w", ErrInvalid)
	case !utf8.ValidString(key):
		return fmt.Errorf("the key is not valid UTF-8: %w", ErrInvalid)
	case len(key) > MaxKeyLen:
		return fmt.Errorf("the key is %d bytes, more than the %d Object Storage allows: %w", len(key), MaxKeyLen, ErrInvalid)
	}
	return nil
}

func validBucket(bucket string) error {
	if bucket == "" {
		return fmt.Errorf("no bucket given: %w", ErrInvalid)
	}
	if len(bucket) < 3 || len(bucket) > 63 || strings.Trim(bucket, "abcdefghijklmnopqrstuvwxyz0123456789-.") != "" {
		return fmt.Errorf("bucket name %q: want 3 to 63 lowercase letters, digits, hyphens and dots: %w", bucket, ErrInvalid)
	}
	return nil
}

// Head returns what Object Storage says of bucket/key. A missing object is
// ErrNotFound, a missing bucket ErrNoBucket (told apart by a second HEAD, on
// the bucket, only when the first answers 404).
func (c *Client) Head(ctx context.Context, bucket, key string) (Object, error) {
	if err := validBucket(bucket); err != nil {
		return Object{}, c.fail(ctx, "head", bucket, key, err)
	}
	if err := ValidateKey(key); err != nil {
		return Object{}, c.fail(ctx, "head", bucket, key, err)
	}
	info, err := c.mc.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
			if ok, berr := c.mc.BucketExists(ctx, bucket); berr == nil && !ok {
				err = minio.ErrorResponse{StatusCode: 404, Code: "NoSuchBucket", BucketName: bucket}
			}
		}
		return Object{}, c.fail(ctx, "head", bucket, key, err)
	}
	return Object{Key: key, ETag: strings.Trim(info.ETag, `"`), Size: info.Size, LastModified: info.LastModified.UTC()}, nil
}

// emptySHA256 is the SHA-256 of an empty body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// List returns up to max objects of bucket under prefix, in key order,
// after marker (exclusive; "" for the start), with one ListObjects (V1)
// call: NCP does not support List Objects V2. next is the marker of the
// following page, "" when there is none. max is clamped to 1..MaxListKeys.
func (c *Client) List(ctx context.Context, bucket, prefix, marker string, max int) (objs []Object, next string, err error) {
	if err := validBucket(bucket); err != nil {
		return nil, "", c.fail(ctx, "list", bucket, "", err)
	}
	max = min(MaxListKeys, maxInt(max, 1))
	q := url.Values{}
	q.Set("prefix", prefix)
	q.Set("max-keys", strconv.Itoa(max))
	if marker != "" {
		q.Set("marker", marker)
	}
	u := c.endpoint + "/" + bucket + "/?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	var res minio.ListBucketResult
	var last error
	for attempt := range c.opts.retries {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, "", c.fail(ctx, "list", bucket, "", ctx.Err())
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		res, last = c.listOnce(ctx, u, bucket)
		if last == nil || !retryableErr(last) {
			break
		}
	}
	if last != nil {
		return nil, "", c.fail(ctx, "list", bucket, "", last)
	}
	objs = make([]Object, 0, len(res.Contents))
	for _, o := range res.Contents {
		objs = append(objs, Object{Key: o.Key, ETag: strings.Trim(o.ETag, `"`), Size: o.Size, LastModified: o.LastModified.UTC()})
	}
	if res.IsTruncated && len(objs) > 0 {
		next = res.NextMarker
		if next == "" {
			next = objs[len(objs)-1].Key
		}
	}
	return objs, next, nil
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// retryableErr says whether one list attempt may be tried again.
func retryableErr(err error) bool {
	if r := minio.ToErrorResponse(err); r.StatusCode != 0 {
		return r.StatusCode >= 500 || r.StatusCode == 429
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// listOnce sends one signed ListObjects request.
func (c *Client) listOnce(ctx context.Context, u, bucket string) (minio.ListBucketResult, error) {
	var res minio.ListBucketResult
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return res, err
	}
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	req = signer.SignV4(*req, c.accessKey, c.secret.Reveal(), "", c.region)
	resp, err := c.hc.Do(req)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return res, err
	}
	if resp.StatusCode != http.StatusOK {
		er := minio.ErrorResponse{StatusCode: resp.StatusCode, BucketName: bucket}
		_ = xml.Unmarshal(body, &er)
		er.StatusCode = resp.StatusCode
		if er.Code == "" {
			er.Code = http.StatusText(resp.StatusCode)
			if resp.StatusCode == http.StatusNotFound {
				er.Code = "NoSuchBucket"
			}
		}
		return res, er
	}
	if err := xml.Unmarshal(body, &res); err != nil {
		return res, fmt.Errorf("the listing is not S3 XML: %w", err)
	}
	return res, nil
}

// PresignPut returns a URL that uploads bucket/key with one PUT until
// expiry passes, and the headers the upload must send with it (the
// signature covers them: Content-Type when contentType is given). expiry
// is 1 s to MaxPresignExpiry. The URL carries a signature: treat it as a
// secret for its lifetime.
func (c *Client) PresignPut(bucket, key, contentType string, expiry time.Duration) (string, map[string]string, error) {
	ctx := context.Background()
	if err := validBucket(bucket); err != nil {
		return "", nil, c.fail(ctx, "presign", bucket, key, err)
	}
	if err := ValidateKey(key); err != nil {
		return "", nil, c.fail(ctx, "presign", bucket, key, err)
	}
	if expiry < time.Second || expiry > MaxPresignExpiry {
		return "", nil, c.fail(ctx, "presign", bucket, key, fmt.Errorf("expiry %s: want 1s to %s: %w", expiry, MaxPresignExpiry, ErrInvalid))
	}
	headers := map[string]string{}
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
		headers["Content-Type"] = contentType
	}
	u, err := c.mc.PresignHeader(ctx, http.MethodPut, bucket, key, expiry, nil, h)
	if err != nil {
		return "", nil, c.fail(ctx, "presign", bucket, key, err)
	}
	return u.String(), headers, nil
}
