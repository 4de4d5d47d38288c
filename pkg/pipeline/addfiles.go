package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// MaxPaths is the most paths one add-files activation accepts.
const MaxPaths = 10000

// AddFilesInput is add-files' input: lookup-category's result (or the same
// fields typed by hand in the console) and add-files' own parameters.
type AddFilesInput struct {
	APIParams
	Submission
	// ObjectName is accepted for a manual invoke, like file_name.
	ObjectName string `json:"object_name"`
	// BucketParam is BUCKET_NAME, used when bucket_name is not given.
	BucketParam string `json:"BUCKET_NAME"`
	// NotificationURL overrides the category's callback URL.
	NotificationURL string `json:"NOTIFICATION_URL"`
	// NotificationField is the callback field name: notificationUrl
	// (default) or notification.
	NotificationField string `json:"NOTIFICATION_FIELD"`
	// DedupWindow is how long (seconds) a submitted upload is remembered
	// to skip duplicated events; 0 turns it off.
	DedupWindow param.Int `json:"DEDUP_WINDOW"`
	// DedupCheckStatus also asks VOD Station's status list (one call).
	DedupCheckStatus param.Bool `json:"DEDUP_CHECK_STATUS"`
	NotifyParams
	// decodeErr is a parameter that could not be decoded; the handler
	// reports it (and sends submit_failed when it can).
	decodeErr error
}

// UnmarshalJSON decodes the notification parameters first, so that a bad
// parameter can still be reported as submit_failed, then the rest.
func (in *AddFilesInput) UnmarshalJSON(b []byte) error {
	type plain AddFilesInput // without this method
	var n NotifyParams
	if err := action.UnmarshalExact(b, &n); err != nil {
		in.decodeErr = action.DecodeError(err)
		return nil
	}
	var p plain
	if err := action.UnmarshalExact(b, &p); err != nil {
		p = plain{NotifyParams: n}
		// Keep what names the upload, for the report.
		var names struct {
			Bucket string   `json:"bucket_name"`
			File   string   `json:"file_name"`
			Object string   `json:"object_name"`
			Paths  []string `json:"paths"`
		}
		_ = action.UnmarshalExact(b, &names)
		p.BucketName, p.FileName, p.ObjectName, p.Paths = names.Bucket, names.File, names.Object, names.Paths
		p.decodeErr = action.DecodeError(err)
	}
	*in = AddFilesInput(p)
	return nil
}

func (in *AddFilesInput) validate() ([]string, error) {
	if err := in.APIParams.validate(); err != nil {
		return nil, err
	}
	if in.CategoryID == "" {
		return nil, action.Missing("category_id")
	}
	if in.BucketName == "" {
		in.BucketName = strings.TrimSpace(in.BucketParam)
	}
	if in.BucketName == "" {
		return nil, action.Missing("bucket_name")
	}
	switch in.NotificationField {
	case "":
		in.NotificationField = vodstation.NotificationFieldURL
	case vodstation.NotificationFieldURL, vodstation.NotificationFieldShort:
	default:
		return nil, action.Invalid("NOTIFICATION_FIELD", "got %q, want notificationUrl or notification", in.NotificationField)
	}
	paths := in.paths()
	if len(paths) == 0 && in.ObjectName != "" {
		paths = []string{in.ObjectName}
	}
	if len(paths) == 0 {
		return nil, action.Missing("file_name (or object_name, or paths)")
	}
	if w := in.DedupWindow.Or(DefaultDedupWindow); w < 0 {
		return nil, action.Invalid("DEDUP_WINDOW", "got %d, want 0 or more seconds", w)
	}
	if len(paths) > MaxPaths {
		return nil, action.Invalid("paths", "got %d paths, at most %d are accepted per activation", len(paths), MaxPaths)
	}
	for i, p := range paths {
		if strings.TrimSpace(p) == "" {
			return nil, action.Invalid("paths", "path %d is empty", i)
		}
		if len(p) > events.MaxKeyBytes {
			return nil, action.Invalid("paths", "path %d is %d bytes; object keys are at most %d", i, len(p), events.MaxKeyBytes)
		}
	}
	return paths, nil
}

// AddFiles is add-files' handler: it submits the files to the category in
// batches of at most 100 paths. A skipped submission is returned unchanged
// with no API call. When a batch fails after earlier ones were accepted,
// the error says which files were submitted and which were not.
//
// With WEBHOOK_URL set it sends one submitted event per file, or, when the
// submission fails, one submit_failed event with the bucket, the keys and
// the error, so the upload can be re-run.
func (p *Pipeline) AddFiles(ctx context.Context, in AddFilesInput) (AddFilesResult, error) {
	out, err := p.addFiles(ctx, &in)
	if err != nil {
		keys := in.paths()
		if len(keys) == 0 && in.ObjectName != "" {
			keys = []string{in.ObjectName}
		}
		bucket := in.BucketName
		if bucket == "" {
			bucket = strings.TrimSpace(in.BucketParam)
		}
		p.reportFailure(ctx, in.NotifyParams, bucket, keys, err)
		return AddFilesResult{}, err
	}
	if out.Submitted > 0 && in.NotifyParams.enabled() {
		evs := make([]webhook.Event, 0, len(out.Files))
		for _, f := range out.Files {
			evs = append(evs, webhook.Event{
				ID: webhook.NewID(webhook.TypeSubmitted, f.FileID), Type: webhook.TypeSubmitted,
				BucketName: out.BucketName, Key: f.Path, CategoryID: string(out.CategoryID),
				CategoryName: out.CategoryName, FileID: f.FileID, Warnings: out.Warnings,
			})
		}
		n := p.notify(ctx, in.NotifyParams, evs...)
		out.Notified = &n
	}
	return out, nil
}

