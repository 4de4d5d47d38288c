package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/vodflow/vodflow/pkg/param"
)

// MaxKeyBytes is the longest object key NCP Object Storage allows.
const MaxKeyBytes = 1024

// Object is one uploaded object named by an upload event.
type Object struct {
	// Bucket is the bucket, or "" when the event does not name one.
	Bucket string `json:"bucket,omitempty"`
	// Key is the object key, decoded per the KeyDecoding policy.
	Key string `json:"key"`
	// RawKey is the key exactly as the event carried it.
	RawKey string `json:"raw_key,omitempty"`
	// Size, ETag, EventName and EventTime are filled when the event has them.
	Size      int64  `json:"size,omitempty"`
	ETag      string `json:"etag,omitempty"`
	EventName string `json:"event_name,omitempty"`
	EventTime string `json:"event_time,omitempty"`
}

// Created reports whether the event may be submitted for encoding: a
// create event, an event that does not say, or one vodflow does not know
// (see [ClassifyEvent]). Only known non-create kinds are not.
func (o Object) Created() bool { return ClassifyEvent(o.EventName) != EventNotCreate }

// EventKind is what an event name says about the object.
type EventKind int

// Event kinds, from [ClassifyEvent].
const (
	// EventUnnamed is an event without a name (NCP's flat trigger payload
	// carries none): submitted.
	EventUnnamed EventKind = iota
	// EventCreate is a create event (an upload, a copy, a multipart
	// upload's completion): submitted.
	EventCreate
	// EventNotCreate is a known kind that creates no new content (a
	// delete, a tag or ACL change, a restore, a lifecycle transition):
	// never submitted.
	EventNotCreate
	// EventUnknown is a name vodflow does not know: submitted with a
	// warning, because losing an upload is worse than encoding it twice.
	EventUnknown
)

// createNames are the bare create names (NCP's own trigger may send
// PUT, POST, COPY or CompleteMultipartUpload; ncp-api.md §3.6), lower case.
var createNames = map[string]bool{"put": true, "post": true, "copy": true, "completemultipartupload": true}

// notCreateFamilies are the S3 event families (the part before ":") that
// create no new content, lower case.
var notCreateFamilies = map[string]bool{
	"objectremoved": true, "objecttagging": true, "objectacl": true, "objectrestore": true,
	"lifecycletransition": true, "lifecycleexpiration": true, "intelligenttiering": true,
	"replication": true, "reducedredundancylostobject": true, "testevent": true,
}

// ClassifyEvent says what an event name is, case-insensitively and with
// or without the "s3:" prefix:
//   - "" is EventUnnamed;
//   - a name containing "remove" or "delete" (ObjectRemoved:Delete,
//     DELETE), and the S3 families ObjectTagging, ObjectAcl, ObjectRestore,
//     LifecycleTransition, LifecycleExpiration, IntelligentTiering,
//     Replication, ReducedRedundancyLostObject and TestEvent, are
//     EventNotCreate;
//   - ObjectCreated:* (Put, Post, Copy, CompleteMultipartUpload, …) and
//     the bare names Put, Post, Copy and CompleteMultipartUpload are
//     EventCreate;
//   - anything else is EventUnknown.
func ClassifyEvent(name string) EventKind {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "s3:")
	if n == "" {
		return EventUnnamed
	}
	if strings.Contains(n, "remove") || strings.Contains(n, "delete") {
		return EventNotCreate
	}
	family, _, _ := strings.Cut(n, ":")
	switch {
	case notCreateFamilies[family]:
		return EventNotCreate
	case family == "objectcreated", createNames[n]:
		return EventCreate
	}
	return EventUnknown
}

// KeyDecoding is how object keys in events are decoded.
type KeyDecoding string

// Key decoding policies.
const (
	// DecodeAuto (the default) decodes a key only when it is plainly
	// percent-encoded: it holds a valid %XX escape and no character an
	// encoder would have escaped (space, non-ASCII). "+" stays "+" in flat
	// payloads and means a space in S3-shaped records, as AWS documents.
	DecodeAuto KeyDecoding = "auto"
	// DecodeNone uses keys exactly as received.
	DecodeNone KeyDecoding = "none"
	// DecodePath always percent-decodes; "+" stays "+".
	DecodePath KeyDecoding = "path"
	// DecodeQuery always percent-decodes and reads "+" as a space (S3 style).
	DecodeQuery KeyDecoding = "query"
)

