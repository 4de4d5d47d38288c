package manifest

import "github.com/vodflow/vodflow/pkg/suggest"

// Suggest returns the candidate closest to name, for a "did you mean X?"
// hint, or "" when none is close: at most a third of name's letters (and
// at least one, at most three) differ, ignoring case (see
// [suggest.Closest]).
func Suggest(name string, candidates []string) string { return suggest.Closest(name, candidates) }
