package ncpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"

	"github.com/go-resty/resty/v2"

	"github.com/vodflow/vodflow/pkg/redact"
)

// APIError is a non-2xx answer from an NCP service or its API gateway, or
// a 2xx answer that could not be understood.
type APIError struct {
	// Method and Path name the call (never the query's values or headers).
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the NCP error code ("200", "410", "260004", "80901", ...), if any.
	Code string
	// Message is NCP's message, or a description of a body that was not JSON.
	Message string
	// Details is NCP's details text, if any.
	Details string
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Code != "" {
		b.WriteString(", NCP code " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Details != "" {
		b.WriteString(" (" + e.Details + ")")
	}
	return b.String()
}

// TransportError is a call that got no HTTP answer. Its text never shows a
// URL's userinfo password or secret-named query values; build it with
// [NewTransportError] to scrub the activation's known secrets as well.
type TransportError struct {
	Method, Path string
	Err          error
}

// Error implements error.
func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Method, e.Path, (*redact.Set)(nil).String(describeTransport(e.Err)))
}

// NewTransportError returns the TransportError of a call that got no
// answer, its cause scrubbed with the Set of ctx (redact.FromContext); the
// cause still unwraps to err.
func NewTransportError(ctx context.Context, method, path string, err error) *TransportError {
	return &TransportError{Method: method, Path: path, Err: redact.FromContext(ctx).Err(err)}
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// NotSent reports whether the request certainly never reached the server:
// the connection could not be made (refused, DNS failure, dial timeout).
func (e *TransportError) NotSent() bool {
	if errors.Is(e.Err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	if errors.As(e.Err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(e.Err, &dns)
}

func describeTransport(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &ne) && ne.Timeout():
		return "timed out waiting for an answer"
	}
	// url.Error repeats the full URL; keep only the cause.
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg[:i], "://") {
		msg = msg[i+2:]
	}
	return msg
}

// errorBody matches both NCP error shapes: {"error":{"errorCode"|"code",
// "message","details"}} and the same fields at the top level.
type errorBody struct {
	Error *errorFields `json:"error"`
	errorFields
}

type errorFields struct {
	ErrorCode json.RawMessage `json:"errorCode"`
	Code      json.RawMessage `json:"code"`
	Message   string          `json:"message"`
	Details   json.RawMessage `json:"details"`
}

// ParseError builds the one APIError value for a non-2xx answer, from
// whatever body the service or its gateway sent: NCP's JSON (code as a
// string or a number, under errorCode or code), HTML, plain text or
// nothing.
//
// Every text taken from the answer is scrubbed with the Set of ctx
// (redact.FromContext) before it is clipped, so that neither a secret the
// answer echoes nor any prefix of one reaches Error().
func ParseError(ctx context.Context, method, path string, status int, contentType string, body []byte) *APIError {
	s := redact.FromContext(ctx)
	e := &APIError{Method: method, Path: path, StatusCode: status}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		e.Message = "empty response body"
		return e
	}
	var eb errorBody
	if trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil {
		f := eb.errorFields
		if eb.Error != nil {
			f = *eb.Error
		}
		e.Code = rawText(f.ErrorCode)
		if e.Code == "" {
			e.Code = rawText(f.Code)
		}
		e.Code = Clip(s.String(e.Code), 40)
		e.Message = Clip(s.String(f.Message), 300)
		e.Details = Clip(s.String(rawText(f.Details)), 300)
		if e.Message == "" && e.Code == "" {
			e.Message = "JSON error body without a message: " + Clip(s.String(validUTF8(string(trimmed))), 200)
		}
		return e
	}
	e.Message = describeNonJSON(s, contentType, trimmed)
	return e
}

var (
	titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// describeNonJSON summarises an HTML or plain-text body in one short line,
// scrubbed with s before it is clipped.
func describeNonJSON(s *redact.Set, contentType string, body []byte) string {
	kind := "non-JSON"
	if ct := strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]); ct != "" {
		kind = Clip(s.String(validUTF8(ct)), 100)
	}
	text := validUTF8(string(body))
	if m := titleRE.FindStringSubmatch(text); m != nil {
		text = m[1]
	} else {
		text = tagRE.ReplaceAllString(text, " ")
	}
	text = strings.TrimSpace(spaceRE.ReplaceAllString(text, " "))
	if text == "" {
		return kind + " response body"
	}
	return kind + " response: " + Clip(s.String(text), 200)
}

// rawText renders a JSON scalar (string or number) as text.
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return validUTF8(string(raw))
}

// validUTF8 replaces each invalid byte sequence of answer text with U+FFFD,
// so error messages stay valid UTF-8 (and no text is joined up).
func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// Clip shortens s to at most n bytes on a UTF-8 boundary, marking the cut;
// it is [redact.Clip]. Scrub before clip.
func Clip(s string, n int) string { return redact.Clip(s, n) }

// IsRedirect reports whether status is a redirect (3xx). The clients of
// this package never follow one (see [NewClient]).
func IsRedirect(status int) bool { return status >= 300 && status <= 399 }

// ResponseError returns nil for a 2xx answer and the one *APIError for any
// other: for a redirect (which [NewClient] never follows) an error naming
// the status and the host the Location points to — the host only, never
// its path or query, which may carry tokens; for anything else what
// [ParseError] makes of the body.
func ResponseError(ctx context.Context, method, path string, resp *resty.Response) *APIError {
	status := resp.StatusCode()
	switch {
	case status >= 200 && status <= 299:
		return nil
	case IsRedirect(status):
		return &APIError{Method: method, Path: path, StatusCode: status,
			Message: redirectMessage(redact.FromContext(ctx), resp)}
	}
	return ParseError(ctx, method, path, status, resp.Header().Get("Content-Type"), resp.Body())
}

// redirectMessage says where a redirect pointed (its host, resolved against
// the request's URL) and that it was not followed.
func redirectMessage(s *redact.Set, resp *resty.Response) string {
	loc := strings.TrimSpace(resp.Header().Get("Location"))
	if loc == "" {
		return "redirect without a Location, not followed"
	}
	target, err := url.Parse(loc)
	if err == nil && resp.Request != nil && resp.Request.RawRequest != nil && resp.Request.RawRequest.URL != nil {
		target = resp.Request.RawRequest.URL.ResolveReference(target)
	}
	if err != nil || target.Host == "" {
		return "redirect to an unreadable Location, not followed"
	}
	return "redirect to host " + Clip(s.String(validUTF8(target.Host)), 255) +
		" not followed: signed requests go only to the API's own host, and are never sent again"
}
