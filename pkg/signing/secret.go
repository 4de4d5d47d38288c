package signing

import (
	"encoding/json"
	"fmt"
	"reflect"
)

const redacted = "[redacted]"

// Secret holds a secret value (an NCP secret key, a token) that must never
// reach a log line, a result or an error text. It decodes from a JSON string,
// but every way of printing or encoding it yields "[redacted]"; only
// [Secret.Reveal] returns the value, for the code that must use it.
type Secret struct{ value string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{value: s} }

// Reveal returns the secret value. Call it only where the value is used
// (an HMAC key, a constant-time comparison), never to print it.
func (s Secret) Reveal() string { return s.value }

// Empty reports whether no secret is set.
func (s Secret) Empty() bool { return s.value == "" }

// String implements fmt.Stringer with a placeholder.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer with a placeholder, so %#v is safe too.
func (s Secret) GoString() string { return `signing.Secret("` + s.String() + `")` }

// Format makes every fmt verb print the placeholder.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s.String())
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, s.GoString())
			return
		}
		fmt.Fprint(f, s.String())
	default:
		fmt.Fprint(f, s.String())
	}
}

// MarshalJSON encodes the placeholder, never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON decodes a JSON string (or null) into the secret.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v *string
	if err := json.Unmarshal(b, &v); err != nil {
		// An *UnmarshalTypeError lets encoding/json add the field name.
		// Value is a JSON kind word ("number", "object", ...), as
		// encoding/json itself says it.
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[string]()}
	}
	s.value = ""
	if v != nil {
		s.value = *v
	}
	return nil
}

// jsonKind names the JSON kind of b in encoding/json's words.
func jsonKind(b []byte) string {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return "object"
		case '[':
			return "array"
		case '"':
			return "string"
		case 't', 'f':
			return "bool"
		}
		return "number"
	}
	return "empty"
}
