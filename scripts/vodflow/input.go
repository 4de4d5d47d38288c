package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

// eventSource is where the event comes from: the --event flag or the
// positional argument, as inline JSON, a file, or "-" for stdin.
type eventSource struct {
	flag string // --event's value; "" when not given
	set  bool   // --event was given
}

// registerEvent adds --event to fs.
func registerEvent(fs *flag.FlagSet, what string) *eventSource {
	src := &eventSource{}
	fs.Func("event", what+" as `JSON|FILE|-`: inline JSON, a file, or - for stdin (default "+defaultEvent+"; a file may also be given as the argument)", func(s string) error {
		src.flag, src.set = s, true
		return nil
	})
	return src
}

// resolve picks the event: --event, else the one positional argument,
// else the default. An event that cannot be read or is not one JSON
// object is a usage error.
func (src *eventSource) resolve(cmd string, pos []string, stdin io.Reader) (map[string]any, error) {
	ev, err := src.read(cmd, pos, stdin)
	var usage *usageError
	if err != nil && !errors.As(err, &usage) {
		err = &usageError{cmd: cmd, err: err}
	}
	return ev, err
}

func (src *eventSource) read(cmd string, pos []string, stdin io.Reader) (map[string]any, error) {
	switch {
	case len(pos) > 1:
		return nil, usagef(cmd, "want at most one event file, got %d arguments: %s", len(pos), strings.Join(pos, " "))
	case len(pos) == 1 && src.set:
		return nil, usagef(cmd, "the event is given twice: --event %s and the argument %s", src.flag, pos[0])
	case len(pos) == 1:
		return readEventArg(pos[0], stdin)
	case src.set:
		return readEventArg(src.flag, stdin)
	}
	return decodeEvent("event", []byte(defaultEvent))
}

// readEventArg reads an event given as "-" (stdin), a file or inline
// JSON. A value that starts like a JSON object, list or string is inline;
// otherwise an existing file is read, and anything else that is valid JSON
// is inline (and then refused for not being an object).
func readEventArg(arg string, stdin io.Reader) (map[string]any, error) {
	trimmed := strings.TrimSpace(arg)
	switch {
	case arg == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("event (stdin): %w", err)
		}
		return decodeEvent("event (stdin)", b)
	case trimmed == "":
		return nil, errors.New("event: got an empty string, want one JSON object (inline, a file, or - for stdin)")
	case strings.ContainsAny(trimmed[:1], `{["`):
		return decodeEvent("event", []byte(arg))
	}
	b, err := os.ReadFile(arg)
	switch {
	case err == nil:
		return decodeEvent("event "+arg, b)
	case json.Valid([]byte(trimmed)):
		return decodeEvent("event", []byte(arg))
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("event: no file %s (and it is not inline JSON)", arg)
	}
	return nil, fmt.Errorf("event: %w", err)
}

// decodeEvent decodes exactly one JSON object; what names the source in
// errors.
func decodeEvent(what string, b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: got nothing, want one JSON object", what)
		}
		return nil, fmt.Errorf("%s: not valid JSON: %s", what, jsonProblem(err))
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: got %s, want one JSON object", what, jsonKind(v))
	}
	rest := b[dec.InputOffset():]
	if trailing := bytes.TrimLeft(rest, " \t\r\n"); len(trailing) > 0 {
		at := dec.InputOffset() + int64(len(rest)-len(trailing))
		return nil, fmt.Errorf("%s: unexpected data after the JSON object, at byte %d: %s", what, at, excerpt(bytes.TrimSpace(trailing)))
	}
	return obj, nil
}

// jsonProblem words a decoding error without Go's type names.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends early"
	}
	return err.Error()
}

// jsonKind names a decoded JSON value's kind as a user would say it.
func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "JSON null"
	case bool:
		return fmt.Sprintf("a JSON boolean (%t)", x)
	case json.Number, float64:
		return fmt.Sprintf("a JSON number (%v)", x)
	case string:
		return fmt.Sprintf("a JSON string (%s)", excerpt([]byte(fmt.Sprintf("%q", x))))
	case []any:
		return "a JSON list"
	case map[string]any:
		return "a JSON object"
	}
	return "an unknown JSON value"
}

// excerpt shortens b for an error message.
func excerpt(b []byte) string {
	const n = 40
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// durationValue is a flag.Value for a positive duration.
type durationValue struct{ d *time.Duration }

// durationFlag defines a duration flag that must be positive.
func durationFlag(fs *flag.FlagSet, name string, def time.Duration, usage string) *time.Duration {
	d := def
	fs.Var(durationValue{&d}, name, usage)
	return &d
}

func (v durationValue) String() string {
	if v.d == nil {
		return ""
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration such as 90s or 2m")
	}
	if d <= 0 {
		return errors.New("want a positive duration such as 90s or 2m")
	}
	*v.d = d
	return nil
}
