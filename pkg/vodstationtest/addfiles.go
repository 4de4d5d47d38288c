package vodstationtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// maxFilesPerRequest is the documented limit of pathList and
// httpDownloadUrlList.
const maxFilesPerRequest = 100

// Submission is one accepted add-files request.
type Submission struct {
	// CategoryID is the category from the URL.
	CategoryID int64
	// BucketName is the input bucket ("" for httpDownloadUrlList).
	BucketName string
	// Paths are the pathList entries, or the httpDownloadUrlList entries.
	Paths []string
	// HTTPDownload is true when Paths came from httpDownloadUrlList.
	HTTPDownload bool
	// NotificationURL is the callback URL in effect ("" = none).
	NotificationURL string
	// NotificationField says where NotificationURL came from:
	// "notification", "notificationUrl" (both accepted; "notification" wins
	// when both are set) or "" for the category's NotificationURL.
	NotificationField string
	// FileIDs are the assigned file ids, one per path, in order.
	FileIDs []int64
	// Body is the raw request body.
	Body []byte
}

// addFilesRequest is the add-files body (ncp-api.md §2.5). Pointers and nil
// slices distinguish "absent" from "empty".
type addFilesRequest struct {
	BucketName          *string         `json:"bucketName"`
	PathList            []string        `json:"pathList"`
	HTTPDownloadURLList []string        `json:"httpDownloadUrlList"`
	Notification        *string         `json:"notification"`
	NotificationURL     *string         `json:"notificationUrl"`
	Output              *addFilesOutput `json:"output"`
}

// addFilesOutput is the per-request output override; it only changes the
// callback/status links.
type addFilesOutput struct {
	BucketName          string `json:"bucketName"`
	FilePath            string `json:"filePath"`
	WithoutCategoryName bool   `json:"withoutCategoryName"`
}

// addFilesResultJSON is one element of the add-files response. The
// documentation only says each element's "id" is the file encoding job id;
// the other fields are the emulator's plausible choice.
type addFilesResultJSON struct {
	ID         int64  `json:"id"`
	FilePath   string `json:"filePath"`
	BucketName string `json:"bucketName"`
	CategoryID int64  `json:"categoryId"`
	Status     string `json:"status"`
}

// addFiles serves PUT /api/v2/category/{id}/add-files.
// https://api.ncloud-docs.com/docs/en/vodstation-category-addfiles
func (e *Emulator) addFiles(idText string, body []byte) response {
	categoryID, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return vodError(CodeResourceNotFound, "category not found")
	}
	var req addFilesRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return vodError(CodeInputValue, "request body is not valid JSON for add-files")
	}

	sub := Submission{CategoryID: categoryID, Body: body}
	byPath := req.BucketName != nil || req.PathList != nil
	byURL := req.HTTPDownloadURLList != nil
	switch {
	case byPath && byURL:
		return vodError(CodeInputValue, "bucketName/pathList and httpDownloadUrlList cannot be combined")
	case byPath:
		if req.BucketName == nil || *req.BucketName == "" {
			return vodError(CodeInputValue, "bucketName is required with pathList")
		}
		if resp := checkList("pathList", req.PathList, nil); resp != nil {
			return *resp
		}
		if !validBucketName(*req.BucketName) {
			return vodError(CodeInvalidBucket, "bucket names are 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit")
		}
		sub.BucketName = *req.BucketName
		sub.Paths = slices.Clone(req.PathList)
	case byURL:
		if resp := checkList("httpDownloadUrlList", req.HTTPDownloadURLList, validDownloadURL); resp != nil {
			return *resp
		}
		sub.Paths = slices.Clone(req.HTTPDownloadURLList)
		sub.HTTPDownload = true
	default:
		return vodError(CodeInputValue, "either bucketName with pathList or httpDownloadUrlList is required")
	}

	switch {
	case req.Notification != nil && *req.Notification != "":
		sub.NotificationURL, sub.NotificationField = *req.Notification, "notification"
	case req.NotificationURL != nil && *req.NotificationURL != "":
		sub.NotificationURL, sub.NotificationField = *req.NotificationURL, "notificationUrl"
	}
	if sub.NotificationField != "" && !validDownloadURL(sub.NotificationURL) {
		return vodError(CodeInputValue, sub.NotificationField+" must be an http(s) URL")
	}
	if req.Output != nil && (req.Output.BucketName == "" || req.Output.FilePath == "") {
		return vodError(CodeInputValue, "output.bucketName and output.filePath are required when output is set")
	}

	now := e.clock()
	e.mu.Lock()
	cat, ok := e.categories[categoryID]
	if !ok {
		e.mu.Unlock()
		return vodError(CodeResourceNotFound, "category not found")
	}
	if sub.NotificationField == "" {
		sub.NotificationURL = cat.NotificationURL
	}
	out := outputLocation{bucket: cat.OutputBucket, path: cat.OutputPath, categoryName: cat.Name}
	if out.bucket == "" {
		out.bucket = sub.BucketName
	}
	if req.Output != nil {
		out.bucket, out.path = req.Output.BucketName, req.Output.FilePath
		if req.Output.WithoutCategoryName {
			out.categoryName = ""
		}
	}
	options := cat.EncodingOptions // never mutated in place; safe to share
	jobs := make([]*file, len(sub.Paths))
	results := make([]addFilesResultJSON, len(sub.Paths))
	sub.FileIDs = make([]int64, len(sub.Paths))
	for i, p := range sub.Paths {
		f := newFile(e.nextFileID, cat, sub.BucketName, p, out, options, now)
		e.nextFileID++
		e.files[f.id] = f
		e.fileOrder = append(e.fileOrder, f)
		jobs[i] = f
		sub.FileIDs[i] = f.id
		results[i] = addFilesResultJSON{ID: f.id, FilePath: p, BucketName: sub.BucketName, CategoryID: categoryID, Status: StatusWaiting}
		e.submitted[submittedKey(sub.BucketName, p)]++
	}
	e.submissions = append(e.submissions, sub)
	e.mu.Unlock()

	for _, f := range jobs {
		e.startEncoding(f, sub.NotificationURL)
	}
	return jsonResponse(struct {
		Content []addFilesResultJSON `json:"content"`
	}{results})
}

