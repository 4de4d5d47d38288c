package pipeline

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// NotifyParams are the parameters of the signed notifications every
// action may send. With WEBHOOK_URL empty nothing is sent.
type NotifyParams struct {
	// WebhookURL receives the events (http or https).
	WebhookURL string `json:"WEBHOOK_URL"`
	// WebhookSecret signs them; required with WebhookURL.
	WebhookSecret signing.Secret `json:"WEBHOOK_SECRET"`
}

// enabled reports whether notifications are configured.
func (n NotifyParams) enabled() bool { return strings.TrimSpace(n.WebhookURL) != "" }

// checkNotify validates the parameters, once per activation, by making (or
// finding in the cache) their sender: a URL needs a secret, since unsigned
// events would be worthless to a receiver that verifies them.
func (p *Pipeline) checkNotify(n *NotifyParams) error {
	n.WebhookURL = strings.TrimSpace(n.WebhookURL)
	if n.WebhookURL == "" {
		return nil
	}
	if n.WebhookSecret.Empty() {
		return action.Missing("WEBHOOK_SECRET (required when WEBHOOK_URL is set)")
	}
	if _, err := p.sender(*n); err != nil {
		return &action.Error{Code: action.CodeInvalidParameter, Status: http.StatusBadRequest,
			Message: strings.TrimPrefix(err.Error(), "webhook: "), Err: err, Param: "WEBHOOK_URL"}
	}
	return nil
}

type senderKey struct {
	url    string
	secret [sha256.Size]byte
}

// sender returns the cached Sender for these parameters, so connections to
// the receiver are reused across warm activations.
func (p *Pipeline) sender(n NotifyParams) (*webhook.Sender, error) {
	key := senderKey{n.WebhookURL, sha256.Sum256([]byte(n.WebhookSecret.Reveal()))}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.senders[key]; ok {
		return s, nil
	}
	s, err := webhook.NewSender(n.WebhookURL, n.WebhookSecret, p.senderOpts...)
	if err != nil {
		return nil, err
	}
	if len(p.senders) >= maxClients {
		clear(p.senders)
	}
	p.senders[key] = s
	return s, nil
}

// NotifyResult says what happened to the events of one activation: the
// ids of those delivered and of those that could not be.
type NotifyResult struct {
	Sent   []string `json:"sent,omitempty"`
	Failed []string `json:"failed,omitempty"`
}

// notify delivers the events in order. A failed delivery is logged and
// reported in the result, never returned: notifications must not change
// the outcome of the work they describe. Events this container already
// delivered (a repeated callback) are not sent again.
func (p *Pipeline) notify(ctx context.Context, n NotifyParams, evs ...webhook.Event) NotifyResult {
	var res NotifyResult
	if !n.enabled() || len(evs) == 0 {
		return res
	}
	s, err := p.sender(n)
	if err != nil {
		action.LogAttrs(ctx, slog.String("webhook_error", err.Error()))
		for _, ev := range evs {
			res.Failed = append(res.Failed, ev.ID)
		}
		return res
	}
	for _, ev := range evs {
		if p.delivered(ev.ID) {
			action.LogAttrs(ctx, slog.String("webhook_duplicate", ev.ID))
			continue
		}
		if ev.CreatedAt.IsZero() {
			ev.CreatedAt = p.now().UTC()
		}
		if err := s.Send(ctx, ev); err != nil {
			res.Failed = append(res.Failed, ev.ID)
			attrs := []slog.Attr{slog.String("event", ev.ID), slog.String("type", ev.Type), slog.String("error", err.Error())}
			var de *webhook.DeliveryError
			if errors.As(err, &de) {
				attrs = append(attrs, slog.Int("attempts", de.Attempts), slog.Int("receiver_status", de.StatusCode))
			}
			action.LogAttrs(ctx, slog.Attr{Key: "webhook_failed", Value: slog.GroupValue(attrs...)})
			continue
		}
		p.markDelivered(ev.ID)
		res.Sent = append(res.Sent, ev.ID)
	}
	if len(res.Sent) > 0 {
		action.LogAttrs(ctx, slog.Any("webhook_sent", res.Sent))
	}
	return res
}

// maxDelivered bounds the memory of delivered event ids.
const maxDelivered = 4096

func (p *Pipeline) delivered(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.sent[id]
	return ok
}

func (p *Pipeline) markDelivered(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sent) >= maxDelivered {
		clear(p.sent)
	}
	p.sent[id] = struct{}{}
}

// failureEvent is the submit_failed event for keys of bucket that were not
// (or may not have been) submitted because of err.
func failureEvent(activationID, bucket string, keys []string, err error) webhook.Event {
	body := action.NewErrorResult(err).Error
	ev := webhook.Event{
		Type:       webhook.TypeSubmitFailed,
		BucketName: bucket,
		Error:      &webhook.ErrorInfo{Code: body.Code, Status: body.Status, Message: body.Message},
	}
	if len(keys) > 0 {
		ev.Key = keys[0]
		ev.NotSubmitted = keys
	}
	var se *SubmitError
	if errors.As(err, &se) {
		ev.NotSubmitted = se.NotSubmitted
		ev.Uncertain = se.Uncertain
		for _, f := range se.Submitted {
			ev.Submitted = append(ev.Submitted, webhook.Submitted{Key: f.Path, FileID: f.FileID})
		}
	}
	if activationID == "" {
		// Outside a platform (a test, a hand-run binary): still unique.
		activationID = time.Now().UTC().Format(time.RFC3339Nano)
	}
	ev.ID = webhook.NewID(webhook.TypeSubmitFailed, append([]string{activationID, bucket}, keys...)...)
	return ev
}

// reportFailure sends submit_failed for a failed activation when
// notifications are configured and valid.
func (p *Pipeline) reportFailure(ctx context.Context, n NotifyParams, bucket string, keys []string, err error) {
	if !n.enabled() || p.checkNotify(&n) != nil {
		return
	}
	ev := failureEvent(action.ActivationFrom(ctx).ID, bucket, keys, err)
	if ctx.Err() != nil {
		// Out of time (the usual reason to fail): use the headroom the
		// plumbing keeps before the platform's deadline.
		var cancel context.CancelFunc
		ctx, cancel = action.Grace(ctx, 100*time.Millisecond, 2*time.Second)
		defer cancel()
	}
	p.notify(ctx, n, ev)
}
