package callback

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// Encoding statuses VOD Station reports (callbacks and the status API).
const (
	StatusWaiting  = "WAITING"
	StatusRunning  = "RUNNING"
	StatusComplete = "COMPLETE"
	StatusFailure  = "FAILURE"
	// StatusCanceled appears in the status list; a callback carrying it is
	// treated as a failure.
	StatusCanceled = "CANCELED"
)

// Callback is the body VOD Station POSTs for one encoding option on every
// status change (ncp-api.md §2.6).
// https://api.ncloud-docs.com/docs/en/vodstation-category-callback
type Callback struct {
	CategoryID       vodstation.ID `json:"categoryId,omitempty"`
	CategoryName     string        `json:"categoryName,omitempty"`
	FileID           vodstation.ID `json:"fileId"`
	FilePath         string        `json:"filePath,omitempty"`
	EncodingOptionID vodstation.ID `json:"encodingOptionId,omitempty"`
	OutputType       string        `json:"outputType,omitempty"`
	Status           string        `json:"status"`
	Link             string        `json:"link,omitempty"`
}

// rendition names the callback's encoding option: its id, else its output
// type.
func (c Callback) rendition() string {
	if c.EncodingOptionID != "" {
		return string(c.EncodingOptionID)
	}
	return c.OutputType
}

// DecodeCallback reads a callback from a JSON object: the raw request body
// (a request whose body was merged into the parameters is refused before
// this).
// Ids may be numbers or numeric strings; status is one of WAITING, RUNNING,
// COMPLETE, FAILURE or CANCELED (any case). An error names the field.
func DecodeCallback(b []byte) (Callback, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		return Callback{}, action.Invalid("body", "not a JSON object")
	}
	var c Callback
	var err error
	if c.FileID, err = idField(fields, "fileId", true); err != nil {
		return Callback{}, err
	}
	if c.CategoryID, err = idField(fields, "categoryId", false); err != nil {
		return Callback{}, err
	}
	if c.EncodingOptionID, err = idField(fields, "encodingOptionId", false); err != nil {
		return Callback{}, err
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"categoryName", &c.CategoryName}, {"filePath", &c.FilePath},
		{"outputType", &c.OutputType}, {"status", &c.Status}, {"link", &c.Link},
	} {
		if *f.dst, err = stringField(fields, f.name); err != nil {
			return Callback{}, err
		}
	}
	c.Status = strings.ToUpper(strings.TrimSpace(c.Status))
	switch c.Status {
	case StatusWaiting, StatusRunning, StatusComplete, StatusFailure, StatusCanceled:
	case "":
		return Callback{}, action.Missing("status")
	default:
		return Callback{}, action.Invalid("status", "got %q, want WAITING, RUNNING, COMPLETE, FAILURE or CANCELED", clip(c.Status))
	}
	if len(c.FilePath) > 4096 || len(c.Link) > 8192 || len(c.OutputType) > 256 || len(c.CategoryName) > 1024 {
		return Callback{}, action.Invalid("body", "a field is longer than VOD Station ever sends")
	}
	return c, nil
}

// lookup finds a field by its documented name, else by any case.
func lookup(fields map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if v, ok := fields[name]; ok {
		return v, true
	}
	for k, v := range fields {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

func idField(fields map[string]json.RawMessage, name string, required bool) (vodstation.ID, error) {
	raw, ok := lookup(fields, name)
	raw = bytes.TrimSpace(raw)
	if !ok || len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		if required {
			return "", action.Missing(name)
		}
		return "", nil
	}
	var text string
	if raw[0] == '"' {
		if json.Unmarshal(raw, &text) != nil {
			return "", action.Invalid(name, "not a string or number")
		}
		text = strings.TrimSpace(text)
	} else {
		text = string(raw)
	}
	n, err := strconv.ParseUint(text, 10, 63)
	if err != nil {
		return "", action.Invalid(name, "got %s, want a non-negative integer id", clip(string(raw)))
	}
	return vodstation.ID(strconv.FormatUint(n, 10)), nil
}

func stringField(fields map[string]json.RawMessage, name string) (string, error) {
	raw, ok := lookup(fields, name)
	if !ok || len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", action.Invalid(name, "got %s, want a string", clip(string(raw)))
	}
	return s, nil
}

// clip keeps echoed input short.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return fmt.Sprintf("%.64s…", s)
}
