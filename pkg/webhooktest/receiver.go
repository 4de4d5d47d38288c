// Package webhooktest is a webhook receiver for tests and for the local
// runner: an HTTP server that verifies every delivery's signature with
// webhook.Verify and records the events, or answers with a chosen failure.
package webhooktest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/vodflow/vodflow/pkg/webhook"
)

// Delivery is one request the receiver got.
type Delivery struct {
	// Event is the decoded body (zero when it did not verify or decode).
	Event webhook.Event
	// Body is the raw body.
	Body []byte
	// Header is the request's header.
	Header http.Header
	// Verified is true when the signature verified; Err says why not.
	Verified bool
	Err      error
	// Status is the HTTP status the receiver answered.
	Status int
}

// Receiver records deliveries. Only verified ones are answered 2xx.
type Receiver struct {
	// URL is the receiver's address.
	URL string

	srv    *httptest.Server
	secret string

	mu         sync.Mutex
	deliveries []Delivery
	status     int // answer while failing; 0 = accept
	changed    chan struct{}
}

// NewReceiver starts a receiver that verifies with secret.
func NewReceiver(secret string) *Receiver {
	r := &Receiver{secret: secret, changed: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = r.srv.URL
	return r
}

// Close stops the receiver.
func (r *Receiver) Close() { r.srv.Close() }

// FailWith makes the receiver answer every delivery with status (after
// recording it); 0 accepts again.
func (r *Receiver) FailWith(status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = status
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	d := Delivery{Body: body, Header: req.Header.Clone(), Err: err}
	if err == nil {
		d.Err = webhook.Verify(r.secret, req.Header.Get(webhook.SignatureHeader), body, 5*time.Minute)
		if d.Err == nil {
			d.Err = json.Unmarshal(body, &d.Event)
			d.Verified = d.Err == nil
		}
	}
	r.mu.Lock()
	switch {
	case r.status != 0:
		d.Status = r.status
	case !d.Verified:
		d.Status = http.StatusUnauthorized
	default:
		d.Status = http.StatusNoContent
	}
	r.deliveries = append(r.deliveries, d)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	w.WriteHeader(d.Status)
}

// Deliveries returns every delivery so far, in arrival order.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.deliveries)
}

// Events returns the verified events accepted so far (not those answered
// with a failure), in arrival order.
func (r *Receiver) Events() []webhook.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []webhook.Event
	for _, d := range r.deliveries {
		if d.Verified && d.Status < 300 {
			out = append(out, d.Event)
		}
	}
	return out
}

// EventsOf returns the verified events of one type.
func (r *Receiver) EventsOf(typ string) []webhook.Event {
	var out []webhook.Event
	for _, ev := range r.Events() {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

// Wait blocks until done(events) is true or ctx ends; it returns the
// events it last saw.
func (r *Receiver) Wait(ctx context.Context, done func([]webhook.Event) bool) ([]webhook.Event, error) {
	for {
		r.mu.Lock()
		changed := r.changed
		r.mu.Unlock()
		evs := r.Events()
		if done(evs) {
			return evs, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return evs, ctx.Err()
		}
	}
}
