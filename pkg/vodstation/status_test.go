package vodstation_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// emulatorNow is the emulator's clock in these tests: fixed, so that the
// status APIs' times are known, and now, so that signatures are in window.
var emulatorNow = time.Now().Truncate(time.Second)

// newEmulatorClient starts a VOD Station emulator with the test keys and a
// client for it with quick retries.
func newEmulatorClient(t *testing.T) (*vodstationtest.Server, *vodstation.Client) {
	t.Helper()
	s, err := vodstationtest.NewServer(vodstationtest.Options{
		AccessKey: testAK, SecretKey: testSK,
		Clock: func() time.Time { return emulatorNow },
	})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	c, err := vodstation.New(s.URL, signing.Credentials{AccessKey: testAK, SecretKey: signing.NewSecret(testSK)},
		vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	require.NoError(t, err)
	return s, c
}

// addEncodedFiles adds paths under a new category of the emulator with the
// client itself and waits until every simulated encoding has finished.
func addEncodedFiles(t *testing.T, s *vodstationtest.Server, c *vodstation.Client, paths ...string) []vodstation.AddedFile {
	t.Helper()
	s.AddCategory(vodstationtest.Category{ID: 5, Name: "movies", OutputBucket: "out", OutputPath: "enc"})
	files, err := c.AddFiles(context.Background(), "5", vodstation.AddFilesRequest{BucketName: "in-bucket", Paths: paths})
	require.NoError(t, err)
	require.NoError(t, s.WaitIdle(context.Background()))
	s.ResetCalls()
	return files
}

func TestGetFileStatusFromEmulator(t *testing.T) {
	s, c := newEmulatorClient(t)
	files := addEncodedFiles(t, s, c, "a/ok.mp4", "a/fail.mp4")
	link := func(name string) string { return "https://out.kr.object.ncloudstorage.com/enc/movies/" + name }
	emuFailure := vodstation.Failure{Code: "TRANSCODING_ERROR", Message: `the emulator fails inputs whose path contains "fail"`}
	src := vodstationtest.DefaultSource
	meta := vodstation.SourceMetadata{DurationS: src.DurationS, VideoCodec: src.VideoCodec, VideoBitrateKbps: src.VideoBitrateKbps,
		Width: src.Width, Height: src.Height, Framerate: src.Framerate, AudioCodec: src.AudioCodec,
		AudioBitrateKbps: src.AudioBitrateKbps, AudioSamplingRateHz: src.AudioSamplingRateHz}
	no := false
	tests := []struct {
		name    string
		file    vodstation.AddedFile
		want    vodstation.FileStatus
		emuSays []string
	}{
		{"complete", files[0], vodstation.FileStatus{
			FileID: files[0].ID, BucketName: "in-bucket", FilePath: "a/ok.mp4", CategoryID: "5", CategoryName: "movies",
			OutputsKnown: true, Metadata: meta, Thumbnail: &no,
			Outputs: []vodstation.OutputStatus{
				{EncodingOptionID: "1", OutputType: "AVC_SD_1Pass_30fps", Status: "COMPLETE", Link: link("ok_AVC_SD_1Pass_30fps.mp4"), Width: 640, Height: 360, BitrateKbps: 928},
				{EncodingOptionID: "2", OutputType: "AVC_HD_1Pass_30fps", Status: "COMPLETE", Link: link("ok_AVC_HD_1Pass_30fps.mp4"), Width: 1280, Height: 720, BitrateKbps: 2628},
			},
		}, []string{"COMPLETE", "COMPLETE"}},
		{"failed", files[1], vodstation.FileStatus{
			FileID: files[1].ID, BucketName: "in-bucket", FilePath: "a/fail.mp4", CategoryID: "5", CategoryName: "movies",
			OutputsKnown: true, Metadata: meta, Thumbnail: &no,
			Outputs: []vodstation.OutputStatus{
				{EncodingOptionID: "1", OutputType: "AVC_SD_1Pass_30fps", Status: "FAILURE", Width: 640, Height: 360, BitrateKbps: 928, Failure: emuFailure},
				{EncodingOptionID: "2", OutputType: "AVC_HD_1Pass_30fps", Status: "FAILURE", Width: 1280, Height: 720, BitrateKbps: 2628, Failure: emuFailure},
			},
		}, []string{"FAILURE", "FAILURE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.ResetCalls()
			got, err := c.GetFileStatus(context.Background(), string(tt.file.ID))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)

			var id int64
			_, err = fmt.Sscan(string(tt.file.ID), &id)
			require.NoError(t, err)
			emu, ok := s.FileStatus(id)
			require.True(t, ok)
			assert.Equal(t, tt.emuSays, emu, "agrees with the emulator's own view")

			calls := s.Calls()
			require.Len(t, calls, 1)
			assert.Equal(t, "GET", calls[0].Method)
			assert.Equal(t, "/api/v2/status/"+string(tt.file.ID), calls[0].RequestURI)
			assert.True(t, calls[0].Authenticated)
		})
	}
}

