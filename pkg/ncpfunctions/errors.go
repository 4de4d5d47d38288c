package ncpfunctions

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// CodeDuplicatedRule is NCP's error code for linking an action that is
// already linked to the trigger.
const CodeDuplicatedRule = "80901"

// APIError is a non-2xx answer from Cloud Functions or its gateway.
type APIError struct {
	// Method and Path name the call (never headers).
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is NCP's error code ("80901", "200", ...), if any.
	Code string
	// Message and Details are NCP's texts, if any.
	Message, Details string
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

// TransportError is a request that got no HTTP answer.
type TransportError struct {
	Method, Path string
	Err          error
}

// Error implements error.
func (e *TransportError) Error() string { return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err) }

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// maxMessage caps a message taken from a non-JSON body.
const maxMessage = 200

// parseAPIError reads {"error":{"errorCode","message","details"}} (the
// code a string or a number), or keeps the start of any other body.
func parseAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: status}
	var env struct {
		Error *struct {
			ErrorCode json.RawMessage `json:"errorCode"`
			Code      json.RawMessage `json:"code"`
			Message   string          `json:"message"`
			Details   any             `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		e.Code = rawCode(env.Error.ErrorCode)
		if e.Code == "" {
			e.Code = rawCode(env.Error.Code)
		}
		e.Message = env.Error.Message
		if env.Error.Details != nil {
			e.Details = fmt.Sprint(env.Error.Details)
		}
		return e
	}
	text := strings.Join(strings.Fields(string(body)), " ")
	if len(text) > maxMessage {
		text = text[:maxMessage]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
		text += "…"
	}
	e.Message = text
	return e
}

func rawCode(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
