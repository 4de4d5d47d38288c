package upload_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// TestAddFilesCompactNotified: a submission large enough for the compact
// shape, with notifications, counts the delivered events instead of
// listing their ids. (TestAddFilesLargestInput does the same at the
// largest input; this one is quick enough to run under -short.)
func TestAddFilesCompactNotified(t *testing.T) {
	vod, url := newFake(t)
	receiver := webhooktest.NewReceiver(cbSecret)
	t.Cleanup(receiver.Close)
	const n = 200
	paths := make([]string, n)
	for i := range paths {
		// 200 paths of 1,000 bytes are estimated far over CompactAbove.
		head := fmt.Sprintf("in/%03d-", i)
		paths[i] = head + strings.Repeat("b", 1000-len(head)-len(".mp4")) + ".mp4"
	}
	params := base(url, map[string]any{"category_id": "3", "paths": paths, "WEBHOOK_URL": receiver.URL, "WEBHOOK_SECRET": cbSecret})

	raw := serveLine(t, fast().AddFiles(), mustJSON(t, map[string]any{"value": params}))
	var res map[string]any
	require.NoError(t, json.Unmarshal(raw, &res))
	require.NotContains(t, res, "error", "%.500s", raw)
	assert.Less(t, len(raw), upload.CompactAbove, "the compact shape does not echo the paths")

	assert.Equal(t, paths, vod.addedPaths())
	assert.Equal(t, true, res["compact"])
	assert.EqualValues(t, n, res["submitted"])
	assert.NotContains(t, res, "files")
	assert.NotContains(t, res, "paths")
	ids, _ := res["file_ids"].([]any)
	require.Len(t, ids, n)
	for i, id := range ids {
		if !assert.Equal(t, strconv.Itoa(1001+i), id, "file_ids[%d]", i) {
			break
		}
	}
	notified, _ := res["notified"].(map[string]any)
	assert.EqualValues(t, n, notified["sent_count"], "%v", notified)
	assert.NotContains(t, notified, "sent", "the compact shape counts the delivered ids")
	assert.NotContains(t, notified, "failed_count", "none failed")
	assert.Len(t, receiver.EventsOf(webhook.TypeSubmitted), n)
}
