package vodstationtest

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Encoding statuses, as sent in callbacks and by the status APIs.
const (
	StatusWaiting  = "WAITING"
	StatusRunning  = "RUNNING"
	StatusComplete = "COMPLETE"
	StatusFailure  = "FAILURE"
)

// Callback is the JSON body VOD Station POSTs to the notification URL for
// each encoding option on every status change (ncp-api.md §2.6).
type Callback struct {
	CategoryID       int64  `json:"categoryId"`
	CategoryName     string `json:"categoryName"`
	FileID           int64  `json:"fileId"`
	FilePath         string `json:"filePath"` // "" while WAITING
	EncodingOptionID int64  `json:"encodingOptionId"`
	OutputType       string `json:"outputType"`
	Status           string `json:"status"`
	Link             string `json:"link,omitempty"` // only on COMPLETE
}

// outputLocation shapes the output links of a file.
type outputLocation struct {
	bucket, path, categoryName string
}

// file is one encoding job (one add-files path).
type file struct {
	id           int64
	categoryID   int64
	categoryName string
	bucketName   string
	filePath     string
	submittedAt  time.Time
	fail         bool
	thumbnail    bool         // the category makes thumbnails
	outputs      []fileOutput // guarded by Emulator.mu
}

// fileOutput is one encoding option's state for a file.
type fileOutput struct {
	optionID   int64
	outputType string
	option     EncodingOption // with its figures
	status     string
	percent    float64
	link       string // link once COMPLETE; "" before
	finalLink  string // the link the output will have
	lastWork   time.Time
}

func newFile(id int64, cat *Category, bucket, filePath string, out outputLocation, options []EncodingOption, now time.Time) *file {
	f := &file{
		id:           id,
		categoryID:   cat.ID,
		categoryName: cat.Name,
		bucketName:   bucket,
		filePath:     filePath,
		submittedAt:  now,
		fail:         strings.Contains(strings.ToLower(filePath), "fail"),
		thumbnail:    cat.Thumbnail,
		outputs:      make([]fileOutput, len(options)),
	}
	for i, o := range options {
		f.outputs[i] = fileOutput{
			optionID:   o.ID,
			outputType: o.OutputType,
			option:     o.withDefaults(),
			status:     StatusWaiting,
			finalLink:  outputLink(out, filePath, o.OutputType),
			lastWork:   now,
		}
	}
	return f
}

// outputLink is
// https://<bucket>.kr.object.ncloudstorage.com/<path>/<categoryName>/<base>_<outputType>.mp4
// following the documented callback example (ncp-api.md §2.5).
func outputLink(out outputLocation, input, outputType string) string {
	if u, err := url.Parse(input); err == nil && u.Scheme != "" && u.Host != "" {
		input = u.Path // httpDownloadUrlList entry: name after the URL's path
	}
	base := path.Base(strings.TrimSuffix(input, "/"))
	if base == "." || base == "/" {
		base = "file"
	}
	base = strings.TrimSuffix(base, path.Ext(base))
	p := path.Join("/", out.path, out.categoryName, base+"_"+outputType+".mp4")
	bucket := out.bucket
	if bucket == "" {
		bucket = "vodstation-output" // httpDownloadUrlList without an output bucket
	}
	return (&url.URL{Scheme: "https", Host: bucket + ".kr.object.ncloudstorage.com", Path: p}).String()
}

// startEncoding runs the simulated encoding of f in the background: for
// each encoding option, WAITING → RUNNING → COMPLETE (or FAILURE when the
// input path contains "fail"), with Options.CallbackDelay between
// transitions and a callback POST per transition when notifyURL is set.
func (e *Emulator) startEncoding(f *file, notifyURL string) {
	e.workStarted()
	go func() {
		defer e.workDone()
		final := StatusComplete
		if f.fail {
			final = StatusFailure
		}
		steps := [...]string{StatusWaiting, StatusRunning, final}
		first := true
		for i := range f.outputs {
			for _, status := range steps {
				if !first && !e.pause() {
					return
				}
				first = false
				if e.ctx.Err() != nil {
					return
				}
				cb := e.transition(f, i, status)
				if notifyURL != "" {
					e.postCallback(notifyURL, cb)
				}
			}
		}
	}()
}

// pause waits CallbackDelay; false when the emulator is closed.
func (e *Emulator) pause() bool {
	d := e.opts.CallbackDelay
	if d <= 0 {
		return e.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-e.ctx.Done():
		return false
	}
}