func TestGetFileStatusErrorsFromEmulator(t *testing.T) {
	s, c := newEmulatorClient(t)
	t.Run("unknown file", func(t *testing.T) {
		s.ResetCalls()
		_, err := c.GetFileStatus(context.Background(), "424242")
		require.Error(t, err)
		assert.ErrorIs(t, err, vodstation.ErrFileNotFound)
		var apiErr *vodstation.APIError
		require.ErrorAs(t, err, &apiErr, "still carries the API error")
		assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
		assert.Equal(t, vodstationtest.CodeResourceNotFound, apiErr.Code)
		assert.Contains(t, err.Error(), "vodstation: file status")
		assert.Contains(t, err.Error(), `"424242"`)
		assert.Equal(t, 1, s.CountCalls("GET", "/api/v2/status/"), "a 404 is not retried")
	})
	t.Run("empty id is not sent", func(t *testing.T) {
		s.ResetCalls()
		_, err := c.GetFileStatus(context.Background(), "")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "fileId")
		assert.NotErrorIs(t, err, vodstation.ErrFileNotFound)
		assert.Empty(t, s.Calls())
	})
	t.Run("503 then success is retried", func(t *testing.T) {
		files := addEncodedFiles(t, s, c, "r/ok.mp4")
		s.InjectFault(vodstationtest.Unavailable("GET", "/api/v2/status/", 1))
		got, err := c.GetFileStatus(context.Background(), string(files[0].ID))
		require.NoError(t, err)
		assert.Equal(t, "r/ok.mp4", got.FilePath)
		assert.Equal(t, 2, s.CountCalls("GET", "/api/v2/status/"))
	})
}

