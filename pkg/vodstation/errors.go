package vodstation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// ErrCategoryNotFound reports that no enabled category has the name asked for.
var ErrCategoryNotFound = errors.New("category not found")

// ErrOutcomeUnknown marks a failure after which VOD Station may or may not
// have accepted the request (the connection dropped after the request was
// sent, or a 2xx answer could not be read). Such a call is never retried;
// the caller must report it rather than submit again.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request may have been accepted")

// APIError is a non-2xx answer from VOD Station or its API gateway, or a 2xx
// answer that could not be understood.
type APIError struct {
	// Method and Path name the call (never the query's values or headers).
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the NCP error code ("200", "410", "260004", ...), if any.
	Code string
	// Message is NCP's message, or a description of a body that was not JSON.
	Message string
	// Details is NCP's details text, if any.
	Details string
	// unknown marks a 2xx answer that could not be read.
	unknown bool
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

// Is makes errors.Is(err, ErrOutcomeUnknown) true for an unreadable 2xx.
func (e *APIError) Is(target error) bool { return target == ErrOutcomeUnknown && e.unknown }

// ErrorCode implements action.Coder.
func (e *APIError) ErrorCode() string {
	switch {
	case e.unknown:
		return "outcome_unknown"
	case e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden:
		return "unauthorized"
	case e.StatusCode == http.StatusTooManyRequests:
		return "throttled"
	case e.StatusCode == http.StatusNotFound:
		return "not_found"
	case e.StatusCode >= 500:
		return "upstream_error"
	}
	return "rejected"
}

// HTTPStatus implements action.Coder: the upstream status, or 502 for an
// unreadable answer.
func (e *APIError) HTTPStatus() int {
	if e.unknown || e.StatusCode < 400 {
		return http.StatusBadGateway
	}
	return e.StatusCode
}

// ErrorDetails implements action.Detailer.
func (e *APIError) ErrorDetails() any {
	d := map[string]any{"http_status": e.StatusCode}
	if e.Code != "" {
		d["ncp_code"] = e.Code
	}
	return d
}

// Temporary reports whether the same request may succeed later (429, 5xx).
func (e *APIError) Temporary() bool {
	return !e.unknown && (e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500)
}

// TransportError is a failure to get any HTTP answer.
type TransportError struct {
	Method, Path string
	Err          error
}

// Error implements error.
func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Method, e.Path, describeTransport(e.Err))
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrOutcomeUnknown) true when the request may have
// reached the server.
func (e *TransportError) Is(target error) bool {
	return target == ErrOutcomeUnknown && !e.NotSent()
}

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

// ErrorCode implements action.Coder.
func (e *TransportError) ErrorCode() string {
	if e.NotSent() {
		return "unreachable"
	}
	return "outcome_unknown"
}

// HTTPStatus implements action.Coder.
func (e *TransportError) HTTPStatus() int { return http.StatusBadGateway }

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

// parseAPIError builds the one APIError value for a non-2xx answer, from
// whatever body the API or its gateway sent.
func parseAPIError(method, path string, status int, contentType string, body []byte) *APIError {
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
		e.Message = clip(f.Message, 300)
		e.Details = clip(rawText(f.Details), 300)
		if e.Message == "" && e.Code == "" {
			e.Message = "JSON error body without a message: " + clip(string(trimmed), 200)
		}
		return e
	}
	e.Message = describeNonJSON(contentType, trimmed)
	return e
}

var (
	titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// describeNonJSON summarises an HTML or plain-text body in one short line.
func describeNonJSON(contentType string, body []byte) string {
	kind := "non-JSON"
	if ct := strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]); ct != "" {
		kind = ct
	}
	text := string(body)
	if m := titleRE.FindStringSubmatch(text); m != nil {
		text = m[1]
	} else {
		text = tagRE.ReplaceAllString(text, " ")
	}
	text = strings.TrimSpace(spaceRE.ReplaceAllString(text, " "))
	if text == "" {
		return kind + " response body"
	}
	return kind + " response: " + clip(text, 200)
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
	return string(raw)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// retryAfterSeconds parses a Retry-After header given in seconds.
func retryAfterSeconds(v string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return n, err == nil && n >= 0
}
