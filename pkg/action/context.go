package action

import (
	"context"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/redact"
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
	attrs []Attr
	panic string
	// failure is an error a web action answered instead of failing.
	failure error
	// warnings are the configuration keys the handler does not read
	// (Params.ConfigWarnings), for the result and the log line.
	warnings []string
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
func LogAttrs(ctx context.Context, attrs ...Attr) {
	r := recordFrom(ctx)
	r.attrs = append(r.attrs, attrs...)
}

// Issue declares presigned URLs that the handler's result carries on
// purpose (upload-url's upload URLs: grants limited in time and scope,
// made for the caller). The scrubber blanks what looks like a secret,
// signatures in URL queries included; it keeps the query values of these
// URLs (redact.Set.Allow) in the result, while every secret value the
// activation knows is still scrubbed, wherever it is. The log line keeps
// none of them (it is scrubbed by redact.Set.Strict): it is for
// operators, never for the caller. An issue lasts for its activation.
// Never pass a URL that carries a secret of the deployment.
func Issue(ctx context.Context, urls ...string) {
	set := redact.FromContext(ctx)
	for _, u := range urls {
		_, query, ok := strings.Cut(u, "?")
		if !ok {
			continue
		}
		query, _, _ = strings.Cut(query, "#")
		for _, kv := range strings.Split(query, "&") {
			if _, v, ok := strings.Cut(kv, "="); ok && v != "" {
				set.Allow(v)
			}
		}
	}
}