func TestGetFileStatusShapes(t *testing.T) {
	const outputs = `[{"encodingOptionId":"2","outputType":"AVC_HD_1Pass_30fps","status":"COMPLETE","link":"https://b.kr.object.ncloudstorage.com/x.mp4"},{"encodingOptionId":3,"status":"RUNNING"}]`
	wantOutputs := []vodstation.OutputStatus{
		{EncodingOptionID: "2", OutputType: "AVC_HD_1Pass_30fps", Status: "COMPLETE", Link: "https://b.kr.object.ncloudstorage.com/x.mp4"},
		{EncodingOptionID: "3", Status: "RUNNING"},
	}
	base := vodstation.FileStatus{FileID: "77", BucketName: "in", FilePath: "a/b.mp4", CategoryID: "5", CategoryName: "movies"}
	with := func(outs []vodstation.OutputStatus, known bool) vodstation.FileStatus {
		fs := base
		fs.Outputs, fs.OutputsKnown = outs, known
		fs.Metadata = vodstation.SourceMetadata{DurationS: 12.5}
		return fs
	}
	input := `"input":{"fileId":"77","bucketName":"in","filePath":"a/b.mp4","metadata":{"duration":12.5}},"categoryId":"5","categoryName":"movies"`
	tests := []struct {
		name string
		body string
		want vodstation.FileStatus
	}{
		{"string ids under outputs", `{"content":{` + input + `,"outputs":` + outputs + `}}`, with(wantOutputs, true)},
		{"output key", `{"content":{` + input + `,"output":` + outputs + `}}`, with(wantOutputs, true)},
		{"outputList key", `{"content":{` + input + `,"outputList":` + outputs + `}}`, with(wantOutputs, true)},
		{"outputFiles key", `{"content":{` + input + `,"outputFiles":` + outputs + `}}`, with(wantOutputs, true)},
		{"no output list", `{"content":{` + input + `}}`, with(nil, false)},
		{"null output list", `{"content":{` + input + `,"output":null}}`, with(nil, false)},
		{"output is an object, not a list", `{"content":{` + input + `,"output":{"bucketName":"out","filePath":"enc"}}}`, with(nil, false)},
		{"object output, list under outputs", `{"content":{` + input + `,"output":{"bucketName":"out"},"outputs":` + outputs + `}}`, with(wantOutputs, true)},
		{"unreadable list elements", `{"content":{` + input + `,"output":[1,2]}}`, with(nil, false)},
		{"empty list is known", `{"content":{` + input + `,"output":[]}}`, with([]vodstation.OutputStatus{}, true)},
		{"numeric ids, unknown fields", `{"content":{"input":{"fileId":77,"bucketName":"in","filePath":"a/b.mp4","extra":[1]},"categoryId":5,"categoryName":"movies","whatever":{"x":1}},"total":1}`, base},
		{"file id missing: the one asked for", `{"content":{"input":{"bucketName":"in","filePath":"a/b.mp4"},"categoryId":5,"categoryName":"movies"}}`, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, tt.body) })
			fs, err := c.GetFileStatus(context.Background(), "77")
			require.NoError(t, err)
			assert.Equal(t, tt.want, fs)
			calls := got()
			require.Len(t, calls, 1)
			assert.Equal(t, "GET", calls[0].Method)
			assert.Equal(t, "/api/v2/status/77", calls[0].URI)
		})
	}
}

