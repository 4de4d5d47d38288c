package upload

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// DefaultDedupWindow is how long add-files remembers what it submitted, in
// seconds.
const DefaultDedupWindow = 600

// dedupPages bounds the status-list pages read by DEDUP_CHECK_STATUS.
const dedupPages = 10

// version identifies one upload of an object from what the event carried:
// its ETag, size and event time, "" when it carried none of them.
func version(o events.Object) string {
	var parts []string
	if o.ETag != "" {
		parts = append(parts, "etag="+strings.Trim(o.ETag, `"`))
	}
	if o.Size > 0 {
		parts = append(parts, "size="+strconv.FormatInt(o.Size, 10))
	}
	if o.EventTime != "" {
		parts = append(parts, "time="+o.EventTime)
	}
	return strings.Join(parts, " ")
}

// dedupKey identifies an upload in the memory: a 16-byte digest, so an
// entry costs the same whatever the key's length.
type dedupKey string

func newDedupKey(cfg AddFilesConfig, in *AddFilesInput, path string) dedupKey {
	h := sha256.New()
	for _, part := range []string{string(cfg.APIURL), string(in.CategoryID), in.BucketName, path, in.Versions[path]} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return dedupKey(h.Sum(nil)[:16])
}

// duplicates returns the paths add-files already submitted within the
// window (from this container's memory, and from VOD Station's status list
// when DEDUP_CHECK_STATUS is set) and warnings about the check.
func (u *Uploader) duplicates(ctx context.Context, c *vodstation.Client, cfg AddFilesConfig, in *AddFilesInput, paths []string) (map[string]bool, []string) {
	dup := map[string]bool{}
	window := cfg.window()
	if window <= 0 {
		return dup, nil
	}
	for _, path := range paths {
		if _, ok := u.submitted.Get(newDedupKey(cfg, in, path)); ok {
			dup[path] = true
		}
	}
	if !cfg.DedupCheckStatus || len(dup) == len(paths) {
		return dup, nil
	}
	queued, err := recentlyQueued(ctx, c, string(in.CategoryID), u.now().Add(-window))
	if err != nil {
		// Losing an upload is worse than encoding it twice: submit.
		return dup, []string{fmt.Sprintf("DEDUP_CHECK_STATUS: could not read the status list (%v); submitted without that check", err)}
	}
	for _, path := range paths {
		if queued[strings.TrimPrefix(path, "/")] {
			dup[path] = true
		}
	}
	return dup, nil
}

// recentlyQueued returns the input paths of the category's encodings that
// started since from, from the status list.
func recentlyQueued(ctx context.Context, c *vodstation.Client, categoryID string, from time.Time) (map[string]bool, error) {
	rows, err := c.RecentStatus(ctx, from, dedupPages)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, row := range rows {
		if row.CategoryID == "" || string(row.CategoryID) == categoryID {
			out[strings.TrimPrefix(row.FilePath, "/")] = true
		}
	}
	return out, nil
}

// remember records submitted paths for the window.
func (u *Uploader) remember(cfg AddFilesConfig, in *AddFilesInput, files []SubmittedFile) {
	window := cfg.window()
	if window <= 0 {
		return
	}
	for _, f := range files {
		u.submitted.Put(newDedupKey(cfg, in, f.Path), struct{}{}, window)
	}
}

// skipDuplicates removes duplicate paths from the submission. It returns
// the paths left and, when none is left, the skipped result.
func skipDuplicates(ctx context.Context, in *AddFilesInput, paths []string, dup map[string]bool) ([]string, *AddFilesResult) {
	if len(dup) == 0 {
		return paths, nil
	}
	keep := paths[:0:0]
	var skipped []SkippedFile
	for _, path := range paths {
		if dup[path] {
			skipped = append(skipped, SkippedFile{Path: path, Reason: ReasonDuplicate})
		} else {
			keep = append(keep, path)
		}
	}
	action.LogAttrs(ctx, action.Int("duplicates", len(skipped)))
	if len(keep) == 0 {
		out := AddFilesResult{Submission: in.Submission}
		out.Skipped, out.Reason = true, ReasonDuplicate
		if len(paths) > 1 {
			out.SkippedFiles = append(out.SkippedFiles, skipped...)
		}
		return nil, &out
	}
	in.SkippedFiles = append(in.SkippedFiles, skipped...)
	return keep, nil
}
