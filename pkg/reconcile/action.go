package reconcile

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/expiring"
	"github.com/vodflow/vodflow/pkg/notify"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// Defaults of the reconcile parameters.
const (
	// DefaultWindow is RECONCILE_WINDOW's default, in seconds (a day).
	DefaultWindow = 86400
	// DefaultMinAge is RECONCILE_MIN_AGE's default, in seconds.
	DefaultMinAge = 300
	// DefaultMax is RECONCILE_MAX's default.
	DefaultMax = 100
	// DefaultPages is RECONCILE_PAGES's default (of 1000 keys).
	DefaultPages = 20
	// DefaultStatusPages is RECONCILE_STATUS_PAGES's default (of 100 rows).
	DefaultStatusPages = 200
	// MaxPerRun bounds RECONCILE_MAX, so a result stays far under 1 MB.
	MaxPerRun = 1000
)

// MinMinAge is the least RECONCILE_MIN_AGE that keeps reconcile out of the
// live trigger's way: the sequence's two actions may take a minute each.
const MinMinAge = 120

// Config is the reconcile action's configuration.
type Config struct {
	config.API
	config.Notify
	config.Storage
	// BucketName is the upload bucket (required).
	BucketName string `json:"BUCKET_NAME"`
	// CategoryName or CategoryID is the category uploads go to.
	CategoryName string       `json:"CATEGORY_NAME"`
	CategoryID   param.String `json:"CATEGORY_ID"`
	// InputPrefix, ExcludePrefixes and Extensions are lookup-category's.
	InputPrefix     string     `json:"INPUT_PREFIX"`
	ExcludePrefixes param.List `json:"EXCLUDE_PREFIXES"`
	Extensions      param.List `json:"EXTENSIONS"`
	// Callback is add-files' NOTIFICATION_URL and NOTIFICATION_FIELD.
	config.Callback
	// Window (seconds) is how far back uploads are looked at.
	Window param.Int `json:"RECONCILE_WINDOW"`
	// MinAge (seconds) is how long the live trigger owns a new upload.
	MinAge param.Int `json:"RECONCILE_MIN_AGE"`
	// Max is the most files one run submits.
	Max param.Int `json:"RECONCILE_MAX"`
	// Pages bounds the list pages (1000 keys each) one run reads.
	Pages param.Int `json:"RECONCILE_PAGES"`
	// StatusPages bounds the status-list pages (100 rows each) one read
	// takes.
	StatusPages param.Int `json:"RECONCILE_STATUS_PAGES"`
}

// Input is the payload: a dry run, or a marker to go on from (both
// optional; the schedule sends neither).
type Input struct {
	DryRun param.Bool `json:"dry_run"`
	Marker string     `json:"marker"`
}

func (c *Config) validate() error {
	if err := c.API.Validate(); err != nil {
		return err
	}
	if err := c.Storage.Validate(); err != nil {
		return err
	}
	c.BucketName = strings.TrimSpace(c.BucketName)
	if c.BucketName == "" {
		return action.Missing("BUCKET_NAME")
	}
	c.CategoryName = strings.TrimSpace(c.CategoryName)
	if c.CategoryName == "" && c.CategoryID == "" {
		return action.Missing("CATEGORY_NAME (or CATEGORY_ID)")
	}
	if c.CategoryID != "" {
		if err := config.CheckCategoryID("CATEGORY_ID", string(c.CategoryID)); err != nil {
			return err
		}
	}
	if err := c.Callback.Validate(); err != nil {
		return err
	}
	for _, b := range []struct {
		name   string
		v      param.Int
		def    int64
		lo, hi int64
	}{
		{"RECONCILE_WINDOW", c.Window, DefaultWindow, 60, 90 * 86400},
		{"RECONCILE_MIN_AGE", c.MinAge, DefaultMinAge, MinMinAge, 86400},
		{"RECONCILE_MAX", c.Max, DefaultMax, 1, MaxPerRun},
		{"RECONCILE_PAGES", c.Pages, DefaultPages, 1, 1000},
		{"RECONCILE_STATUS_PAGES", c.StatusPages, DefaultStatusPages, 1, 10000},
	} {
		if v := b.v.Or(b.def); v < b.lo || v > b.hi {
			return action.Invalid(b.name, "got %d, want %d to %d", v, b.lo, b.hi)
		}
	}
	if c.Window.Or(DefaultWindow) <= c.MinAge.Or(DefaultMinAge) {
		return action.Invalid("RECONCILE_WINDOW", "got %d s, want more than RECONCILE_MIN_AGE (%d s)", c.Window.Or(DefaultWindow), c.MinAge.Or(DefaultMinAge))
	}
	return nil
}

