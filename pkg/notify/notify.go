// Package notify owns the signed notifications the actions send while they
// run: one [Notifier] per warm container keeps the webhook senders (and
// their connections) and the ids of the events already delivered, sends
// events in order, and builds the submit_failed event that reports an
// upload that was not (or may not have been) submitted.
//
// A failed delivery is logged and reported in the action's result, never
// returned as the action's error: notifications must not change the
// outcome of the work they describe.
package notify

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/expiring"
	"github.com/vodflow/vodflow/pkg/uploadid"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// Bounds of the per-container memories.
const (
	// MaxSenders bounds the webhook senders kept (one per URL and secret).
	MaxSenders = 8
	// MaxDelivered bounds the ids of delivered events remembered.
	MaxDelivered = 4096
	// DeliveredTTL is how long a delivered id is remembered.
	DeliveredTTL = 24 * time.Hour
)

// graceMargin is how long before the platform's deadline a failure report
// must be done (the edge keeps at least action.MinHeadroom).
const graceMargin = 50 * time.Millisecond

// Notifier sends events and remembers, for the life of a warm container,
// which were delivered, so a repeated callback is not announced twice.
type Notifier struct {
	now       func() time.Time
	opts      []webhook.SenderOption
	senders   *expiring.Cache[string, *webhook.Sender]
	delivered *expiring.Cache[string, struct{}]
}

// New returns a Notifier whose senders are built with opts.
func New(now func() time.Time, opts ...webhook.SenderOption) *Notifier {
	if now == nil {
		now = time.Now
	}
	return &Notifier{
		now:       now,
		opts:      opts,
		senders:   expiring.New[string, *webhook.Sender](MaxSenders, now),
		delivered: expiring.New[string, struct{}](MaxDelivered, now),
	}
}

// Check validates the parameters (once per activation, at the edge) by
// making, or finding in the cache, their sender.
func (n *Notifier) Check(cfg *config.Notify) error {
	if err := cfg.Validate(); err != nil || !cfg.Enabled() {
		return err
	}
	if _, err := n.sender(*cfg); err != nil {
		reason := strings.TrimPrefix(err.Error(), "webhook: ")
		reason = strings.TrimPrefix(reason, "WEBHOOK_URL: ")
		return action.Invalid("WEBHOOK_URL", "%s", reason)
	}
	return nil
}

func (n *Notifier) sender(cfg config.Notify) (*webhook.Sender, error) {
	sum := sha256.Sum256([]byte(cfg.WebhookSecret.Reveal()))
	return n.senders.GetOrCreate(cfg.WebhookURL+"\x00"+string(sum[:]), 0, func() (*webhook.Sender, error) {
		return webhook.NewSender(cfg.WebhookURL, cfg.WebhookSecret, n.opts...)
	})
}

// Result says what happened to the events of one activation: the ids of
// those delivered and of those that could not be.
type Result struct {
	Sent   []string `json:"sent,omitempty"`
	Failed []string `json:"failed,omitempty"`
	// SentCount and FailedCount replace the lists in a compact result.
	SentCount   int `json:"sent_count,omitempty"`
	FailedCount int `json:"failed_count,omitempty"`
}

// Send delivers the events in order to a checked configuration. Events
// this container already delivered are not sent again.
func (n *Notifier) Send(ctx context.Context, cfg config.Notify, evs ...webhook.Event) Result {
	var res Result
	if !cfg.Enabled() || len(evs) == 0 {
		return res
	}
	s, err := n.sender(cfg)
	if err != nil {
		action.LogAttrs(ctx, action.String("webhook_error", err.Error()))
		for _, ev := range evs {
			res.Failed = append(res.Failed, ev.ID)
		}
		return res
	}
	for _, ev := range evs {
		if _, seen := n.delivered.Get(ev.ID); seen {
			action.LogAttrs(ctx, action.String("webhook_duplicate", ev.ID))
			continue
		}
		if ev.CreatedAt.IsZero() {
			ev.CreatedAt = n.now().UTC()
		}
		if err := s.Send(ctx, ev); err != nil {
			res.Failed = append(res.Failed, ev.ID)
			attrs := []action.Attr{action.String("event", ev.ID), action.String("type", ev.Type), action.String("error", err.Error())}
			var de *webhook.DeliveryError
			if errors.As(err, &de) {
				attrs = append(attrs, action.Int("attempts", de.Attempts), action.Int("receiver_status", de.StatusCode))
			}
			action.LogAttrs(ctx, action.Group("webhook_failed", attrs...))
			continue
		}
		n.delivered.Put(ev.ID, struct{}{}, DeliveredTTL)
		res.Sent = append(res.Sent, ev.ID)
	}
	if len(res.Sent) > 0 {
		action.LogAttrs(ctx, action.Any("webhook_sent", res.Sent))
	}
	return res
}

// Failure describes an upload left unsubmitted by a failed activation.
type Failure struct {
	// Bucket and Keys name the upload.
	Bucket string
	Keys   []string
	// Submitted are files accepted before the failure; Uncertain are keys
	// VOD Station may have accepted.
	Submitted []webhook.Submitted
	Uncertain []string
	// NotSubmitted overrides Keys as the list of keys not submitted.
	NotSubmitted []string
}

// FailureEvent is the submit_failed event for f, failed with err, in the
// activation activationID.
func FailureEvent(activationID string, f Failure, err error) webhook.Event {
	body := action.NewErrorResult(err).Error
	ev := webhook.Event{
		Type:       webhook.TypeSubmitFailed,
		BucketName: f.Bucket,
		Error:      &webhook.ErrorInfo{Code: body.Code, Status: body.Status, Message: body.Message},
		Submitted:  f.Submitted,
		Uncertain:  f.Uncertain,
	}
	if len(f.Keys) > 0 {
		ev.Key = f.Keys[0]
		ev.UploadID = uploadid.Of(ev.Key)
		ev.NotSubmitted = f.Keys
	}
	if f.NotSubmitted != nil {
		ev.NotSubmitted = f.NotSubmitted
	}
	if activationID == "" {
		// Outside a platform (a test, a hand-run binary): still unique.
		activationID = time.Now().UTC().Format(time.RFC3339Nano)
	}
	ev.ID = webhook.NewID(webhook.TypeSubmitFailed, append([]string{activationID, f.Bucket}, f.Keys...)...)
	return ev
}

// ReportFailure sends submit_failed for f when notifications are
// configured and valid. When the activation is out of time (the usual
// reason to fail) it uses the headroom the edge keeps before the
// platform's deadline.
func (n *Notifier) ReportFailure(ctx context.Context, cfg config.Notify, f Failure, err error) {
	if !cfg.Enabled() || n.Check(&cfg) != nil {
		return
	}
	ev := FailureEvent(action.ActivationFrom(ctx).ID, f, err)
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = action.Grace(ctx, graceMargin, 2*time.Second)
		defer cancel()
	}
	n.Send(ctx, cfg, ev)
}
