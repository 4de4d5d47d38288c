package upload_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/upload"
)

// TestAddFilesPathLengthLimit: a path of exactly the longest object key is
// submitted; one byte longer is refused, naming the path.
func TestAddFilesPathLengthLimit(t *testing.T) {
	vod, url := newFake(t)
	longest := "in/" + strings.Repeat("a", events.MaxKeyBytes-len("in/.mp4")) + ".mp4"
	require.Len(t, longest, events.MaxKeyBytes)
	res := invoke(t, fast().AddFiles(), base(url, map[string]any{"category_id": "3", "paths": []string{longest}}))
	require.NotContains(t, res, "error")
	assert.Equal(t, []string{longest}, vod.addedPaths())

	over := "in/" + strings.Repeat("a", events.MaxKeyBytes+1-len("in/.mp4")) + ".mp4"
	res = invoke(t, fast().AddFiles(), base(url, map[string]any{"category_id": "3", "paths": []string{over}}))
	require.Contains(t, res, "error")
	assert.Equal(t, fmt.Sprintf("invalid parameter paths: path 0 is %d bytes; object keys are at most %d", events.MaxKeyBytes+1, events.MaxKeyBytes),
		res["error"].(map[string]any)["message"])
	assert.Len(t, vod.addedPaths(), 1, "nothing more was submitted")
}

// TestAddFilesRepeatedPaths: a path given twice is submitted once, and the
// repeat is listed as skipped.
func TestAddFilesRepeatedPaths(t *testing.T) {
	vod, url := newFake(t)
	// A repeat before the last path: the paths after a repeat are kept too.
	res := invoke(t, fast().AddFiles(), base(url, map[string]any{"category_id": "3", "paths": []string{"in/a.mp4", "in/b.mp4", "in/a.mp4", "in/c.mp4", "in/b.mp4"}}))
	require.NotContains(t, res, "error")
	assert.Equal(t, []string{"in/a.mp4", "in/b.mp4", "in/c.mp4"}, vod.addedPaths())
	assert.EqualValues(t, 3, res["submitted"])
	assert.Equal(t, []any{"in/a.mp4", "in/b.mp4", "in/c.mp4"}, res["paths"], "the result echoes each path once")
	assert.Equal(t, []any{
		map[string]any{"path": "in/a.mp4", "reason": upload.ReasonRepeated},
		map[string]any{"path": "in/b.mp4", "reason": upload.ReasonRepeated},
	}, res["skipped_files"])
}

// unreadableVOD answers add-files with the files for the first batches
// and, from batch n on, a 200 whose body cannot be read: VOD Station may
// have accepted those files.
type unreadableVOD struct {
	mu    sync.Mutex
	n     int
	calls int
	next  int
}

func (v *unreadableVOD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	if v.calls >= v.n {
		fmt.Fprint(w, "<html>gateway</html>")
		return
	}
	paths := strings.Count(string(body), ".mp4")
	var content []string
	for range paths {
		v.next++
		content = append(content, fmt.Sprintf(`{"id":%d}`, v.next))
	}
	fmt.Fprintf(w, `{"content":[%s]}`, strings.Join(content, ","))
}

// TestAddFilesUncertainBatch: when VOD Station's answer to a batch cannot
// be read, the error says that batch may have been accepted (message and
// details), and says what was submitted before only when something was; a
// plain refusal (500) says nothing is uncertain.
func TestAddFilesUncertainBatch(t *testing.T) {
	t.Run("the first batch", func(t *testing.T) {
		srv := httptest.NewServer(&unreadableVOD{n: 1})
		t.Cleanup(srv.Close)
		res := invoke(t, fast().AddFiles(), base(srv.URL, map[string]any{"category_id": "3", "paths": []string{"in/a.mp4", "in/b.mp4"}}))
		require.Contains(t, res, "error")
		e := res["error"].(map[string]any)
		msg := e["message"].(string)
		assert.Contains(t, msg, "; VOD Station may have accepted 2 of these files: check its status list before submitting them again")
		assert.Greater(t, strings.Index(msg, "; VOD Station may have accepted"), len("upload: "), "the cause comes first: %s", msg)
		assert.NotContains(t, msg, "submitted before the failure", "nothing was")
		d := e["details"].(map[string]any)
		assert.Equal(t, []any{"in/a.mp4", "in/b.mp4"}, d["uncertain"])
		assert.EqualValues(t, 0, d["submitted_count"])
		assert.EqualValues(t, 2, d["not_submitted_count"])
	})
	t.Run("after a batch was accepted", func(t *testing.T) {
		srv := httptest.NewServer(&unreadableVOD{n: 2})
		t.Cleanup(srv.Close)
		res := invoke(t, fast().AddFiles(), base(srv.URL, map[string]any{"category_id": "3", "paths": manyPaths(150)}))
		require.Contains(t, res, "error")
		e := res["error"].(map[string]any)
		msg := e["message"].(string)
		assert.Contains(t, msg, "; VOD Station may have accepted 50 of these files")
		assert.Contains(t, msg, "; 100 files were submitted before the failure, 50 were not")
		assert.Len(t, e["details"].(map[string]any)["uncertain"], 50)
	})
	t.Run("a refusal", func(t *testing.T) {
		vod, url := newFake(t)
		vod.addStatus = []int{500}
		res := invoke(t, fast().AddFiles(), base(url, map[string]any{"category_id": "3", "paths": []string{"in/a.mp4"}}))
		require.Contains(t, res, "error")
		e := res["error"].(map[string]any)
		assert.NotContains(t, e["message"], "may have accepted")
		assert.NotContains(t, e["details"], "uncertain")
	})
}

// TestAddFilesCompactWarnings: the compact shape keeps up to MaxListed of
// the submission's warnings as they are, and past that the first MaxListed
// and a count of the rest.
func TestAddFilesCompactWarnings(t *testing.T) {
	for _, n := range []int{upload.MaxListed, upload.MaxListed + 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			_, url := newFake(t)
			paths := make([]string, 300)
			for i := range paths {
				// 300 paths of 1,000 bytes make the result compact.
				head := fmt.Sprintf("in/%03d-", i)
				paths[i] = head + strings.Repeat("w", 1000-len(head)-len(".mp4")) + ".mp4"
			}
			warnings := make([]string, n)
			for i := range warnings {
				warnings[i] = fmt.Sprintf("warning %d from lookup-category", i)
			}
			res := invoke(t, fast().AddFiles(), base(url, map[string]any{"CATEGORY_NAME": nil, "category_id": "3", "paths": paths, "warnings": warnings}))
			require.NotContains(t, res, "error")
			require.Equal(t, true, res["compact"])
			got, _ := res["warnings"].([]any)
			if n == upload.MaxListed {
				require.Len(t, got, upload.MaxListed)
				assert.Equal(t, "warning 99 from lookup-category", got[upload.MaxListed-1])
			} else {
				require.Len(t, got, upload.MaxListed+1)
				assert.Equal(t, "warning 99 from lookup-category", got[upload.MaxListed-1])
				assert.Equal(t, "and 1 more warnings", got[upload.MaxListed])
			}
		})
	}
}
