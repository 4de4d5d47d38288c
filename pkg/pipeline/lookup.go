package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// LookupParams are lookup-category's parameters.
type LookupParams struct {
	APIParams
	CategoryName    string       `json:"CATEGORY_NAME"`
	CategoryID      param.String `json:"CATEGORY_ID"`
	CacheTTL        param.Int    `json:"CATEGORY_CACHE_TTL"`
	BucketName      string       `json:"BUCKET_NAME"`
	InputPrefix     string       `json:"INPUT_PREFIX"`
	ExcludePrefixes param.List   `json:"EXCLUDE_PREFIXES"`
	Extensions      param.List   `json:"EXTENSIONS"`
	KeyDecoding     string       `json:"KEY_DECODING"`
}

// LookupInput is lookup-category's input: its parameters and the objects
// named by the upload event, both decoded from the same parameter object.
type LookupInput struct {
	LookupParams
	NotifyParams
	Objects []events.Object `json:"-"`
	// decodeErr is a parameter or event that could not be decoded; the
	// handler reports it (and sends submit_failed when it can).
	decodeErr error
}

// UnmarshalJSON decodes the parameters (the notification ones too, so a
// bad event can still be reported), then the event with the key decoding
// policy they name. A decoding problem is kept for the handler.
func (in *LookupInput) UnmarshalJSON(b []byte) error {
	// One pass for both; json keeps decoding after a badly typed field, so
	// the notification parameters are there to report the error with.
	both := struct {
		*LookupParams
		*NotifyParams
	}{&in.LookupParams, &in.NotifyParams}
	if err := action.UnmarshalExact(b, &both); err != nil {
		in.decodeErr = action.DecodeError(err)
		return nil
	}
	policy, err := events.ParseKeyDecoding(in.KeyDecoding)
	if err != nil {
		in.decodeErr = err
		return nil
	}
	if in.Objects, err = events.Decode(b, policy); err != nil {
		in.decodeErr = action.DecodeError(err)
	}
	return nil
}

func (p *LookupParams) validate() error {
	if err := p.APIParams.validate(); err != nil {
		return err
	}
	p.CategoryName = strings.TrimSpace(p.CategoryName)
	if p.CategoryName == "" && p.CategoryID == "" {
		return action.Missing("CATEGORY_NAME (or CATEGORY_ID)")
	}
	if ttl := p.CacheTTL.Or(DefaultCacheTTL); ttl < 0 {
		return action.Invalid("CATEGORY_CACHE_TTL", "got %d, want 0 or more seconds", ttl)
	}
	return nil
}

// LookupCategory is lookup-category's handler: it decides which uploaded
// objects to encode and finds the category id (by name, cached) for them.
// It makes no API call when everything is skipped or CATEGORY_ID is given.
//
// When it fails and WEBHOOK_URL is set, it sends a submit_failed event
// naming the bucket and keys, so the upload is not lost silently.
func (p *Pipeline) LookupCategory(ctx context.Context, in LookupInput) (Submission, error) {
	out, err := p.lookupCategory(ctx, &in)
	if err != nil {
		p.reportFailure(ctx, in.NotifyParams, in.failedBucket(), in.failedKeys(), err)
		return Submission{}, err
	}
	return out, nil
}

// failedBucket and failedKeys name what a failed lookup leaves unsubmitted.
func (in *LookupInput) failedBucket() string {
	for _, o := range in.Objects {
		if o.Bucket != "" {
			return o.Bucket
		}
	}
	return strings.TrimSpace(in.BucketName)
}

