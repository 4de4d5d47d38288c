package objectstoragetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Default credentials and region of a Server made with zero Options.
const (
	DefaultAccessKey = "objectstoragetest-access-key"
	DefaultSecretKey = "objectstoragetest-secret-key"
	DefaultRegion    = "kr-standard"
)

// Options configure a Server.
type Options struct {
	// Credentials maps each access key accepted to its secret key;
	// default {DefaultAccessKey: DefaultSecretKey}.
	Credentials map[string]string
	// Region is the SigV4 region requests must be signed for; default
	// DefaultRegion.
	Region string
	// Clock returns the current time (default time.Now): the skew window
	// and the presigned expiry are judged by it.
	Clock func() time.Time
	// MaxSkew is how far a request's X-Amz-Date may be from Clock; default
	// 15 minutes, as S3.
	MaxSkew time.Duration
	// DropEvents is the fraction (0 to 1) of bucket events not delivered.
	DropEvents float64
	// Seed seeds the generator that picks the dropped events.
	Seed int64
	// Buckets are created at start.
	Buckets []string
	// Logf, when set, gets one line per refused request. Secrets are never
	// logged.
	Logf func(format string, args ...any)
	// CORS is each bucket's CORS configuration at start (see SetCORS and
	// PutBucketCors). A bucket without one answers every preflight with
	// 403 and adds no CORS header to its answers, as S3 does.
	CORS map[string][]CORSRule
	// MinPartSize, when set, is the smallest part but the last that
	// CompleteMultipartUpload accepts (S3: 5 MiB; EntityTooSmall
	// otherwise). Zero accepts any size, for tests of small uploads.
	MinPartSize int64
}

// Event is one bucket event: delivered to the rules, or dropped.
type Event struct {
	// Bucket, Key, Type ("PUT", "CompleteMultipartUpload"), ETag and Size
	// describe the object created.
	Bucket, Key, Type, ETag string
	Size                    int64
	// Time is when the object was created.
	Time time.Time
	// Dropped is true when DropEvents withheld it from the rules.
	Dropped bool
}

// Payload is the event as the rules get it (see the package doc).
func (e Event) Payload() map[string]any {
	return map[string]any{
		"object_name": e.Key, "bucket_name": e.Bucket, "event_type": e.Type,
		"etag": e.ETag, "size": e.Size, "event_time": e.Time.UTC().Format(time.RFC3339Nano),
	}
}

// Server is the Object Storage test double. Its methods are safe for
// concurrent use.
type Server struct {
	// URL is the endpoint (http://127.0.0.1:port) once started by Start or
	// Listen; empty for a Server used through Handler only.
	URL string

	opts    Options
	backend *s3mem.Backend
	s3      http.Handler
	srv     *http.Server
	ln      net.Listener

	mu      sync.Mutex
	rng     *rand.Rand
	rules   map[string][]func(map[string]any)
	events  []Event
	calls   map[string]int
	refused int
	wg      sync.WaitGroup
	cors    map[string][]CORSRule
	parts   map[string]map[int]int64 // upload id → part number → size
}

