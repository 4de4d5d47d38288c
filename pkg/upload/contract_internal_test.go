package upload

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/notify"
)

// itemLen is the length of each list item the threshold tests build.
const itemLen = 50

// tightChars are the characters encoding/json writes in as many bytes as
// estimate counts for them: escaped as \" or \\ (2 bytes), or as \uXXXX
// (6 bytes: HTML-escaped, control, invalid UTF-8). With only these in a
// result, the estimate is its JSON size but for the fixed fields.
var tightChars = []string{`"`, `\`, "<", ">", "&", "\x01", "\x80"}

// halfChars are written as they are, in half the bytes estimate counts.
var halfChars = []string{" ", "é", "\uFFFD"}

// items returns k bytes of c (k a multiple of len(c)) in items of about
// itemLen bytes.
func items(c string, k int) []string {
	per := max(1, itemLen/len(c)) * len(c)
	item := strings.Repeat(c, per/len(c))
	out := make([]string, 0, k/per+1)
	for ; k > 0; k -= per {
		out = append(out, item[:min(k, per)])
	}
	return out
}

// uniqueKey returns the i-th of distinct keys made of tight characters.
func uniqueKey(i int) string {
	var b strings.Builder
	for range 6 {
		b.WriteString(tightChars[i%len(tightChars)])
		i /= len(tightChars)
	}
	return b.String()
}

// part builds a result whose one growing part holds k bytes of c, and
// whose every other string is made of c too.
type part struct {
	name  string
	build func(base AddFilesResult, list []string, c string) AddFilesResult
}

var parts = []part{
	{"paths and files", func(r AddFilesResult, list []string, c string) AddFilesResult {
		r.Paths = list
		for _, p := range list {
			r.Files = append(r.Files, SubmittedFile{Path: p, FileID: strings.Repeat(c, 4), UploadID: strings.Repeat(c, 3)})
		}
		return r
	}},
	{"versions", func(r AddFilesResult, list []string, c string) AddFilesResult {
		r.Versions = map[string]string{}
		for i, v := range list {
			r.Versions[uniqueKey(i)] = v
		}
		return r
	}},
	{"skipped files", func(r AddFilesResult, list []string, c string) AddFilesResult {
		for _, p := range list {
			r.SkippedFiles = append(r.SkippedFiles, SkippedFile{Path: p, Reason: strings.Repeat(c, 5)})
		}
		return r
	}},
	{"warnings", func(r AddFilesResult, list []string, c string) AddFilesResult {
		r.Warnings = list
		return r
	}},
	{"notified ids", func(r AddFilesResult, list []string, c string) AddFilesResult {
		r.Notified = &notify.Result{}
		for i, id := range list {
			if i%2 == 0 {
				r.Notified.Sent = append(r.Notified.Sent, id)
			} else {
				r.Notified.Failed = append(r.Notified.Failed, id)
			}
		}
		return r
	}},
}

// baseResult is a submitted result whose names are made of c.
func baseResult(c string) AddFilesResult {
	name := strings.Repeat(c, 100)
	return AddFilesResult{
		Submission: Submission{CategoryID: "3", CategoryName: name, BucketName: name, FileName: name, UploadID: strings.Repeat(c, 8)},
		Submitted:  1,
	}
}

// largestFull returns the largest k (in steps of len(c)) for which the
// result still gets the full shape.
func largestFull(p part, c string) int {
	steps := sort.Search(2*CompactAbove, func(n int) bool {
		return fit(p.build(baseResult(c), items(c, n*len(c)), c)).Compact
	})
	return (steps - 1) * len(c)
}

func marshal(t *testing.T, r AddFilesResult) int {
	t.Helper()
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return len(b)
}

// TestFitAtTheThreshold: for each part of a result that grows with the
// submission, built of characters JSON escapes, the largest result that
// keeps the full shape is really at most CompactAbove bytes of JSON (the
// estimate is an upper bound; a sequence keeps results up to 1 MB), one
// byte-step more gives the compact shape, and that switch does not come
// much earlier than CompactAbove bytes (the estimate is tight: for
// characters written as they are, at half the bytes).
func TestFitAtTheThreshold(t *testing.T) {
	type tc struct {
		part  part
		c     string
		ratio int // estimate / JSON size of c
	}
	var cases []tc
	for _, p := range parts {
		cases = append(cases, tc{p, `"`, 1})
	}
	for _, c := range tightChars[1:] {
		cases = append(cases, tc{parts[0], c, 1})
	}
	for _, c := range halfChars {
		cases = append(cases, tc{parts[0], c, 2})
	}
	for _, tt := range cases {
		t.Run(fmt.Sprintf("%s of %q", tt.part.name, tt.c), func(t *testing.T) {
			k := largestFull(tt.part, tt.c)
			require.Greater(t, k, 0)
			full := fit(tt.part.build(baseResult(tt.c), items(tt.c, k), tt.c))
			require.False(t, full.Compact)
			size := marshal(t, full)
			assert.LessOrEqual(t, size, CompactAbove, "the largest full-shape result")

			over := tt.part.build(baseResult(tt.c), items(tt.c, k+len(tt.c)), tt.c)
			compact := fit(over)
			assert.True(t, compact.Compact, "one step more")
			assert.Less(t, marshal(t, compact), action.MaxResultBytes, "the compact shape")
			assert.Greater(t, marshal(t, over), CompactAbove/tt.ratio-512, "the full shape the compact one replaced")
		})
	}
}

// TestFitAtExactlyCompactAbove: an estimate of exactly CompactAbove keeps
// the full shape; one byte more is compact.
func TestFitAtExactlyCompactAbove(t *testing.T) {
	var r AddFilesResult
	r.Warnings = []string{"", ""}
	// Two warnings: 512 + 2 × 3 for their quotes and commas, 2 a byte.
	r.Warnings[0] = strings.Repeat("a", (CompactAbove-512-6)/2)
	require.Equal(t, CompactAbove, r.estimate(), "precondition")
	assert.False(t, fit(r).Compact)
	r.Warnings[1] = "a"
	assert.True(t, fit(r).Compact)
}

// TestJSONBound: jsonBound is at least what encoding/json writes for each
// kind of byte, and exactly that for the escaped ones.
func TestJSONBound(t *testing.T) {
	for _, tt := range []struct {
		s     string
		bound int
	}{
		{"", 0}, {"a", 2}, {" ", 2}, {"\x1f", 6}, {"\n", 6}, {`"`, 2}, {`\`, 2},
		{"<", 6}, {">", 6}, {"&", 6}, {"\x80", 6}, {"\xff", 6}, {"é", 4}, {"\uFFFD", 6},
		{"\u2028", 6}, {"a<\x80é", 18},
	} {
		b, err := json.Marshal(tt.s)
		require.NoError(t, err)
		assert.Equal(t, tt.bound, jsonBound(tt.s), "%q", tt.s)
		assert.GreaterOrEqual(t, jsonBound(tt.s), len(b)-2, "%q is written %s", tt.s, b)
	}
}
