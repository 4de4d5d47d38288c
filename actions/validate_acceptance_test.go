package actions_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValuesJudgedBeforeAnyCall: through the shipped binaries, a category
// id, a region or a notification URL VOD Station would be sent unjudged is
// an error naming the field, and the emulator receives no request at all.
func TestValuesJudgedBeforeAnyCall(t *testing.T) {
	tests := []struct {
		name    string
		pkg     map[string]any // package overrides
		lookup  map[string]any // lookup-category overrides (sequence only)
		addFile map[string]any // add-files run alone with these params, when set
		field   string
	}{
		{name: "REGION digits", pkg: map[string]any{"REGION": "123"}, field: "REGION"},
		{name: "REGION unknown two letters", pkg: map[string]any{"REGION": "XX"}, field: "REGION"},
		{name: "REGION a zone", pkg: map[string]any{"REGION": "KR-2"}, field: "REGION"},
		{name: "CATEGORY_ID 1.0", lookup: map[string]any{"CATEGORY_ID": "1.0"}, field: "CATEGORY_ID"},
		{name: "CATEGORY_ID abc", lookup: map[string]any{"CATEGORY_ID": "abc"}, field: "CATEGORY_ID"},
		{name: "CATEGORY_ID -1 as a number", lookup: map[string]any{"CATEGORY_ID": -1}, field: "CATEGORY_ID"},
		{name: "category_id 1.0", addFile: map[string]any{"category_id": 1.5}, field: "category_id"},
		{name: "category_id abc", addFile: map[string]any{"category_id": "abc"}, field: "category_id"},
		{name: "category_id -1", addFile: map[string]any{"category_id": "-1"}, field: "category_id"},
		{name: "category_id 0", addFile: map[string]any{"category_id": "0"}, field: "category_id"},
		{name: "REGION on add-files alone", addFile: map[string]any{"REGION": "123"}, field: "REGION"},
		{name: "NOTIFICATION_URL relative", addFile: map[string]any{"NOTIFICATION_URL": "/vodflow/v1/callback?token=x"}, field: "NOTIFICATION_URL"},
		{name: "NOTIFICATION_URL ftp", addFile: map[string]any{"NOTIFICATION_URL": "ftp://gw.example/cb"}, field: "NOTIFICATION_URL"},
		{name: "NOTIFICATION_URL no host", addFile: map[string]any{"NOTIFICATION_URL": "https:///cb"}, field: "NOTIFICATION_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.pkg, tt.lookup)
			var res map[string]any
			if tt.addFile != nil {
				params := map[string]any{"category_id": "45", "bucket_name": bucket, "file_name": "uploads/a.mp4"}
				for k, v := range tt.addFile {
					params[k] = v
				}
				var err error
				res, err = e.plat.RunAction(context.Background(), "add-files", params)
				require.NoError(t, err)
			} else {
				res = fire(t, e, map[string]any{"object_name": "uploads/a.mp4"})
			}
			msg, _ := errorOf(t, res)["message"].(string)
			assert.Contains(t, msg, tt.field)
			assert.Empty(t, e.vod.Calls(), "no request before the values are judged")
		})
	}

	t.Run("known and region-shaped codes pass, in any case", func(t *testing.T) {
		for _, region := range []string{"KR", "sgn", " JPN ", "USWN", "DEN", "THN"} {
			e := setup(t, map[string]any{"REGION": region}, map[string]any{"CATEGORY_ID": "45"})
			res := fire(t, e, map[string]any{"object_name": "uploads/a.mp4"})
			require.NotContains(t, res, "error", region)
			assert.EqualValues(t, 1, res["submitted"], region)
		}
	})
}
