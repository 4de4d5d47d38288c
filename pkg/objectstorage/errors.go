package objectstorage

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/vodflow/vodflow/pkg/redact"
)

// The kinds of failure an [*Error] matches with errors.Is.
var (
	// ErrNotFound: the object does not exist (the bucket does).
	ErrNotFound = errors.New("object not found")
	// ErrNoBucket: the bucket does not exist (or is in another region).
	ErrNoBucket = errors.New("no such bucket")
	// ErrAccessDenied: Object Storage refused the keys or the permission (403).
	ErrAccessDenied = errors.New("access denied")
	// ErrUnreachable: the endpoint did not answer (refused, DNS, timeout).
	ErrUnreachable = errors.New("endpoint unreachable")
	// ErrSourceChanged: the file being uploaded shrank or vanished while it
	// was read; the upload was abandoned and may be run again.
	ErrSourceChanged = errors.New("source changed during upload")
	// ErrInvalid: the request was refused before it was sent (an empty or
	// too long key, a bad bucket name, a bad expiry).
	ErrInvalid = errors.New("invalid request")
)

// Error is the error of every operation of a [Client].
type Error struct {
	// Op is the operation: "head", "list", "upload", "presign".
	Op string
	// Bucket and Key name the target (Key is empty for a listing).
	Bucket, Key string
	// Status is the HTTP status Object Storage answered, 0 if none.
	Status int
	// Code is the S3 error code ("NoSuchBucket", "SignatureDoesNotMatch"), if any.
	Code string
	// Kind is one of the Err* sentinels, or nil for another failure.
	Kind error
	// Err is the underlying error.
	Err error

	msg string // the scrubbed text
}

// Error returns "objectstorage: <op> <key>: <what is wrong>".
func (e *Error) Error() string { return e.msg }

// Unwrap returns the kind and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// Retryable reports whether running the same operation again may succeed:
// an unreachable endpoint, a source that changed, a 5xx or 429 answer.
func Retryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case errors.Is(e.Kind, ErrUnreachable), errors.Is(e.Kind, ErrSourceChanged):
		return true
	case e.Status >= 500, e.Status == 429:
		return true
	}
	return false
}

// fail builds the *Error of op on bucket/key from err, with a text that says
// what is wrong, scrubbed of the client's secret and of ctx's redact.Set.
func (c *Client) fail(ctx context.Context, op, bucket, key string, err error) error {
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	e := &Error{Op: op, Bucket: bucket, Key: key, Err: err}
	var what string
	resp := minio.ToErrorResponse(err)
	var netErr net.Error
	var urlErr *url.Error
	switch {
	case errors.Is(err, ErrSourceChanged):
		e.Kind, what = ErrSourceChanged, err.Error()
	case errors.Is(err, ErrInvalid):
		e.Kind, what = ErrInvalid, err.Error()
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		what = err.Error()
	case resp.StatusCode != 0 || resp.Code != "":
		e.Status, e.Code = resp.StatusCode, resp.Code
		what = c.describe(e, resp)
	case errors.As(err, &netErr), errors.As(err, &urlErr), isDialError(err):
		e.Kind = ErrUnreachable
		what = fmt.Sprintf("cannot reach Object Storage at %s (is the endpoint right and up?): %v", c.endpoint, err)
	default:
		what = err.Error()
	}
	target := key
	if target == "" {
		target = bucket
	}
	msg := fmt.Sprintf("objectstorage: %s %s: %s", op, target, what)
	e.msg = c.scrub.String(redact.FromContext(ctx).String(msg))
	return e
}

// describe says what an S3 error answer means.
func (c *Client) describe(e *Error, resp minio.ErrorResponse) string {
	status := fmt.Sprintf("%d %s", resp.StatusCode, resp.Code)
	switch {
	case resp.Code == "NoSuchBucket":
		e.Kind = ErrNoBucket
		return fmt.Sprintf("no bucket %q at %s in region %s (%s): create it, or check the bucket name, the endpoint and the region", e.Bucket, c.endpoint, c.region, status)
	case resp.Code == "NoSuchKey" || resp.StatusCode == 404:
		e.Kind = ErrNotFound
		return fmt.Sprintf("no object %q in bucket %q (%s)", e.Key, e.Bucket, status)
	case resp.Code == "InvalidAccessKeyId":
		e.Kind = ErrAccessDenied
		return fmt.Sprintf("Object Storage does not know the access key (%s): check NCLOUD_ACCESS_KEY", status)
	case resp.Code == "SignatureDoesNotMatch":
		e.Kind = ErrAccessDenied
		return fmt.Sprintf("the signature does not match (%s): check NCLOUD_SECRET_KEY, and OBJECT_STORAGE_REGION (%s)", status, c.region)
	case resp.StatusCode == 403:
		e.Kind = ErrAccessDenied
		return fmt.Sprintf("access denied to bucket %q (%s): check NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY, and that the key's user may use Object Storage on this bucket", e.Bucket, status)
	}
	msg := resp.Message
	if msg == "" {
		msg = "Object Storage refused the request"
	}
	return fmt.Sprintf("%s (%s)", msg, status)
}

// isDialError reports a connection failure minio-go did not wrap in net.Error.
func isDialError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "connection refused") || strings.Contains(s, "no such host") ||
		strings.Contains(s, "connection reset")
}
