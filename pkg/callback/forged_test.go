package callback_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// TestVerifyStatusForwardsOnlyWhatVODStationSays: with VERIFY_STATUS=true,
// a forged or replayed COMPLETE callback for a real, completed file cannot
// make the action sign the caller's link, key or category: they must agree
// with the status API (409 otherwise, nothing sent), and what is sent comes
// from it. Without verification, a forged link gives another event id, so
// it never shadows the real event at a receiver that drops seen ids.
func TestVerifyStatusForwardsOnlyWhatVODStationSays(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	fileID := encodedFile(t, l, "in/real.mp4")
	const sd = "AVC_SD_1Pass_30fps"
	realLink := "https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/real_" + sd + ".mp4"
	body := func(mod func(map[string]any)) string {
		m := map[string]any{"categoryId": l.cat.ID, "categoryName": "movies", "fileId": fileID, "filePath": "in/real.mp4",
			"encodingOptionId": 1, "outputType": sd, "status": "COMPLETE", "link": realLink}
		if mod != nil {
			mod(m)
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	set := func(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }
	verify := map[string]any{"VERIFY_STATUS": "true"}
	q := "token=" + cbToken
	realID := webhook.NewID(webhook.TypeRenditionComplete, fileID, "1", sd, realLink)

	refused := []struct {
		name, want string
		mod        func(map[string]any)
	}{
		{"another link", "another link", set("link", "https://evil.example/phish.m3u8")},
		{"another key", `not "in/other.mp4"`, set("filePath", "in/other.mp4")},
		{"another category name", `not "ads"`, set("categoryName", "ads")},
		{"another category id", "belongs to category", set("categoryId", 999)},
		{"a rendition the file does not have", "lists no rendition", func(m map[string]any) { m["encodingOptionId"] = 77; m["outputType"] = "X" }},
	}
	for _, tt := range refused {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			before := len(l.receiver.Events())
			code, a := call(t, callback.New(), l.request(q, body(tt.mod), verify))
			assert.Equal(t, 409, code)
			assert.Contains(t, a.Error, tt.want)
			assert.Len(t, l.receiver.Events(), before, "nothing is sent")
		})
	}

	t.Run("what is sent comes from VOD Station", func(t *testing.T) {
		bare := body(func(m map[string]any) {
			delete(m, "link")
			delete(m, "filePath")
			delete(m, "categoryName")
			delete(m, "categoryId")
		})
		code, a := call(t, callback.New(), l.request(q, bare, verify))
		require.Equal(t, 200, code, a.Error)
		require.NotEmpty(t, a.Events)
		assert.Equal(t, realID, a.Events[0].ID, "the same id as the real callback's event")
		var ev *webhook.Event
		for _, e := range l.receiver.Events() {
			if e.ID == realID {
				ev = &e
			}
		}
		require.NotNil(t, ev)
		assert.Equal(t, realLink, ev.Rendition.Link)
		assert.Equal(t, "in/real.mp4", ev.Key)
		assert.Equal(t, "movies", ev.CategoryName)
		assert.Equal(t, "in-bucket", ev.BucketName)
	})

	t.Run("the real link, confirmed, raises no warning", func(t *testing.T) {
		code, a := call(t, callback.New(), l.request(q, body(nil), verify))
		require.Equal(t, 200, code, a.Error)
		assert.Empty(t, a.Warnings)
		require.NotEmpty(t, a.Events)
		assert.Equal(t, realID, a.Events[0].ID)
	})

	t.Run("without verification a forged link does not shadow the real event", func(t *testing.T) {
		code, a := call(t, callback.New(), l.request(q, body(set("link", "https://evil.example/phish.m3u8")), nil))
		require.Equal(t, 200, code, a.Error)
		require.NotEmpty(t, a.Events)
		assert.NotEqual(t, realID, a.Events[0].ID)
		code, a = call(t, callback.New(), l.request(q, body(nil), nil))
		require.Equal(t, 200, code, a.Error)
		assert.Equal(t, realID, a.Events[0].ID, "the real callback's event keeps its own id")
	})
}
