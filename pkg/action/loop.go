package action

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// MaxParamsBytes is the largest parameter object an activation may carry:
// NCP Cloud Functions' 1 MB limit. A larger one is refused before decoding.
const MaxParamsBytes = 1 << 20

// Handler is the typed function an action implements. In is decoded from
// the activation's "value" once, before the handler runs; Out must encode
// to a JSON object without an "error" key.
type Handler[In, Out any] func(ctx context.Context, in In) (Out, error)

// Options are the streams and hooks the loop uses. [Main] fills them from
// the process; tests set them directly.
type Options struct {
	// Name is the action's name, used in the log line.
	Name string
	// In carries the activations, one JSON line each (the process's stdin).
	In io.Reader
	// Out receives the ack and one result line per activation (fd 3).
	Out io.Writer
	// Log receives one JSON log line per activation (stderr).
	Log io.Writer
	// Getenv and Setenv access the environment (os.Getenv and os.Setenv).
	Getenv func(string) string
	Setenv func(key, value string) error
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Main runs h as an action binary: it serves activations from stdin,
// writes results on file descriptor 3 (stdout when fd 3 is not open, so
// the binary can be tried by hand) and logs on stderr, until stdin closes.
func Main[In, Out any](name string, h Handler[In, Out]) {
	out := os.NewFile(3, "result")
	if out == nil {
		out = os.Stdout
	} else if _, err := out.Stat(); err != nil {
		out = os.Stdout
	}
	err := Serve(context.Background(), Options{
		Name: name, In: os.Stdin, Out: out, Log: os.Stderr,
		Getenv: os.Getenv, Setenv: os.Setenv, Now: time.Now,
	}, h)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Serve runs the action loop until opts.In reaches EOF (nil) or a write
// fails (the error).
func Serve[In, Out any](ctx context.Context, opts Options, h Handler[In, Out]) error {
	opts.fill()
	out := bufio.NewWriter(opts.Out)
	if opts.Getenv("__OW_WAIT_FOR_ACK") != "" {
		if err := writeLine(out, []byte(`{"ok":true}`)); err != nil {
			return fmt.Errorf("action: write ack: %w", err)
		}
	}
	in := bufio.NewReaderSize(opts.In, 64<<10)
	// Keys exported for the previous activation; cleared when the next one
	// does not carry them, so a stale deadline or id never leaks forward.
	prev := map[string]bool{}
	for {
		line, err := in.ReadBytes('\n')
		// A complete line is always answered, even a blank one: the proxy
		// waits for one result per line it sends.
		if len(line) > 0 && (err == nil || len(bytes.TrimSpace(line)) > 0) {
			result := serveOne(ctx, opts, prev, line, h)
			if werr := writeLine(out, result); werr != nil {
				return fmt.Errorf("action: write result: %w", werr)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("action: read activation: %w", err)
		}
	}
}

func (o *Options) fill() {
	if o.Name == "" {
		o.Name = "action"
	}
	if o.In == nil {
		o.In = strings.NewReader("")
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Setenv == nil {
		o.Setenv = func(string, string) error { return nil }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func writeLine(w *bufio.Writer, b []byte) error {
	// json.Marshal never emits raw newlines, but a result must be one line.
	b = bytes.ReplaceAll(b, []byte("\n"), nil)
	if _, err := w.Write(b); err != nil {
		return err
	}
	if err := w.WriteByte('\n'); err != nil {
		return err
	}
	return w.Flush()
}

// activation is the envelope the proxy sends on stdin.
type envelope struct {
	Value json.RawMessage
	Env   map[string]string
}

func parseEnvelope(line []byte) (envelope, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		return envelope{}, &Error{Code: CodeInvalidActivation, Status: http.StatusBadRequest,
			Message: "activation is not a JSON object", Err: err}
	}
	env := envelope{Value: fields["value"], Env: make(map[string]string, len(fields))}
	for k, raw := range fields {
		if k == "value" || len(raw) == 0 || raw[0] != '"' {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			env.Env["__OW_"+strings.ToUpper(k)] = s
		}
	}
	return env, nil
}

// serveOne runs one activation and returns its result line.
func serveOne[In, Out any](ctx context.Context, opts Options, prev map[string]bool, line []byte, h Handler[In, Out]) []byte {
	start := opts.Now()
	rec := &record{}
	var (
		out     Out
		err     error
		secrets []string
	)
	env, err := parseEnvelope(line)
	if err == nil {
		for k := range prev {
			if _, ok := env.Env[k]; !ok {
				_ = opts.Setenv(k, "")
				delete(prev, k)
			}
		}
		for k, v := range env.Env {
			_ = opts.Setenv(k, v)
			prev[k] = true
		}
		secrets = secretValues(env.Value, opts.Getenv("__OW_API_KEY"))
		var cancel context.CancelFunc
		ctx, cancel = withDeadline(ctx, opts.Getenv("__OW_DEADLINE"), start)
		defer cancel()
		act := Activation{
			ID:         opts.Getenv("__OW_ACTIVATION_ID"),
			ActionName: opts.Getenv("__OW_ACTION_NAME"),
			Namespace:  opts.Getenv("__OW_NAMESPACE"),
		}
		act.Deadline, _ = ctx.Deadline()
		if ms, perr := strconv.ParseInt(strings.TrimSpace(opts.Getenv("__OW_DEADLINE")), 10, 64); perr == nil && ms > 0 {
			act.PlatformDeadline = time.UnixMilli(ms)
		}
		ctx = context.WithValue(ctx, activationKey{}, act)
		ctx = context.WithValue(ctx, recordKey{}, rec)
		if n := len(env.Value); n > MaxParamsBytes {
			err = &Error{Code: CodeTooLarge, Status: http.StatusRequestEntityTooLarge,
				Message: fmt.Sprintf("parameters are %d bytes; NCP accepts at most %d (1 MB) per activation", n, MaxParamsBytes)}
		} else {
			out, err = call(ctx, env.Value, h)
		}
	}

	var result []byte
	if err == nil {
		result, err = marshalResult(out)
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			err = &Error{Code: CodeTimeout, Status: http.StatusGatewayTimeout, Message: "the action ran out of time", Err: err}
		}
		result, _ = json.Marshal(NewErrorResult(err))
	}
	result = scrub(result, secrets)
	logActivation(opts, start, rec, err, secrets)
	return result
}

// call decodes the value and runs the handler, turning a panic into an error.
func call[In, Out any](ctx context.Context, value json.RawMessage, h Handler[In, Out]) (out Out, err error) {
	defer func() {
		if p := recover(); p != nil {
			recordFrom(ctx).panic = fmt.Sprintf("%v\n%s", p, debug.Stack())
			err = &Error{Code: CodeInternal, Status: http.StatusInternalServerError,
				Message: "internal error: the action panicked (details in the activation log)"}
		}
	}()
	var in In
	if len(value) > 0 && !bytes.Equal(bytes.TrimSpace(value), []byte("null")) {
		// A type with its own UnmarshalJSON sees the raw object (it may
		// read fields that are not its own); see UnmarshalExact.
		if _, custom := any(&in).(json.Unmarshaler); !custom {
			value = exactKeys(value, reflect.TypeFor[In]())
		}
		if err := json.Unmarshal(value, &in); err != nil {
			return out, DecodeError(err)
		}
	}
	return h(ctx, in)
}

func marshalResult(out any) ([]byte, error) {
	b, err := json.Marshal(out)
	if err != nil {
		return nil, &Error{Code: CodeInternal, Status: http.StatusInternalServerError, Message: "encode result", Err: err}
	}
	if bytes.Equal(b, []byte("null")) {
		return []byte("{}"), nil
	}
	if len(b) == 0 || b[0] != '{' {
		return nil, &Error{Code: CodeInternal, Status: http.StatusInternalServerError, Message: "result is not a JSON object"}
	}
	return b, nil
}

// withDeadline derives the handler's context from __OW_DEADLINE (epoch ms),
// keeping headroom so an error result can still be written before the
// platform stops the container.
func withDeadline(ctx context.Context, deadline string, now time.Time) (context.Context, context.CancelFunc) {
	ms, err := strconv.ParseInt(strings.TrimSpace(deadline), 10, 64)
	if err != nil || ms <= 0 {
		return context.WithCancel(ctx)
	}
	d := time.UnixMilli(ms)
	headroom := d.Sub(now) / 10
	if headroom > 500*time.Millisecond {
		headroom = 500 * time.Millisecond
	}
	if headroom < 0 {
		headroom = 0
	}
	return context.WithDeadline(ctx, d.Add(-headroom))
}

func logActivation(opts Options, start time.Time, rec *record, err error, secrets []string) {
	attrs := []slog.Attr{
		slog.String("action", opts.Name),
		slog.String("activation_id", opts.Getenv("__OW_ACTIVATION_ID")),
		slog.Float64("duration_ms", float64(opts.Now().Sub(start).Microseconds())/1000),
	}
	level, msg := slog.LevelInfo, "activation succeeded"
	if err != nil {
		level, msg = slog.LevelError, "activation failed"
		body := NewErrorResult(err).Error
		attrs = append(attrs, slog.String("error", body.Message), slog.String("code", body.Code), slog.Int("status", body.Status))
	}
	if rec.panic != "" {
		attrs = append(attrs, slog.String("panic", rec.panic))
	}
	attrs = append(attrs, rec.attrs...)
	var buf bytes.Buffer
	h := slog.NewJSONHandler(&buf, nil)
	r := slog.NewRecord(opts.Now(), level, msg, 0)
	r.AddAttrs(attrs...)
	if h.Handle(context.Background(), r) == nil {
		_, _ = opts.Log.Write(scrub(buf.Bytes(), secrets))
	}
}
