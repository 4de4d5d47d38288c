package action

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/redact"
)

// MaxParamsBytes is the largest parameter object an activation may carry:
// NCP Cloud Functions' 1 MB limit. A larger one is refused before decoding.
const MaxParamsBytes = 1 << 20

// MaxResultBytes is the largest result the platform keeps whole: OpenWhisk
// truncates a larger one and records the activation as failed.
const MaxResultBytes = 1 << 20

// Handler is what an action binary runs for each activation: Decode turns
// the parameters into typed configuration C and typed input In (validated,
// with errors that name the field), then Run does the work.
type Handler[C, In, Out any] struct {
	// Decode reads the configuration and the input from the parameters.
	Decode func(p *Params) (C, In, error)
	// Run does the activation's work. Out must encode to a JSON object
	// without an "error" key.
	Run func(ctx context.Context, cfg C, in In) (Out, error)
	// OnError, when set, runs once after Decode or Run failed, before the
	// error result is written: the one place a failure is reported (for
	// example a submit_failed event). It must be quick and best-effort;
	// its context is still the activation's (see [Grace]).
	OnError func(ctx context.Context, p *Params, err error)
	// Answer, when set, turns a failure into a result instead of an error
	// result: a web action answers every request with an HTTP status.
	Answer func(ctx context.Context, err error) Out
}

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
func Main[C, In, Out any](name string, h Handler[C, In, Out]) {
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
func Serve[C, In, Out any](ctx context.Context, opts Options, h Handler[C, In, Out]) error {
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
		// waits for one result per line it sends. (err == nil only for a
		// line with its newline; at EOF, a last line without one counts
		// unless it is only whitespace.)
		if err == nil || len(bytes.TrimSpace(line)) > 0 {
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
	if o.Getenv == nil && o.Setenv == nil {
		// An environment of the loop's own, so the envelope's fields (the
		// deadline, the activation id) still reach the handler.
		env := map[string]string{}
		o.Getenv = func(k string) string { return env[k] }
		o.Setenv = func(k, v string) error { env[k] = v; return nil }
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

// envelope is the activation line the proxy sends on stdin: the value and
// the fields exported as __OW_<FIELD>.
type envelope struct {
	Value json.RawMessage
	Env   map[string]string
}

func parseEnvelope(line []byte) (envelope, error) {
	var fields map[string]rawField
	if err := json.Unmarshal(line, &fields); err != nil {
		return envelope{}, &Error{Code: CodeInvalidActivation, Status: http.StatusBadRequest,
			Message: "activation is not a JSON object", Err: err}
	}
	env := envelope{Value: json.RawMessage(fields["value"]), Env: make(map[string]string, len(fields))}
	for k, raw := range fields {
		if k == "value" || len(raw) == 0 {
			continue
		}
		switch c := raw[0]; {
		case c == '"':
			var s string
			if json.Unmarshal(raw, &s) == nil {
				env.Env["__OW_"+strings.ToUpper(k)] = s
			}
		case c == '-' || (c >= '0' && c <= '9'):
			// The runtime's ACTION.md documents deadline as a Number.
			env.Env["__OW_"+strings.ToUpper(k)] = string(raw)
		}
	}
	return env, nil
}

// serveOne runs one activation and returns its result line.
func serveOne[C, In, Out any](ctx context.Context, opts Options, prev map[string]bool, line []byte, h Handler[C, In, Out]) []byte {
	start := opts.Now()
	rec := &record{}
	secrets := redact.New()
	var (
		out Out
		err error
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
		secrets.Add(opts.Getenv("__OW_API_KEY"))
		var cancel context.CancelFunc
		ctx, cancel = withDeadline(ctx, opts.Getenv("__OW_DEADLINE"), start)
		defer cancel()
		act := Activation{
			ID:         opts.Getenv("__OW_ACTIVATION_ID"),
			ActionName: opts.Getenv("__OW_ACTION_NAME"),
			Namespace:  opts.Getenv("__OW_NAMESPACE"),
		}
		act.Deadline, _ = ctx.Deadline()
		act.PlatformDeadline = parseDeadline(opts.Getenv("__OW_DEADLINE"))
		ctx = context.WithValue(ctx, activationKey{}, act)
		ctx = context.WithValue(ctx, recordKey{}, rec)
		ctx = redact.NewContext(ctx, secrets)
		out, err = run(ctx, env.Value, secrets, h)
	}

	var result []byte
	if err == nil {
		result, err = marshalResult(out)
	}
	if err == nil && len(rec.warnings) > 0 {
		result = addWarnings(result, rec.warnings)
	}
	if err != nil {
		result, _ = json.Marshal(NewErrorResult(err))
	}
	result = secrets.Bytes(result)
	logActivation(opts, start, rec, err, secrets)
	return result
}

// run decodes the parameters once, collects their secrets and runs the
// handler, turning a panic into an error and a failure into OnError's
// report and, for web actions, an answer.
func run[C, In, Out any](ctx context.Context, value json.RawMessage, secrets *redact.Set, h Handler[C, In, Out]) (out Out, err error) {
	var params *Params
	defer func() {
		if p := recover(); p != nil {
			recordFrom(ctx).panic = fmt.Sprintf("%v\n%s", p, debug.Stack())
			err = &Error{Code: CodeInternal, Status: http.StatusInternalServerError,
				Message: "internal error: the action panicked (details in the activation log)"}
		}
		if err == nil {
			return
		}
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			te := &Error{Code: CodeTimeout, Status: http.StatusGatewayTimeout, Message: "the action ran out of time", Err: err}
			var d Detailer
			if errors.As(err, &d) {
				te.Details = d.ErrorDetails() // what was and was not done
			}
			err = te
		}
		if h.OnError != nil && params != nil {
			safely(ctx, func() { h.OnError(ctx, params, err) })
		}
		if h.Answer != nil {
			recordFrom(ctx).failure = err
			out, err = h.Answer(ctx, err), nil
		}
	}()
	if n := len(value); n > MaxParamsBytes {
		return out, &Error{Code: CodeTooLarge, Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("parameters are %d bytes; NCP accepts at most %d (1 MB) per activation", n, MaxParamsBytes)}
	}
	params, err = ParseParams(value)
	if err != nil {
		return out, err
	}
	collectSecrets(secrets, params)
	cfg, in, err := h.Decode(params)
	if err != nil {
		return out, err
	}
	recordFrom(ctx).warnings = params.ConfigWarnings()
	return h.Run(ctx, cfg, in)
}

// safely runs f, logging instead of propagating a panic.
func safely(ctx context.Context, f func()) {
	defer func() {
		if p := recover(); p != nil {
			LogAttrs(ctx, String("on_error_panic", fmt.Sprint(p)))
		}
	}()
	f()
}

// collectSecrets adds every string parameter's secrets: the value of a
// secret-named parameter, and the secrets inside a URL-valued one.
func collectSecrets(s *redact.Set, p *Params) {
	for _, part := range []map[string]json.RawMessage{p.Config, p.Payload, p.Web} {
		for k, raw := range part {
			if len(raw) == 0 || raw[0] != '"' {
				continue
			}
			if !redact.IsSecretName(k) && !bytes.Contains(raw, []byte("://")) {
				continue
			}
			var v string
			if json.Unmarshal(raw, &v) == nil {
				s.AddParam(k, v)
			}
		}
	}
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
	if len(b) > MaxResultBytes {
		return nil, &Error{Code: CodeResultTooLarge, Status: http.StatusInternalServerError,
			Message: fmt.Sprintf("result is %d bytes; the platform keeps at most %d (1 MB)", len(b), MaxResultBytes)}
	}
	return b, nil
}

// addWarnings adds warnings to a result object's top-level "warnings" list
// of strings, creating it when there is none. A web action's answer
// ({statusCode, headers, body}), a "warnings" that is not a list of
// strings, or a result the warnings would push over MaxResultBytes is left
// as it is: the log line still carries them.
func addWarnings(result []byte, warnings []string) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(result, &obj) != nil {
		return result
	}
	if _, web := obj["statusCode"]; web {
		return result
	}
	var out []byte
	if raw, ok := obj["warnings"]; ok {
		var list []string
		if json.Unmarshal(raw, &list) != nil {
			return result
		}
		obj["warnings"], _ = json.Marshal(append(list, warnings...))
		b, err := json.Marshal(obj)
		if err != nil {
			return result
		}
		out = b
	} else {
		// Keep the handler's key order: append the list before the last '}'.
		list, _ := json.Marshal(warnings)
		end := bytes.LastIndexByte(result, '}')
		out = append(out, result[:end]...)
		if len(obj) > 0 {
			out = append(out, ',')
		}
		out = append(out, `"warnings":`...)
		out = append(out, list...)
		out = append(out, '}')
	}
	if len(out) > MaxResultBytes {
		return result
	}
	return out
}

// parseDeadline reads __OW_DEADLINE (epoch milliseconds, as a string or a
// number's text); zero when absent or unreadable.
func parseDeadline(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return time.Time{}
		}
		ms = int64(f)
	}
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// Headroom bounds: the handler's context ends a fifth of the time before
// the platform's deadline, at least MinHeadroom and at most MaxHeadroom
// (never more than half the time left), so an error result and a failure
// report ([Grace]) still fit before the platform stops the container.
const (
	MinHeadroom = 200 * time.Millisecond
	MaxHeadroom = 500 * time.Millisecond
)

// headroom is the time kept back from a handler that has left to run.
func headroom(left time.Duration) time.Duration {
	h := min(max(left/5, MinHeadroom), MaxHeadroom)
	return max(min(h, left/2), 0)
}

// withDeadline derives the handler's context from __OW_DEADLINE (epoch ms),
// keeping headroom before the platform's deadline.
func withDeadline(ctx context.Context, deadline string, now time.Time) (context.Context, context.CancelFunc) {
	d := parseDeadline(deadline)
	if d.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, d.Add(-headroom(d.Sub(now))))
}

