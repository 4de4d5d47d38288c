package notify_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/notify"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

const secret = "notify-test-webhook-secret"

func cfgFor(r *webhooktest.Receiver, s string) config.Notify {
	return config.Notify{WebhookURL: r.URL + "/hook", WebhookSecret: signing.NewSecret(s)}
}

// fast keeps a failing delivery's retries short.
var fast = webhook.WithRetry(2, time.Millisecond, 2*time.Millisecond)

func ev(id string) webhook.Event {
	return webhook.Event{ID: id, Type: webhook.TypeSubmitted, FileID: "f-" + id, Key: "uploads/" + id + ".mp4"}
}

func ids(evs []webhook.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func TestSendDeliversInOrderOnceAndStampsTheTime(t *testing.T) {
	r := webhooktest.NewReceiver(secret)
	defer r.Close()
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.FixedZone("KST", 9*3600))
	n := notify.New(func() time.Time { return at }, fast)
	cfg := cfgFor(r, secret)
	require.NoError(t, n.Check(&cfg))

	res := n.Send(context.Background(), cfg, ev("a"), ev("b"), ev("c"))
	assert.Equal(t, []string{"a", "b", "c"}, res.Sent)
	assert.Empty(t, res.Failed)
	require.Equal(t, []string{"a", "b", "c"}, ids(r.Events()), "delivered in the order given")
	for _, d := range r.Deliveries() {
		assert.True(t, d.Verified, "signed with the configured secret: %v", d.Err)
	}
	assert.True(t, r.Events()[0].CreatedAt.Equal(at), "a zero CreatedAt is the notifier's clock")
	assert.Equal(t, time.UTC, r.Events()[0].CreatedAt.Location(), "in UTC")

	// The same container does not announce an event twice; a new one goes.
	res = n.Send(context.Background(), cfg, ev("b"), ev("d"))
	assert.Equal(t, []string{"d"}, res.Sent)
	assert.Equal(t, []string{"a", "b", "c", "d"}, ids(r.Events()))

	// A cold container (a new Notifier) remembers nothing.
	res = notify.New(nil, fast).Send(context.Background(), cfg, ev("a"))
	assert.Equal(t, []string{"a"}, res.Sent)
}

func TestSendKeepsAGivenCreatedAt(t *testing.T) {
	r := webhooktest.NewReceiver(secret)
	defer r.Close()
	given := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := ev("x")
	e.CreatedAt = given
	notify.New(func() time.Time { return given.Add(time.Hour) }).Send(context.Background(), cfgFor(r, secret), e)
	require.Len(t, r.Events(), 1)
	assert.True(t, r.Events()[0].CreatedAt.Equal(given))
}

func TestSendFailureIsReportedAndRetriedByTheNextActivation(t *testing.T) {
	r := webhooktest.NewReceiver(secret)
	defer r.Close()
	n := notify.New(nil, fast)
	cfg := cfgFor(r, secret)
	r.FailWith(http.StatusServiceUnavailable)
	res := n.Send(context.Background(), cfg, ev("a"), ev("b"))
	assert.Empty(t, res.Sent)
	assert.Equal(t, []string{"a", "b"}, res.Failed, "every event that could not be delivered, in order")

	// An event that failed is not remembered as delivered.
	r.FailWith(0)
	res = n.Send(context.Background(), cfg, ev("a"))
	assert.Equal(t, []string{"a"}, res.Sent)
}

func TestSendWithTheSecretChangedSignsWithTheNewOne(t *testing.T) {
	old := webhooktest.NewReceiver("the-old-secret-1")
	defer old.Close()
	n := notify.New(nil, fast)
	require.Equal(t, []string{"a"}, n.Send(context.Background(), cfgFor(old, "the-old-secret-1"), ev("a")).Sent)

	// Same URL, another secret: the cached sender must not be reused.
	res := n.Send(context.Background(), cfgFor(old, "the-new-secret-2"), ev("b"))
	assert.Equal(t, []string{"b"}, res.Failed, "the receiver refuses a signature it cannot verify")
	last := old.Deliveries()[len(old.Deliveries())-1]
	assert.False(t, last.Verified, "signed with the new secret, not the old one")
}

