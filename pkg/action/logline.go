package action

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Attr is one key and value of the activation's log line (see LogAttrs).
// It mirrors log/slog's Attr without linking log/slog into the actions;
// strings, integers, booleans and numbers are held without boxing.
type Attr struct {
	Key  string
	kind attrKind
	str  string
	num  int64
	f    float64
	any  any
}

type attrKind uint8

const (
	kindAny attrKind = iota
	kindString
	kindInt
	kindBool
	kindFloat
	kindGroup
)

// String is an Attr with a string value.
func String(key, value string) Attr { return Attr{Key: key, kind: kindString, str: value} }

// Int is an Attr with an integer value.
func Int(key string, value int) Attr { return Attr{Key: key, kind: kindInt, num: int64(value)} }

// Bool is an Attr with a boolean value.
func Bool(key string, value bool) Attr {
	a := Attr{Key: key, kind: kindBool}
	if value {
		a.num = 1
	}
	return a
}

// Float64 is an Attr with a number value.
func Float64(key string, value float64) Attr { return Attr{Key: key, kind: kindFloat, f: value} }

// Any is an Attr with any value that encodes to JSON.
func Any(key string, value any) Attr { return Attr{Key: key, kind: kindAny, any: value} }

// Group is an Attr whose value is an object of attrs, in order.
func Group(key string, attrs ...Attr) Attr { return Attr{Key: key, kind: kindGroup, any: attrs} }

// appendLogLine appends one JSON log line: time, level and msg first (the
// fields log/slog's JSON handler writes), then attrs in order, and a
// newline.
func appendLogLine(b []byte, now time.Time, level, msg string, attrs []Attr) []byte {
	b = append(b, `{"time":"`...)
	b = now.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":`...)
	b = appendString(b, level)
	b = append(b, `,"msg":`...)
	b = appendString(b, msg)
	for _, a := range attrs {
		b = appendAttr(append(b, ','), a)
	}
	return append(b, "}\n"...)
}

func appendAttr(b []byte, a Attr) []byte {
	b = appendString(b, a.Key)
	b = append(b, ':')
	switch a.kind {
	case kindString:
		return appendString(b, a.str)
	case kindInt:
		return strconv.AppendInt(b, a.num, 10)
	case kindBool:
		return strconv.AppendBool(b, a.num != 0)
	case kindFloat:
		if math.IsInf(a.f, 0) || math.IsNaN(a.f) {
			return appendString(b, strconv.FormatFloat(a.f, 'g', -1, 64))
		}
		return strconv.AppendFloat(b, a.f, 'g', -1, 64)
	case kindGroup:
		b = append(b, '{')
		for i, x := range a.any.([]Attr) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAttr(b, x)
		}
		return append(b, '}')
	}
	enc, err := json.Marshal(a.any)
	if err != nil {
		return appendString(b, "!unencodable: "+err.Error())
	}
	return append(b, enc...)
}

// appendString appends s as a JSON string, escaped as encoding/json does
// without HTML escaping: quotes, backslashes, control characters, U+2028
// and U+2029; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
