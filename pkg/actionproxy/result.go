package actionproxy

import (
	"encoding/json"
	"fmt"
	"time"
)

// Result is the outcome of one activation.
type Result struct {
	// Raw is the result line: a JSON object or array. It is nil when Run
	// returned an error.
	Raw json.RawMessage
	// ActivationID is the activation's id, also given to the action as
	// __OW_ACTIVATION_ID.
	ActivationID string
	// Duration is the time from writing the activation line to reading the
	// result line.
	Duration time.Duration
	// Logs holds the stdout and stderr bytes that arrived during the
	// activation. For a successful activation it includes everything the
	// action wrote before its result line; output of background goroutines
	// may land in the next activation's logs.
	Logs []byte
}

// Object decodes the result as a JSON object.
func (r *Result) Object() (map[string]any, error) {
	var obj map[string]any
	if err := json.Unmarshal(r.Raw, &obj); err != nil {
		return nil, fmt.Errorf("decode result of activation %s: %w", r.ActivationID, err)
	}
	if obj == nil {
		return nil, fmt.Errorf("decode result of activation %s: not an object", r.ActivationID)
	}
	return obj, nil
}

// IsError reports whether the result is an OpenWhisk application error: a
// JSON object with a top-level "error" key.
func (r *Result) IsError() bool {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(r.Raw, &obj); err != nil {
		return false
	}
	_, ok := obj["error"]
	return ok
}