// transition sets output i of f to status and returns the callback body.
func (e *Emulator) transition(f *file, i int, status string) Callback {
	now := e.clock()
	e.mu.Lock()
	o := &f.outputs[i]
	o.status = status
	o.lastWork = now
	switch status {
	case StatusWaiting:
		o.percent = 0
	case StatusRunning:
		o.percent = 50
	case StatusComplete:
		o.percent = 100
		o.link = o.finalLink
	}
	cb := Callback{
		CategoryID:       f.categoryID,
		CategoryName:     f.categoryName,
		FileID:           f.id,
		FilePath:         f.filePath,
		EncodingOptionID: o.optionID,
		OutputType:       o.outputType,
		Status:           status,
		Link:             o.link,
	}
	e.mu.Unlock()
	if status == StatusWaiting {
		cb.FilePath = ""
	}
	return cb
}

// postCallback POSTs cb to target once. Failures are logged, not retried
// (VOD Station's retry policy is undocumented).
func (e *Emulator) postCallback(target string, cb Callback) {
	body, err := json.Marshal(cb)
	if err != nil {
		e.logf("vodstationtest: encode callback: %v", err)
		return
	}
	select {
	case e.callbackSem <- struct{}{}:
	case <-e.ctx.Done():
		return
	}
	defer func() { <-e.callbackSem }()
	req, err := http.NewRequestWithContext(e.ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		e.logf("vodstationtest: callback for file %d: %v", cb.FileID, err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		e.logf("vodstationtest: callback for file %d (%s): %v", cb.FileID, cb.Status, err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		e.logf("vodstationtest: callback for file %d (%s): receiver answered %d", cb.FileID, cb.Status, resp.StatusCode)
	}
}

// statusJSON is an element of GET /api/v2/status (ncp-api.md §2.7).
type statusJSON struct {
	FileID       int64   `json:"fileId"` // not in the doc's table; added so rows can be told apart
	CategoryID   int64   `json:"categoryId"`
	CategoryName string  `json:"categoryName"`
	FilePath     string  `json:"filePath"`
	OutputType   string  `json:"outputType"`
	Link         string  `json:"link"`
	Status       string  `json:"status"`
	Percent      float64 `json:"percent"`
	LastWorkTime string  `json:"lastWorkTime"`
}

// listStatus serves GET /api/v2/status?pageNo&pageSizeNo
// [&workStartTimeFrom&workStartTimeTo]: one row per file output, in file-id
// then option order (the real ordering is undocumented). pageSizeNo must
// be at least 10. The time filters (ms) compare with the submission time.
// https://api.ncloud-docs.com/docs/en/vodstation-status-list
func (e *Emulator) listStatus(r *http.Request, _ []byte) response {
	pageNo, pageSize, errResp := paging(r, 10)
	if errResp != nil {
		return *errResp
	}
	from, to, ok := timeFilter(r)
	if !ok {
		return vodError(CodeInputValue, "workStartTimeFrom/workStartTimeTo must be milliseconds")
	}
	e.mu.RLock()
	var rows []statusJSON
	total := 0
	lo := math.MaxInt // absurd pageNo: no rows, and no overflow
	if pageNo-1 <= math.MaxInt/pageSize {
		lo = (pageNo - 1) * pageSize
	}
	for _, f := range e.fileOrder {
		ms := f.submittedAt.UnixMilli()
		if ms < from || ms > to {
			continue
		}
		for _, o := range f.outputs {
			if total >= lo && total-lo < pageSize {
				rows = append(rows, statusJSON{
					FileID:       f.id,
					CategoryID:   f.categoryID,
					CategoryName: f.categoryName,
					FilePath:     f.filePath,
					OutputType:   o.outputType,
					Link:         o.link,
					Status:       o.status,
					Percent:      o.percent,
					LastWorkTime: o.lastWork.Format(time.RFC3339),
				})
			}
			total++
		}
	}
	e.mu.RUnlock()
	if rows == nil {
		rows = []statusJSON{}
	}
	return jsonResponse(struct {
		Content []statusJSON `json:"content"`
		Total   int          `json:"total"`
	}{rows, total})
}

func timeFilter(r *http.Request) (from, to int64, ok bool) {
	q := r.URL.Query()
	from, to = -1<<63, 1<<63-1
	var err error
	if v := q.Get("workStartTimeFrom"); v != "" {
		if from, err = strconv.ParseInt(v, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	if v := q.Get("workStartTimeTo"); v != "" {
		if to, err = strconv.ParseInt(v, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return from, to, true
}

// statusInfoJSON is GET /api/v2/status/{fileId}'s content. The doc lists
// input, categoryId and categoryName; the "output" array is undocumented
// and its shape here is the emulator's choice.
// "thumbnail" and each output's width, height, bitrates and error fields
// are the emulator's choice too.
type statusInfoJSON struct {
	Input        statusInputJSON    `json:"input"`
	Output       []statusOutputJSON `json:"output"`
	CategoryID   int64              `json:"categoryId"`
	CategoryName string             `json:"categoryName"`
	Thumbnail    bool               `json:"thumbnail"`
}

type statusInputJSON struct {
	FileID     int64          `json:"fileId"`
	BucketName string         `json:"bucketName"`
	FilePath   string         `json:"filePath"`
	Metadata   SourceMetadata `json:"metadata"`
}

type statusOutputJSON struct {
	EncodingOptionID int64  `json:"encodingOptionId"`
	OutputType       string `json:"outputType"`
	Status           string `json:"status"`
	Link             string `json:"link"`
	Width            int    `json:"width"`
	Height           int    `json:"height"`
	VideoBitrate     int    `json:"videoBitrate"`
	AudioBitrate     int    `json:"audioBitrate"`
	ErrorCode        string `json:"errorCode,omitempty"`
	ErrorMessage     string `json:"errorMessage,omitempty"`
}

// SourceMetadata is what the status-info answer says of every input
// (content.input.metadata, as documented); the emulator reads no media, so
// it reports Options.Source (default DefaultSource). The media the edge
// encodes last DurationS seconds.
type SourceMetadata struct {
	DurationS           float64 `json:"duration"`
	VideoCodec          string  `json:"videoCodec"`
	VideoBitrateKbps    float64 `json:"videoBitrate"`
	Width               int     `json:"width"`
	Height              int     `json:"height"`
	Framerate           float64 `json:"framerate"`
	AudioCodec          string  `json:"audioCodec"`
	AudioBitrateKbps    float64 `json:"audioBitrate"`
	AudioSamplingRateHz float64 `json:"audioSamplingRate"`
}

// DefaultSource is the source every file is said to be when
// Options.Source is zero: 3 s of 1280×720 H.264 at 30 fps with AAC.
var DefaultSource = SourceMetadata{DurationS: 3, VideoCodec: "h264", VideoBitrateKbps: 4000, Width: 1280, Height: 720,
	Framerate: 30, AudioCodec: "aac", AudioBitrateKbps: 128, AudioSamplingRateHz: 48000}

// source is the metadata every file reports.
func (e *Emulator) source() SourceMetadata {
	if e.opts.Source == (SourceMetadata{}) {
		return DefaultSource
	}
	return e.opts.Source
}

// getStatus serves GET /api/v2/status/{fileId}.
// https://api.ncloud-docs.com/docs/en/vodstation-status-info-list
func (e *Emulator) getStatus(idText string) response {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return vodError(CodeResourceNotFound, "file not found")
	}
	e.mu.RLock()
	f, ok := e.files[id]
	var info statusInfoJSON
	if ok {
		info = statusInfoJSON{
			Input:        statusInputJSON{FileID: f.id, BucketName: f.bucketName, FilePath: f.filePath, Metadata: e.source()},
			Output:       make([]statusOutputJSON, len(f.outputs)),
			CategoryID:   f.categoryID,
			CategoryName: f.categoryName,
			Thumbnail:    f.thumbnail,
		}
		for i, o := range f.outputs {
			info.Output[i] = statusOutputJSON{EncodingOptionID: o.optionID, OutputType: o.outputType, Status: o.status, Link: o.link,
				Width: o.option.Width, Height: o.option.Height, VideoBitrate: o.option.VideoBitrateKbps, AudioBitrate: o.option.AudioBitrateKbps}
			if o.status == StatusFailure {
				info.Output[i].ErrorCode, info.Output[i].ErrorMessage = "TRANSCODING_ERROR", "the emulator fails inputs whose path contains \"fail\""
			}
		}
	}
	e.mu.RUnlock()
	if !ok {
		return vodError(CodeResourceNotFound, "file not found")
	}
	return jsonResponse(struct {
		Content statusInfoJSON `json:"content"`
	}{info})
}

// FileStatus returns the current status of every encoding option of the
// file, in option order, and whether the file exists.
func (e *Emulator) FileStatus(fileID int64) ([]string, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	f, ok := e.files[fileID]
	if !ok {
		return nil, false
	}
	out := make([]string, len(f.outputs))
	for i, o := range f.outputs {
		out[i] = o.status
	}
	return out, true
}
