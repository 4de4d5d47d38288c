package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/uploadid"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// DefaultCacheTTL is how long a category id found by name is reused, in
// seconds.
const DefaultCacheTTL = 300

// LookupConfig is lookup-category's configuration.
type LookupConfig struct {
	config.API
	config.Notify
	// Storage, when OBJECT_STORAGE_ENDPOINT is set, lets lookup-category
	// HEAD an object the event names without an ETag (NCP's flat
	// payload), so add-files tells a re-upload from a repeated event.
	config.Storage
	CategoryName    string       `json:"CATEGORY_NAME"`
	CategoryID      param.String `json:"CATEGORY_ID"`
	CacheTTL        param.Int    `json:"CATEGORY_CACHE_TTL"`
	BucketName      string       `json:"BUCKET_NAME"`
	InputPrefix     string       `json:"INPUT_PREFIX"`
	ExcludePrefixes param.List   `json:"EXCLUDE_PREFIXES"`
	Extensions      param.List   `json:"EXTENSIONS"`
	KeyDecoding     string       `json:"KEY_DECODING"`

	policy events.KeyDecoding
}

// LookupInput is lookup-category's input: the objects the upload event
// names.
type LookupInput struct {
	Objects []events.Object
}

func (c *LookupConfig) validate() error {
	if err := c.API.Validate(); err != nil {
		return err
	}
	if c.Storage.Configured() {
		if err := c.Storage.Validate(); err != nil {
			return err
		}
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
	if ttl := c.CacheTTL.Or(DefaultCacheTTL); ttl < 0 {
		return action.Invalid("CATEGORY_CACHE_TTL", "got %d, want 0 or more seconds", ttl)
	}
	policy, err := events.ParseKeyDecoding(c.KeyDecoding)
	if err != nil {
		return err
	}
	c.policy = policy
	return nil
}

// Lookup is lookup-category's handler: it decides which uploaded objects to
// encode and finds the category id (by name, cached) for them. It makes no
// API call when everything is skipped or CATEGORY_ID is given. When it
// fails and WEBHOOK_URL is set, a submit_failed event names the bucket and
// keys, so the upload is not lost silently.
func (u *Uploader) Lookup() action.Handler[LookupConfig, LookupInput, Submission] {
	return action.Handler[LookupConfig, LookupInput, Submission]{
		Decode: u.decodeLookup, Run: u.lookup, OnError: u.reporter(eventObjects),
	}
}

func (u *Uploader) decodeLookup(p *action.Params) (LookupConfig, LookupInput, error) {
	var cfg LookupConfig
	if err := p.DecodeConfig(&cfg); err != nil {
		return cfg, LookupInput{}, err
	}
	if err := u.notifier.Check(&cfg.Notify); err != nil {
		return cfg, LookupInput{}, err
	}
	if err := cfg.validate(); err != nil {
		return cfg, LookupInput{}, err
	}
	objs, err := events.DecodeFields(p.Payload, cfg.policy)
	if err != nil {
		return cfg, LookupInput{}, err
	}
	return cfg, LookupInput{Objects: objs}, nil
}

func (u *Uploader) lookup(ctx context.Context, cfg LookupConfig, in LookupInput) (Submission, error) {
	filter := NewFilter(cfg.InputPrefix, cfg.ExcludePrefixes.Items, cfg.Extensions.Or(nil))
	var keep []events.Object
	var skipped []SkippedFile
	var warnings []string
	unknownEvents := map[string]bool{}
	kept := map[objectID]int{} // index in keep
	for _, o := range in.Objects {
		if reason := filter.Skip(o); reason != "" {
			skipped = append(skipped, SkippedFile{Path: o.Key, Reason: reason})
			continue
		}
		id := objectID{o.Bucket, o.Key}
		if id.bucket == "" {
			id.bucket = strings.TrimSpace(cfg.BucketName)
		}
		if i, seen := kept[id]; seen {
			// The same object again: submitted once, at its first place,
			// with what the latest record says of it.
			keep[i] = o
			skipped = append(skipped, SkippedFile{Path: o.Key, Reason: ReasonRepeated})
			continue
		}
		kept[id] = len(keep)
		if events.ClassifyEvent(o.EventName) == events.EventUnknown && !unknownEvents[o.EventName] {
			unknownEvents[o.EventName] = true
			warnings = append(warnings, unknownEventWarning(o))
		}
		keep = append(keep, o)
	}

	bucket, err := oneBucket(keep, cfg.BucketName)
	if err != nil {
		return Submission{}, err
	}
	out := Submission{BucketName: bucket}
	if len(keep) == 0 {
		return skippedSubmission(ctx, out, skipped), nil
	}

	cat, cached, err := u.category(ctx, cfg)
	if err != nil {
		return Submission{}, err
	}
	out.CategoryID, out.CategoryName = param.String(cat.ID), cat.Name
	action.LogAttrs(ctx, action.String("category_id", string(cat.ID)), action.Bool("category_cached", cached))

	// Never encode the category's own outputs again (same bucket: under its
	// output folder, or named like one of its outputs).
	if o := cat.Output; o != nil && o.BucketName != "" && o.BucketName == bucket {
		guard, warning := u.outputGuard(ctx, cfg, cat)
		if warning != "" {
			warnings = append(warnings, warning)
		}
		var uploads []events.Object
		for _, obj := range keep {
			if guard.Covers(obj.Key) {
				skipped = append(skipped, SkippedFile{Path: obj.Key, Reason: ReasonCategoryOutput})
				continue // the objects after it are still judged
			}
			uploads = append(uploads, obj)
		}
		keep = uploads
		if len(keep) == 0 {
			return skippedSubmission(ctx, out, skipped), nil
		}
	}

	out.FileName = keep[0].Key
	out.UploadID = uploadid.Of(out.FileName)
	if cfg.Storage.Configured() {
		warnings = append(warnings, u.headVersions(ctx, cfg, bucket, keep)...)
	}
	for _, o := range keep {
		if v := version(o); v != "" {
			if out.Versions == nil {
				out.Versions = map[string]string{}
			}
			out.Versions[o.Key] = v
		}
	}
	if len(keep) > 1 {
		out.Paths = make([]string, len(keep))
		for i, o := range keep {
			out.Paths[i] = o.Key
		}
	}
	out.SkippedFiles = skippedList(skipped, len(in.Objects))
	out.Warnings = append(out.Warnings, warnings...)
	for _, path := range out.paths() {
		if w := playbackWarning(path); w != "" {
			out.Warnings = append(out.Warnings, w)
		}
	}
	fitSubmission(&out)
	action.LogAttrs(ctx, action.Int("files", len(out.paths())), action.String("bucket", bucket))
	if len(out.Warnings) > 0 {
		action.LogAttrs(ctx, action.Any("warnings", out.Warnings))
	}
	return out, nil
}

// OutputGuard is the recursion guard: it recognises a category's outputs
// in its output bucket, the keys under its output folder (the output path,
// or, when that is the bucket's root, the <category name>/ folder VOD
// Station creates there) and the keys named like its outputs
// (<input basename>_<outputType>.mp4). lookup-category and reconcile both
// judge uploads with it.
type OutputGuard struct {
	folder   string   // with a trailing "/"
	suffixes []string // "_<outputtype>.mp4", lower case
}

// NewOutputGuard returns the guard of cat, whose outputs go to
// cat.Output, with the category's output types (nil when they could not
// be read: then the guard covers the folder only). A category without an
// output location guards nothing.
func NewOutputGuard(cat vodstation.Category, outputTypes []string) OutputGuard {
	if cat.Output == nil {
		return OutputGuard{}
	}
	folder := strings.Trim(cat.Output.FilePath, "/")
	if folder == "" {
		folder = cat.Name
	}
	g := OutputGuard{folder: folder + "/"}
	for _, t := range outputTypes {
		if t = strings.TrimSpace(t); t != "" {
			g.suffixes = append(g.suffixes, "_"+strings.ToLower(t)+".mp4")
		}
	}
	return g
}

// Folder is the output folder the guard covers, with a trailing "/" ("" for
// a guard that covers nothing).
func (g OutputGuard) Folder() string { return g.folder }

// Covers reports whether key is one of the category's outputs.
func (g OutputGuard) Covers(key string) bool {
	if g.folder == "" {
		return false
	}
	k := strings.TrimPrefix(key, "/")
	if strings.HasPrefix(k, g.folder) {
		return true
	}
	lower := strings.ToLower(k)
	for _, s := range g.suffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// outputGuard builds the guard of cat. Its output types are read once per
// CATEGORY_CACHE_TTL (the category info and each encoding option); when
// they cannot be read, the guard covers the folder only and the warning
// says so: an upload is never lost for it.
func (u *Uploader) outputGuard(ctx context.Context, cfg LookupConfig, cat vodstation.Category) (OutputGuard, string) {
	types, err := u.outputTypes(ctx, cfg, cat)
	if err != nil {
		g := NewOutputGuard(cat, nil)
		action.LogAttrs(ctx, action.String("output_types_error", err.Error()))
		return g, fmt.Sprintf("the encoding options of category %s could not be read (%v): only keys under %s are recognised as its outputs", cat.ID, err, g.folder)
	}
	return NewOutputGuard(cat, types), ""
}

// outputTypeList is a category's output types as the cache holds them (a
// pointer, so the cache shares its code with the other pointer caches).
type outputTypeList struct{ names []string }

// outputTypes returns cat's output types, cached like the category.
func (u *Uploader) outputTypes(ctx context.Context, cfg LookupConfig, cat vodstation.Category) ([]string, error) {
	ttl := time.Duration(cfg.CacheTTL.Or(DefaultCacheTTL)) * time.Second
	key := cfg.API.CacheKey() + "\x00" + string(cat.ID)
	if ttl > 0 {
		if types, ok := u.outputTypesCache.Get(key); ok {
			return types.names, nil
		}
	}
	c, err := u.clients.Get(cfg.API)
	if err != nil {
		return nil, err
	}
	types, err := c.OutputTypes(ctx, cat)
	if err != nil {
		return nil, err
	}
	if ttl > 0 {
		u.outputTypesCache.Put(key, &outputTypeList{names: types}, ttl)
	}
	return types, nil
}

// objectID identifies an object of an event.
type objectID struct{ bucket, key string }

// unknownEventWarning says that o's event type is not one vodflow knows
// and was submitted anyway.
func unknownEventWarning(o events.Object) string {
	return fmt.Sprintf("event type %q (%s) is not one vodflow knows: submitted anyway, because losing an upload is worse than encoding it twice", o.EventName, o.Key)
}

// submissionBudget is the most a Submission may weigh: it is add-files'
// parameters in the sequence, which NCP limits to 1 MB with add-files' own
// defaults merged in.
const submissionBudget = 900 << 10

// fitSubmission keeps the result within the parameter limit: when the
// upload versions would push it over, they are dropped (add-files then
// tells duplicates by bucket, key and category alone) with a warning. The
// upper bound of the result's size (every list counted: paths, versions,
// skipped files, warnings) spares the encoding when it is under the
// limit; above it, the encoding decides.
func fitSubmission(s *Submission) {
	if len(s.Versions) == 0 {
		return
	}
	if (AddFilesResult{Submission: *s}).estimate() <= submissionBudget {
		return
	}
	if b, err := json.Marshal(s); err == nil && len(b) <= submissionBudget {
		return
	}
	s.Versions = nil
	s.Warnings = append(s.Warnings, "the event's upload versions (ETag, size, time) were left out to keep the result under 1 MB; duplicates are told by bucket, key and category")
}

// skippedSubmission is the result when nothing is to be encoded.
func skippedSubmission(ctx context.Context, out Submission, skipped []SkippedFile) Submission {
	out.Skipped = true
	out.Reason = skipped[0].Reason
	out.FileName = skipped[0].Path
	out.SkippedFiles = skippedList(skipped, len(skipped))
	action.LogAttrs(ctx, action.Bool("skipped", true), action.String("reason", out.Reason))
	return out
}

// skippedList lists skipped files only when the event named several objects.
func skippedList(skipped []SkippedFile, objects int) []SkippedFile {
	if objects <= 1 {
		return nil
	}
	return skipped
}

// oneBucket returns the bucket of the objects (the event's, else
// BUCKET_NAME). Several buckets in one event are refused: one add-files call
// takes one bucket.
func oneBucket(objs []events.Object, fallback string) (string, error) {
	fallback = strings.TrimSpace(fallback)
	buckets := map[string]bool{}
	for _, o := range objs {
		if o.Bucket != "" {
			buckets[o.Bucket] = true
		} else {
			buckets[fallback] = true
		}
	}
	if len(objs) == 0 {
		return fallback, nil
	}
	if buckets[""] {
		return "", action.Missing("BUCKET_NAME (the upload event names no bucket)")
	}
	if len(buckets) > 1 {
		names := make([]string, 0, len(buckets))
		for b := range buckets {
			names = append(names, b)
		}
		sort.Strings(names)
		return "", action.Invalid("Records", "the event names objects in several buckets (%s); send one bucket per event", strings.Join(names, ", "))
	}
	for b := range buckets {
		return b, nil
	}
	return "", nil // unreachable: objs is not empty
}

// category returns the category to submit to: CATEGORY_ID as given, or the
// category named CATEGORY_NAME, from the cache or found by paging the list.
// CATEGORY_CACHE_TTL 0 means no cache at all: not stored, not read.
func (u *Uploader) category(ctx context.Context, cfg LookupConfig) (vodstation.Category, bool, error) {
	if cfg.CategoryID != "" {
		return vodstation.Category{ID: vodstation.ID(cfg.CategoryID), Name: cfg.CategoryName}, false, nil
	}
	ttl := time.Duration(cfg.CacheTTL.Or(DefaultCacheTTL)) * time.Second
	key := cfg.API.CacheKey() + "\x00" + cfg.CategoryName
	if ttl > 0 {
		if cat, ok := u.categories.Get(key); ok {
			return *cat, true, nil
		}
	}
	c, err := u.clients.Get(cfg.API)
	if err != nil {
		return vodstation.Category{}, false, err
	}
	cat, err := c.FindCategory(ctx, cfg.CategoryName)
	if errors.Is(err, vodstation.ErrCategoryNotFound) {
		return vodstation.Category{}, false, &action.Error{Code: "category_not_found", Status: http.StatusNotFound,
			Message: fmt.Sprintf("CATEGORY_NAME: no enabled VOD Station category is named %q", cfg.CategoryName), Err: err}
	}
	if err != nil {
		return vodstation.Category{}, false, err
	}
	if ttl > 0 {
		u.categories.Put(key, &cat, ttl)
	}
	return cat, false, nil
}
