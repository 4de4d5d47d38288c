package webhooktest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

func TestReceiver(t *testing.T) {
	r := webhooktest.NewReceiver("right-secret")
	defer r.Close()

	good, err := webhook.NewSender(r.URL, signing.NewSecret("right-secret"))
	require.NoError(t, err)
	require.NoError(t, good.Send(context.Background(), webhook.Event{ID: "evt_1", Type: webhook.TypeSubmitted, FileID: "9"}))

	bad, err := webhook.NewSender(r.URL, signing.NewSecret("wrong-secret"), webhook.WithRetry(1, 0, 0))
	require.NoError(t, err)
	assert.Error(t, bad.Send(context.Background(), webhook.Event{ID: "evt_2", Type: webhook.TypeSubmitted}), "401 for a bad signature")

	resp, err := http.Post(r.URL, "application/json", strings.NewReader(`{"id":"evt_3"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "unsigned")

	r.FailWith(http.StatusServiceUnavailable)
	assert.Error(t, good.Send(context.Background(), webhook.Event{ID: "evt_4", Type: webhook.TypeSubmitted}))
	r.FailWith(0)

	evs := r.Events()
	require.Len(t, evs, 1, "only verified, accepted deliveries are events")
	assert.Equal(t, "evt_1", evs[0].ID)
	assert.Equal(t, "9", evs[0].FileID)
	ds := r.Deliveries()
	require.GreaterOrEqual(t, len(ds), 4)
	assert.ErrorIs(t, ds[1].Err, webhook.ErrSignatureMismatch)
	assert.Equal(t, http.StatusServiceUnavailable, ds[len(ds)-1].Status)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	got, err := r.Wait(ctx, func(evs []webhook.Event) bool { return len(evs) == 1 })
	require.NoError(t, err)
	assert.Len(t, got, 1)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	_, err = r.Wait(ctx2, func(evs []webhook.Event) bool { return len(evs) == 2 })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