// ListerFunc makes the bucket lister for a configuration.
type ListerFunc func(api config.API, st config.Storage) (Lister, error)

// Reconciler serves the reconcile action and keeps, for the life of a warm
// container, its VOD Station clients, its notifier, what it submitted and
// where a listing cut short by RECONCILE_PAGES stopped.
type Reconciler struct {
	now       func() time.Time
	listerFor ListerFunc
	clients   *config.Clients
	notifier  *notify.Notifier
	submitted *expiring.Cache[string, struct{}]
	markers   *expiring.Cache[string, string]
}

// Option configures a Reconciler.
type Option func(*Reconciler)

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(r *Reconciler) { r.now = now } }

// WithClientOptions passes options to every VOD Station client.
func WithClientOptions(opts ...vodstation.Option) Option {
	return func(r *Reconciler) { r.clients = config.NewClients(opts...) }
}

// MaxRemembered bounds the submissions a container remembers.
const MaxRemembered = 20000

// New returns a Reconciler listing buckets with listerFor.
func New(listerFor ListerFunc, opts ...Option) *Reconciler {
	r := &Reconciler{now: time.Now, listerFor: listerFor}
	for _, o := range opts {
		o(r)
	}
	if r.clients == nil {
		r.clients = config.NewClients()
	}
	r.notifier = notify.New(r.now)
	r.submitted = expiring.New[string, struct{}](MaxRemembered, r.now)
	r.markers = expiring.New[string, string](16, r.now)
	return r
}

// Handler is the reconcile action's handler.
func (r *Reconciler) Handler() action.Handler[Config, Input, Result] {
	return action.Handler[Config, Input, Result]{Decode: r.decode, Run: r.run}
}

func (r *Reconciler) decode(p *action.Params) (Config, Input, error) {
	var cfg Config
	var in Input
	if err := p.DecodeConfig(&cfg); err != nil {
		return cfg, in, err
	}
	if err := r.notifier.Check(&cfg.Notify); err != nil {
		return cfg, in, err
	}
	if err := p.DecodePayload(&in); err != nil {
		return cfg, in, err
	}
	return cfg, in, cfg.validate()
}

// memory adapts the container's cache to Memory for one window.
type memory struct {
	c   *expiring.Cache[string, struct{}]
	ttl time.Duration
}

func (m memory) Seen(id string) bool { _, ok := m.c.Get(id); return ok }
func (m memory) Remember(id string)  { m.c.Put(id, struct{}{}, m.ttl) }

// headroom is what a run keeps before its deadline: a tenth of its time,
// at least 3 s, for the submission and the events in flight.
func headroom(left time.Duration) time.Duration { return max(left/10, 3*time.Second) }

