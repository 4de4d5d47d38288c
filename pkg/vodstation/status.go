package vodstation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/vodflow/vodflow/pkg/ncpapi"
)

// ErrFileNotFound reports that VOD Station knows no encoding job with the
// file id asked for (HTTP 404 or VOD Station code 260004). The error that
// matches it also carries the *APIError.
var ErrFileNotFound = errors.New("file not found")

// codeResourceNotFound is VOD Station's "requested resource not found".
const codeResourceNotFound = "260004"

// MinStatusPageSize is the smallest pageSizeNo GET /api/v2/status accepts.
const MinStatusPageSize = 10

// FileStatus is GET /api/v2/status/{fileId}'s content.
type FileStatus struct {
	// FileID is the encoding job id (content.input.fileId; the id asked
	// for when the answer does not repeat it).
	FileID ID
	// BucketName is the input's bucket (content.input.bucketName).
	BucketName string
	// FilePath is the input's object key (content.input.filePath).
	FilePath string
	// CategoryID is the category the file was added under.
	CategoryID ID
	// CategoryName is that category's name.
	CategoryName string
	// Outputs are the per-encoding-option states when the answer lists them.
	// The documented content has only input/categoryId/categoryName; the
	// output list is undocumented, so it is accepted under "output",
	// "outputs", "outputList" or "outputFiles" (the first of those that is
	// a list of objects), each element with encodingOptionId (number or
	// string), outputType, status and link, all optional.
	Outputs []OutputStatus
	// OutputsKnown is false when the answer carried no output list at all
	// (then Outputs is nil and callers must not conclude anything from it).
	// An empty list is known: OutputsKnown is true and Outputs is empty.
	OutputsKnown bool
	// Metadata is content.input.metadata: the source's duration, size,
	// codecs and bitrates; zero when the answer has none.
	Metadata SourceMetadata
	// Thumbnail says whether the file's category makes thumbnails, when the
	// answer says (content.thumbnail or content.category.thumbnail, both
	// undocumented); nil when it does not.
	Thumbnail *bool
	// Failure is the failure reason at the content level, when there is
	// one (see Failure); an output's own reason is on the OutputStatus.
	Failure Failure
}

// OutputStatus is the state of one encoding option (one rendition) of a file.
type OutputStatus struct {
	// EncodingOptionID is the encoding option (callbacks' encodingOptionId).
	EncodingOptionID ID
	// OutputType names the rendition, e.g. "AVC_HD_1Pass_30fps".
	OutputType string
	// Status is WAITING, RUNNING, COMPLETE, FAILURE or CANCELED.
	Status string
	// Link is the encoded file's URL once COMPLETE.
	Link string
	// Width, Height and BitrateKbps describe the rendition when the answer
	// says (undocumented: width, height, and bitrate or videoBitrate plus
	// audioBitrate, in Kbps, on the element or under its encodingOption
	// or video/audio objects); zero when it does not.
	Width, Height int
	BitrateKbps   float64
	// Failure is why the rendition failed, when the answer says.
	Failure Failure
}

// outputListKeys are the names the undocumented output list is looked for
// under, in order.
var outputListKeys = [...]string{"output", "outputs", "outputList", "outputFiles"}

// fileStatusWire is the tolerant wire form of GET /api/v2/status/{fileId}'s
// content.
type fileStatusWire struct {
	Input *struct {
		FileID     ID              `json:"fileId"`
		BucketName string          `json:"bucketName"`
		FilePath   string          `json:"filePath"`
		Metadata   json.RawMessage `json:"metadata"`
	} `json:"input"`
	FileID       ID     `json:"fileId"`
	CategoryID   ID     `json:"categoryId"`
	CategoryName string `json:"categoryName"`
}

// GetFileStatus returns the status of one encoding job: its input, its
// category and, when the answer lists them, its outputs. The call is a
// signed GET retried as a read (transport errors, 429, 5xx).
//
// An empty fileID is an error and nothing is sent. A 404 answer or VOD
// Station code 260004 is an error matching ErrFileNotFound that still
// carries the *APIError. A 2xx answer that is not JSON or has no object
// under "content" is an error.
// https://api.ncloud-docs.com/docs/en/vodstation-status-info-list
func (c *Client) GetFileStatus(ctx context.Context, fileID string) (FileStatus, error) {
	const op = "file status"
	if fileID == "" {
		return FileStatus{}, fmt.Errorf("vodstation: %s: fileId is empty", op)
	}
	var fs FileStatus
	err := c.getObject(ctx, op, "/api/v2/status/"+url.PathEscape(fileID), ErrFileNotFound, "file "+strconv.Quote(fileID),
		func(content json.RawMessage) (err error) {
			fs, err = decodeFileStatus(content)
			return err
		})
	if err != nil {
		return FileStatus{}, err
	}
	if fs.FileID == "" {
		fs.FileID = ID(fileID)
	}
	return fs, nil
}

