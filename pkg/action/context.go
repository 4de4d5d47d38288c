package action

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"
)

// Activation describes the running activation.
type Activation struct {
	// ID is the activation id (__OW_ACTIVATION_ID).
	ID string
	// ActionName is the fully qualified action name (__OW_ACTION_NAME).
	ActionName string
	// Namespace is the namespace (__OW_NAMESPACE).
	Namespace string
	// Deadline is when the handler's context expires; zero when the
	// platform gave none.
	Deadline time.Time
	// PlatformDeadline is when the platform stops the activation
	// (__OW_DEADLINE); Deadline is earlier by the headroom kept to report
	// an error. Zero when the platform gave none.
	PlatformDeadline time.Time
}

// Grace returns a context for reporting a failure after ctx has ended: it
// ignores ctx's cancellation and ends margin before the platform's
// deadline (or after fallback when there is none). Use it only for short,
// best-effort work such as a failure notification.
func Grace(ctx context.Context, margin, fallback time.Duration) (context.Context, context.CancelFunc) {
	base := context.WithoutCancel(ctx)
	if d := ActivationFrom(ctx).PlatformDeadline; !d.IsZero() {
		return context.WithDeadline(base, d.Add(-margin))
	}
	return context.WithTimeout(base, fallback)
}

type activationKey struct{}
type recordKey struct{}

// ActivationFrom returns the activation a handler's context belongs to.
func ActivationFrom(ctx context.Context) Activation {
	a, _ := ctx.Value(activationKey{}).(Activation)
	return a
}

// record collects what a handler adds to its activation's log line.
type record struct {
	attrs []slog.Attr
	panic string
}

func recordFrom(ctx context.Context) *record {
	if r, ok := ctx.Value(recordKey{}).(*record); ok {
		return r
	}
	return &record{}
}

// LogAttrs adds attributes to the activation's single log line. Handlers
// use it instead of logging lines of their own. Never pass parameters
// wholesale; secret values are scrubbed, but only as a last resort.
func LogAttrs(ctx context.Context, attrs ...slog.Attr) {
	r := recordFrom(ctx)
	r.attrs = append(r.attrs, attrs...)
}

// secretNameParts mark a parameter name as holding a secret.
var secretNameParts = []string{"SECRET", "TOKEN", "PASSWORD", "PASSWD", "PRIVATE"}

// IsSecretName reports whether a parameter with this name holds a secret
// (NCLOUD_SECRET_KEY, CALLBACK_TOKEN, WEBHOOK_SECRET, ...).
func IsSecretName(name string) bool {
	upper := strings.ToUpper(name)
	for _, part := range secretNameParts {
		if strings.Contains(upper, part) {
			return true
		}
	}
	return false
}

// minScrubLen keeps very short values (which would match everywhere) from
// being scrubbed; real secrets are far longer.
const minScrubLen = 6

// secretValues collects the string values of secret-named top-level
// parameters, plus extra values such as the OpenWhisk API key.
func secretValues(value json.RawMessage, extra ...string) []string {
	var out []string
	for _, e := range extra {
		if len(e) >= minScrubLen {
			out = append(out, e)
		}
	}
	if len(value) == 0 || value[0] != '{' {
		return out
	}
	var params map[string]json.RawMessage
	if json.Unmarshal(value, &params) != nil {
		return out
	}
	for k, raw := range params {
		if !IsSecretName(k) || len(raw) == 0 || raw[0] != '"' {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && len(s) >= minScrubLen {
			out = append(out, s)
			// The value may also appear JSON-escaped in the output.
			if q, err := json.Marshal(s); err == nil {
				if esc := string(q[1 : len(q)-1]); esc != s {
					out = append(out, esc)
				}
			}
		}
	}
	return out
}

// scrub replaces every secret value in b with a placeholder.
func scrub(b []byte, secrets []string) []byte {
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			b = bytes.ReplaceAll(b, []byte(s), []byte("[redacted]"))
		}
	}
	return b
}
