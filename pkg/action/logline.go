package action

import (
	"encoding/json"
	"strconv"
	"time"
)

// Attr is one key and value of the activation's log line (see LogAttrs).
// It mirrors log/slog's Attr without linking log/slog into the actions.
type Attr struct {
	Key   string
	Value any
}

// String is an Attr with a string value.
func String(key, value string) Attr { return Attr{Key: key, Value: value} }

// Int is an Attr with an integer value.
func Int(key string, value int) Attr { return Attr{Key: key, Value: value} }

// Bool is an Attr with a boolean value.
func Bool(key string, value bool) Attr { return Attr{Key: key, Value: value} }

// Float64 is an Attr with a number value.
func Float64(key string, value float64) Attr { return Attr{Key: key, Value: value} }

// Any is an Attr with any value that encodes to JSON.
func Any(key string, value any) Attr { return Attr{Key: key, Value: value} }

// Group is an Attr whose value is an object of attrs.
func Group(key string, attrs ...Attr) Attr { return Attr{Key: key, Value: group(attrs)} }

// group is a list of Attrs, written as a JSON object in order.
type group []Attr

// appendLogLine appends one JSON log line: time, level and msg first (the
// fields log/slog's JSON handler writes), then attrs in order, and a
// newline.
func appendLogLine(b []byte, now time.Time, level, msg string, attrs []Attr) []byte {
	b = append(b, `{"time":`...)
	b = strconv.AppendQuote(b, now.Format(time.RFC3339Nano))
	b = append(b, `,"level":`...)
	b = strconv.AppendQuote(b, level)
	b = append(b, `,"msg":`...)
	b = appendJSON(b, msg)
	for _, a := range attrs {
		b = appendAttr(append(b, ','), a)
	}
	return append(b, "}\n"...)
}

func appendAttr(b []byte, a Attr) []byte {
	b = appendJSON(b, a.Key)
	b = append(b, ':')
	if g, ok := a.Value.(group); ok {
		b = append(b, '{')
		for i, x := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAttr(b, x)
		}
		return append(b, '}')
	}
	return appendJSON(b, a.Value)
}

// appendJSON appends v as JSON, or as a JSON string describing why it
// could not be encoded.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		enc, _ := json.Marshal(x) // a string always encodes
		return append(b, enc...)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case bool:
		return strconv.AppendBool(b, x)
	}
	enc, err := json.Marshal(v)
	if err != nil {
		enc, _ = json.Marshal("!unencodable: " + err.Error())
	}
	return append(b, enc...)
}
