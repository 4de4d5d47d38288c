package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/uploadid"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// MaxPaths is the most paths one add-files activation accepts.
const MaxPaths = 10000

// AddFilesConfig is add-files' configuration.
type AddFilesConfig struct {
	config.API
	config.Notify
	// BucketName is BUCKET_NAME, used when bucket_name is not given.
	BucketName string `json:"BUCKET_NAME"`
	// Callback is NOTIFICATION_URL and NOTIFICATION_FIELD.
	config.Callback
	// DedupWindow is how long (seconds) a submitted upload is remembered
	// to skip duplicated events; 0 turns it off.
	DedupWindow param.Int `json:"DEDUP_WINDOW"`
	// DedupCheckStatus also asks VOD Station's status list (one call).
	DedupCheckStatus param.Bool `json:"DEDUP_CHECK_STATUS"`
}

// AddFilesInput is add-files' input: lookup-category's result, or the same
// fields typed by hand in the console.
type AddFilesInput struct {
	Submission
	// ObjectName is accepted for a manual invoke, like file_name.
	ObjectName string `json:"object_name"`
	// paths are the keys to submit, validated.
	paths []string
}

// window is the duplicate window.
func (c AddFilesConfig) window() time.Duration {
	return time.Duration(c.DedupWindow.Or(DefaultDedupWindow)) * time.Second
}

func (c *AddFilesConfig) validate() error {
	if err := c.API.Validate(); err != nil {
		return err
	}
	if err := c.Callback.Validate(); err != nil {
		return err
	}
	if w := c.DedupWindow.Or(DefaultDedupWindow); w < 0 {
		return action.Invalid("DEDUP_WINDOW", "got %d, want 0 or more seconds", w)
	}
	return nil
}

func (in *AddFilesInput) validate(bucketParam string) error {
	if in.CategoryID == "" {
		return action.Missing("category_id")
	}
	if err := config.CheckCategoryID("category_id", string(in.CategoryID)); err != nil {
		return err
	}
	if in.BucketName == "" {
		in.BucketName = strings.TrimSpace(bucketParam)
	}
	if in.BucketName == "" {
		return action.Missing("bucket_name")
	}
	paths := in.Submission.paths()
	if len(paths) == 0 && in.ObjectName != "" {
		paths = []string{in.ObjectName}
	}
	if len(paths) == 0 {
		return action.Missing("file_name (or object_name, or paths)")
	}
	if len(paths) > MaxPaths {
		return action.Invalid("paths", "got %d paths, at most %d are accepted per activation", len(paths), MaxPaths)
	}
	for i, p := range paths {
		if strings.TrimSpace(p) == "" {
			return action.Invalid("paths", "path %d is empty", i)
		}
		if len(p) > events.MaxKeyBytes {
			return action.Invalid("paths", "path %d is %d bytes; object keys are at most %d", i, len(p), events.MaxKeyBytes)
		}
	}
	in.paths = in.dropRepeats(paths)
	return nil
}