func TestSendDisabledOrEmptySendsNothing(t *testing.T) {
	r := webhooktest.NewReceiver(secret)
	defer r.Close()
	n := notify.New(nil)
	assert.Equal(t, notify.Result{}, n.Send(context.Background(), config.Notify{}, ev("a")))
	assert.Equal(t, notify.Result{}, n.Send(context.Background(), config.Notify{WebhookURL: "  "}, ev("a")))
	assert.Equal(t, notify.Result{}, n.Send(context.Background(), cfgFor(r, secret)))
	assert.Empty(t, r.Deliveries())
}

func TestCheckNamesTheField(t *testing.T) {
	tests := []struct {
		name string
		cfg  config.Notify
		want string // "" = valid
	}{
		{"off", config.Notify{}, ""},
		{"valid", config.Notify{WebhookURL: " https://hooks.example/v ", WebhookSecret: signing.NewSecret(secret)}, ""},
		{"no secret", config.Notify{WebhookURL: "https://hooks.example/v"}, "WEBHOOK_SECRET"},
		{"relative URL", config.Notify{WebhookURL: "/v", WebhookSecret: signing.NewSecret(secret)}, "WEBHOOK_URL"},
		{"not http", config.Notify{WebhookURL: "ftp://hooks.example/v", WebhookSecret: signing.NewSecret(secret)}, "WEBHOOK_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			err := notify.New(nil).Check(&cfg)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

func TestFailureEvent(t *testing.T) {
	f := notify.Failure{Bucket: "b", Keys: []string{"uploads/1.mp4", "uploads/2.mp4"}, Uncertain: []string{"uploads/2.mp4"}}
	e := notify.FailureEvent("act-1", f, errors.New("vodstation: add files: boom"))
	assert.Equal(t, webhook.TypeSubmitFailed, e.Type)
	assert.Equal(t, "b", e.BucketName)
	assert.Equal(t, "uploads/1.mp4", e.Key, "the first key names the event")
	assert.Equal(t, f.Keys, e.NotSubmitted)
	assert.Equal(t, f.Uncertain, e.Uncertain)
	require.NotNil(t, e.Error)
	assert.Contains(t, e.Error.Message, "boom")

	assert.Equal(t, e.ID, notify.FailureEvent("act-1", f, errors.New("other")).ID, "one id per activation and upload")
	assert.NotEqual(t, e.ID, notify.FailureEvent("act-2", f, errors.New("boom")).ID, "another activation is another failure")
	g := f
	g.Bucket = "c"
	assert.NotEqual(t, e.ID, notify.FailureEvent("act-1", g, errors.New("boom")).ID)

	f.NotSubmitted = []string{"uploads/2.mp4"}
	assert.Equal(t, []string{"uploads/2.mp4"}, notify.FailureEvent("act-1", f, errors.New("x")).NotSubmitted,
		"NotSubmitted overrides Keys")

	a := notify.FailureEvent("", f, errors.New("x"))
	time.Sleep(time.Microsecond)
	b := notify.FailureEvent("", f, errors.New("x"))
	assert.NotEqual(t, a.ID, b.ID, "outside a platform each failure is still its own")
}

func TestReportFailureSendsEvenWhenTheActivationIsOutOfTime(t *testing.T) {
	r := webhooktest.NewReceiver(secret)
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the usual reason to fail: the deadline passed
	notify.New(nil, fast).ReportFailure(ctx, cfgFor(r, secret),
		notify.Failure{Bucket: "b", Keys: []string{"uploads/late.mp4"}}, context.DeadlineExceeded)
	evs := r.EventsOf(webhook.TypeSubmitFailed)
	require.Len(t, evs, 1)
	assert.Equal(t, []string{"uploads/late.mp4"}, evs[0].NotSubmitted)
}

func TestReportFailureWithInvalidConfigSendsNothing(t *testing.T) {
	r := webhooktest.NewReceiver(secret)
	defer r.Close()
	notify.New(nil).ReportFailure(context.Background(), config.Notify{WebhookURL: r.URL},
		notify.Failure{Bucket: "b", Keys: []string{"k"}}, errors.New("x"))
	assert.Empty(t, r.Deliveries(), "no secret: nothing unsigned is sent")
}
