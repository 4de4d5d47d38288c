package objectstorage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
)

const (
	// PartSize is the default multipart part size: 16 MiB, so the largest
	// object (10,000 parts) is about 156 GiB.
	PartSize = 16 << 20
	// MaxParts is the most parts of one multipart upload.
	MaxParts = 10000
)

// MultipartThreshold returns the size above which Upload sends a multipart
// upload: the client's part size.
func (c *Client) MultipartThreshold() int64 { return c.opts.partSize }

// Upload writes size bytes of r to bucket/key with contentType (empty: Object
// Storage's default). Up to the part size (PartSize by default) it sends one
// PUT; above, a multipart upload of part-size parts, a few at once, and
// aborts it on failure. r is read through io.SectionReaders as the bytes are
// sent, so memory does not grow with size. progress, if not nil, is called
// with the bytes sent so far (it may go back when a part is re-sent).
//
// If r ends before size bytes (a file truncated or replaced mid-upload), the
// upload fails with ErrSourceChanged and nothing is created: run it again.
func (c *Client) Upload(ctx context.Context, bucket, key string, r io.ReaderAt, size int64, contentType string, progress func(done int64)) (Object, error) {
	if err := validBucket(bucket); err != nil {
		return Object{}, c.fail(ctx, "upload", bucket, key, err)
	}
	if err := ValidateKey(key); err != nil {
		return Object{}, c.fail(ctx, "upload", bucket, key, err)
	}
	if size < 0 {
		return Object{}, c.fail(ctx, "upload", bucket, key, fmt.Errorf("size %d: %w", size, ErrInvalid))
	}
	part := c.opts.partSize
	if size > part*MaxParts {
		part = (size + MaxParts - 1) / MaxParts
	}
	var sent atomic.Int64
	report := func(d int64) {
		if progress != nil {
			progress(sent.Add(d))
		} else {
			sent.Add(d)
		}
	}
	opts := minio.PutObjectOptions{ContentType: contentType, DisableContentSha256: true}
	if size <= c.opts.partSize {
		src := &exactReader{sr: io.NewSectionReader(r, 0, size), want: size, report: report}
		info, err := c.core.PutObject(ctx, bucket, key, src, size, "", "", opts)
		if err != nil {
			return Object{}, c.fail(ctx, "upload", bucket, key, src.cause(err))
		}
		return Object{Key: key, ETag: strings.Trim(info.ETag, `"`), Size: size, LastModified: info.LastModified.UTC()}, nil
	}
	id, err := c.core.NewMultipartUpload(ctx, bucket, key, opts)
	if err != nil {
		return Object{}, c.fail(ctx, "upload", bucket, key, err)
	}
	parts, err := c.sendParts(ctx, bucket, key, id, r, size, part, report)
	if err != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = c.core.AbortMultipartUpload(actx, bucket, key, id)
		return Object{}, c.fail(ctx, "upload", bucket, key, err)
	}
	info, err := c.core.CompleteMultipartUpload(ctx, bucket, key, id, parts, minio.PutObjectOptions{})
	if err != nil {
		return Object{}, c.fail(ctx, "upload", bucket, key, err)
	}
	return Object{Key: key, ETag: strings.Trim(info.ETag, `"`), Size: size, LastModified: time.Now().UTC()}, nil
}

// sendParts sends the parts of one multipart upload, concurrency at a time,
// and returns them in order. The first error cancels the rest.
func (c *Client) sendParts(ctx context.Context, bucket, key, id string, r io.ReaderAt, size, part int64, report func(int64)) ([]minio.CompletePart, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	n := int((size + part - 1) / part)
	parts := make([]minio.CompletePart, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, c.opts.concurrency)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(num int, off int64) {
			defer wg.Done()
			defer func() { <-sem }()
			length := min(part, size-off)
			src := &exactReader{sr: io.NewSectionReader(r, off, length), want: length, report: report}
			p, err := c.core.PutObjectPart(ctx, bucket, key, id, num, src, length, minio.PutObjectPartOptions{DisableContentSha256: true})
			if err != nil {
				cancel(src.cause(err))
				return
			}
			mu.Lock()
			parts = append(parts, minio.CompletePart{PartNumber: num, ETag: p.ETag})
			mu.Unlock()
		}(i+1, int64(i)*part)
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].PartNumber < parts[j].PartNumber })
	return parts, nil
}

// exactReader reads a section of the source and tells a source that ended
// early (ErrSourceChanged) from a network failure. It seeks, so minio-go can
// rewind it to retry, and takes back the progress of a rewound attempt.
type exactReader struct {
	sr     *io.SectionReader
	want   int64
	read   int64
	report func(int64)
	short  error
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.sr.Read(p)
	e.read += int64(n)
	if n > 0 {
		e.report(int64(n))
	}
	if err == io.EOF && e.read < e.want {
		e.short = fmt.Errorf("the source ended after %d of %d bytes of this part: the file shrank or was replaced while it was read; nothing was created, upload it again: %w", e.read, e.want, ErrSourceChanged)
		return n, e.short
	}
	return n, err
}

func (e *exactReader) Seek(offset int64, whence int) (int64, error) {
	pos, err := e.sr.Seek(offset, whence)
	if err == nil && pos < e.read {
		e.report(pos - e.read)
		e.read = pos
	}
	return pos, err
}

// cause returns the short-source error when that is what made err.
func (e *exactReader) cause(err error) error {
	if e.short != nil && !errors.Is(err, ErrSourceChanged) {
		return e.short
	}
	return err
}