func submittedKey(bucket, path string) string {
	if bucket == "" {
		return path
	}
	return bucket + "/" + path
}

// checkList validates a pathList/httpDownloadUrlList: 1..100 non-empty
// strings, each accepted by valid when valid is non-nil.
func checkList(field string, list []string, valid func(string) bool) *response {
	var resp response
	switch {
	case len(list) == 0:
		resp = vodError(CodeInputValue, field+" must have at least one entry")
	case len(list) > maxFilesPerRequest:
		resp = vodError(CodeInputValue, fmt.Sprintf("%s has %d entries; at most %d are allowed", field, len(list), maxFilesPerRequest))
	default:
		for i, s := range list {
			if strings.TrimSpace(s) == "" {
				resp = vodError(CodeInputValue, fmt.Sprintf("%s[%d] is empty", field, i))
				return &resp
			}
			if valid != nil && !valid(s) {
				resp = vodError(CodeInputValue, fmt.Sprintf("%s[%d] is not an http(s) URL", field, i))
				return &resp
			}
		}
		return nil
	}
	return &resp
}

// validBucketName applies the NCP Object Storage naming rule: 3–63
// characters, lowercase letters, digits and hyphens, starting and ending
// with a letter or digit.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (c != '-' || i == 0 || i == len(name)-1) {
			return false
		}
	}
	return true
}

// validDownloadURL accepts absolute http and https URLs. The documented
// extension whitelist of httpDownloadUrlList is not enforced.
func validDownloadURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Submissions returns every accepted add-files request, in the order they
// were accepted.
func (e *Emulator) Submissions() []Submission {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Submission, len(e.submissions))
	for i, s := range e.submissions {
		s.Paths = slices.Clone(s.Paths)
		s.FileIDs = slices.Clone(s.FileIDs)
		s.Body = slices.Clone(s.Body)
		out[i] = s
	}
	return out
}

// SubmittedPaths returns how many times each input was accepted, keyed
// "bucket/path" (the bare URL for httpDownloadUrlList entries). Tests use it
// to assert that every upload was submitted exactly once.
func (e *Emulator) SubmittedPaths() map[string]int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make(map[string]int, len(e.submitted))
	for k, v := range e.submitted {
		out[k] = v
	}
	return out
}