// TestGetFileStatusFacts: the source's metadata (documented), and the
// undocumented rendition facts, thumbnail flag and failure reasons, read
// tolerantly: a field of an odd type is left zero, never an error.
func TestGetFileStatusFacts(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name    string
		content string
		want    func(fs *vodstation.FileStatus)
	}{
		{"documented metadata", `"input":{"metadata":{"duration":12.5,"videoCodec":"h264","videoBitrate":4800.5,"width":1920,"height":1080,"framerate":"29.97","audioCodec":"aac","audioBitrate":128,"audioSamplingRate":48000}}`,
			func(fs *vodstation.FileStatus) {
				fs.Metadata = vodstation.SourceMetadata{DurationS: 12.5, VideoCodec: "h264", VideoBitrateKbps: 4800.5, Width: 1920, Height: 1080,
					Framerate: 29.97, AudioCodec: "aac", AudioBitrateKbps: 128, AudioSamplingRateHz: 48000}
			}},
		{"numbers as strings", `"input":{"metadata":{"duration":"3.00","width":"640","height":"360"}}`,
			func(fs *vodstation.FileStatus) {
				fs.Metadata = vodstation.SourceMetadata{DurationS: 3, Width: 640, Height: 360}
			}},
		{"odd types are left zero", `"input":{"metadata":{"duration":[1],"videoCodec":{"x":1},"width":"wide","height":360}}`,
			func(fs *vodstation.FileStatus) { fs.Metadata = vodstation.SourceMetadata{Height: 360} }},
		{"metadata not an object", `"input":{"metadata":"none"}`, func(fs *vodstation.FileStatus) {}},
		{"thumbnail on the content", `"thumbnail":true`, func(fs *vodstation.FileStatus) { fs.Thumbnail = &yes }},
		{"thumbnail on the category", `"category":{"thumbnail":"false"}`, func(fs *vodstation.FileStatus) { fs.Thumbnail = &no }},
		{"thumbnail of an odd type", `"thumbnail":7`, func(fs *vodstation.FileStatus) {}},
		{"content failure as an object", `"error":{"code":"DOWNLOAD_ERROR","message":"cannot read the input"}`,
			func(fs *vodstation.FileStatus) {
				fs.Failure = vodstation.Failure{Code: "DOWNLOAD_ERROR", Message: "cannot read the input"}
			}},
		{"output facts and reasons", `"output":[
			{"encodingOptionId":1,"status":"FAILURE","errorCode":"TRANSCODING_ERROR","errorMessage":"bad frame"},
			{"encodingOptionId":2,"status":"COMPLETE","width":1280,"height":"720","videoBitrate":2500,"audioBitrate":128},
			{"encodingOptionId":3,"status":"COMPLETE","encodingOption":{"video":{"width":640,"height":360,"bitrate":800},"audio":{"bitrate":96}}},
			{"encodingOptionId":4,"status":"FAILURE","failReason":"WRONG_INPUT_FILE","bitrate":"bad"},
			{"encodingOptionId":5,"status":"FAILURE","error":"it broke"}]`,
			func(fs *vodstation.FileStatus) {
				fs.OutputsKnown = true
				fs.Outputs = []vodstation.OutputStatus{
					{EncodingOptionID: "1", Status: "FAILURE", Failure: vodstation.Failure{Code: "TRANSCODING_ERROR", Message: "bad frame"}},
					{EncodingOptionID: "2", Status: "COMPLETE", Width: 1280, Height: 720, BitrateKbps: 2628},
					{EncodingOptionID: "3", Status: "COMPLETE", Width: 640, Height: 360, BitrateKbps: 896},
					{EncodingOptionID: "4", Status: "FAILURE", Failure: vodstation.Failure{Code: "WRONG_INPUT_FILE"}},
					{EncodingOptionID: "5", Status: "FAILURE", Failure: vodstation.Failure{Message: "it broke"}},
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"content":{"categoryId":5,` + tt.content + `}}`
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
			fs, err := c.GetFileStatus(context.Background(), "77")
			require.NoError(t, err)
			want := vodstation.FileStatus{FileID: "77", CategoryID: "5"}
			tt.want(&want)
			assert.Equal(t, want, fs)
		})
	}
}

func TestGetFileStatusBadAnswers(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantCalls   int
		notFound    bool
		wantText    string
	}{
		{"non-JSON 200", 200, "text/html", "<html>ok</html>", 1, false, "not a JSON object"},
		{"empty 200", 200, "", "", 1, false, "not a JSON object"},
		{"200 without content", 200, "application/json", `{"total":1}`, 1, false, "no content"},
		{"200 with null content", 200, "application/json", `{"content":null}`, 1, false, "content is not an object"},
		{"200 with list content", 200, "application/json", `{"content":[]}`, 1, false, "content is not an object"},
		{"200 with bad field type", 200, "application/json", `{"content":{"categoryId":true}}`, 1, false, "unreadable file status"},
		{"404 260004", 404, "application/json", `{"error":{"errorCode":"260004","message":"The requested resource wasn't found."}}`, 1, true, "file not found"},
		{"400 260004 (numeric code)", 400, "application/json", `{"error":{"code":260004,"message":"not found"}}`, 1, true, "file not found"},
		{"404 from the gateway", 404, "application/json", `{"error":{"errorCode":"300","message":"Not Found Exception"}}`, 1, true, "file not found"},
		{"400 other code", 400, "application/json", `{"error":{"errorCode":"260002","message":"Input value error"}}`, 1, false, "260002"},
		{"persistent 500", 500, "application/json", `{"error":{"errorCode":"900","message":"Unexpected Error"}}`, 5, false, "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			_, err := c.GetFileStatus(context.Background(), "9")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "vodstation: file status: ")
			assert.Contains(t, err.Error(), tt.wantText)
			assert.Equal(t, tt.notFound, errors.Is(err, vodstation.ErrFileNotFound))
			var apiErr *vodstation.APIError
			assert.ErrorAs(t, err, &apiErr)
			assert.NotErrorIs(t, err, vodstation.ErrOutcomeUnknown, "a read has no unknown outcome")
			assert.Len(t, got(), tt.wantCalls)
		})
	}
}

func TestGetFileStatusRetriesHTML502(t *testing.T) {
	var n atomic.Int32
	c, got := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head></html>")
			return
		}
		io.WriteString(w, `{"content":{"input":{"fileId":9,"bucketName":"in","filePath":"x.mp4"},"categoryId":1,"categoryName":"c"}}`)
	})
	fs, err := c.GetFileStatus(context.Background(), "9")
	require.NoError(t, err)
	assert.Equal(t, "x.mp4", fs.FilePath)
	assert.Len(t, got(), 2)
}

func TestListStatusFromEmulator(t *testing.T) {
	s, c := newEmulatorClient(t)
	files := addEncodedFiles(t, s, c, "a/ok.mp4", "a/fail.mp4", "a/ok2.mov")
	ms := emulatorNow.UnixMilli()
	tests := []struct {
		name      string
		q         vodstation.StatusQuery
		wantURI   string
		wantRows  int
		wantTotal int
	}{
		{"defaults", vodstation.StatusQuery{}, "/api/v2/status", 6, 6},
		{"small page raised to 10", vodstation.StatusQuery{PageNo: 1, PageSize: 3}, "/api/v2/status?pageNo=1&pageSizeNo=10", 6, 6},
		{"second page", vodstation.StatusQuery{PageNo: 2, PageSize: 10}, "/api/v2/status?pageNo=2&pageSizeNo=10", 0, 6},
		{"time window around the submissions", vodstation.StatusQuery{From: emulatorNow, To: emulatorNow.Add(time.Second)},
			fmt.Sprintf("/api/v2/status?workStartTimeFrom=%d&workStartTimeTo=%d", ms, ms+1000), 6, 6},
		{"time window after them", vodstation.StatusQuery{From: emulatorNow.Add(time.Millisecond)},
			fmt.Sprintf("/api/v2/status?workStartTimeFrom=%d", ms+1), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.ResetCalls()
			page, err := c.ListStatus(context.Background(), tt.q)
			require.NoError(t, err)
			assert.Len(t, page.Rows, tt.wantRows)
			assert.Equal(t, tt.wantTotal, page.Total)
			calls := s.Calls()
			require.Len(t, calls, 1)
			assert.Equal(t, tt.wantURI, calls[0].RequestURI)
			assert.True(t, calls[0].Authenticated)
		})
	}

	t.Run("rows", func(t *testing.T) {
		page, err := c.ListStatus(context.Background(), vodstation.StatusQuery{})
		require.NoError(t, err)
		require.Len(t, page.Rows, 6)
		assert.Equal(t, vodstation.StatusRow{
			FileID: files[0].ID, CategoryID: "5", CategoryName: "movies", FilePath: "a/ok.mp4",
			OutputType: "AVC_SD_1Pass_30fps", Link: "https://out.kr.object.ncloudstorage.com/enc/movies/ok_AVC_SD_1Pass_30fps.mp4",
			Status: "COMPLETE", Percent: 100, LastWorkTime: emulatorNow.Format(time.RFC3339),
		}, page.Rows[0])
		assert.Equal(t, files[1].ID, page.Rows[2].FileID)
		assert.Equal(t, "FAILURE", page.Rows[2].Status)
		assert.Empty(t, page.Rows[2].Link)
	})
}

func TestListStatusShapesAndInputs(t *testing.T) {
	tests := []struct {
		name    string
		q       vodstation.StatusQuery
		body    string
		want    vodstation.StatusPage
		wantURI string
		wantErr string // "" = success
	}{
		{"documented row without fileId, string ids and percent",
			vodstation.StatusQuery{PageNo: 1, PageSize: 20},
			`{"content":[{"categoryId":"5","categoryName":"c","filePath":"a.mp4","outputType":"AVC_SD","link":"","outputTotalSize":123,"lastWorkTime":"2024-01-01T00:00:00+09:00","status":"RUNNING","percent":"42.5"}],"total":31}`,
			vodstation.StatusPage{Rows: []vodstation.StatusRow{{CategoryID: "5", CategoryName: "c", FilePath: "a.mp4", OutputType: "AVC_SD", Status: "RUNNING", Percent: 42.5, LastWorkTime: "2024-01-01T00:00:00+09:00"}}, Total: 31},
			"/api/v2/status?pageNo=1&pageSizeNo=20", ""},
		{"no total: the rows counted", vodstation.StatusQuery{}, `{"content":[{"fileId":1,"categoryId":2,"percent":null}]}`,
			vodstation.StatusPage{Rows: []vodstation.StatusRow{{FileID: "1", CategoryID: "2"}}, Total: 1}, "/api/v2/status", ""},
		{"null content is an empty page", vodstation.StatusQuery{}, `{"content":null,"total":0}`,
			vodstation.StatusPage{Rows: []vodstation.StatusRow{}, Total: 0}, "/api/v2/status", ""},
		{"not JSON", vodstation.StatusQuery{}, `<html></html>`, vodstation.StatusPage{}, "/api/v2/status", "not a JSON object"},
		{"no content", vodstation.StatusQuery{}, `{"total":3}`, vodstation.StatusPage{}, "/api/v2/status", "no content"},
		{"content not a list", vodstation.StatusQuery{}, `{"content":{"a":1}}`, vodstation.StatusPage{}, "/api/v2/status", "not a list of rows"},
		{"bad percent", vodstation.StatusQuery{}, `{"content":[{"percent":"lots"}]}`, vodstation.StatusPage{}, "/api/v2/status", "percent"},
		{"bad total", vodstation.StatusQuery{}, `{"content":[],"total":-1}`, vodstation.StatusPage{}, "/api/v2/status", "total"},
		{"negative page", vodstation.StatusQuery{PageNo: -1}, ``, vodstation.StatusPage{}, "", "list status: pageNo (PageNo) -1: must be at least 1"},
		{"negative page size", vodstation.StatusQuery{PageSize: -5}, ``, vodstation.StatusPage{}, "", "list status: pageSizeNo (PageSize) -5: must be at least 10"},
		{"To before From", vodstation.StatusQuery{From: time.UnixMilli(2000), To: time.UnixMilli(1000)}, ``, vodstation.StatusPage{}, "",
			"list status: workStartTimeTo (To) 1970-01-01T00:00:01Z is before workStartTimeFrom (From) 1970-01-01T00:00:02Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, tt.body) })
			page, err := c.ListStatus(context.Background(), tt.q)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "vodstation: list status: ")
				assert.Contains(t, err.Error(), tt.wantErr)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.want, page)
			}
			calls := got()
			if tt.wantURI == "" {
				assert.Empty(t, calls, "a bad query is not sent")
				return
			}
			require.Len(t, calls, 1, "a 2xx is never retried")
			assert.Equal(t, "GET", calls[0].Method)
			assert.Equal(t, tt.wantURI, calls[0].URI)
		})
	}
}

func TestListStatusRetriesRead(t *testing.T) {
	h, n := sequenceHandler(`{"content":[],"total":0}`, 429, 502)
	c, _ := newTestClient(t, h)
	_, err := c.ListStatus(context.Background(), vodstation.StatusQuery{})
	require.NoError(t, err)
	assert.Equal(t, int32(3), n.Load())
}

func TestRecentStatusPages(t *testing.T) {
	var pagesAsked []string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		pagesAsked = append(pagesAsked, q.Get("pageNo"))
		assert.Equal(t, "100", q.Get("pageSizeNo"))
		assert.Equal(t, "1700000000000", q.Get("workStartTimeFrom"))
		n := 100
		if q.Get("pageNo") == "3" {
			n = 50
		}
		rows := make([]map[string]any, n)
		for i := range rows {
			rows[i] = map[string]any{"filePath": "p" + q.Get("pageNo"), "status": "COMPLETE"}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"content": rows, "total": 250})
	})
	from := time.UnixMilli(1700000000000)
	rows, err := c.RecentStatus(context.Background(), from, 2)
	require.NoError(t, err)
	assert.Len(t, rows, 200, "stops at maxPages")
	assert.Equal(t, []string{"1", "2"}, pagesAsked)

	pagesAsked = nil
	rows, err = c.RecentStatus(context.Background(), from, 10)
	require.NoError(t, err)
	assert.Len(t, rows, 250, "stops when the list ends")
	assert.Equal(t, []string{"1", "2", "3"}, pagesAsked)
	assert.Equal(t, "p3", rows[249].FilePath)
}
