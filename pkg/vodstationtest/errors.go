package vodstationtest

import (
	"encoding/json"
	"net/http"
)

// Gateway error codes (ncp-api.md §1.5). The gateway sends errorCode as a
// string.
const (
	CodeBadRequest      = "100" // 400 Bad Request Exception
	CodeAuthFailed      = "200" // 401 Authentication Failed
	CodePermission      = "210" // 401 Permission Denied
	CodeNotFound        = "300" // 404 Not Found Exception
	CodeQuotaExceeded   = "400" // 429 Quota Exceeded
	CodeThrottleLimited = "410" // 429 Throttle Limited
	CodeRateLimited     = "420" // 429 Rate Limited
	CodeEntityTooLarge  = "430" // 413 Request Entity Too Large
	CodeEndpointError   = "500" // 503 Endpoint Error
	CodeEndpointTimeout = "510" // 504 Endpoint Timeout
	CodeUnexpected      = "900" // 500 Unexpected Error
)

// VOD Station error codes (ncp-api.md §2.1). The documentation gives no HTTP
// status for them; the emulator answers 400, except 260004 which is 404.
const (
	CodeInputValue       = "260002" // input value error
	CodeResourceNotFound = "260004" // requested resource not found
	CodeInvalidBucket    = "260021" // invalid bucket name
	CodeInvalidPageNo    = "260025" // pageNo must be 1 or more
)

// errorMessages holds the message sent with each code.
var errorMessages = map[string]string{
	CodeBadRequest:       "Bad Request Exception",
	CodeAuthFailed:       "Authentication Failed",
	CodePermission:       "Permission Denied",
	CodeNotFound:         "Not Found Exception",
	CodeQuotaExceeded:    "Quota Exceeded",
	CodeThrottleLimited:  "Throttle Limited",
	CodeRateLimited:      "Rate Limited",
	CodeEntityTooLarge:   "Request Entity Too Large",
	CodeEndpointError:    "Endpoint Error",
	CodeEndpointTimeout:  "Endpoint Timeout",
	CodeUnexpected:       "Unexpected Error",
	CodeInputValue:       "Input value error",
	CodeResourceNotFound: "The requested resource wasn't found.",
	CodeInvalidBucket:    "Invalid bucket name entered",
	CodeInvalidPageNo:    "pageNo parameter must be 1 or more.",
}

// ErrorBody returns the gateway/VOD Station error body
// {"error":{"errorCode":code,"message":message,"details":details}}.
// An empty message is replaced by the documented message for code.
func ErrorBody(code, message, details string) string {
	return string(errorJSON(code, message, details))
}

type errorEnvelope struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
	Details   string `json:"details"`
}

func errorJSON(code, message, details string) []byte {
	if message == "" {
		message = errorMessages[code]
	}
	b, err := json.Marshal(errorEnvelope{Error: errorDetail{ErrorCode: code, Message: message, Details: details}})
	if err != nil { // cannot happen: only strings
		return []byte(`{"error":{"errorCode":"900","message":"Unexpected Error","details":""}}`)
	}
	return b
}

// response is what a handler produces; ServeHTTP writes it (or, under a
// fault, replaces or drops it).
type response struct {
	status      int
	body        []byte
	contentType string
}

func errorResponse(status int, code, details string) response {
	return response{status: status, body: errorJSON(code, "", details), contentType: "application/json"}
}

// vodError answers a VOD Station 2600xx error with its HTTP status.
func vodError(code, details string) response {
	status := http.StatusBadRequest
	if code == CodeResourceNotFound {
		status = http.StatusNotFound
	}
	return errorResponse(status, code, details)
}

func jsonResponse(v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		return errorResponse(http.StatusInternalServerError, CodeUnexpected, "cannot encode response")
	}
	return response{status: http.StatusOK, body: b, contentType: "application/json"}
}