func (in *LookupInput) failedKeys() []string {
	keys := make([]string, 0, len(in.Objects))
	for _, o := range in.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

func (p *Pipeline) lookupCategory(ctx context.Context, in *LookupInput) (Submission, error) {
	if in.decodeErr != nil {
		return Submission{}, in.decodeErr
	}
	if err := p.checkNotify(&in.NotifyParams); err != nil {
		return Submission{}, err
	}
	if err := in.LookupParams.validate(); err != nil {
		return Submission{}, err
	}
	filter := NewFilter(in.InputPrefix, in.ExcludePrefixes.Items, in.Extensions.Or(nil))
	var keep []events.Object
	var skipped []SkippedFile
	for _, o := range in.Objects {
		if reason := filter.Skip(o); reason != "" {
			skipped = append(skipped, SkippedFile{Path: o.Key, Reason: reason})
			continue
		}
		keep = append(keep, o)
	}

	bucket, err := oneBucket(keep, in.BucketName)
	if err != nil {
		return Submission{}, err
	}
	out := Submission{BucketName: bucket}
	if len(keep) == 0 {
		return skippedSubmission(ctx, out, skipped), nil
	}

	cat, cached, err := p.category(ctx, in.LookupParams)
	if err != nil {
		return Submission{}, err
	}
	out.CategoryID, out.CategoryName = param.String(cat.ID), cat.Name
	action.LogAttrs(ctx, slog.String("category_id", string(cat.ID)), slog.Bool("category_cached", cached))

	// Never encode the category's own output again (same bucket, under its path).
	if o := cat.Output; o != nil && o.BucketName == bucket && strings.Trim(o.FilePath, "/") != "" {
		prefix := strings.Trim(o.FilePath, "/") + "/"
		kept := keep[:0]
		for _, obj := range keep {
			if strings.HasPrefix(strings.TrimPrefix(obj.Key, "/"), prefix) {
				skipped = append(skipped, SkippedFile{Path: obj.Key, Reason: ReasonCategoryOutput})
				continue
			}
			kept = append(kept, obj)
		}
		keep = kept
		if len(keep) == 0 {
			return skippedSubmission(ctx, out, skipped), nil
		}
	}

	out.FileName = keep[0].Key
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
	for _, path := range out.paths() {
		if w := playbackWarning(path); w != "" {
			out.Warnings = append(out.Warnings, w)
		}
	}
	action.LogAttrs(ctx, slog.Int("files", len(out.paths())), slog.String("bucket", bucket))
	if len(out.Warnings) > 0 {
		action.LogAttrs(ctx, slog.Any("warnings", out.Warnings))
	}
	return out, nil
}

// skippedSubmission is the result when nothing is to be encoded.
func skippedSubmission(ctx context.Context, out Submission, skipped []SkippedFile) Submission {
	out.Skipped = true
	out.Reason = skipped[0].Reason
	out.FileName = skipped[0].Path
	out.SkippedFiles = skippedList(skipped, len(skipped))
	action.LogAttrs(ctx, slog.Bool("skipped", true), slog.String("reason", out.Reason))
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
	switch {
	case len(objs) == 0:
		return fallback, nil
	case buckets[""]:
		return "", action.Missing("BUCKET_NAME (the upload event names no bucket)")
	case len(buckets) > 1:
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
func (p *Pipeline) category(ctx context.Context, in LookupParams) (vodstation.Category, bool, error) {
	if in.CategoryID != "" {
		return vodstation.Category{ID: vodstation.ID(in.CategoryID), Name: in.CategoryName}, false, nil
	}
	key := categoryKey(in.APIParams, in.CategoryName)
	if cat, ok := p.cachedCategory(key); ok {
		return cat, true, nil
	}
	c, err := p.client(in.APIParams)
	if err != nil {
		return vodstation.Category{}, false, err
	}
	cat, err := c.FindCategory(ctx, in.CategoryName)
	if errors.Is(err, vodstation.ErrCategoryNotFound) {
		return vodstation.Category{}, false, &action.Error{Code: "category_not_found", Status: http.StatusNotFound,
			Message: fmt.Sprintf("CATEGORY_NAME: no enabled VOD Station category is named %q", in.CategoryName), Err: err}
	}
	if err != nil {
		return vodstation.Category{}, false, fmt.Errorf("lookup category: %w", err)
	}
	p.storeCategory(key, cat, time.Duration(in.CacheTTL.Or(DefaultCacheTTL))*time.Second)
	return cat, false, nil
}
