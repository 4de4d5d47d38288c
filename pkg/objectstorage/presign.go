package objectstorage

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/minio/minio-go/v7"
)

// MinPartSize is the smallest part S3 (and NCP) accepts in a multipart
// upload, the last part excepted.
const MinPartSize = 5 << 20

// MaxPutSize is the largest object one PUT may write (S3's limit: 5 GiB).
const MaxPutSize = 5 << 30

// MaxObjectSize is the largest object a multipart upload may write (S3's
// limit: 5 TiB).
const MaxObjectSize = 5 << 40

// PresignPutSize is PresignPut for an upload of exactly size bytes: the
// signature covers Content-Length as well as Content-Type, so Object
// Storage refuses a body of any other size or another type. The headers
// returned are the ones the uploader must set (Content-Type); every HTTP
// client sends Content-Length from the body itself (browsers forbid
// setting it).
func (c *Client) PresignPutSize(bucket, key, contentType string, size int64, expiry time.Duration) (string, map[string]string, error) {
	if size < 0 || size > MaxPutSize {
		return "", nil, c.fail(context.Background(), "presign", bucket, key, fmt.Errorf("size %d: want 0 to %d bytes for one PUT: %w", size, int64(MaxPutSize), ErrInvalid))
	}
	h := http.Header{}
	headers := map[string]string{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
		headers["Content-Type"] = contentType
	}
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	u, err := c.presign(http.MethodPut, bucket, key, expiry, nil, h)
	if err != nil {
		return "", nil, err
	}
	return u, headers, nil
}

// NewMultipart starts a multipart upload of bucket/key (one
// CreateMultipartUpload call) with contentType, and returns its upload id,
// for PresignPart, PresignComplete and PresignAbort.
func (c *Client) NewMultipart(ctx context.Context, bucket, key, contentType string) (string, error) {
	if err := validBucket(bucket); err != nil {
		return "", c.fail(ctx, "create multipart upload", bucket, key, err)
	}
	if err := ValidateKey(key); err != nil {
		return "", c.fail(ctx, "create multipart upload", bucket, key, err)
	}
	id, err := c.core.NewMultipartUpload(ctx, bucket, key, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return "", c.fail(ctx, "create multipart upload", bucket, key, err)
	}
	return id, nil
}

// PresignPart returns a URL that PUTs part number (1 to MaxParts) of the
// multipart upload uploadID, of exactly size bytes (Content-Length is
// signed). Its answer's ETag header is what CompleteMultipartUpload needs.
func (c *Client) PresignPart(bucket, key, uploadID string, number int, size int64, expiry time.Duration) (string, error) {
	if number < 1 || number > MaxParts || size < 1 || size > MaxPutSize || uploadID == "" {
		return "", c.fail(context.Background(), "presign", bucket, key, fmt.Errorf("part %d of %d bytes of upload %q: want part 1 to %d, 1 byte to 5 GiB, an upload id: %w", number, size, uploadID, MaxParts, ErrInvalid))
	}
	q := url.Values{"uploadId": {uploadID}, "partNumber": {strconv.Itoa(number)}}
	h := http.Header{"Content-Length": {strconv.FormatInt(size, 10)}}
	return c.presign(http.MethodPut, bucket, key, expiry, q, h)
}

// PresignComplete returns a URL that POSTs the CompleteMultipartUpload XML
// of uploadID.
func (c *Client) PresignComplete(bucket, key, uploadID string, expiry time.Duration) (string, error) {
	return c.presign(http.MethodPost, bucket, key, expiry, url.Values{"uploadId": {uploadID}}, nil)
}

// PresignAbort returns a URL that DELETEs (aborts) the multipart upload
// uploadID.
func (c *Client) PresignAbort(bucket, key, uploadID string, expiry time.Duration) (string, error) {
	return c.presign(http.MethodDelete, bucket, key, expiry, url.Values{"uploadId": {uploadID}}, nil)
}

// presign signs one request of method on bucket/key with the query q and
// the headers h, valid for expiry (1 s to MaxPresignExpiry).
func (c *Client) presign(method, bucket, key string, expiry time.Duration, q url.Values, h http.Header) (string, error) {
	ctx := context.Background()
	if err := validBucket(bucket); err != nil {
		return "", c.fail(ctx, "presign", bucket, key, err)
	}
	if err := ValidateKey(key); err != nil {
		return "", c.fail(ctx, "presign", bucket, key, err)
	}
	if expiry < time.Second || expiry > MaxPresignExpiry {
		return "", c.fail(ctx, "presign", bucket, key, fmt.Errorf("expiry %s: want 1s to %s: %w", expiry, MaxPresignExpiry, ErrInvalid))
	}
	u, err := c.mc.PresignHeader(ctx, method, bucket, key, expiry, q, h)
	if err != nil {
		return "", c.fail(ctx, "presign", bucket, key, err)
	}
	return u.String(), nil
}
