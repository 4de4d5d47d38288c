package pipeline

import "github.com/vodflow/vodflow/pkg/param"

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
}

// AddFilesResult is add-files' result: the submission it was given, plus
// the files submitted. For a skipped submission it is the input unchanged.
type AddFilesResult struct {
	Submission
	// Files are the submitted files with their ids, in order.
	Files []SubmittedFile `json:"files,omitempty"`
	// Submitted is how many files were submitted.
	Submitted int `json:"submitted,omitempty"`
	// Notified says which submitted events were delivered (WEBHOOK_URL).
	Notified *NotifyResult `json:"notified,omitempty"`
}
