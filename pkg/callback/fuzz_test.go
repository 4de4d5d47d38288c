package callback_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/webaction"
)

// FuzzDecodeCallback checks callback decoding: never a panic; on success a
// numeric file id and a known status; on failure an *action.Error whose
// message names a field; the same input always gives the same answer.
func FuzzDecodeCallback(f *testing.F) {
	for _, s := range []string{
		`{"categoryId":13814,"categoryName":"VOD-Callback","fileId":1163694,"filePath":"","encodingOptionId":2,"outputType":"AVC_SD_1Pass_30fps_1","status":"WAITING"}`,
		`{"categoryId":1,"fileId":"9","filePath":"/in/a.mp4","encodingOptionId":1,"outputType":"AVC_HD_1Pass_30fps","status":"COMPLETE","link":"https://b.kr.object.ncloudstorage.com/o/a_AVC_HD_1Pass_30fps.mp4"}`,
		`{"fileId":1,"status":"failure"}`, `{"fileId":-1,"status":"RUNNING"}`, `{"FILEID":3,"STATUS":"CANCELED"}`,
		`{"fileId":1e3,"status":"COMPLETE"}`, `{"fileId":null}`, `[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	known := map[string]bool{"WAITING": true, "RUNNING": true, "COMPLETE": true, "FAILURE": true, "CANCELED": true}
	f.Fuzz(func(t *testing.T, b []byte) {
		cb, err := callback.DecodeCallback(b)
		cb2, err2 := callback.DecodeCallback(b)
		if (err == nil) != (err2 == nil) || cb != cb2 {
			t.Fatalf("not deterministic: %v / %v", err, err2)
		}
		if err != nil {
			var ae *action.Error
			if !errors.As(err, &ae) || ae.Message == "" || ae.Param == "" {
				t.Fatalf("error %T %q is not an action.Error naming a field", err, err)
			}
			if !utf8.ValidString(ae.Message) && utf8.Valid(b) {
				t.Fatalf("message is not UTF-8: %q", ae.Message)
			}
			return
		}
		if _, perr := strconv.ParseUint(string(cb.FileID), 10, 64); perr != nil {
			t.Fatalf("file id %q is not numeric", cb.FileID)
		}
		if !known[cb.Status] {
			t.Fatalf("status %q accepted", cb.Status)
		}
	})
}

// FuzzEncodingCallback runs the whole web action, through the action loop,
// on fuzzed raw bodies: it always answers with a status code and a JSON
// body, never an error result or a panic, and never 2xx without the token.
func FuzzEncodingCallback(f *testing.F) {
	f.Add([]byte(`{"fileId":1,"status":"RUNNING"}`), true)
	f.Add([]byte(`{"fileId":1,"status":"WAITING","encodingOptionId":"2"}`), true)
	f.Add([]byte(`{"fileId":1,"status":"COMPLETE","link":"https://b.kr.object.ncloudstorage.com/o/a.mp4"}`), true)
	f.Add([]byte(`not json`), true)
	f.Add([]byte(`{"fileId":1,"status":"RUNNING"}`), false)
	const token = "fuzz-token-0123456789"
	h := callback.New().Action()
	f.Fuzz(func(t *testing.T, body []byte, withToken bool) {
		query := ""
		if withToken {
			query = "token=" + token
		}
		params, _ := json.Marshal(map[string]any{
			"CALLBACK_TOKEN": token, "__ow_method": "post", "__ow_query": query, "__ow_body": string(body),
		})
		result, _, err := activate(context.Background(), h, params)
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(result, &top); err != nil {
			t.Fatalf("result is not a JSON object: %q", result)
		}
		if _, ok := top["error"]; ok {
			t.Fatalf("error result: %s", result)
		}
		var resp webaction.Response
		if err := json.Unmarshal(result, &resp); err != nil {
			t.Fatalf("result is not a web response: %q", result)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 599 || !json.Valid([]byte(resp.Body)) {
			t.Fatalf("answer %d %q", resp.StatusCode, resp.Body)
		}
		if !withToken && resp.StatusCode != 401 {
			t.Fatalf("answered %d without the token", resp.StatusCode)
		}
		if strings.Contains(resp.Body, token) {
			t.Fatal("the token is echoed")
		}
	})
}
