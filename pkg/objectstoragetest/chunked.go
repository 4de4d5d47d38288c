package objectstoragetest

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// errChunked is a malformed aws-chunked body.
var errChunked = errors.New("objectstoragetest: malformed aws-chunked body")

// unchunk makes r's body the payload of an aws-chunked upload (SigV4
// streaming: STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-UNSIGNED-
// PAYLOAD-TRAILER…), as S3 stores it: without the chunk framing, with the
// decoded length (X-Amz-Decoded-Content-Length) as the content length.
// The seed signature is checked by verify; the chunk signatures and the
// trailing checksums are not. It reports false when the decoded length is
// missing or not a number.
func unchunk(r *http.Request) bool {
	n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return false
	}
	r.Body = &chunkReader{rc: r.Body, br: bufio.NewReader(r.Body), want: n}
	r.ContentLength = n
	r.Header.Set("Content-Length", strconv.FormatInt(n, 10))
	r.Header.Del("X-Amz-Decoded-Content-Length")
	if enc := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.Header.Get("Content-Encoding")), "aws-chunked")); enc != "" {
		r.Header.Set("Content-Encoding", strings.TrimPrefix(enc, ","))
	} else {
		r.Header.Del("Content-Encoding")
	}
	return true
}

// chunkReader reads the data of an aws-chunked body: "hex-size[;chunk-
// signature=…]\r\n" data "\r\n", ending with a chunk of size 0 (and the
// trailers, which it does not read). It fails when the data are not
// exactly want bytes.
type chunkReader struct {
	rc   io.ReadCloser
	br   *bufio.Reader
	left int64 // of the current chunk
	got  int64
	want int64
	done bool
	err  error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for c.left == 0 {
		if c.done {
			return 0, io.EOF
		}
		if c.got > 0 {
			// The previous chunk's data end with CRLF.
			if err := c.crlf(); err != nil {
				return 0, err
			}
		}
		line, err := c.br.ReadString('\n')
		if err != nil || !strings.HasSuffix(line, "\r\n") {
			return 0, c.fail()
		}
		size, _, _ := strings.Cut(strings.TrimSuffix(line, "\r\n"), ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 || c.got+n > c.want {
			return 0, c.fail()
		}
		if n == 0 {
			c.done = true
			if c.got != c.want {
				return 0, c.fail()
			}
			return 0, io.EOF
		}
		c.left = n
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.br.Read(p)
	c.left -= int64(n)
	c.got += int64(n)
	if err == io.EOF && c.left > 0 {
		return n, c.fail()
	}
	if err != nil && err != io.EOF {
		c.err = err
		return n, err
	}
	return n, nil
}

func (c *chunkReader) crlf() error {
	var b [2]byte
	if _, err := io.ReadFull(c.br, b[:]); err != nil || b != [2]byte{'\r', '\n'} {
		return c.fail()
	}
	return nil
}

func (c *chunkReader) fail() error {
	c.err = errChunked
	return c.err
}

func (c *chunkReader) Close() error { return c.rc.Close() }