// dropRepeats returns paths with each path once, at its first place, and
// lists every repeat in the skipped files (reason repeated).
func (in *AddFilesInput) dropRepeats(paths []string) []string {
	seen := make(map[string]bool, len(paths))
	out := paths[:0:0]
	for _, p := range paths {
		if seen[p] {
			in.SkippedFiles = append(in.SkippedFiles, SkippedFile{Path: p, Reason: ReasonRepeated})
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	if len(out) == len(paths) {
		return paths
	}
	if len(in.Paths) > 0 {
		in.Paths = out // the result echoes each path once
	}
	return out
}

// checkText refuses names whose raw text is not valid UTF-8 (an invalid
// byte, an escaped lone surrogate): decoded, they would become U+FFFD and
// another name would be submitted.
func checkText(payload map[string]json.RawMessage) error {
	for _, f := range []string{"file_name", "object_name", "bucket_name", "category_id"} {
		if raw, ok := payload[f]; ok && !param.ValidText(raw) {
			return action.Invalid(f, "not valid UTF-8 (an invalid byte or an escaped lone surrogate such as \\ud800); nothing was submitted")
		}
	}
	raw, ok := payload["paths"]
	if !ok || param.ValidText(raw) {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) == nil {
		for i, item := range items {
			if !param.ValidText(item) {
				return action.Invalid(fmt.Sprintf("paths[%d]", i), "not valid UTF-8 (an invalid byte or an escaped lone surrogate such as \\ud800); nothing was submitted")
			}
		}
	}
	return action.Invalid("paths", "not valid UTF-8 (an invalid byte or an escaped lone surrogate such as \\ud800); nothing was submitted")
}

// AddFiles is add-files' handler: it submits the files to the category in
// batches of at most 100 paths. A skipped submission is returned unchanged
// with no API call. When a batch fails after earlier ones were accepted,
// the error says which files were submitted and which were not.
//
// With WEBHOOK_URL set it sends one submitted event per file, or, when the
// submission fails, one submit_failed event with the bucket, the keys and
// the error, so the upload can be re-run.
func (u *Uploader) AddFiles() action.Handler[AddFilesConfig, AddFilesInput, AddFilesResult] {
	return action.Handler[AddFilesConfig, AddFilesInput, AddFilesResult]{
		Decode: u.decodeAddFiles, Run: u.addFiles, OnError: u.reporter(nil),
	}
}

func (u *Uploader) decodeAddFiles(p *action.Params) (AddFilesConfig, AddFilesInput, error) {
	var cfg AddFilesConfig
	var in AddFilesInput
	if err := p.DecodeConfig(&cfg); err != nil {
		return cfg, in, err
	}
	if err := u.notifier.Check(&cfg.Notify); err != nil {
		return cfg, in, err
	}
	if err := checkText(p.Payload); err != nil {
		return cfg, in, err
	}
	if err := p.DecodePayload(&in); err != nil {
		return cfg, in, err
	}
	if in.Skipped {
		return cfg, in, nil
	}
	if err := cfg.validate(); err != nil {
		return cfg, in, err
	}
	return cfg, in, in.validate(cfg.BucketName)
}

func (u *Uploader) addFiles(ctx context.Context, cfg AddFilesConfig, in AddFilesInput) (AddFilesResult, error) {
	if in.Skipped {
		action.LogAttrs(ctx, action.Bool("skipped", true), action.String("reason", in.Reason))
		return AddFilesResult{Submission: in.Submission}, nil
	}
	c, err := u.clients.Get(cfg.API)
	if err != nil {
		return AddFilesResult{}, err
	}
	paths := in.paths
	dup, warnings := u.duplicates(ctx, c, cfg, &in, paths)
	in.Warnings = append(in.Warnings, warnings...)
	paths, skipped := skipDuplicates(ctx, &in, paths, dup)
	if skipped != nil {
		return fit(*skipped), nil
	}
	out := AddFilesResult{Submission: in.Submission}
	if out.FileName == "" {
		out.FileName = paths[0]
	}
	out.UploadID = uploadid.Of(out.FileName) // from the key, whatever the input said
	for _, w := range out.Warnings {
		action.LogAttrs(ctx, action.String("warning", w))
	}
	for start := 0; start < len(paths); start += vodstation.MaxPathsPerRequest {
		batch := paths[start:min(start+vodstation.MaxPathsPerRequest, len(paths))]
		added, err := c.AddFiles(ctx, string(in.CategoryID), vodstation.AddFilesRequest{
			BucketName: in.BucketName, Paths: batch,
			NotificationURL: cfg.NotificationURL, NotificationField: cfg.NotificationField,
		})
		if err != nil {
			u.remember(cfg, &in, out.Files) // the batches before were accepted
			return AddFilesResult{}, submitError(err, in.BucketName, out.Files, paths[start:], batch)
		}
		for _, f := range added {
			out.Files = append(out.Files, SubmittedFile{Path: f.FilePath, FileID: string(f.ID), UploadID: uploadid.Of(f.FilePath)})
		}
	}
	out.Submitted = len(out.Files)
	u.remember(cfg, &in, out.Files)
	action.LogAttrs(ctx, action.String("category_id", string(in.CategoryID)), action.Int("submitted", out.Submitted))
	if out.Submitted > 0 && cfg.Notify.Enabled() {
		evs := make([]webhook.Event, 0, len(out.Files))
		for _, f := range out.Files {
			evs = append(evs, webhook.Event{
				ID: webhook.NewID(webhook.TypeSubmitted, f.FileID), Type: webhook.TypeSubmitted,
				BucketName: out.BucketName, Key: f.Path, UploadID: f.UploadID, CategoryID: string(out.CategoryID),
				CategoryName: out.CategoryName, FileID: f.FileID, Warnings: out.Warnings,
			})
		}
		n := u.notifier.Send(ctx, cfg.Notify, evs...)
		out.Notified = &n
	}
	return fit(out), nil
}

// SubmitError is a failed submission. It says which files were submitted
// before the failure and which were not, so nothing is lost silently.
type SubmitError struct {
	// Bucket holds the files.
	Bucket string
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
	msg := e.Err.Error()
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

// MaxListedPaths bounds each path list in an error's details, so an error
// result stays far under the platform's 1 MB; the counts are always given.
const MaxListedPaths = 1000

// ErrorDetails implements action.Detailer: the cause's details plus
// submitted, not_submitted and uncertain (each at most MaxListedPaths
// long, with their counts).
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
	d["submitted"] = e.Submitted[:min(len(e.Submitted), MaxListedPaths)]
	d["not_submitted"] = e.NotSubmitted[:min(len(e.NotSubmitted), MaxListedPaths)]
	d["submitted_count"] = len(e.Submitted)
	d["not_submitted_count"] = len(e.NotSubmitted)
	if len(e.Uncertain) > 0 {
		d["uncertain"] = e.Uncertain[:min(len(e.Uncertain), MaxListedPaths)]
	}
	return d
}

func asSubmitError(err error) (*SubmitError, bool) {
	var se *SubmitError
	ok := errors.As(err, &se)
	return se, ok
}

func submitError(err error, bucket string, done []SubmittedFile, rest, batch []string) error {
	se := &SubmitError{Bucket: bucket, Submitted: done, NotSubmitted: rest, Err: err}
	if se.Submitted == nil {
		se.Submitted = []SubmittedFile{}
	}
	if errors.Is(err, vodstation.ErrOutcomeUnknown) {
		se.Uncertain = batch
	}
	return se
}
