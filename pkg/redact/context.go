package redact

import "context"

type ctxKey struct{}

// NewContext returns a copy of ctx that carries s, for the code below to
// scrub its outputs with ([FromContext]).
func NewContext(ctx context.Context, s *Set) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the Set ctx carries. It is never nil: without one it
// returns a new empty Set, which scrubs only the structural patterns (and
// which nobody else sees, so values added to it are not shared).
func FromContext(ctx context.Context) *Set {
	if s, ok := ctx.Value(ctxKey{}).(*Set); ok && s != nil {
		return s
	}
	return &Set{}
}
