package uploadurl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/uploadid"
	"github.com/vodflow/vodflow/pkg/webaction"
)

// MaxFilenameLen bounds the declared file name, in bytes.
const MaxFilenameLen = 1024

// Request is the body upload-url reads.
type Request struct {
	// Filename is the file's name on the uploader's side: its extension
	// chooses the key's, its base name the key's name.
	Filename string `json:"filename"`
	// ContentType is the file's media type, video/*; the PUT must send it.
	ContentType string `json:"content_type"`
	// Size is the file's size in bytes; the upload must be exactly it.
	Size int64 `json:"size"`
}

// Answer is upload-url's 200 answer: Method, URL and Headers for a
// single PUT, or Multipart for a large file.
type Answer struct {
	// UploadID is the id every later event names (upload_id).
	UploadID string `json:"upload_id"`
	// Key is the object key the upload writes.
	Key string `json:"key"`
	// URL, Method (PUT) and Headers are the single PUT: send exactly these
	// headers and the file's bytes as the body.
	URL     string            `json:"url,omitempty"`
	Method  string            `json:"method,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// Multipart is the large file's upload.
	Multipart *Multipart `json:"multipart,omitempty"`
	// ExpiresAt is when the URLs stop working (RFC 3339, UTC).
	ExpiresAt time.Time `json:"expires_at"`
}

// Multipart is a multipart upload the action created.
type Multipart struct {
	// PartSize is the size of every part but the last.
	PartSize int64 `json:"part_size"`
	// Parts are the parts, in order; PUT each part's bytes to its URL and
	// keep the answer's ETag header.
	Parts []Part `json:"parts"`
	// Complete is the CompleteMultipartUpload call (POST the XML that
	// lists every part's number and ETag).
	Complete Call `json:"complete"`
	// Abort gives the upload up (DELETE).
	Abort Call `json:"abort"`
}

// Part is one part of a multipart upload.
type Part struct {
	// Number is the part number, from 1.
	Number int `json:"number"`
	// URL is the presigned UploadPart.
	URL string `json:"url"`
	// Size is the part's exact size in bytes (signed).
	Size int64 `json:"size"`
}

// Call is a presigned request.
type Call struct {
	URL    string `json:"url"`
	Method string `json:"method"`
}

// Input is one authenticated request, or a preflight.
type Input struct {
	// Origin is the request's Origin header, when allowed ("" otherwise).
	Origin string
	// Preflight is set for an OPTIONS request; Request is then empty.
	Preflight bool
	// Request is the declared file.
	Request Request
	// Ext is the key's extension (lower case, no dot).
	Ext string
}

// Handler serves upload-url and keeps, for the life of a warm container,
// the Object Storage client of the last configuration.
type Handler struct {
	now  func() time.Time
	opts []objectstorage.Option

	mu        sync.Mutex
	clientKey string
	client    *objectstorage.Client
}

// Option configures a Handler.
type Option func(*Handler)

// WithClock sets the clock of the answers' expires_at (the signatures use
// the system clock).
func WithClock(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// WithStorageOptions passes options to the Object Storage client.
func WithStorageOptions(opts ...objectstorage.Option) Option {
	return func(h *Handler) { h.opts = append(h.opts, opts...) }
}

// New returns a Handler.
func New(opts ...Option) *Handler {
	h := &Handler{now: time.Now}
	for _, f := range opts {
		f(h)
	}
	return h
}

// Action is upload-url's handler for package action (see the package doc).
func (h *Handler) Action() action.Handler[Config, Input, webaction.Response] {
	return action.Handler[Config, Input, webaction.Response]{Decode: h.decode, Run: h.run, Answer: answer}
}

// Refusal is a request the action refuses, with the HTTP status to answer.
type Refusal struct {
	// Status is the HTTP status.
	Status int
	// Code is a stable machine-readable code.
	Code string
	// Field is the body field or parameter at fault, when one is.
	Field string
	// Message says why.
	Message string
	// Headers are added to the answer (CORS, Allow, WWW-Authenticate).
	Headers map[string]string
}

// Error implements error.
func (r *Refusal) Error() string { return r.Message }

// Refusal codes.
const (
	CodeBadRequest       = "bad_request"
	CodeUnauthorized     = "unauthorized"
	CodeForbiddenOrigin  = "origin_not_allowed"
	CodeMethod           = "method_not_allowed"
	CodeTooLarge         = "too_large"
	CodeUnsupportedType  = "unsupported_media_type"
	CodeUnsupportedExt   = "unsupported_extension"
	CodeNotRaw           = "not_raw_http"
	CodeConfig           = "configuration"
	CodeStorage          = "storage_error"
	CodeInternal         = "internal"
	allowedMethods       = "POST, OPTIONS"
	allowedHeaders       = "Authorization, Content-Type"
	preflightMaxAge      = "600"
	headerAllowOrigin    = "Access-Control-Allow-Origin"
	headerVary           = "Vary"
	headerCacheControl   = "Cache-Control"
	headerAllowMethods   = "Access-Control-Allow-Methods"
	headerAllowHeaders   = "Access-Control-Allow-Headers"
	headerMaxAge         = "Access-Control-Max-Age"
	headerAllow          = "Allow"
	headerAuthenticate   = "WWW-Authenticate"
	bearerPrefix         = "bearer "
	contentTypeVideoMain = "video"
)

func refuse(status int, code, field string, headers map[string]string, format string, args ...any) *Refusal {
	return &Refusal{Status: status, Code: code, Field: field, Headers: headers, Message: fmt.Sprintf(format, args...)}
}

// errorBody is the JSON body of every refusal.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
		Status  int    `json:"status"`
	} `json:"error"`
}

// answer turns a failure into the HTTP answer.
func answer(ctx context.Context, err error) webaction.Response {
	var body errorBody
	r := &Refusal{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: err.Error()}
	var ae *action.Error
	switch {
	case errors.As(err, &r):
	case errors.As(err, &ae) && ae.Param != "" && action.IsConfigName(ae.Param):
		r.Status, r.Code, r.Field = http.StatusInternalServerError, CodeConfig, ae.Param
	case errors.As(err, &ae) && ae.Code == action.CodeTooLarge:
		r.Status, r.Code = http.StatusRequestEntityTooLarge, CodeTooLarge
	case errors.As(err, &ae) && ae.Code == action.CodeTimeout:
		r.Status, r.Code = http.StatusGatewayTimeout, ae.Code
	case errors.As(err, &ae) && ae.Code == action.CodeInternal:
		r.Status, r.Code = http.StatusInternalServerError, CodeInternal
	case errors.As(err, &ae):
		r.Field = ae.Param
	}
	body.Error.Code, body.Error.Message, body.Error.Field, body.Error.Status = r.Code, redact.FromContext(ctx).String(r.Message), r.Field, r.Status
	action.LogAttrs(ctx, action.Int("status_code", r.Status), action.String("refusal", r.Code))
	resp := webaction.JSON(r.Status, body)
	for k, v := range r.Headers {
		resp.Headers[k] = v
	}
	resp.Headers[headerCacheControl] = "no-store"
	return resp
}

// decode refuses, before any call to Object Storage, what must not be
// served (see the package doc for the order and the statuses).
func (h *Handler) decode(p *action.Params) (Config, Input, error) {
	var cfg Config
	var in Input
	if err := p.DecodeConfig(&cfg); err != nil {
		return cfg, in, err
	}
	if err := cfg.validate(); err != nil {
		return cfg, in, err
	}
	req, err := webaction.ParseFields(p.Web)
	if err != nil {
		var fe *webaction.FieldError
		field := "request"
		if errors.As(err, &fe) {
			field = fe.Field
		}
		return cfg, in, refuse(http.StatusBadRequest, CodeBadRequest, field, nil, "%s", err.Error())
	}
	if !req.Raw && req.Method != "options" {
		// The platform merged the query and body into the parameters: a
		// caller could then set UPLOAD_TOKEN, BUCKET_NAME or UPLOAD_MAX_SIZE.
		return cfg, in, refuse(http.StatusInternalServerError, CodeNotRaw, "", nil,
			"upload-url must be deployed as a raw web action (web: raw; raw-http true): this request's query and body were merged into its parameters, so it is refused")
	}
	headers := map[string]string{}
	if origin := req.Header("origin"); origin != "" {
		headers[headerVary] = "Origin"
		if !cfg.allows(origin) {
			return cfg, in, refuse(http.StatusForbidden, CodeForbiddenOrigin, "Origin", headers,
				"origin %s is not allowed: add it to ALLOWED_ORIGINS", redact.Clip(origin, 100))
		}
		in.Origin = origin
		headers[headerAllowOrigin] = origin
	}
	switch req.Method {
	case "options":
		in.Preflight = true
		if in.Origin == "" {
			return cfg, in, nil
		}
		refused := map[string]string{headerVary: "Origin"} // no Allow-Origin: the browser refuses
		if m := strings.TrimSpace(req.Header("access-control-request-method")); m != "" && !strings.EqualFold(m, http.MethodPost) {
			return cfg, in, refuse(http.StatusForbidden, CodeMethod, "Access-Control-Request-Method", refused,
				"method %s is not allowed cross-origin: upload-url takes POST", redact.Clip(m, 20))
		}
		for _, name := range strings.Split(req.Header("access-control-request-headers"), ",") {
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "", "authorization", "content-type":
			default:
				return cfg, in, refuse(http.StatusForbidden, CodeForbiddenOrigin, "Access-Control-Request-Headers", refused,
					"header %s is not allowed cross-origin: upload-url reads Authorization and Content-Type", redact.Clip(strings.TrimSpace(name), 60))
			}
		}
		return cfg, in, nil
	case "post", "":
	default:
		headers[headerAllow] = allowedMethods
		return cfg, in, refuse(http.StatusMethodNotAllowed, CodeMethod, "", headers, "method %s not allowed: POST the file's filename, content_type and size", strings.ToUpper(redact.Clip(req.Method, 20)))
	}
	if !authorized(cfg.UploadToken.Reveal(), req.Header("authorization")) {
		headers[headerAuthenticate] = `Bearer realm="upload-url"`
		return cfg, in, refuse(http.StatusUnauthorized, CodeUnauthorized, "Authorization", headers,
			"unauthorized: the request must carry UPLOAD_TOKEN as a bearer token (the Authorization header)")
	}
	if in.Request, err = decodeBody(req.Body); err != nil {
		err.(*Refusal).Headers = headers
		return cfg, in, err
	}
	if err := cfg.check(&in); err != nil {
		err.Headers = headers
		return cfg, in, err
	}
	return cfg, in, nil
}

// authorized compares the presented bearer token with the expected one in
// constant time (over SHA-256 digests, so lengths leak nothing either).
func authorized(want, header string) bool {
	header = strings.TrimSpace(header)
	if len(header) < len(bearerPrefix) || !strings.EqualFold(header[:len(bearerPrefix)], bearerPrefix) {
		return false
	}
	w := sha256.Sum256([]byte(want))
	g := sha256.Sum256([]byte(strings.TrimSpace(header[len(bearerPrefix):])))
	return subtle.ConstantTimeCompare(w[:], g[:]) == 1
}

// decodeBody reads the JSON body; an error is a 400 Refusal naming the field.
func decodeBody(b []byte) (Request, error) {
	bad := func(field, format string, args ...any) (Request, error) {
		return Request{}, refuse(http.StatusBadRequest, CodeBadRequest, field, nil, field+": "+format, args...)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		return bad("body", "not a JSON object: send {\"filename\", \"content_type\", \"size\"}")
	}
	var r Request
	for _, f := range []struct {
		name string
		dst  *string
	}{{"filename", &r.Filename}, {"content_type", &r.ContentType}} {
		raw, ok := fields[f.name]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return bad(f.name, "missing")
		}
		if json.Unmarshal(raw, f.dst) != nil {
			return bad(f.name, "got %s, want a string", redact.Clip(string(raw), 40))
		}
		*f.dst = strings.TrimSpace(*f.dst)
		if *f.dst == "" {
			return bad(f.name, "empty")
		}
	}
	if len(r.Filename) > MaxFilenameLen || !utf8.ValidString(r.Filename) {
		return bad("filename", "want valid UTF-8 of at most %d bytes", MaxFilenameLen)
	}
	raw, ok := fields["size"]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return bad("size", "missing")
	}
	if json.Unmarshal(raw, &r.Size) != nil {
		return bad("size", "got %s, want the file's size in bytes (an integer)", redact.Clip(string(raw), 40))
	}
	if r.Size < 1 {
		return bad("size", "got %d, want the file's size in bytes (1 or more)", r.Size)
	}
	return r, nil
}

// check judges the declared file against the configuration.
func (c *Config) check(in *Input) *Refusal {
	r := in.Request
	mt, _, err := mime.ParseMediaType(r.ContentType)
	if _, sub, _ := strings.Cut(mt, "/"); err != nil || sub == "" || strings.ContainsAny(r.ContentType, "\r\n") {
		return refuse(http.StatusBadRequest, CodeBadRequest, "content_type", nil, "content_type: got %q, want a media type such as video/mp4", redact.Clip(r.ContentType, 60))
	}
	if main, _, _ := strings.Cut(mt, "/"); main != contentTypeVideoMain {
		return refuse(http.StatusUnsupportedMediaType, CodeUnsupportedType, "content_type", nil, "content_type: got %q, want a video type (video/*)", redact.Clip(r.ContentType, 60))
	}
	if r.Size > c.maxSize {
		return refuse(http.StatusRequestEntityTooLarge, CodeTooLarge, "size", nil, "size: %d bytes is over the limit of %d (UPLOAD_MAX_SIZE)", r.Size, c.maxSize)
	}
	in.Ext = uploadid.Ext(r.Filename)
	if in.Ext == "" || !c.exts[in.Ext] {
		return refuse(http.StatusBadRequest, CodeUnsupportedExt, "filename", nil, "filename: extension %q is not one vodflow encodes (EXTENSIONS: %s)", redact.Clip(in.Ext, 20), strings.Join(sortedKeys(c.exts), ", "))
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ { // a few names: insertion sort
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// corsHeaders are the headers of an answer to origin ("" for none).
func corsHeaders(origin string) map[string]string {
	h := map[string]string{headerCacheControl: "no-store"}
	if origin != "" {
		h[headerAllowOrigin] = origin
		h[headerVary] = "Origin"
	}
	return h
}

// run answers the preflight, or presigns the upload.
func (h *Handler) run(ctx context.Context, cfg Config, in Input) (webaction.Response, error) {
	headers := corsHeaders(in.Origin)
	if in.Preflight {
		headers[headerAllow] = allowedMethods
		if in.Origin != "" {
			headers[headerAllowMethods] = "POST"
			headers[headerAllowHeaders] = allowedHeaders
			headers[headerMaxAge] = preflightMaxAge
		}
		action.LogAttrs(ctx, action.Int("status_code", http.StatusNoContent), action.Bool("preflight", true))
		return webaction.Response{StatusCode: http.StatusNoContent, Headers: headers}, nil
	}
	c, err := h.storage(cfg)
	if err != nil {
		return webaction.Response{}, refuse(http.StatusInternalServerError, CodeConfig, "", headers, "%s", err.Error())
	}
	id := uploadid.New()
	a := Answer{UploadID: id, Key: uploadid.Key(cfg.InputPrefix, id, in.Request.Filename, in.Ext)}
	a.ExpiresAt = h.now().UTC().Add(cfg.ttl).Truncate(time.Second)
	action.LogAttrs(ctx, action.String("upload_id", id), action.String("key", a.Key), action.Int("size", int(in.Request.Size)))
	if in.Request.Size <= cfg.partSize {
		a.URL, a.Headers, err = c.PresignPutSize(cfg.BucketName, a.Key, in.Request.ContentType, in.Request.Size, cfg.ttl)
		a.Method = http.MethodPut
	} else {
		a.Multipart, err = multipart(ctx, c, cfg, a.Key, in.Request)
	}
	if err != nil {
		return webaction.Response{}, refuse(http.StatusBadGateway, CodeStorage, "", headers, "%s", err.Error())
	}
	action.Issue(ctx, a.urls()...)
	action.LogAttrs(ctx, action.Int("status_code", http.StatusOK), action.Bool("multipart", a.Multipart != nil))
	resp := webaction.JSON(http.StatusOK, a)
	for k, v := range headers {
		resp.Headers[k] = v
	}
	return resp, nil
}

// PartPlan returns the part size and count of a size-byte multipart
// upload with parts of partSize: larger parts when the file would need
// more than MaxAnswerParts (rounded up to a MiB), but never over S3's
// largest PUT (5 GiB), so a file over 5,000 GiB gets more parts (1,024
// for 5 TiB, far under S3's 10,000). A size under 1 byte has no part.
func PartPlan(size, partSize int64) (part int64, count int) {
	part = partSize
	if size < 1 {
		return part, 0
	}
	if size > part*MaxAnswerParts {
		part = (size + MaxAnswerParts - 1) / MaxAnswerParts
		part = (part + 1<<20 - 1) &^ (1<<20 - 1)
		part = min(part, max(partSize, objectstorage.MaxPutSize))
	}
	return part, int((size + part - 1) / part)
}

// multipart creates the multipart upload and presigns its calls.
func multipart(ctx context.Context, c *objectstorage.Client, cfg Config, key string, r Request) (*Multipart, error) {
	part, count := PartPlan(r.Size, cfg.partSize)
	uid, err := c.NewMultipart(ctx, cfg.BucketName, key, r.ContentType)
	if err != nil {
		return nil, err
	}
	m := &Multipart{PartSize: part, Parts: make([]Part, 0, count)}
	for n := 1; n <= count; n++ {
		size := min(part, r.Size-int64(n-1)*part)
		u, err := c.PresignPart(cfg.BucketName, key, uid, n, size, cfg.ttl)
		if err != nil {
			return nil, err
		}
		m.Parts = append(m.Parts, Part{Number: n, URL: u, Size: size})
	}
	if m.Complete.URL, err = c.PresignComplete(cfg.BucketName, key, uid, cfg.ttl); err != nil {
		return nil, err
	}
	if m.Abort.URL, err = c.PresignAbort(cfg.BucketName, key, uid, cfg.ttl); err != nil {
		return nil, err
	}
	m.Complete.Method, m.Abort.Method = http.MethodPost, http.MethodDelete
	return m, nil
}

// storage returns the Object Storage client of cfg, reused while the
// configuration stays the same.
func (h *Handler) storage(cfg Config) (*objectstorage.Client, error) {
	sum := sha256.Sum256([]byte(cfg.SecretKey.Reveal()))
	key := string(cfg.Storage.Endpoint) + "\x00" + string(cfg.Storage.Region) + "\x00" + cfg.AccessKey + "\x00" + string(sum[:8])
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.client != nil && h.clientKey == key {
		return h.client, nil
	}
	c, err := objectstorage.New(objectstorage.Config{
		Endpoint: string(cfg.Storage.Endpoint), Region: string(cfg.Storage.Region),
		AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey,
	}, h.opts...)
	if err != nil {
		return nil, err
	}
	h.client, h.clientKey = c, key
	return c, nil
}

// urls are every presigned URL of the answer.
func (a Answer) urls() []string {
	if a.Multipart == nil {
		return []string{a.URL}
	}
	out := make([]string, 0, len(a.Multipart.Parts)+2)
	for _, p := range a.Multipart.Parts {
		out = append(out, p.URL)
	}
	return append(out, a.Multipart.Complete.URL, a.Multipart.Abort.URL)
}