// decodeFileStatus reads the content object of the status-info answer.
func decodeFileStatus(content json.RawMessage) (FileStatus, error) {
	var w fileStatusWire
	if err := json.Unmarshal(content, &w); err != nil {
		return FileStatus{}, err
	}
	fs := FileStatus{FileID: w.FileID, CategoryID: w.CategoryID, CategoryName: w.CategoryName}
	if w.Input != nil {
		if w.Input.FileID != "" {
			fs.FileID = w.Input.FileID
		}
		fs.BucketName, fs.FilePath = w.Input.BucketName, w.Input.FilePath
		fs.Metadata = decodeMetadata(w.Input.Metadata)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(content, &fields); err != nil {
		return FileStatus{}, err
	}
	fs.Thumbnail = decodeThumbnail(fields)
	fs.Failure = decodeFailure(fields)
	for _, key := range outputListKeys {
		raw, ok := fields[key]
		if !ok {
			continue
		}
		// Only a list of objects counts: "output" could as well be an
		// object describing where outputs go (as in the category APIs),
		// and a value that does not decode says nothing about the outputs.
		var list []OutputStatus
		if err := json.Unmarshal(raw, &list); err != nil || list == nil {
			continue
		}
		fs.Outputs, fs.OutputsKnown = list, true
		break
	}
	return fs, nil
}

// UnmarshalJSON implements json.Unmarshaler: encodingOptionId, outputType,
// status and link, all optional; encodingOptionId is a number or a string.
// The rendition's size, bitrate and failure reason are read tolerantly
// (see OutputStatus and Failure): a field of an unexpected type is left
// zero.
func (o *OutputStatus) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return errors.New("output element is null")
	}
	// One pass into the element's fields; each is then read on its own.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	str := func(k string) (string, error) {
		raw, ok := fields[k]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return "", nil
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", fmt.Errorf("%s: want a string, got %s", k, ncpapi.Clip(string(raw), 40))
		}
		return v, nil
	}
	*o = OutputStatus{}
	if raw, ok := fields["encodingOptionId"]; ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		if err := o.EncodingOptionID.UnmarshalJSON(raw); err != nil {
			return err
		}
	}
	var err error
	if o.OutputType, err = str("outputType"); err != nil {
		return err
	}
	if o.Status, err = str("status"); err != nil {
		return err
	}
	if o.Link, err = str("link"); err != nil {
		return err
	}
	o.Failure = decodeFailure(fields)
	o.Width, o.Height, o.BitrateKbps = renditionFacts(fields)
	return nil
}

// renditionFacts reads width, height and bitrate from an output element,
// or from its encodingOption object, or from video and audio objects in
// either.
func renditionFacts(fields map[string]json.RawMessage) (width, height int, kbps float64) {
	var opt map[string]json.RawMessage
	if json.Unmarshal(fields["encodingOption"], &opt) == nil && opt != nil {
		if w, h, k := renditionFacts(opt); w > 0 || h > 0 || k > 0 {
			return w, h, k
		}
	}
	var video, audio map[string]json.RawMessage
	_ = json.Unmarshal(fields["video"], &video)
	_ = json.Unmarshal(fields["audio"], &audio)
	first := func(k string, objs ...map[string]json.RawMessage) float64 {
		for _, m := range objs {
			if v, ok := number(m[k]); ok {
				return v
			}
		}
		return 0
	}
	width = int(first("width", fields, video))
	height = int(first("height", fields, video))
	if v, ok := number(fields["bitrate"]); ok {
		return width, height, v
	}
	kbps = first("videoBitrate", fields) + first("audioBitrate", fields)
	if kbps == 0 {
		kbps = first("bitrate", video) + first("bitrate", audio)
	}
	return width, height, kbps
}

// StatusQuery filters GET /api/v2/status. Zero values are omitted from the
// query, so the API's defaults apply (page 1, 20 rows, no time filter).
type StatusQuery struct {
	// PageNo is the page, from 1.
	PageNo int
	// PageSize is the number of rows per page; a value from 1 to 9 is
	// raised to 10, the API's minimum.
	PageSize int
	// From and To bound the work start time; they are sent as
	// workStartTimeFrom and workStartTimeTo in milliseconds.
	From, To time.Time
}

