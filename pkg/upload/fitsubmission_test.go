package upload_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLookupVersionsFitTheResult: lookup-category's result is add-files'
// parameters, so it must stay under the 1 MB limit with room for
// add-files' own (900 KB). The upload versions (ETag, size, event time)
// are dropped, with a warning, only when the result with them would not
// fit; every object is still there.
func TestLookupVersionsFitTheResult(t *testing.T) {
	const budget = 900 << 10
	key := func(i int, ext string) string {
		p := fmt.Sprintf("in/%04d-", i)
		return p + strings.Repeat("k", 950-len(p)-len(ext)) + ext
	}
	event := func(kept, skipped int) []any {
		var records []any
		for i := range kept + skipped {
			obj := map[string]any{"key": key(i, ".mp4"), "eTag": fmt.Sprintf("%032x", i), "size": 1 << 30}
			if i >= kept {
				obj = map[string]any{"key": key(i, ".txt")}
			}
			records = append(records, map[string]any{"eventName": "ObjectCreated:Put", "eventTime": "2026-11-21T09:00:00.000Z", "s3": map[string]any{"object": obj}})
		}
		return records
	}
	tests := []struct {
		name          string
		kept, skipped int
		wantVersions  bool
	}{
		// Versions of 100 objects are small (about 100 KB): only the
		// skipped files' list pushes the result over the budget.
		{"many skipped files", 100, 800, false},
		{"fewer skipped files", 100, 400, true},
		// 480 objects: about 475 KB of paths and as much of versions.
		{"many versions", 480, 0, false},
		// About 370 KB of paths and 370 KB of versions: it fits.
		{"many versions that fit", 370, 0, true},
		{"one object", 1, 0, true},
	}
	_, url := newFake(t, map[string]any{"id": 11, "name": "vod"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := invoke(t, fast().Lookup(), base(url, map[string]any{"Records": event(tt.kept, tt.skipped)}))
			require.Nil(t, res["error"])
			b, err := json.Marshal(res)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(b), budget, "the result leaves room for add-files' own parameters")
			if tt.kept > 1 {
				assert.Len(t, res["paths"], tt.kept, "every object kept")
			}
			if tt.skipped > 0 {
				assert.Len(t, res["skipped_files"], tt.skipped)
			}
			warned := strings.Contains(fmt.Sprint(res["warnings"]), "upload versions (ETag, size, time) were left out")
			if tt.wantVersions {
				versions, _ := res["versions"].(map[string]any)
				assert.Len(t, versions, tt.kept)
				assert.Equal(t, "etag=00000000000000000000000000000000 size=1073741824 time=2026-11-21T09:00:00.000Z", versions[key(0, ".mp4")])
				assert.False(t, warned)
			} else {
				_, kept := res["versions"]
				assert.False(t, kept, "versions left out")
				assert.True(t, warned, "a warning says so")
			}
		})
	}
}

// TestLookupVersionsAtTheBudget: a result of exactly the budget keeps its
// versions; one byte more, and they are left out.
func TestLookupVersionsAtTheBudget(t *testing.T) {
	const budget = 900 << 10
	const n = 460
	_, url := newFake(t, map[string]any{"id": 11, "name": "vod"})
	run := func(keyLen, extraETag int) (raw []byte, versions bool) {
		t.Helper()
		var records []any
		for i := range n {
			p := fmt.Sprintf("in/%04d-", i)
			etag := fmt.Sprintf("%032x", i)
			if i == n-1 {
				etag += strings.Repeat("e", extraETag)
			}
			records = append(records, map[string]any{"eventName": "ObjectCreated:Put",
				"s3": map[string]any{"object": map[string]any{"key": p + strings.Repeat("k", keyLen-len(p)-4) + ".mp4", "eTag": etag}}})
		}
		line, err := json.Marshal(map[string]any{"value": base(url, map[string]any{"Records": records}), "activation_id": "test"})
		require.NoError(t, err)
		raw = serveLine(t, fast().Lookup(), line)
		var res map[string]any
		require.NoError(t, json.Unmarshal(raw, &res))
		require.Nil(t, res["error"])
		_, versions = res["versions"]
		return raw, versions
	}
	// Find the key length and ETag padding that make the result exactly
	// the budget: each byte of every key adds two (the path and the
	// version's key), the first key's a third (file_name); the last
	// ETag's bytes add one each.
	raw, kept := run(900, 0)
	require.True(t, kept)
	keyLen := 900 + (budget-len(raw))/(2*n+1)
	raw, kept = run(keyLen, 0)
	require.True(t, kept)
	require.LessOrEqual(t, len(raw), budget)
	pad := budget - len(raw)

	raw, kept = run(keyLen, pad)
	require.Equal(t, budget, len(raw))
	assert.True(t, kept, "exactly the budget: the versions are kept")
	raw, kept = run(keyLen, pad+1)
	assert.False(t, kept, "one byte over: left out")
	assert.Less(t, len(raw), budget)
}
