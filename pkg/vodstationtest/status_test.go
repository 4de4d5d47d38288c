package vodstationtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type statusPage struct {
	Content []struct {
		CategoryID   int64   `json:"categoryId"`
		CategoryName string  `json:"categoryName"`
		FilePath     string  `json:"filePath"`
		OutputType   string  `json:"outputType"`
		Link         string  `json:"link"`
		Status       string  `json:"status"`
		Percent      float64 `json:"percent"`
		LastWorkTime string  `json:"lastWorkTime"`
	} `json:"content"`
	Total int `json:"total"`
}

func TestStatusAPIs(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 5, Name: "movies", OutputBucket: "out", OutputPath: "enc"})
	status, _ := call(t, s, http.MethodPut, "/api/v2/category/5/add-files",
		`{"bucketName":"in-bucket","pathList":["a/ok.mp4","a/fail.mp4","a/ok2.mov"]}`)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, s.WaitIdle(context.Background()))

	t.Run("list", func(t *testing.T) {
		status, body := call(t, s, http.MethodGet, "/api/v2/status?pageNo=1&pageSizeNo=10", nil)
		require.Equal(t, http.StatusOK, status, "%s", body)
		var p statusPage
		require.NoError(t, json.Unmarshal(body, &p))
		assert.Equal(t, 6, p.Total)
		require.Len(t, p.Content, 6)
		wantStatus := []string{StatusComplete, StatusComplete, StatusFailure, StatusFailure, StatusComplete, StatusComplete}
		for i, row := range p.Content {
			assert.Equal(t, wantStatus[i], row.Status, "row %d", i)
			assert.Equal(t, int64(5), row.CategoryID)
			assert.Equal(t, "movies", row.CategoryName)
			assert.Equal(t, fixedNow.Format(time.RFC3339), row.LastWorkTime)
			if row.Status == StatusComplete {
				assert.Equal(t, 100.0, row.Percent)
				assert.NotEmpty(t, row.Link)
			} else {
				assert.Empty(t, row.Link)
			}
		}
		assert.Equal(t, "https://out.kr.object.ncloudstorage.com/enc/movies/ok_AVC_SD_1Pass_30fps.mp4", p.Content[0].Link)
		assert.Equal(t, "a/ok.mp4", p.Content[0].FilePath)
	})

	t.Run("default page size and paging", func(t *testing.T) {
		status, body := call(t, s, http.MethodGet, "/api/v2/status", nil)
		require.Equal(t, http.StatusOK, status)
		var p statusPage
		require.NoError(t, json.Unmarshal(body, &p))
		assert.Len(t, p.Content, 6)

		status, body = call(t, s, http.MethodGet, "/api/v2/status?pageNo=2&pageSizeNo=10", nil)
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, `{"content":[],"total":6}`, string(body))
	})

	t.Run("time filter", func(t *testing.T) {
		uri := fmt.Sprintf("/api/v2/status?workStartTimeFrom=%d", fixedNow.UnixMilli()+1)
		status, body := call(t, s, http.MethodGet, uri, nil)
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, `{"content":[],"total":0}`, string(body))
	})

	errs := []struct {
		name, query, code string
	}{
		{"page size below 10", "pageSizeNo=9", CodeInputValue},
		{"page zero", "pageNo=0", CodeInvalidPageNo},
		{"bad time", "workStartTimeTo=noon", CodeInputValue},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, s, http.MethodGet, "/api/v2/status?"+tt.query, nil)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, tt.code, errorOf(t, body).ErrorCode)
		})
	}

	t.Run("info", func(t *testing.T) {
		status, body := call(t, s, http.MethodGet, "/api/v2/status/2", nil)
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, `{"content":{
			"input":{"fileId":2,"bucketName":"in-bucket","filePath":"a/fail.mp4",
				"metadata":{"duration":3,"videoCodec":"h264","videoBitrate":4000,"width":1280,"height":720,"framerate":30,
					"audioCodec":"aac","audioBitrate":128,"audioSamplingRate":48000}},
			"output":[
				{"encodingOptionId":1,"outputType":"AVC_SD_1Pass_30fps","status":"FAILURE","link":"","width":640,"height":360,
					"videoBitrate":800,"audioBitrate":128,"errorCode":"TRANSCODING_ERROR","errorMessage":"the emulator fails inputs whose path contains \"fail\""},
				{"encodingOptionId":2,"outputType":"AVC_HD_1Pass_30fps","status":"FAILURE","link":"","width":1280,"height":720,
					"videoBitrate":2500,"audioBitrate":128,"errorCode":"TRANSCODING_ERROR","errorMessage":"the emulator fails inputs whose path contains \"fail\""}],
			"categoryId":5,"categoryName":"movies","thumbnail":false}}`, string(body))

		status, body = call(t, s, http.MethodGet, "/api/v2/status/3", nil)
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, string(body), `"link":"https://out.kr.object.ncloudstorage.com/enc/movies/ok2_AVC_HD_1Pass_30fps.mp4"`)
	})

	for _, id := range []string{"99", "x"} {
		t.Run("info unknown "+id, func(t *testing.T) {
			status, body := call(t, s, http.MethodGet, "/api/v2/status/"+id, nil)
			assert.Equal(t, http.StatusNotFound, status)
			assert.Equal(t, CodeResourceNotFound, errorOf(t, body).ErrorCode)
		})
	}
}

func TestOutputLink(t *testing.T) {
	tests := []struct {
		name  string
		out   outputLocation
		input string
		want  string
	}{
		{"plain", outputLocation{"out", "enc", "cat"}, "dir/My Video.mp4", "https://out.kr.object.ncloudstorage.com/enc/cat/My%20Video_HD.mp4"},
		{"no output path", outputLocation{"out", "", "cat"}, "v.mov", "https://out.kr.object.ncloudstorage.com/cat/v_HD.mp4"},
		{"without category name", outputLocation{"out", "/a/b/", ""}, "v", "https://out.kr.object.ncloudstorage.com/a/b/v_HD.mp4"},
		{"download url", outputLocation{"", "", "cat"}, "https://dl.example/x/clip.mkv?sig=1", "https://vodstation-output.kr.object.ncloudstorage.com/cat/clip_HD.mp4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, outputLink(tt.out, tt.input, "HD"))
		})
	}
}
