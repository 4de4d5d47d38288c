package callback_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// statusListServer is a VOD Station whose status info lists no
// renditions (no output key at all), so that they are read from the
// status list: info is file 5's status-info content, rows the list. It
// keeps every request's path and query.
type statusListServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
}

func newStatusListServer(t *testing.T, info map[string]any, rows []map[string]any, listStatus int) *statusListServer {
	s := &statusListServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.Path+"?"+r.URL.RawQuery)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v2/status/5":
			_ = json.NewEncoder(w).Encode(map[string]any{"content": info})
		case r.Method == http.MethodGet && r.URL.Path == "/api/v2/status" && listStatus != 0:
			w.WriteHeader(listStatus)
			_, _ = w.Write([]byte(`{"errorCode":"9999","message":"list is down"}`))
		case r.Method == http.MethodGet && r.URL.Path == "/api/v2/status":
			_ = json.NewEncoder(w).Encode(map[string]any{"content": rows, "total": len(rows)})
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *statusListServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

const (
	slDir = "https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/"
	slSD  = "AVC_SD_1Pass_30fps"
	slHD  = "AVC_HD_1Pass_30fps"
	slFHD = "AVC_FHD_1Pass_30fps"
)

func slRow(fileID any, category any, path, outputType, status string) map[string]any {
	row := map[string]any{"filePath": path, "outputType": outputType, "status": status, "link": slDir + "clip_" + outputType + ".mp4"}
	if fileID != nil {
		row["fileId"] = fileID
	}
	if category != nil {
		row["categoryId"] = category
	}
	return row
}