// StatusRow is one row of GET /api/v2/status: one encoding option of one file.
type StatusRow struct {
	// FileID is the encoding job id; it is set only if the API sends
	// fileId, which the documented row does not include.
	FileID ID
	// CategoryID is the category the file was added under.
	CategoryID ID
	// CategoryName is that category's name.
	CategoryName string
	// BucketName is the input's bucket; it is set only if the API sends
	// bucketName, which the documented row does not include.
	BucketName string
	// FilePath is the input's object key.
	FilePath string
	// OutputType names the rendition, e.g. "AVC_HD_1Pass_30fps".
	OutputType string
	// Link is the encoded file's URL once COMPLETE.
	Link string
	// Status is COMPLETE, WAITING, RUNNING, FAILURE or CANCELED.
	Status string
	// Percent is the progress, 0 to 100.
	Percent float64
	// LastWorkTime is the time of the last change, as sent (ISO 8601).
	LastWorkTime string
}

// StatusPage is one page of the status list.
type StatusPage struct {
	// Rows are the page's rows.
	Rows []StatusRow
	// Total is the number of rows over all pages (the answer's total;
	// len(Rows) when the answer has none).
	Total int
}

// statusRowWire is the tolerant wire form of a status row.
type statusRowWire struct {
	FileID       ID        `json:"fileId"`
	CategoryID   ID        `json:"categoryId"`
	CategoryName string    `json:"categoryName"`
	BucketName   string    `json:"bucketName"`
	FilePath     string    `json:"filePath"`
	OutputType   string    `json:"outputType"`
	Link         string    `json:"link"`
	Status       string    `json:"status"`
	Percent      flexFloat `json:"percent"`
	LastWorkTime string    `json:"lastWorkTime"`
}

// flexFloat accepts a JSON number, a string holding one, or null.
type flexFloat float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("percent: want a number, got %q", s)
		}
		*f = flexFloat(v)
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("percent: want a number, got %s", b)
	}
	*f = flexFloat(v)
	return nil
}

// RecentStatus returns the status rows of the encodings started since
// from, reading pages of 100 until the list ends or maxPages were read.
func (c *Client) RecentStatus(ctx context.Context, from time.Time, maxPages int) ([]StatusRow, error) {
	var rows []StatusRow
	q := StatusQuery{PageSize: 100, From: from}
	for q.PageNo = 1; q.PageNo <= maxPages; q.PageNo++ {
		page, err := c.ListStatus(ctx, q)
		if err != nil {
			return nil, err
		}
		rows = append(rows, page.Rows...)
		if len(page.Rows) == 0 || q.PageNo*q.PageSize >= page.Total {
			break
		}
	}
	return rows, nil
}

// ListStatus returns one page of the encoding status list, one row per
// encoding option of each file. The call is a signed GET retried as a read.
//
// Negative PageNo or PageSize, and To before From, are errors naming the
// query parameter; nothing is sent then. A 2xx answer that is not JSON or
// has no "content" is an error; "content": null is an empty page.
// https://api.ncloud-docs.com/docs/en/vodstation-status-list
func (c *Client) ListStatus(ctx context.Context, q StatusQuery) (StatusPage, error) {
	const op = "list status"
	query, err := q.values()
	if err != nil {
		return StatusPage{}, fmt.Errorf("vodstation: %s: %w", op, err)
	}
	const path = "/api/v2/status"
	resp, err := c.call(ctx, op, http.MethodGet, path, query, nil, retryRead)
	if err != nil {
		return StatusPage{}, err
	}
	page, err := decodeStatusPage(resp.Body())
	if err != nil {
		return StatusPage{}, fmt.Errorf("vodstation: %s: %w", op, unreadable(http.MethodGet, path, resp.StatusCode(), "unreadable status list: "+err.Error(), false))
	}
	return page, nil
}