func (p *Pipeline) addFiles(ctx context.Context, in *AddFilesInput) (AddFilesResult, error) {
	if in.decodeErr != nil {
		return AddFilesResult{}, in.decodeErr
	}
	if err := p.checkNotify(&in.NotifyParams); err != nil {
		return AddFilesResult{}, err
	}
	if in.Skipped {
		action.LogAttrs(ctx, slog.Bool("skipped", true), slog.String("reason", in.Reason))
		return AddFilesResult{Submission: in.Submission}, nil
	}
	paths, err := in.validate()
	if err != nil {
		return AddFilesResult{}, err
	}
	c, err := p.client(in.APIParams)
	if err != nil {
		return AddFilesResult{}, err
	}
	window := time.Duration(in.DedupWindow.Or(DefaultDedupWindow)) * time.Second
	dup, warnings := p.duplicates(ctx, c, in, paths, window)
	in.Warnings = append(in.Warnings, warnings...)
	paths, skipped := skipDuplicates(ctx, in, paths, dup)
	if skipped != nil {
		return *skipped, nil
	}
	out := AddFilesResult{Submission: in.Submission}
	if out.FileName == "" {
		out.FileName = paths[0]
	}
	for _, w := range out.Warnings {
		action.LogAttrs(ctx, slog.String("warning", w))
	}
	for start := 0; start < len(paths); start += vodstation.MaxPathsPerRequest {
		batch := paths[start:min(start+vodstation.MaxPathsPerRequest, len(paths))]
		added, err := c.AddFiles(ctx, string(in.CategoryID), vodstation.AddFilesRequest{
			BucketName: in.BucketName, Paths: batch,
			NotificationURL: in.NotificationURL, NotificationField: in.NotificationField,
		})
		if err != nil {
			p.remember(in, out.Files, window) // the batches before were accepted
			return AddFilesResult{}, submitError(err, out.Files, paths[start:], batch)
		}
		for _, f := range added {
			out.Files = append(out.Files, SubmittedFile{Path: f.FilePath, FileID: string(f.ID)})
		}
	}
	out.Submitted = len(out.Files)
	p.remember(in, out.Files, window)
	action.LogAttrs(ctx, slog.String("category_id", string(in.CategoryID)), slog.Int("submitted", out.Submitted))
	return out, nil
}

// SubmitError is a failed submission. It says which files were submitted
// before the failure and which were not, so nothing is lost silently.
type SubmitError struct {
	// Submitted are the files accepted before the failure.
	Submitted []SubmittedFile
	// NotSubmitted are the paths not accepted (including the failed batch).
	NotSubmitted []string
	// Uncertain are paths of the failed batch VOD Station may have accepted.
	Uncertain []string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *SubmitError) Error() string {
	msg := "add files: " + e.Err.Error()
	if len(e.Uncertain) > 0 {
		msg += "; VOD Station may have accepted " + fmt.Sprint(len(e.Uncertain)) +
			" of these files: check its status list before submitting them again"
	}
	if len(e.Submitted) > 0 {
		msg += fmt.Sprintf("; %d files were submitted before the failure, %d were not", len(e.Submitted), len(e.NotSubmitted))
	}
	return msg
}

// Unwrap returns the cause.
func (e *SubmitError) Unwrap() error { return e.Err }

// ErrorCode implements action.Coder, from the cause.
func (e *SubmitError) ErrorCode() string {
	var c action.Coder
	if errors.As(e.Err, &c) {
		return c.ErrorCode()
	}
	return "submit_failed"
}

// HTTPStatus implements action.Coder, from the cause.
func (e *SubmitError) HTTPStatus() int {
	var c action.Coder
	if errors.As(e.Err, &c) {
		return c.HTTPStatus()
	}
	return http.StatusBadGateway
}

// ErrorDetails implements action.Detailer: the cause's details plus
// submitted, not_submitted and uncertain.
func (e *SubmitError) ErrorDetails() any {
	d := map[string]any{}
	var cause action.Detailer
	if errors.As(e.Err, &cause) {
		if m, ok := cause.ErrorDetails().(map[string]any); ok {
			for k, v := range m {
				d[k] = v
			}
		}
	}
	d["submitted"] = e.Submitted
	d["not_submitted"] = e.NotSubmitted
	if len(e.Uncertain) > 0 {
		d["uncertain"] = e.Uncertain
	}
	return d
}

func submitError(err error, done []SubmittedFile, rest, batch []string) error {
	se := &SubmitError{Submitted: done, NotSubmitted: rest, Err: err}
	if se.Submitted == nil {
		se.Submitted = []SubmittedFile{}
	}
	if errors.Is(err, vodstation.ErrOutcomeUnknown) {
		se.Uncertain = batch
	}
	return se
}
