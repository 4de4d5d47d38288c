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
	queued, warnings, err := recentlyQueued(ctx, c, in, paths, u.now().Add(-window))
	if err != nil {
		// Losing an upload is worse than encoding it twice: submit.
		return dup, []string{fmt.Sprintf("DEDUP_CHECK_STATUS: could not read the status list (%v); submitted without that check", err)}
	}
	for _, path := range paths {
		if queued[strings.TrimPrefix(path, "/")] {
			dup[path] = true
		}
	}
	return dup, warnings
}

// queuedFile is what the status list says of one earlier submission: its
// rows grouped by file id (or, for rows without one, by path and category).
type queuedFile struct {
	fileID              vodstation.ID
	path, bucket        string
	categoryKnown       bool
	live, failed, other bool
}

// recentlyQueued returns the paths (without a leading "/") that VOD Station
// is encoding, or has encoded, in the same bucket and category since from.
// The rule (README, "Duplicates"): a file of the status list counts when
// its path, bucket and category match the upload's and its renditions are
// queued, running or complete (WAITING, RUNNING, COMPLETE), none FAILURE or
// CANCELED. A row names its category by categoryId (or, without one,
// categoryName). The documented row does not say its bucket: then the
// bucket is read from GET /api/v2/status/{fileId} when the row has a file
// id; a file whose bucket or category cannot be told does not count (a
// warning says so), since losing an upload is worse than encoding it twice.
func recentlyQueued(ctx context.Context, c *vodstation.Client, in *AddFilesInput, paths []string, from time.Time) (map[string]bool, []string, error) {
	rows, err := c.RecentStatus(ctx, from, dedupPages)
	if err != nil {
		return nil, nil, err
	}
	want := map[string]bool{}
	for _, p := range paths {
		want[strings.TrimPrefix(p, "/")] = true
	}
	category := string(in.CategoryID)
	files := map[string]*queuedFile{}
	var order []string
	for _, row := range rows {
		path := strings.TrimPrefix(row.FilePath, "/")
		key := "id:" + string(row.FileID)
		if row.FileID == "" {
			key = "path:" + path + "\x00" + string(row.CategoryID) + "\x00" + row.CategoryName
		}
		f := files[key]
		if f == nil {
			f = &queuedFile{fileID: row.FileID}
			files[key] = f
			order = append(order, key)
		}
		if f.path == "" {
			f.path = path
		}
		if f.bucket == "" {
			f.bucket = row.BucketName
		}
		// Conditions in if statements, not switch cases: go test's cover
		// profile leaves a case expression outside every block, so a
		// mutation tool would call its mutants not covered.
		if row.CategoryID != "" && string(row.CategoryID) != category ||
			row.CategoryID == "" && row.CategoryName != "" && in.CategoryName != "" && row.CategoryName != in.CategoryName {
			f.other = true
		} else if row.CategoryID != "" || (row.CategoryName != "" && row.CategoryName == in.CategoryName) {
			f.categoryKnown = true
		}
		switch strings.ToUpper(strings.TrimSpace(row.Status)) {
		case "WAITING", "RUNNING", "COMPLETE":
			f.live = true
		default: // FAILURE, CANCELED, or a status vodflow does not know
			f.failed = true
		}
	}
	out := map[string]bool{}
	var warnings []string
	for _, key := range order {
		f := files[key]
		if !want[f.path] || out[f.path] || f.other || !f.live || f.failed {
			continue
		}
		if !f.categoryKnown {
			warnings = append(warnings, fmt.Sprintf("DEDUP_CHECK_STATUS: a status row for %s names no category; not counted as a duplicate", f.path))
			continue
		}
		bucket := f.bucket
		if bucket == "" && f.fileID != "" {
			st, err := c.GetFileStatus(ctx, string(f.fileID))
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("DEDUP_CHECK_STATUS: could not read the bucket of file %s (%v); not counted as a duplicate", f.fileID, err))
				continue
			}
			bucket = st.BucketName
		}
		if bucket == "" {
			warnings = append(warnings, fmt.Sprintf("DEDUP_CHECK_STATUS: the status list does not say which bucket %s was queued from; not counted as a duplicate", f.path))
			continue
		}
		if bucket == in.BucketName {
			out[f.path] = true
		}
	}
	return out, warnings, nil
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