// values is the query string of q.
func (q StatusQuery) values() (url.Values, error) {
	switch {
	case q.PageNo < 0:
		return nil, fmt.Errorf("pageNo (PageNo) %d: must be at least 1", q.PageNo)
	case q.PageSize < 0:
		return nil, fmt.Errorf("pageSizeNo (PageSize) %d: must be at least %d", q.PageSize, MinStatusPageSize)
	case !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From):
		return nil, fmt.Errorf("workStartTimeTo (To) %s is before workStartTimeFrom (From) %s",
			q.To.UTC().Format(time.RFC3339Nano), q.From.UTC().Format(time.RFC3339Nano))
	}
	v := url.Values{}
	if q.PageNo > 0 {
		v.Set("pageNo", strconv.Itoa(q.PageNo))
	}
	if q.PageSize > 0 {
		v.Set("pageSizeNo", strconv.Itoa(max(q.PageSize, MinStatusPageSize)))
	}
	if !q.From.IsZero() {
		v.Set("workStartTimeFrom", strconv.FormatInt(q.From.UnixMilli(), 10))
	}
	if !q.To.IsZero() {
		v.Set("workStartTimeTo", strconv.FormatInt(q.To.UnixMilli(), 10))
	}
	return v, nil
}

// decodeStatusPage reads {"content":[...],"total":n}.
func decodeStatusPage(body []byte) (StatusPage, error) {
	content, err := contentOf(body, false)
	if err != nil {
		return StatusPage{}, err
	}
	var rows []statusRowWire
	if err := json.Unmarshal(content, &rows); err != nil {
		return StatusPage{}, fmt.Errorf("content is not a list of rows (%v)", err)
	}
	var tail struct {
		Total *json.Number `json:"total"`
	}
	if err := json.Unmarshal(body, &tail); err != nil {
		return StatusPage{}, fmt.Errorf("total: %v", err)
	}
	page := StatusPage{Rows: make([]StatusRow, len(rows)), Total: len(rows)}
	for i, r := range rows {
		page.Rows[i] = StatusRow{
			FileID: r.FileID, CategoryID: r.CategoryID, CategoryName: r.CategoryName,
			BucketName: r.BucketName, FilePath: r.FilePath, OutputType: r.OutputType, Link: r.Link,
			Status: r.Status, Percent: float64(r.Percent), LastWorkTime: r.LastWorkTime,
		}
	}
	if tail.Total != nil {
		n, err := strconv.Atoi(tail.Total.String())
		if err != nil || n < 0 {
			return StatusPage{}, fmt.Errorf("total %s is not a count", tail.Total.String())
		}
		page.Total = n
	}
	return page, nil
}

// contentOf returns the "content" member of a 2xx body. It fails when the
// body is not a JSON object or has no content; a null content is an error
// when wantObject is set and an empty list otherwise.
func contentOf(body []byte, wantObject bool) (json.RawMessage, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("answer is not a JSON object: %s", clipBody(body))
	}
	raw, ok := env["content"]
	if !ok {
		return nil, fmt.Errorf("answer has no content: %s", clipBody(body))
	}
	raw = bytes.TrimSpace(raw)
	isNull := bytes.Equal(raw, []byte("null"))
	switch {
	case wantObject && (isNull || raw[0] != '{'):
		return nil, fmt.Errorf("content is not an object: %s", clipBody(raw))
	case !wantObject && isNull:
		return json.RawMessage("[]"), nil
	}
	return raw, nil
}

// clipBody shortens a body for an error message.
func clipBody(b []byte) string {
	s := string(bytes.TrimSpace(b))
	if s == "" {
		return "(empty)"
	}
	return strconv.Quote(ncpapi.Clip(s, 120))
}

// notFound turns an answer saying the resource does not exist (HTTP 404 or
// code 260004) into an error matching sentinel that still carries the
// *APIError; any other error is returned unchanged.
// getObject is a signed GET (retried as a read) of one object under
// "content", handed to decode. A missing resource is an error matching
// sentinel; an unreadable 2xx is an error saying so.
func (c *Client) getObject(ctx context.Context, op, path string, sentinel error, what string, decode func(json.RawMessage) error) error {
	resp, err := c.call(ctx, op, http.MethodGet, path, nil, nil, retryRead)
	if err != nil {
		return notFound(op, err, sentinel, what)
	}
	content, err := contentOf(resp.Body(), true)
	if err == nil {
		err = decode(content)
	}
	if err != nil {
		return fmt.Errorf("vodstation: %s: %w", op, unreadable(http.MethodGet, path, resp.StatusCode(), "unreadable "+op+": "+err.Error(), false))
	}
	return nil
}

func notFound(op string, err, sentinel error, what string) error {
	var ae *APIError
	if errors.As(err, &ae) && (ae.StatusCode == http.StatusNotFound || ae.Code == codeResourceNotFound) {
		return fmt.Errorf("vodstation: %s: %s: %w: %w", op, what, sentinel, ae)
	}
	return err
}
