package upload

import (
	"fmt"
	"unicode/utf8"

	"github.com/vodflow/vodflow/pkg/notify"
	"github.com/vodflow/vodflow/pkg/param"
)

// Submission is the contract between the two actions of the sequence:
// lookup-category's result and add-files' input. In a sequence, add-files
// sees only this (merged over its own and the package's defaults), so it
// carries everything add-files needs.
type Submission struct {
	// CategoryID is the VOD Station category the files go to.
	CategoryID param.String `json:"category_id,omitempty"`
	// CategoryName is the category's name, when it was looked up by name.
	CategoryName string `json:"category_name,omitempty"`
	// BucketName is the bucket holding the files.
	BucketName string `json:"bucket_name,omitempty"`
	// FileName is the decoded object key (the first, when there are several).
	FileName string `json:"file_name,omitempty"`
	// UploadID is the upload-url id FileName carries (pkg/uploadid), when
	// it has that form.
	UploadID string `json:"upload_id,omitempty"`
	// Paths lists every key to submit when the event named several objects.
	Paths []string `json:"paths,omitempty"`
	// Skipped is true when nothing is to be encoded; Reason says why.
	Skipped bool   `json:"skipped,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// SkippedFiles lists objects of a multi-object event that were left out.
	SkippedFiles []SkippedFile `json:"skipped_files,omitempty"`
	// Warnings are things the user should know (an unplayable file name).
	Warnings []string `json:"warnings,omitempty"`
	// Versions maps a path to what the event said of that upload (ETag,
	// size, time), so add-files can tell a duplicated event from a new
	// upload under the same key.
	Versions map[string]string `json:"versions,omitempty"`
}

// paths returns the keys to submit.
func (s Submission) paths() []string {
	if len(s.Paths) > 0 {
		return s.Paths
	}
	if s.FileName != "" {
		return []string{s.FileName}
	}
	return nil
}

// SkippedFile is an object left out, with the reason.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// SubmittedFile is a file VOD Station accepted, with its encoding job id.
type SubmittedFile struct {
	Path   string `json:"path"`
	FileID string `json:"file_id"`
	// UploadID is the upload-url id Path carries, when it has that form.
	UploadID string `json:"upload_id,omitempty"`
}

// AddFilesResult is add-files' result: the submission it was given, plus
// the files submitted. For a skipped submission it is the input unchanged.
//
// A large submission gets the compact shape instead, so the result stays
// far under the platform's 1 MB (OpenWhisk truncates a larger result and
// records a failure): Compact is true, the input's paths and versions are
// not echoed, Files is replaced by FileIDs (in the order the paths were
// submitted), and the skipped files, warnings and delivered event ids are
// cut to their first MaxListed with their counts.
type AddFilesResult struct {
	Submission
	// Files are the submitted files with their ids, in order.
	Files []SubmittedFile `json:"files,omitempty"`
	// FileIDs are the submitted files' ids in order (compact shape).
	FileIDs []string `json:"file_ids,omitempty"`
	// Submitted is how many files were submitted.
	Submitted int `json:"submitted,omitempty"`
	// SkippedCount is how many files were skipped (compact shape).
	SkippedCount int `json:"skipped_count,omitempty"`
	// Notified says which submitted events were delivered (WEBHOOK_URL).
	Notified *notify.Result `json:"notified,omitempty"`
	// Compact marks the compact shape.
	Compact bool `json:"compact,omitempty"`
}

// Result size bounds.
const (
	// CompactAbove is the estimated result size above which add-files
	// answers with the compact shape. The estimate is an upper bound, so a
	// full-shape result is at most CompactAbove bytes of JSON.
	CompactAbove = 256 << 10
	// MaxListed bounds each list of the compact shape.
	MaxListed = 100
)

// fit returns r, or its compact shape when r would be large.
func fit(r AddFilesResult) AddFilesResult {
	if r.estimate() <= CompactAbove {
		return r
	}
	c := r
	c.Compact = true
	c.Paths, c.Versions = nil, nil
	c.FileIDs = make([]string, len(r.Files))
	for i, f := range r.Files {
		c.FileIDs[i] = f.FileID
	}
	c.Files = nil
	c.SkippedCount = len(r.SkippedFiles)
	c.SkippedFiles = r.SkippedFiles[:min(len(r.SkippedFiles), MaxListed)]
	if len(r.Warnings) > MaxListed {
		c.Warnings = append(r.Warnings[:MaxListed:MaxListed], fmt.Sprintf("and %d more warnings", len(r.Warnings)-MaxListed))
	}
	if n := r.Notified; n != nil {
		c.Notified = &notify.Result{SentCount: len(n.Sent), FailedCount: len(n.Failed),
			Failed: n.Failed[:min(len(n.Failed), MaxListed)]}
	}
	return c
}

// estimate is an upper bound of r's JSON size (as encoding/json writes it,
// HTML escaping on), cheap to compute: each string counts [jsonBound], each
// list item its quotes, keys and separators, and 512 bytes cover the
// fields of fixed size.
func (r AddFilesResult) estimate() int {
	n := 512 + jsonBound(r.FileName) + jsonBound(r.BucketName) + jsonBound(r.CategoryName)
	for _, p := range r.Paths {
		n += jsonBound(p) + 3 // "p",
	}
	for k, v := range r.Versions {
		n += jsonBound(k) + jsonBound(v) + 6 // "k":"v",
	}
	for _, f := range r.Files {
		// {"path":"","file_id":"","upload_id":""},
		n += jsonBound(f.Path) + jsonBound(f.FileID) + jsonBound(f.UploadID) + 40
	}
	for _, s := range r.SkippedFiles {
		n += jsonBound(s.Path) + jsonBound(s.Reason) + 24 // {"path":"","reason":""},
	}
	for _, w := range r.Warnings {
		n += jsonBound(w) + 3
	}
	if r.Notified != nil {
		for _, id := range r.Notified.Sent {
			n += jsonBound(id) + 3
		}
		for _, id := range r.Notified.Failed {
			n += jsonBound(id) + 3
		}
	}
	return n
}

// jsonBound is an upper bound of the bytes encoding/json writes for s
// between its quotes: 2 a byte (\" \\ \n, or a valid character as is), but 6
// for a byte it may write as \uXXXX: '<', '>', '&', control bytes and each
// byte of invalid UTF-8 (\ufffd).
func jsonBound(s string) int {
	n := 2 * len(s)
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				n += 4
			}
			i += size
			continue
		}
		if c < 0x20 || c == '<' || c == '>' || c == '&' {
			n += 4
		}
		i++
	}
	return n
}