func (r *Reconciler) run(ctx context.Context, cfg Config, in Input) (Result, error) {
	c, err := r.clients.Get(cfg.API)
	if err != nil {
		return Result{}, err
	}
	lister, err := r.listerFor(cfg.API, cfg.Storage)
	if err != nil {
		return Result{}, err
	}
	cat, guard, warning, err := category(ctx, c, cfg)
	if err != nil {
		return Result{}, err
	}
	now := r.now()
	plan := Plan{
		Bucket: cfg.BucketName, Category: cat, Guard: guard,
		Filter: upload.NewFilter(cfg.InputPrefix, cfg.ExcludePrefixes.Items, cfg.Extensions.Or(nil)),
		Window: time.Duration(cfg.Window.Or(DefaultWindow)) * time.Second,
		MinAge: time.Duration(cfg.MinAge.Or(DefaultMinAge)) * time.Second,
		Max:    int(cfg.Max.Or(DefaultMax)), ListPages: int(cfg.Pages.Or(DefaultPages)),
		StatusPages: int(cfg.StatusPages.Or(DefaultStatusPages)),
		Marker:      in.Marker, DryRun: bool(in.DryRun),
		NotificationURL: cfg.NotificationURL, NotificationField: cfg.NotificationField,
		Now: now,
	}
	if dl, ok := ctx.Deadline(); ok {
		plan.StopAt = dl.Add(-headroom(time.Until(dl)))
	}
	markerKey := cfg.BucketName + "\x00" + cfg.InputPrefix
	resumed := false
	if plan.Marker == "" {
		if m, ok := r.markers.Get(markerKey); ok {
			plan.Marker, resumed = m, true
		}
	}
	res, err := Run(ctx, plan, lister, c, memory{r.submitted, plan.Window})
	if warning != "" {
		res.Warnings = append(res.Warnings, warning)
	}
	if resumed {
		res.Warnings = append(res.Warnings, "the listing went on after "+plan.Marker+", where this container's last run stopped")
	}
	if err == nil && !plan.DryRun {
		if res.Left != nil && res.Left.NextMarker != "" {
			r.markers.Put(markerKey, res.Left.NextMarker, plan.Window)
		} else if res.Left == nil {
			r.markers.Delete(markerKey)
		}
	}
	submitted := res.Submitted
	var se *upload.SubmitError
	if errors.As(err, &se) {
		submitted = se.Submitted
	}
	action.LogAttrs(ctx, action.Int("listed", res.Listed), action.Int("candidates", res.Candidates),
		action.Int("received", res.Received), action.Int("reconciled", len(submitted)))
	if len(submitted) > 0 && cfg.Notify.Enabled() {
		n := r.notifier.Send(ctx, cfg.Notify, reconciledEvents(res, submitted)...)
		res.Notified = &n
	}
	if err != nil {
		return Result{}, storageError(err)
	}
	return res, nil
}

// reconciledEvents are the reconciled events of the submitted files.
func reconciledEvents(res Result, files []upload.SubmittedFile) []webhook.Event {
	evs := make([]webhook.Event, 0, len(files))
	for _, f := range files {
		evs = append(evs, webhook.Event{
			ID: webhook.NewID(webhook.TypeReconciled, f.FileID), Type: webhook.TypeReconciled,
			BucketName: res.BucketName, Key: f.Path, UploadID: f.UploadID, CategoryID: res.CategoryID,
			CategoryName: res.CategoryName, FileID: f.FileID,
		})
	}
	return evs
}

// category finds the category and its recursion guard (for its output
// bucket when that is the upload bucket). The guard's output types that
// cannot be read leave a folder-only guard and a warning, as in
// lookup-category.
func category(ctx context.Context, c *vodstation.Client, cfg Config) (vodstation.Category, upload.OutputGuard, string, error) {
	var cat vodstation.Category
	var err error
	if cfg.CategoryID != "" {
		cat, err = c.GetCategory(ctx, string(cfg.CategoryID))
	} else {
		cat, err = c.FindCategory(ctx, cfg.CategoryName)
		if errors.Is(err, vodstation.ErrCategoryNotFound) {
			return cat, upload.OutputGuard{}, "", &action.Error{Code: "category_not_found", Status: http.StatusNotFound,
				Message: fmt.Sprintf("CATEGORY_NAME: no enabled VOD Station category is named %q", cfg.CategoryName), Err: err}
		}
	}
	if err != nil {
		return cat, upload.OutputGuard{}, "", err
	}
	if cat.ID == "" {
		cat.ID = vodstation.ID(cfg.CategoryID)
	}
	if o := cat.Output; o == nil || o.BucketName != cfg.BucketName {
		return cat, upload.OutputGuard{}, "", nil
	}
	types, err := c.OutputTypes(ctx, cat)
	if err != nil {
		g := upload.NewOutputGuard(cat, nil)
		return cat, g, fmt.Sprintf("the encoding options of category %s could not be read (%v): only keys under %s are recognised as its outputs", cat.ID, err, g.Folder()), nil
	}
	return cat, upload.NewOutputGuard(cat, types), "", nil
}
