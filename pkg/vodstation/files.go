package vodstation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// MaxPathsPerRequest is the most paths one add-files call accepts.
const MaxPathsPerRequest = 100

// Names of the add-files callback field. The docs disagree: current pages
// say "notification", older ones and NCP's own published example send
// "notificationUrl".
const (
	NotificationFieldURL   = "notificationUrl"
	NotificationFieldShort = "notification"
)

// AddFilesRequest asks VOD Station to encode objects of a bucket.
type AddFilesRequest struct {
	// BucketName is the Object Storage bucket holding the inputs.
	BucketName string
	// Paths are object keys including the file name (1..100).
	Paths []string
	// NotificationURL, when set, receives the encoding callbacks for these
	// files instead of the category's own callback URL.
	NotificationURL string
	// NotificationField names the JSON field for NotificationURL:
	// NotificationFieldURL (default) or NotificationFieldShort.
	NotificationField string
}

// MarshalJSON encodes the request body as the API expects it.
func (r AddFilesRequest) MarshalJSON() ([]byte, error) {
	body := struct {
		BucketName      string   `json:"bucketName"`
		PathList        []string `json:"pathList"`
		NotificationURL string   `json:"notificationUrl,omitempty"`
		Notification    string   `json:"notification,omitempty"`
	}{BucketName: r.BucketName, PathList: r.Paths}
	if r.NotificationField == NotificationFieldShort {
		body.Notification = r.NotificationURL
	} else {
		body.NotificationURL = r.NotificationURL
	}
	return json.Marshal(body)
}

// AddedFile is one file VOD Station accepted for encoding.
type AddedFile struct {
	// ID is the file's encoding job id (the fileId of callbacks and the
	// status API).
	ID ID `json:"id"`
	// FilePath is the input path, when the API echoes it.
	FilePath string `json:"filePath,omitempty"`
}

// AddFiles submits the paths for encoding under the category and returns
// one AddedFile per path, in order.
//
// A 2xx answer whose file ids cannot be read is an error that matches
// ErrOutcomeUnknown: the files may have been accepted. Only throttling (429)
// and connection failures before sending are retried.
// https://api.ncloud-docs.com/docs/en/vodstation-category-addfiles
func (c *Client) AddFiles(ctx context.Context, categoryID string, req AddFilesRequest) ([]AddedFile, error) {
	const op = "add files"
	if categoryID == "" {
		return nil, fmt.Errorf("vodstation: %s: category id is empty", op)
	}
	if req.BucketName == "" || len(req.Paths) == 0 || len(req.Paths) > MaxPathsPerRequest {
		return nil, fmt.Errorf("vodstation: %s: need a bucket and 1 to %d paths, got bucket %q and %d paths",
			op, MaxPathsPerRequest, req.BucketName, len(req.Paths))
	}
	for i, p := range req.Paths {
		if p == "" {
			return nil, fmt.Errorf("vodstation: %s: path %d is empty", op, i)
		}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("vodstation: %s: %w", op, err)
	}
	path := "/api/v2/category/" + url.PathEscape(categoryID) + "/add-files"
	resp, err := c.call(ctx, op, "PUT", path, nil, body, retrySubmit)
	if err != nil {
		return nil, err
	}
	files, err := decodeAddedFiles(resp.Body(), req.Paths)
	if err != nil {
		return nil, fmt.Errorf("vodstation: %s: %w", op, unreadable("PUT", path, resp.StatusCode(), err.Error(), true))
	}
	return files, nil
}

// decodeAddedFiles reads {"content":[{"id":...,"filePath":...}, ...]} and
// matches each element to exactly one requested path: by filePath when the
// API echoes a requested path, and the elements left over to the paths left
// over, in order.
func decodeAddedFiles(body []byte, paths []string) ([]AddedFile, error) {
	var wire struct {
		Content []AddedFile `json:"content"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, fmt.Errorf("unreadable answer (%v)", err)
	}
	if len(wire.Content) != len(paths) {
		return nil, fmt.Errorf("answer lists %d files for %d paths", len(wire.Content), len(paths))
	}
	unmatched := make(map[string][]int, len(paths)) // path -> its indexes not yet matched
	for i, p := range paths {
		unmatched[p] = append(unmatched[p], i)
	}
	out := make([]AddedFile, len(paths))
	matched := make([]bool, len(paths))
	var rest []AddedFile
	for _, f := range wire.Content {
		if f.ID == "" {
			return nil, fmt.Errorf("answer has a file without an id")
		}
		if idx := unmatched[f.FilePath]; f.FilePath != "" && len(idx) > 0 {
			out[idx[0]], matched[idx[0]] = f, true
			unmatched[f.FilePath] = idx[1:]
			continue
		}
		rest = append(rest, f)
	}
	for i, p := range paths {
		if !matched[i] {
			out[i], rest = rest[0], rest[1:]
		}
		out[i].FilePath = p
	}
	return out, nil
}
