package action

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error codes used by the plumbing itself. Handlers may use their own.
const (
	CodeInvalidParameter  = "invalid_parameter"
	CodeMissingParameter  = "missing_parameter"
	CodeInvalidActivation = "invalid_activation"
	CodeInternal          = "internal"
	CodeTimeout           = "timeout"
	CodeTooLarge          = "parameters_too_large"
	CodeResultTooLarge    = "result_too_large"
)

// Error is an error with the code and status an action reports. Handlers
// return it (or any error implementing [Coder]) to control the result.
type Error struct {
	// Code is a stable machine-readable code, e.g. "missing_parameter".
	Code string
	// Status is an HTTP-style status: 400 bad input, 404 not found,
	// 502 upstream failure, 500 internal, 504 deadline.
	Status int
	// Message says what went wrong; it names the parameter when one is at fault.
	Message string
	// Param is the parameter at fault, when one is (set by Missing and
	// Invalid), so callers need not read it out of Message.
	Param string
	// Details is optional extra JSON data for the result.
	Details any
	// Err is the cause, if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode implements [Coder].
func (e *Error) ErrorCode() string { return e.Code }

// HTTPStatus implements [Coder].
func (e *Error) HTTPStatus() int { return e.Status }

// ErrorDetails implements [Detailer].
func (e *Error) ErrorDetails() any { return e.Details }

// Coder is implemented by errors that carry an action error code and status.
// The first Coder found in an error chain decides the result's code and status.
type Coder interface {
	ErrorCode() string
	HTTPStatus() int
}

// Detailer is implemented by errors that carry extra JSON data for the result.
type Detailer interface {
	ErrorDetails() any
}

// Missing returns the error for a required parameter that is absent.
// name may go on with an explanation ("CATEGORY_NAME (or CATEGORY_ID)");
// Param is its first word.
func Missing(name string) *Error {
	return &Error{Code: CodeMissingParameter, Status: http.StatusBadRequest, Message: "missing parameter " + name, Param: paramName(name)}
}

// Invalid returns the error for a parameter whose value is wrong.
func Invalid(name, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidParameter, Status: http.StatusBadRequest,
		Message: "invalid parameter " + name + ": " + fmt.Sprintf(format, args...), Param: paramName(name)}
}

func paramName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// ErrorBody is the value of the "error" key in an error result.
type ErrorBody struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Status  int    `json:"status"`
	Details any    `json:"details,omitempty"`
}

// ErrorResult is the result an action returns for an error.
type ErrorResult struct {
	Error ErrorBody `json:"error"`
}

// NewErrorResult turns err into the result OpenWhisk sees.
func NewErrorResult(err error) ErrorResult {
	body := ErrorBody{Message: err.Error(), Code: CodeInternal, Status: http.StatusInternalServerError}
	var c Coder
	if errors.As(err, &c) {
		body.Code, body.Status = c.ErrorCode(), c.HTTPStatus()
	}
	var d Detailer
	if errors.As(err, &d) {
		body.Details = d.ErrorDetails()
	}
	return ErrorResult{Error: body}
}