// ParseKeyDecoding validates a policy name; "" means DecodeAuto.
func ParseKeyDecoding(s string) (KeyDecoding, error) {
	switch k := KeyDecoding(strings.ToLower(strings.TrimSpace(s))); k {
	case "":
		return DecodeAuto, nil
	case DecodeAuto, DecodeNone, DecodePath, DecodeQuery:
		return k, nil
	}
	return "", &FieldError{Field: "KEY_DECODING", Problem: fmt.Sprintf("got %q, want auto, none, path or query", s)}
}

// FieldError is a problem with one field of the event. It carries the
// action error code and status (it satisfies action.Coder).
type FieldError struct {
	Field   string
	Problem string
	missing bool
}

// Error implements error.
func (e *FieldError) Error() string {
	if e.missing {
		return "missing parameter " + e.Field + ": " + e.Problem
	}
	return "invalid parameter " + e.Field + ": " + e.Problem
}

// ErrorCode names the failure for the action result.
func (e *FieldError) ErrorCode() string {
	if e.missing {
		return "missing_parameter"
	}
	return "invalid_parameter"
}

// HTTPStatus is 400: the event is at fault.
func (e *FieldError) HTTPStatus() int { return http.StatusBadRequest }

// Key and bucket field names accepted in a flat payload, in order.
var (
	keyFields    = []string{"object_name", "objectName", "object_key", "objectKey", "key"}
	bucketFields = []string{"bucket_name", "bucketName", "bucket", "container"}
)

// Decode returns the objects an upload event names. params is the whole
// parameter object the action received. It fails with a *FieldError when no
// object is named or a field has the wrong type or size.
func Decode(params []byte, policy KeyDecoding) ([]Object, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(params, &fields); err != nil {
		return nil, &FieldError{Field: "parameters", Problem: "not a JSON object"}
	}
	return DecodeFields(fields, policy)
}

// DecodeFields is [Decode] for parameters already decoded into a map of
// raw values (the action edge's payload).
func DecodeFields(fields map[string]json.RawMessage, policy KeyDecoding) ([]Object, error) {
	if raw, ok := fields["Records"]; ok && !isNull(raw) {
		return decodeRecords(raw, policy)
	}
	obj := Object{}
	for _, f := range keyFields {
		raw, ok := fields[f]
		if !ok || isNull(raw) {
			continue
		}
		if err := json.Unmarshal(raw, &obj.RawKey); err != nil {
			return nil, &FieldError{Field: f, Problem: "got " + kindWords(param.Kind(raw)) + ", want a string"}
		}
		if !param.ValidText(raw) {
			return nil, invalidText(f)
		}
		key, err := decodeKey(f, obj.RawKey, policy, false)
		if err != nil {
			return nil, err
		}
		obj.Key = key
		break
	}
	if obj.Key == "" { // Key is empty exactly when RawKey is: decoding never empties a key
		return nil, &FieldError{Field: "object_name", missing: true,
			Problem: "the event names no object (looked for " + strings.Join(keyFields, ", ") + " and Records[].s3.object.key)"}
	}
	for _, f := range bucketFields {
		raw, ok := fields[f]
		if !ok || isNull(raw) {
			continue
		}
		name, err := bucketName(raw)
		if err != nil {
			return nil, &FieldError{Field: f, Problem: err.Error()}
		}
		if !param.ValidText(raw) {
			return nil, invalidText(f)
		}
		obj.Bucket = name
		break
	}
	for _, f := range []string{"eventName", "event_name", "event_type", "eventType"} {
		if raw, ok := fields[f]; ok {
			_ = json.Unmarshal(raw, &obj.EventName)
			break
		}
	}
	if raw, ok := fields["size"]; ok {
		_ = json.Unmarshal(raw, &obj.Size)
	}
	for _, f := range []string{"etag", "eTag", "ETag"} {
		if raw, ok := fields[f]; ok {
			_ = json.Unmarshal(raw, &obj.ETag)
			break
		}
	}
	return []Object{obj}, nil
}

// s3Record is one record of an S3-style notification.
type s3Record struct {
	EventName string `json:"eventName"`
	EventTime string `json:"eventTime"`
	S3        struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key  string `json:"key"`
			Size int64  `json:"size"`
			ETag string `json:"eTag"`
		} `json:"object"`
	} `json:"s3"`
}

