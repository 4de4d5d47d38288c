package webaction

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Parameter names the platform adds to a web action's parameters.
const (
	ParamMethod  = "__ow_method"
	ParamHeaders = "__ow_headers"
	ParamPath    = "__ow_path"
	ParamQuery   = "__ow_query"
	ParamBody    = "__ow_body"
)

// MaxBody is the largest request body read (NCP's 1 MB parameter limit).
const MaxBody = 1 << 20

// Request is a web action's view of the HTTP request, read from its
// parameters.
type Request struct {
	// Method is the lower-case HTTP method, "" when the platform gave none.
	Method string
	// Headers are the request headers with lower-case names.
	Headers map[string]string
	// Path is the path after the action's URL (__ow_path).
	Path string
	// Query is the query: from __ow_query (raw HTTP) or, when the platform
	// merged it, empty (its values are then among Params).
	Query url.Values
	// Body is the raw body (__ow_body, base64-decoded when needed); nil when
	// the request carried none.
	Body []byte
	// Raw reports whether the request came as a raw-HTTP web action's
	// (__ow_query or __ow_body present): its query and body were not merged
	// into the action's parameters.
	Raw bool
}

// FieldError is a parameter of the request that cannot be read.
type FieldError struct {
	// Field is the parameter's name.
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error implements error.
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Parse reads the request from a web action's parameters (a JSON object).
func Parse(params []byte) (Request, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(params, &fields); err != nil || fields == nil {
		return Request{}, &FieldError{Field: "parameters", Reason: "not a JSON object"}
	}
	return ParseFields(fields)
}

// ParseFields reads the request from a web action's __ow_* parameters,
// already decoded into a map of raw values (other keys are ignored).
func ParseFields(fields map[string]json.RawMessage) (Request, error) {
	var req Request
	var err error
	_, hasQuery := fields[ParamQuery]
	_, hasBody := fields[ParamBody]
	req.Raw = hasQuery || hasBody
	if req.Method, err = stringParam(fields, ParamMethod); err != nil {
		return Request{}, err
	}
	req.Method = strings.ToLower(req.Method)
	if req.Path, err = stringParam(fields, ParamPath); err != nil {
		return Request{}, err
	}
	if raw, ok := fields[ParamHeaders]; ok && !isNull(raw) {
		var h map[string]any
		if json.Unmarshal(raw, &h) != nil {
			return Request{}, &FieldError{Field: ParamHeaders, Reason: "not an object"}
		}
		req.Headers = make(map[string]string, len(h))
		for k, v := range h {
			if s, ok := v.(string); ok {
				req.Headers[strings.ToLower(k)] = s
			} else if v != nil {
				req.Headers[strings.ToLower(k)] = fmt.Sprint(v)
			}
		}
	}
	if raw, ok := fields[ParamQuery]; ok && !isNull(raw) {
		var q string
		if json.Unmarshal(raw, &q) != nil {
			return Request{}, &FieldError{Field: ParamQuery, Reason: "not a string"}
		}
		if req.Query, err = url.ParseQuery(strings.TrimPrefix(q, "?")); err != nil {
			return Request{}, &FieldError{Field: ParamQuery, Reason: "not a query string"}
		}
	}
	if raw, ok := fields[ParamBody]; ok && !isNull(raw) {
		if req.Body, err = body(raw); err != nil {
			return Request{}, err
		}
	}
	return req, nil
}

// body reads __ow_body: a string holding the body (as sent, or base64 when
// the platform encoded it), or an object or array some gateways pass as is.
func body(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		return raw, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, &FieldError{Field: ParamBody, Reason: "not a string"}
	}
	if len(s) > MaxBody*4/3+4 {
		return nil, &FieldError{Field: ParamBody, Reason: fmt.Sprintf("larger than %d bytes", MaxBody)}
	}
	b := []byte(s)
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return b, nil
	}
	// OpenWhisk raw HTTP sends a binary body base64-encoded; NCP's API
	// Gateway may do the same. Decode it when it is valid base64.
	if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s)); err == nil && len(dec) > 0 {
		return dec, nil
	}
	return b, nil
}

func stringParam(params map[string]json.RawMessage, name string) (string, error) {
	raw, ok := params[name]
	if !ok || isNull(raw) {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", &FieldError{Field: name, Reason: "not a string"}
	}
	return s, nil
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// Header returns the value of the header named name (any case).
func (r Request) Header(name string) string { return r.Headers[strings.ToLower(name)] }

// Response is a web action's answer.
type Response struct {
	// StatusCode is the HTTP status.
	StatusCode int `json:"statusCode"`
	// Headers are the response headers.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the response body. It is a string (JSON text for JSON
	// answers), the form every platform passes through unchanged.
	Body string `json:"body"`
}

// JSON returns a response with status and v encoded as a JSON body.
func JSON(status int, v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"ok":false,"error":{"message":"encode the answer"}}`)
	}
	return Response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}

// FromHTTP builds a raw-HTTP web action's parameters from r, as OpenWhisk
// does for a web action with raw-http: the method, headers (lower-case
// names), the path after prefix, the raw query and the body (base64 when it
// is not valid UTF-8). The body is read up to MaxBody; a larger one is an
// error.
func FromHTTP(r *http.Request, prefix string) (map[string]any, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("webaction: read body: %w", err)
	}
	if len(b) > MaxBody {
		return nil, ErrBodyTooLarge
	}
	headers := make(map[string]string, len(r.Header))
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	bodyText := string(b)
	if !utf8.Valid(b) {
		bodyText = base64.StdEncoding.EncodeToString(b)
	}
	return map[string]any{
		ParamMethod:  strings.ToLower(r.Method),
		ParamHeaders: headers,
		ParamPath:    strings.TrimPrefix(r.URL.Path, prefix),
		ParamQuery:   r.URL.RawQuery,
		ParamBody:    bodyText,
	}, nil
}

// ErrBodyTooLarge is a request body over MaxBody.
var ErrBodyTooLarge = errors.New("webaction: request body larger than 1 MB")

// Write writes a web action's result (a JSON object with statusCode,
// headers and body) to w. A result without statusCode answers 200 with the
// result itself as JSON, as OpenWhisk does for a non-HTTP result.
func Write(w http.ResponseWriter, result []byte) {
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       json.RawMessage   `json:"body"`
	}
	if json.Unmarshal(result, &resp) != nil || resp.StatusCode == 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(result)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	var text string
	if json.Unmarshal(resp.Body, &text) != nil {
		text = string(resp.Body) // an object or array body
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.WriteString(w, text)
}