// New makes a Server that serves through Handler, without listening.
func New(opts Options) *Server {
	if opts.Credentials == nil {
		opts.Credentials = map[string]string{DefaultAccessKey: DefaultSecretKey}
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.MaxSkew == 0 {
		opts.MaxSkew = 15 * time.Minute
	}
	be := s3mem.New(s3mem.WithTimeSource(clock{opts.Clock})) // LastModified by Clock too
	s := &Server{
		opts: opts, backend: be,
		s3:    gofakes3.New(be, gofakes3.WithTimeSource(clock{opts.Clock}), gofakes3.WithoutVersioning()).Server(),
		rng:   rand.New(rand.NewSource(opts.Seed)),
		rules: map[string][]func(map[string]any){}, calls: map[string]int{},
		cors: map[string][]CORSRule{}, parts: map[string]map[int]int64{},
	}
	for b, rules := range opts.CORS {
		s.cors[b] = append([]CORSRule(nil), rules...)
	}
	for _, b := range opts.Buckets {
		_ = s.CreateBucket(b)
	}
	return s
}

// Start makes a Server listening on a free loopback port.
func Start(opts Options) (*Server, error) { return Listen("127.0.0.1:0", opts) }

// Listen makes a Server listening on addr.
func Listen(addr string, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("objectstoragetest: listen on %s: %w", addr, err)
	}
	s := New(opts)
	s.ln = ln
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops listening and waits for the event rules running.
func (s *Server) Close() {
	if s.srv != nil {
		_ = s.srv.Close()
	}
	s.Wait()
}

// Wait waits until every event rule fired so far has returned.
func (s *Server) Wait() { s.wg.Wait() }

// CreateBucket creates bucket (no error if it exists).
func (s *Server) CreateBucket(bucket string) error {
	err := s.backend.CreateBucket(bucket)
	if err != nil && !gofakes3.HasErrorCode(err, gofakes3.ErrBucketAlreadyExists) {
		return err
	}
	return nil
}

// OnCreate adds a bucket event rule: fn gets the event payload of each
// object created in bucket, on its own goroutine, after the creating
// request has been answered (as NCP's trigger fires after the upload).
func (s *Server) OnCreate(bucket string, fn func(event map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules[bucket] = append(s.rules[bucket], fn)
}

// Events returns every bucket event so far, delivered and dropped, in the
// order of creation.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// Dropped returns the events DropEvents withheld.
func (s *Server) Dropped() []Event {
	var out []Event
	for _, e := range s.Events() {
		if e.Dropped {
			out = append(out, e)
		}
	}
	return out
}

// Calls returns how many requests were served, by operation ("PUT",
// "UploadPart", "CompleteMultipartUpload", "ListObjects", "ListObjectsV2",
// "HEAD", "GET", …), refused ones included.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Refused returns how many requests failed the signature check.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Keys returns the keys of bucket, sorted.
func (s *Server) Keys(bucket string) []string {
	var keys []string
	page := gofakes3.ListBucketPage{}
	for {
		l, err := s.backend.ListBucket(bucket, nil, page)
		if err != nil {
			return keys
		}
		for _, c := range l.Contents {
			keys = append(keys, c.Key)
		}
		if !l.IsTruncated || l.NextMarker == "" {
			break
		}
		page = gofakes3.ListBucketPage{Marker: l.NextMarker, HasMarker: true}
	}
	sort.Strings(keys)
	return keys
}

// Open returns the content of bucket/key.
func (s *Server) Open(bucket, key string) (io.ReadCloser, error) {
	o, err := s.backend.GetObject(bucket, key, nil)
	if err != nil {
		return nil, err
	}
	return o.Contents, nil
}

// Handler serves the S3 API, signature checked, with the event rules.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

// op names the S3 operation of r.
func op(r *http.Request) string {
	q := r.URL.Query()
	_, hasUploads := q["uploads"]
	bucketOnly := strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 0
	switch {
	case r.Method == http.MethodPut && q.Get("partNumber") != "":
		return "UploadPart"
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		return "COPY"
	case r.Method == http.MethodPut && bucketOnly:
		return "CreateBucket"
	case r.Method == http.MethodPost && hasUploads:
		return "CreateMultipartUpload"
	case r.Method == http.MethodPost && q.Get("uploadId") != "":
		return "CompleteMultipartUpload"
	case r.Method == http.MethodDelete && q.Get("uploadId") != "":
		return "AbortMultipartUpload"
	case r.Method == http.MethodGet && bucketOnly && q.Get("list-type") == "2":
		return "ListObjectsV2"
	case r.Method == http.MethodGet && bucketOnly && r.URL.Path != "/":
		return "ListObjects"
	}
	return r.Method
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	name := op(r)
	s.mu.Lock()
	s.calls[name]++
	s.mu.Unlock()
	if r.Method == http.MethodOptions {
		s.preflight(w, r) // S3 answers preflight unsigned, by the bucket's CORS
		return
	}
	cw := &corsWriter{ResponseWriter: w, s: s, r: r}
	defer cw.set() // an answer without a body or WriteHeader gets them too
	w = cw
	payload, err := s.verify(r)
	if err != nil {
		s.mu.Lock()
		s.refused++
		s.mu.Unlock()
		var ae *authError
		errors.As(err, &ae)
		s.logf("objectstoragetest: refused %s %s: %s", r.Method, r.URL.Path, ae.code)
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		writeError(w, r, ae.status, ae.code, ae.msg)
		return
	}
	if payload != unsignedPayload && !strings.HasPrefix(payload, "STREAMING-") && r.Body != nil {
		r.Body = &hashCheck{rc: r.Body, h: sha256.New(), want: payload}
	}
	if strings.HasPrefix(payload, "STREAMING-") && r.Body != nil && !unchunk(r) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		writeError(w, r, http.StatusBadRequest, "MissingContentLength", "a streaming (aws-chunked) upload needs X-Amz-Decoded-Content-Length")
		return
	}
	if _, ok := r.URL.Query()["cors"]; ok && strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 0 {
		s.bucketCORS(w, r)
		return
	}
	if name == "CompleteMultipartUpload" && s.partsTooSmall(r.URL.Query().Get("uploadId")) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		writeError(w, r, http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
		return
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.s3.ServeHTTP(rec, r)
	if rec.status != http.StatusOK || rec.errBody {
		return
	}
	if name == "UploadPart" {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("partNumber"))
		s.mu.Lock()
		if s.parts[q.Get("uploadId")] == nil {
			s.parts[q.Get("uploadId")] = map[int]int64{}
		}
		s.parts[q.Get("uploadId")][n] = r.ContentLength
		s.mu.Unlock()
	}
	switch name {
	case "PUT", "COPY", "CompleteMultipartUpload":
		bucket, key, ok := bucketKey(r.URL.Path)
		if !ok {
			return
		}
		typ := name
		if name == "COPY" {
			typ = "COPY"
		}
		s.created(bucket, key, typ)
	}
}

// created records and delivers (or drops) the event of bucket/key.
func (s *Server) created(bucket, key, typ string) {
	ev := Event{Bucket: bucket, Key: key, Type: typ, Time: s.opts.Clock()}
	if o, err := s.backend.HeadObject(bucket, key); err == nil {
		ev.Size = o.Size
		ev.ETag = hex.EncodeToString(o.Hash)
	}
	s.mu.Lock()
	ev.Dropped = s.opts.DropEvents > 0 && s.rng.Float64() < s.opts.DropEvents
	s.events = append(s.events, ev)
	rules := slices.Clone(s.rules[bucket])
	if !ev.Dropped {
		s.wg.Add(len(rules))
	}
	s.mu.Unlock()
	if ev.Dropped {
		return
	}
	for _, fn := range rules {
		go func() {
			defer s.wg.Done()
			fn(ev.Payload())
		}()
	}
}

// bucketKey splits a path-style path.
func bucketKey(p string) (bucket, key string, ok bool) {
	bucket, key, ok = strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return bucket, key, ok && key != ""
}

type statusRecorder struct {
	http.ResponseWriter
	status  int
	errBody bool
	wrote   bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.wrote = true
	}
	// S3 may answer 200 with an <Error> body (CompleteMultipartUpload).
	if len(b) > 0 && strings.Contains(string(b[:min(len(b), 256)]), "<Error>") {
		r.errBody = true
	}
	return r.ResponseWriter.Write(b)
}

// hashCheck fails the read that ends a body whose SHA-256 is not the one
// signed.
type hashCheck struct {
	rc   io.ReadCloser
	h    hash.Hash
	want string
}

func (c *hashCheck) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(c.h.Sum(nil)) != c.want {
		return n, errors.New("XAmzContentSHA256Mismatch: the body's SHA-256 is not the X-Amz-Content-Sha256 signed")
	}
	return n, err
}

func (c *hashCheck) Close() error { return c.rc.Close() }

func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	type errorXML struct {
		XMLName  xml.Name `xml:"Error"`
		Code     string
		Message  string
		Resource string
	}
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(errorXML{Code: code, Message: msg, Resource: (&url.URL{Path: r.URL.Path}).EscapedPath()})
}

type clock struct{ now func() time.Time }

func (c clock) Now() time.Time                  { return c.now() }
func (c clock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