// TestCallbackRenditionsFromTheStatusList: when the file's status lists no
// renditions, file_complete is judged from the status list of the last 7
// days: the rows of the same file id, and rows without a file id of the
// same input path in the same category (the file's path and category
// when the callback names none); a row of another file, another path or
// another category is not the file's.
func TestCallbackRenditionsFromTheStatusList(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	info := map[string]any{"input": map[string]any{"fileId": 5, "bucketName": "in-bucket", "filePath": "in/clip.mp4"},
		"categoryId": 7, "categoryName": "movies"}
	theFile := []map[string]any{
		slRow(5, 7, "in/clip.mp4", slSD, "COMPLETE"),
		slRow(5, 7, "in/clip.mp4", slHD, "COMPLETE"),
		slRow(nil, 7, "in/clip.mp4", slFHD, "COMPLETE"), // no file id: same path, same category
	}
	notTheFile := []map[string]any{
		slRow(6, 7, "in/clip.mp4", slSD, "RUNNING"),      // another file at the same path
		slRow(nil, 8, "in/clip.mp4", slSD, "RUNNING"),    // same path, another category
		slRow(nil, 7, "in/other.mp4", slSD, "RUNNING"),   // same category, another path
		slRow(nil, nil, "in/other.mp4", slSD, "RUNNING"), // another path, no category
	}
	for _, tt := range []struct {
		name       string
		body       string
		info       map[string]any
		rows       []map[string]any
		listStatus int
		complete   []string // the renditions of file_complete; nil: none sent
		warning    string
	}{
		{"the callback names the path and category",
			`{"fileId":5,"categoryId":7,"filePath":"in/clip.mp4","outputType":"` + slHD + `","status":"COMPLETE","link":"` + slDir + `clip_` + slHD + `.mp4"}`,
			info, append(append([]map[string]any{}, notTheFile...), theFile...), 0, []string{slSD, slHD, slFHD}, ""},
		{"the path and category from the file's status",
			`{"fileId":5,"outputType":"` + slHD + `","status":"COMPLETE","link":"` + slDir + `clip_` + slHD + `.mp4"}`,
			info, append(append([]map[string]any{}, theFile...), notTheFile...), 0, []string{slSD, slHD, slFHD}, ""},
		{"no category anywhere: a row of any category at the path counts",
			`{"fileId":5,"outputType":"` + slHD + `","status":"COMPLETE","link":"` + slDir + `clip_` + slHD + `.mp4"}`,
			map[string]any{"input": map[string]any{"fileId": 5, "bucketName": "in-bucket", "filePath": "in/clip.mp4"}},
			append(append([]map[string]any{}, theFile...), slRow(nil, 8, "in/clip.mp4", slSD, "COMPLETE"), slRow(nil, 7, "in/other.mp4", slSD, "RUNNING")),
			0, []string{slSD, slHD, slFHD, slSD}, ""},
		{"a row of the file still running: no file_complete",
			`{"fileId":5,"outputType":"` + slHD + `","status":"COMPLETE","link":"` + slDir + `clip_` + slHD + `.mp4"}`,
			info, append(append([]map[string]any{}, theFile...), slRow(5, 7, "in/clip.mp4", "AVC_UHD_1Pass_30fps", "RUNNING")), 0, nil, ""},
		{"a row without a file id still running: no file_complete",
			`{"fileId":5,"outputType":"` + slHD + `","status":"COMPLETE","link":"` + slDir + `clip_` + slHD + `.mp4"}`,
			info, append(append([]map[string]any{}, theFile...), slRow(nil, 7, "in/clip.mp4", "AVC_UHD_1Pass_30fps", "RUNNING")), 0, nil, ""},
		{"the list cannot be read: not judged, said",
			`{"fileId":5,"outputType":"` + slHD + `","status":"COMPLETE","link":"` + slDir + `clip_` + slHD + `.mp4"}`,
			info, nil, http.StatusBadRequest, nil, "file_complete not judged: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newStatusListServer(t, tt.info, tt.rows, tt.listStatus)
			receiver := webhooktest.NewReceiver(cbSecret)
			t.Cleanup(receiver.Close)
			params := map[string]any{
				"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": srv.URL,
				"CALLBACK_TOKEN": cbToken, "WEBHOOK_URL": receiver.URL + "/hook", "WEBHOOK_SECRET": cbSecret,
				"PLAYBACK_DOMAIN": cbEdge, "ENCRYPTED_BUCKET_NAME": cbEncrypt,
				"__ow_method": "post", "__ow_headers": map[string]string{"content-type": "application/json"},
				"__ow_path": "", "__ow_query": "token=" + cbToken, "__ow_body": tt.body,
			}
			b, err := json.Marshal(params)
			require.NoError(t, err)
			h := callback.New(callback.WithClock(func() time.Time { return at }), callback.WithWebhookOptions(webhook.WithRetry(1, time.Millisecond, time.Millisecond)))
			code, a := call(t, h, b)
			require.Equal(t, 200, code, a.Error)

			var lists []string
			for _, r := range srv.received() {
				if strings.HasPrefix(r, "/api/v2/status?") {
					lists = append(lists, r)
				}
			}
			require.NotEmpty(t, lists, "the status list was read: %q", srv.received())
			assert.Contains(t, lists[0], "workStartTimeFrom="+strconv.FormatInt(at.Add(-7*24*time.Hour).UnixMilli(), 10), "7 days back")

			var types []string
			for _, ev := range a.Events {
				types = append(types, ev.Type)
			}
			fcs := receiver.EventsOf(webhook.TypeFileComplete)
			if tt.complete == nil {
				assert.NotContains(t, types, webhook.TypeFileComplete)
				assert.Empty(t, fcs)
			} else {
				assert.Contains(t, types, webhook.TypeFileComplete, "warnings: %q", a.Warnings)
				require.Len(t, fcs, 1)
				var got []string
				for _, r := range fcs[0].Renditions {
					got = append(got, r.OutputType)
				}
				assert.Equal(t, tt.complete, got)
				assert.Equal(t, "in/clip.mp4", fcs[0].Key)
				assert.Equal(t, "in-bucket", fcs[0].BucketName)
			}
			if tt.warning != "" {
				require.NotEmpty(t, a.Warnings)
				assert.Contains(t, strings.Join(a.Warnings, "\n"), tt.warning)
			}
		})
	}
}
