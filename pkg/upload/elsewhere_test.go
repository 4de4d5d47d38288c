package upload_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// TestSameKeyOnAnotherVODStationIsNotADuplicate: one warm container that
// submits the same bucket, key and category id to two VOD Station
// endpoints (API_URL) submits to each; the same endpoint again is the
// duplicate.
func TestSameKeyOnAnotherVODStationIsNotADuplicate(t *testing.T) {
	first := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	second := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	require.Equal(t, first.cat.ID, second.cat.ID, "precondition: the same category id on both")
	u := upload.New()
	event := map[string]any{"object_name": "a.mp4"}

	res := sequenceRun(t, u, first.vod, event, nil)
	require.False(t, res.Skipped, "precondition: the first upload is submitted")
	res = sequenceRun(t, u, second.vod, event, nil)
	assert.False(t, res.Skipped, "reason %q", res.Reason)
	assert.Len(t, second.vod.Submissions(), 1)

	res = sequenceRun(t, u, first.vod, event, nil)
	assert.True(t, res.Skipped, "the same endpoint again is a duplicate")
	assert.Equal(t, upload.ReasonDuplicate, res.Reason)
	assert.Len(t, first.vod.Submissions(), 1)
}

// TestLookupOutputTypesTTLZero: CATEGORY_CACHE_TTL=0 means no cache for
// the category's encoding options either (they recognise its outputs in
// the upload bucket), in one warm container: options stored with another
// TTL are not read, and nothing is stored (an entry stored with TTL 0
// would never expire).
func TestLookupOutputTypesTTLZero(t *testing.T) {
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: cbAK, SecretKey: cbSK})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "in-bucket", OutputPath: "encoded"})
	now := time.Unix(1700000000, 0)
	u := upload.New(upload.WithClock(func() time.Time { return now }))
	// The category (by name) follows the same rule; its options are the
	// calls that would be missing if they were cached at TTL 0.
	lookup := func(ttl string) int {
		t.Helper()
		before := vod.CountCalls("GET", "/api/v2/")
		res := invoke(t, u.Lookup(), map[string]any{"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": vod.URL,
			"CATEGORY_NAME": "movies", "BUCKET_NAME": "in-bucket", "CATEGORY_CACHE_TTL": ttl, "object_name": "in/a_AVC_SD_1Pass_30fps.mp4"})
		require.NotContains(t, res, "error")
		assert.Equal(t, true, res["skipped"], "named like one of the category's outputs: %v", res)
		assert.Equal(t, upload.ReasonCategoryOutput, res["reason"])
		assert.NotContains(t, res, "warnings", "the encoding options were read")
		return vod.CountCalls("GET", "/api/v2/") - before
	}

	reads := lookup("300")
	require.Positive(t, reads)
	require.Zero(t, lookup("300"), "TTL 300 stored the options")
	assert.Equal(t, reads, lookup("0"), "TTL 0 does not read the cache")

	// Once the TTL-300 entry is gone, a TTL-0 lookup must not leave one.
	now = now.Add(301 * time.Second)
	assert.Equal(t, reads, lookup("0"))
	assert.Equal(t, reads, lookup("300"), "TTL 0 stored nothing")
}

// TestDedupWindowZeroAsksNothing: DEDUP_WINDOW=0 turns duplicate detection
// off, the status list too: the same upload twice is submitted twice and
// VOD Station's status list is never read.
func TestDedupWindowZeroAsksNothing(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	u := upload.New()
	params := map[string]any{"DEDUP_WINDOW": 0, "DEDUP_CHECK_STATUS": true}
	for i := range 2 {
		res := sequenceRun(t, u, l.vod, map[string]any{"object_name": "a.mp4"}, params)
		assert.False(t, res.Skipped, "upload %d: reason %q", i, res.Reason)
	}
	assert.Len(t, l.vod.Submissions(), 2)
	assert.Zero(t, l.vod.CountCalls("GET", "/api/v2/status"), "the status list is not read")
}
