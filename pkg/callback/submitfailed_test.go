package callback_test

// These two tests came with the old pkg/pipeline callback tests; they prove
// upload behaviour (submit_failed) against the same emulator and receiver,
// and belong in pkg/upload once its tests are moved there.

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// TestSubmitFailed: a submission that fails after its retries sends
// submit_failed with the bucket, key and error.
func TestSubmitFailed(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	l.vod.InjectFault(vodstationtest.InternalError(http.MethodPut, "/api/v2/category/", 1))
	_, fail := addFiles(t, l, "in/lost.mp4", "")
	require.NotNil(t, fail, "add-files fails")
	evs := l.receiver.EventsOf(webhook.TypeSubmitFailed)
	require.Len(t, evs, 1)
	ev := evs[0]
	assert.Equal(t, "in-bucket", ev.BucketName)
	assert.Equal(t, "in/lost.mp4", ev.Key)
	assert.Equal(t, []string{"in/lost.mp4"}, ev.NotSubmitted)
	require.NotNil(t, ev.Error)
	assert.Equal(t, 500, ev.Error.Status)
	assert.NotEmpty(t, ev.Error.Message)
	assert.Empty(t, l.receiver.EventsOf(webhook.TypeSubmitted))
}

// TestLookupFailureSendsSubmitFailed: an upload whose category cannot be
// found is reported, not lost.
func TestLookupFailureSendsSubmitFailed(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	_, fail := invoke(t, upload.New().Lookup(), map[string]any{
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": l.vod.URL,
		"WEBHOOK_URL": l.receiver.URL, "WEBHOOK_SECRET": cbSecret,
		"CATEGORY_NAME": "no-such-category", "BUCKET_NAME": "in-bucket", "object_name": "in/orphan.mp4",
	})
	require.NotNil(t, fail, "lookup-category fails")
	evs := l.receiver.EventsOf(webhook.TypeSubmitFailed)
	require.Len(t, evs, 1)
	assert.Equal(t, "in/orphan.mp4", evs[0].Key)
	assert.Equal(t, "in-bucket", evs[0].BucketName)
	assert.Equal(t, "category_not_found", evs[0].Error.Code)

	// A bad event is reported too, with the field it names.
	_, fail = invoke(t, upload.New().Lookup(), map[string]any{
		"WEBHOOK_URL": l.receiver.URL, "WEBHOOK_SECRET": cbSecret, "CATEGORY_NAME": "movies",
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "object_name": 12,
	})
	require.NotNil(t, fail)
	evs = l.receiver.EventsOf(webhook.TypeSubmitFailed)
	require.Len(t, evs, 2)
	assert.Contains(t, evs[1].Error.Message, "object_name")
}
