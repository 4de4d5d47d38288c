package vodstation

import (
	"errors"
	"net/http"

	"github.com/vodflow/vodflow/pkg/ncpapi"
)

// ErrCategoryNotFound reports that no enabled category has the name asked for.
var ErrCategoryNotFound = errors.New("category not found")

// ErrOutcomeUnknown marks a failure after which VOD Station may or may not
// have accepted the request (the connection dropped after the request was
// sent, or a 2xx answer could not be read). Such a call is never retried;
// the caller must report it rather than submit again.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request may have been accepted")

// APIError is a non-2xx answer from VOD Station or its API gateway, or a 2xx
// answer that could not be understood. It adds to the shared NCP error the
// action codes and VOD Station's retry and outcome classification.
type APIError struct {
	ncpapi.APIError
	// unknown marks a 2xx answer that could not be read.
	unknown bool
}

func newAPIError(e *ncpapi.APIError) *APIError { return &APIError{APIError: *e} }

// unreadable is the error for a 2xx answer whose body cannot be used.
func unreadable(method, path string, status int, msg string, maybeAccepted bool) *APIError {
	return &APIError{APIError: ncpapi.APIError{Method: method, Path: path, StatusCode: status, Message: msg}, unknown: maybeAccepted}
}

// Is makes errors.Is(err, ErrOutcomeUnknown) true for an unreadable 2xx.
func (e *APIError) Is(target error) bool { return target == ErrOutcomeUnknown && e.unknown }

// ErrorCode implements action.Coder.
func (e *APIError) ErrorCode() string {
	switch {
	case e.unknown:
		return "outcome_unknown"
	case ncpapi.IsRedirect(e.StatusCode):
		return "redirected"
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
	ncpapi.TransportError
}

// Is makes errors.Is(err, ErrOutcomeUnknown) true when the request may have
// reached the server.
func (e *TransportError) Is(target error) bool {
	return target == ErrOutcomeUnknown && !e.NotSent()
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
