package upload

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/expiring"
	"github.com/vodflow/vodflow/pkg/notify"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// Bounds of the per-container memories.
const (
	// MaxCategories bounds the categories kept by name.
	MaxCategories = 64
	// MaxRemembered bounds the uploads remembered for DEDUP_WINDOW.
	MaxRemembered = 20000
)

// Uploader serves lookup-category and add-files and keeps, for the life of
// a warm container, what they reuse.
type Uploader struct {
	now        func() time.Time
	clientOpts []vodstation.Option
	senderOpts []webhook.SenderOption

	clients    *config.Clients
	notifier   *notify.Notifier
	categories *expiring.Cache[string, *vodstation.Category]
	// outputTypesCache holds each category's output types (the recursion
	// guard's suffixes), by API and category id.
	outputTypesCache *expiring.Cache[string, *outputTypeList]
	submitted        *expiring.Cache[dedupKey, struct{}]
	// headHTTP sends lookup-category's HEADs (OBJECT_STORAGE_ENDPOINT).
	headHTTP *http.Client
}

// Option configures an Uploader.
type Option func(*Uploader)

// WithClock sets the clock used for cache expiry.
func WithClock(now func() time.Time) Option { return func(u *Uploader) { u.now = now } }

// WithClientOptions passes options to every VOD Station client.
func WithClientOptions(opts ...vodstation.Option) Option {
	return func(u *Uploader) { u.clientOpts = append(u.clientOpts, opts...) }
}

// WithHTTPClient makes every VOD Station client send through hc.
func WithHTTPClient(hc *http.Client) Option {
	return WithClientOptions(vodstation.WithHTTPClient(hc))
}

// WithStorageHTTPClient makes lookup-category's HEADs go through hc.
func WithStorageHTTPClient(hc *http.Client) Option { return func(u *Uploader) { u.headHTTP = hc } }

// WithWebhookOptions passes options to every webhook sender.
func WithWebhookOptions(opts ...webhook.SenderOption) Option {
	return func(u *Uploader) { u.senderOpts = append(u.senderOpts, opts...) }
}

// New returns an Uploader with empty memories.
func New(opts ...Option) *Uploader {
	u := &Uploader{now: time.Now, headHTTP: &http.Client{Timeout: headTimeout}}
	for _, o := range opts {
		o(u)
	}
	u.clients = config.NewClients(u.clientOpts...)
	u.notifier = notify.New(u.now, u.senderOpts...)
	u.categories = expiring.New[string, *vodstation.Category](MaxCategories, u.now)
	u.outputTypesCache = expiring.New[string, *outputTypeList](MaxCategories, u.now)
	u.submitted = expiring.New[dedupKey, struct{}](MaxRemembered, u.now)
	return u
}

// reporter returns a handler's OnError: it sends submit_failed naming the
// bucket and keys the failed activation leaves unsubmitted, read from the
// error when it knows them, else (leniently) from the parameters, with
// objects (lookup-category's event decoding; nil for add-files, which
// then links no event decoding) reading an upload event.
func (u *Uploader) reporter(objects func(map[string]json.RawMessage) ([]events.Object, error)) func(context.Context, *action.Params, error) {
	return func(ctx context.Context, p *action.Params, err error) {
		var n config.Notify
		if p.DecodeConfig(&n) != nil || !n.Enabled() {
			return
		}
		u.notifier.ReportFailure(ctx, n, failureOf(p, err, objects), err)
	}
}

// errNoEvent: the action reads no upload event.
var errNoEvent = errors.New("no upload event")

// eventObjects reads the objects an upload event names, for a failure
// report.
func eventObjects(payload map[string]json.RawMessage) ([]events.Object, error) {
	return events.DecodeFields(payload, events.DecodeAuto)
}

// failureOf names what a failed activation leaves unsubmitted.
func failureOf(p *action.Params, err error, objects func(map[string]json.RawMessage) ([]events.Object, error)) notify.Failure {
	if se, ok := asSubmitError(err); ok {
		f := notify.Failure{Bucket: se.Bucket, Keys: se.NotSubmitted, Uncertain: se.Uncertain, NotSubmitted: se.NotSubmitted}
		for _, s := range se.Submitted {
			f.Submitted = append(f.Submitted, webhook.Submitted{Key: s.Path, FileID: s.FileID})
		}
		return f
	}
	var f notify.Failure
	var names struct {
		Bucket string          `json:"bucket_name"`
		File   string          `json:"file_name"`
		Object string          `json:"object_name"`
		Paths  json.RawMessage `json:"paths"`
	}
	_ = action.DecodeFields(p.Payload, &names)
	var paths []string
	_ = json.Unmarshal(names.Paths, &paths)
	var objs []events.Object
	var derr error = errNoEvent
	if objects != nil {
		objs, derr = objects(p.Payload)
	}
	if derr == nil && len(paths) == 0 {
		for _, o := range objs {
			if f.Bucket == "" {
				f.Bucket = o.Bucket
			}
			f.Keys = append(f.Keys, o.Key)
		}
	} else if len(paths) > 0 {
		f.Keys = paths
	} else if names.File != "" {
		f.Keys = []string{names.File}
	} else if names.Object != "" {
		f.Keys = []string{names.Object}
	}
	if f.Bucket == "" {
		f.Bucket = strings.TrimSpace(names.Bucket)
	}
	if f.Bucket == "" {
		var b struct {
			Bucket string `json:"BUCKET_NAME"`
		}
		_ = p.DecodeConfig(&b)
		f.Bucket = strings.TrimSpace(b.Bucket)
	}
	return f
}
