package upload_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// largestInput is the largest add-files input: upload.MaxPaths paths, each
// as long as it can be for the parameters to stay within
// action.MaxParamsBytes, all distinct and all the same length.
func largestInput(t *testing.T, url string, extra map[string]any) (map[string]any, []string) {
	t.Helper()
	build := func(length int) (map[string]any, []string, int) {
		paths := make([]string, upload.MaxPaths)
		for i := range paths {
			head := fmt.Sprintf("in/%05d-", i)
			paths[i] = head + strings.Repeat("a", length-len(head)-len(".mp4")) + ".mp4"
		}
		params := base(url, map[string]any{"category_id": "3", "paths": paths})
		for k, v := range extra {
			params[k] = v
		}
		return params, paths, len(mustJSON(t, params))
	}
	// Each byte more per path costs upload.MaxPaths bytes more in all.
	shortest := len("in/00000-") + len(".mp4")
	_, _, n := build(shortest)
	length := shortest + (action.MaxParamsBytes-n)/upload.MaxPaths
	for {
		if _, _, n := build(length); n <= action.MaxParamsBytes {
			break
		}
		length--
	}
	params, paths, n := build(length)
	_, _, over := build(length + 1)
	require.LessOrEqual(t, n, action.MaxParamsBytes)
	require.Greater(t, over, action.MaxParamsBytes, "paths one byte longer would not fit")
	t.Logf("%d paths of %d bytes: parameters are %d bytes", len(paths), length, n)
	return params, paths
}

// TestAddFilesLargestInput: the largest input add-files accepts is all
// submitted, and its result (the compact shape) stays under the 1 MB the
// platform keeps, with and without notifications.
func TestAddFilesLargestInput(t *testing.T) {
	for _, notify := range []bool{false, true} {
		t.Run(fmt.Sprintf("webhook=%v", notify), func(t *testing.T) {
			if notify && testing.Short() {
				// 1,000 deliveries take seconds; TestAddFilesCompactNotified
				// covers the compact shape's notifications in -short runs.
				t.Skip("1,000 webhook deliveries; see TestAddFilesCompactNotified")
			}
			vod, url := newFake(t)
			var extra map[string]any
			var receiver *webhooktest.Receiver
			if notify {
				receiver = webhooktest.NewReceiver(cbSecret)
				t.Cleanup(receiver.Close)
				extra = map[string]any{"WEBHOOK_URL": receiver.URL, "WEBHOOK_SECRET": cbSecret}
			}
			params, paths := largestInput(t, url, extra)

			raw := serveLine(t, fast().AddFiles(), mustJSON(t, map[string]any{"value": params}))
			require.Less(t, len(raw), action.MaxResultBytes, "the result is kept whole by the platform")
			t.Logf("result: %d bytes", len(raw))
			var res map[string]any
			require.NoError(t, json.Unmarshal(raw, &res))
			require.NotContains(t, res, "error", "%.500s", raw)

			// VOD Station got every path, in order, in full batches.
			vod.mu.Lock()
			batches := len(vod.adds)
			for i, a := range vod.adds {
				assert.Len(t, a["pathList"], vodstation.MaxPathsPerRequest, "batch %d", i)
			}
			vod.mu.Unlock()
			assert.Equal(t, upload.MaxPaths/vodstation.MaxPathsPerRequest, batches)
			assert.Equal(t, paths, vod.addedPaths())

			assert.Equal(t, true, res["compact"])
			assert.EqualValues(t, upload.MaxPaths, res["submitted"])
			assert.NotContains(t, res, "files", "the compact shape lists ids, not files")
			assert.NotContains(t, res, "paths", "the compact shape does not echo the input")
			ids, _ := res["file_ids"].([]any)
			require.Len(t, ids, upload.MaxPaths)
			for i, id := range ids {
				// The fake numbers the files from 1001 in the order it got them.
				if !assert.Equal(t, strconv.Itoa(1001+i), id, "file_ids[%d]", i) {
					break
				}
			}
			assert.Equal(t, paths[0], res["file_name"])

			if notify {
				n, _ := res["notified"].(map[string]any)
				assert.EqualValues(t, upload.MaxPaths, n["sent_count"], "%v", n)
				assert.NotContains(t, n, "sent", "the compact shape counts the delivered ids")
				assert.Len(t, receiver.EventsOf(webhook.TypeSubmitted), upload.MaxPaths)
			} else {
				assert.NotContains(t, res, "notified")
			}
		})
	}
}

// TestAddFilesSmallResultKeepsFullShape: a small submission lists its
// files with their paths and has no compact key.
func TestAddFilesSmallResultKeepsFullShape(t *testing.T) {
	_, url := newFake(t)
	raw := serveLine(t, fast().AddFiles(), mustJSON(t, map[string]any{
		"value": base(url, map[string]any{"category_id": "3", "paths": []string{"in/a.mp4", "in/b.mp4"}}),
	}))
	var res map[string]any
	require.NoError(t, json.Unmarshal(raw, &res))
	require.NotContains(t, res, "error")
	assert.NotContains(t, res, "compact")
	assert.NotContains(t, res, "file_ids")
	assert.EqualValues(t, 2, res["submitted"])
	assert.Equal(t, []any{"in/a.mp4", "in/b.mp4"}, res["paths"])
	assert.Equal(t, []any{
		map[string]any{"path": "in/a.mp4", "file_id": "1001"},
		map[string]any{"path": "in/b.mp4", "file_id": "1002"},
	}, res["files"])
}