func decodeRecords(raw json.RawMessage, policy KeyDecoding) ([]Object, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, &FieldError{Field: "Records", Problem: "got " + kindWords(param.Kind(raw)) + ", want a list of S3 event records"}
	}
	records := make([]s3Record, len(items))
	for i, item := range items {
		if !param.ValidText(item) {
			return nil, invalidText(invalidRecordField(i, item))
		}
		if err := json.Unmarshal(item, &records[i]); err != nil {
			field := fmt.Sprintf("Records[%d]", i)
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				return nil, &FieldError{Field: field + "." + te.Field, Problem: "got " + kindWords(te.Value) + ", want " + wantWords(te.Type.Kind())}
			}
			return nil, &FieldError{Field: field, Problem: "got " + kindWords(param.Kind(item)) + ", want an S3 event record (an object)"}
		}
	}
	if len(records) == 0 {
		return nil, &FieldError{Field: "Records", missing: true, Problem: "the list is empty"}
	}
	out := make([]Object, 0, len(records))
	for i, r := range records {
		field := fmt.Sprintf("Records[%d].s3.object.key", i)
		if r.S3.Object.Key == "" {
			return nil, &FieldError{Field: field, missing: true, Problem: "empty"}
		}
		key, err := decodeKey(field, r.S3.Object.Key, policy, true)
		if err != nil {
			return nil, err
		}
		out = append(out, Object{
			Bucket: r.S3.Bucket.Name, Key: key, RawKey: r.S3.Object.Key,
			Size: r.S3.Object.Size, ETag: strings.Trim(r.S3.Object.ETag, `"`),
			EventName: r.EventName, EventTime: r.EventTime,
		})
	}
	return out, nil
}

// invalidText is the error for a field whose raw text is not valid UTF-8.
func invalidText(field string) *FieldError {
	return &FieldError{Field: field, Problem: "not valid UTF-8 (an invalid byte or an escaped lone surrogate such as \\ud800); " +
		"it would reach VOD Station as another name, so nothing was submitted"}
}

// invalidRecordField names the field of a record whose text is not valid
// UTF-8: its key or bucket name when it is one of them, else the record.
func invalidRecordField(i int, item json.RawMessage) string {
	var r struct {
		S3 struct {
			Bucket struct {
				Name json.RawMessage `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key json.RawMessage `json:"key"`
			} `json:"object"`
		} `json:"s3"`
	}
	_ = json.Unmarshal(item, &r)
	switch {
	case r.S3.Object.Key != nil && !param.ValidText(r.S3.Object.Key):
		return fmt.Sprintf("Records[%d].s3.object.key", i)
	case r.S3.Bucket.Name != nil && !param.ValidText(r.S3.Bucket.Name):
		return fmt.Sprintf("Records[%d].s3.bucket.name", i)
	}
	return fmt.Sprintf("Records[%d]", i)
}

// decodeKey applies the policy to one raw key and checks its size.
func decodeKey(field, raw string, policy KeyDecoding, s3Shape bool) (string, error) {
	key := raw
	switch policy {
	case DecodeNone:
	case DecodePath:
		key = unescapeOr(raw, url.PathUnescape)
	case DecodeQuery:
		key = unescapeOr(raw, url.QueryUnescape)
	default: // DecodeAuto
		switch {
		case s3Shape:
			key = unescapeOr(raw, url.QueryUnescape)
		case looksEncoded(raw):
			key = unescapeOr(raw, url.PathUnescape)
		}
	}
	if !utf8.ValidString(key) {
		return "", &FieldError{Field: field, Problem: "the decoded key is not valid UTF-8"}
	}
	if len(key) > MaxKeyBytes {
		return "", &FieldError{Field: field, Problem: fmt.Sprintf("the key is %d bytes; Object Storage keys are at most %d", len(key), MaxKeyBytes)}
	}
	return key, nil
}

// unescapeOr returns the unescaped key, or the key itself when it is not a
// valid escaping (a literal "100%.mp4").
func unescapeOr(s string, unescape func(string) (string, error)) string {
	if out, err := unescape(s); err == nil {
		return out
	}
	return s
}

// looksEncoded reports whether s is plainly a percent-encoded key: it has a
// valid %XX escape and nothing an encoder would have escaped.
func looksEncoded(s string) bool {
	escaped := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c >= utf8.RuneSelf {
			return false
		}
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			escaped = true
		}
	}
	return escaped
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func bucketName(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), nil
	}
	var obj struct {
		Name *string `json:"name"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Name != nil {
		return strings.TrimSpace(*obj.Name), nil
	}
	return "", fmt.Errorf("got %s, want a string", kindWords(param.Kind(raw)))
}

// kindWords says a JSON kind word as a user would.
func kindWords(kind string) string {
	switch kind {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "true or false"
	case "null", "empty":
		return kind
	}
	return "a " + kind
}

// wantWords says what a Go kind accepts, in JSON words.
func wantWords(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another kind of value"
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }
