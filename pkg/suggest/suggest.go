// Package suggest finds the known name closest to a mistyped one, for
// "did you mean X?" hints: in the vodflow tool (commands, params.json
// names) and at the action edge (unknown configuration parameters).
package suggest

import "strings"

// Closest returns the candidate closest to name, or "" when none is close:
// at most a third of name's letters (and at least one, at most three)
// differ, ignoring case. name itself is never a suggestion.
func Closest(name string, candidates []string) string {
	best, bestDist := "", 0
	limit := min(max(len(name)/3, 1), 3)
	lname := strings.ToLower(name)
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := editDistance(lname, strings.ToLower(c))
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