func logActivation(opts Options, start time.Time, rec *record, err error, secrets *redact.Set) {
	attrs := []Attr{
		String("action", opts.Name),
		String("activation_id", opts.Getenv("__OW_ACTIVATION_ID")),
		Float64("duration_ms", float64(opts.Now().Sub(start).Microseconds())/1000),
	}
	level, msg := "INFO", "activation succeeded"
	if err == nil && rec.failure != nil {
		err, msg = rec.failure, "activation answered a failure"
	}
	if err != nil {
		level = "ERROR"
		if rec.failure == nil {
			msg = "activation failed"
		}
		body := NewErrorResult(err).Error
		attrs = append(attrs, String("error", body.Message), String("code", body.Code), Int("status", body.Status))
	}
	if rec.panic != "" {
		attrs = append(attrs, String("panic", rec.panic))
	}
	if len(rec.warnings) > 0 {
		attrs = append(attrs, Any("parameter_warnings", rec.warnings))
	}
	attrs = append(attrs, rec.attrs...)
	line := appendLogLine(make([]byte, 0, 512), opts.Now(), level, msg, attrs)
	// Strict: the values Issue and Allow keep in results are grants for
	// the caller, never for the log.
	_, _ = opts.Log.Write(secrets.Strict().Bytes(line))
}

// Simple is a Handler for an action whose configuration and input are one
// struct In: its configuration fields are read from the configuration,
// the others from the payload (each field from the part its name belongs
// to). Validation is run's job.
func Simple[In, Out any](run func(ctx context.Context, in In) (Out, error)) Handler[struct{}, In, Out] {
	return Handler[struct{}, In, Out]{
		Decode: func(p *Params) (struct{}, In, error) {
			var in In
			if err := p.DecodeConfig(&in); err != nil {
				return struct{}{}, in, err
			}
			return struct{}{}, in, p.DecodePayload(&in)
		},
		Run: func(ctx context.Context, _ struct{}, in In) (Out, error) { return run(ctx, in) },
	}
}
