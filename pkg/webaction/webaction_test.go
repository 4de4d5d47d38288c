package webaction_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/webaction"
)

func TestParse(t *testing.T) {
	cb := `{"fileId":1,"status":"COMPLETE"}`
	tests := []struct {
		name       string
		params     string
		wantMethod string
		wantPath   string
		wantToken  string
		wantBody   string
		wantHeader string
		wantErr    string
	}{
		{name: "raw http, JSON body as text",
			params:     `{"__ow_method":"POST","__ow_headers":{"Content-Type":"application/json"},"__ow_path":"/cb/abc","__ow_query":"token=t1&x=2","__ow_body":` + quote(cb) + `}`,
			wantMethod: "post", wantPath: "/cb/abc", wantToken: "t1", wantBody: cb, wantHeader: "application/json"},
		{name: "raw http, base64 body",
			params:     `{"__ow_method":"post","__ow_body":"` + base64.StdEncoding.EncodeToString([]byte(cb)) + `","__ow_query":"?token=t2"}`,
			wantMethod: "post", wantToken: "t2", wantBody: cb},
		{name: "body passed as an object",
			params:   `{"__ow_body":{"fileId":1,"status":"COMPLETE"}}`,
			wantBody: cb},
		{name: "merged: no __ow_body", params: `{"fileId":1,"status":"COMPLETE","__ow_method":"post"}`, wantMethod: "post"},
		{name: "header values of other types", params: `{"__ow_headers":{"X-Count":3}}`},
		{name: "not an object", params: `[1]`, wantErr: "parameters: not a JSON object"},
		{name: "method not a string", params: `{"__ow_method":1}`, wantErr: "__ow_method: not a string"},
		{name: "headers not an object", params: `{"__ow_headers":"x"}`, wantErr: "__ow_headers: not an object"},
		{name: "query not a string", params: `{"__ow_query":{"token":"x"}}`, wantErr: "__ow_query: not a string"},
		{name: "bad query", params: `{"__ow_query":"a=%zz"}`, wantErr: "__ow_query: not a query string"},
		{name: "body a number", params: `{"__ow_body":12}`, wantErr: "__ow_body: not a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := webaction.Parse([]byte(tt.params))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantMethod, req.Method)
			assert.Equal(t, tt.wantPath, req.Path)
			assert.Equal(t, tt.wantToken, req.Query.Get("token"))
			if tt.wantBody == "" {
				assert.Nil(t, req.Body)
			} else {
				assert.JSONEq(t, tt.wantBody, string(req.Body))
			}
			assert.Equal(t, tt.wantHeader, req.Header("content-type"))
		})
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestFromHTTPAndWriteRoundTrip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		params, err := webaction.FromHTTP(r, "/callback")
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		assert.Equal(t, "post", params[webaction.ParamMethod])
		assert.Equal(t, "/abc", params[webaction.ParamPath])
		assert.Equal(t, "token=t&x=1", params[webaction.ParamQuery])
		assert.Equal(t, `{"fileId":1}`, params[webaction.ParamBody])
		assert.Equal(t, "application/json", params[webaction.ParamHeaders].(map[string]string)["content-type"])
		webaction.Write(w, []byte(`{"statusCode":201,"headers":{"X-A":"b"},"body":"{\"ok\":true}"}`))
	}))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/callback/abc?token=t&x=1", "application/json", strings.NewReader(`{"fileId":1}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 201, resp.StatusCode)
	assert.Equal(t, "b", resp.Header.Get("X-A"))
	assert.Equal(t, `{"ok":true}`, string(b))

	big := strings.NewReader(strings.Repeat("x", webaction.MaxBody+1))
	resp2, err := http.Post(srv.URL+"/callback", "text/plain", big)
	require.NoError(t, err)
	resp2.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp2.StatusCode)
}

func TestFromHTTPBinaryBodyIsBase64(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("\xff\xfe"))
	params, err := webaction.FromHTTP(r, "")
	require.NoError(t, err)
	assert.Equal(t, base64.StdEncoding.EncodeToString([]byte("\xff\xfe")), params[webaction.ParamBody])
}

func TestWriteNonHTTPResult(t *testing.T) {
	rec := httptest.NewRecorder()
	webaction.Write(rec, []byte(`{"error":{"message":"boom"}}`))
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"error":{"message":"boom"}}`, rec.Body.String())

	rec = httptest.NewRecorder()
	webaction.Write(rec, []byte(`{"statusCode":400,"body":{"ok":false}}`))
	assert.Equal(t, 400, rec.Code)
	assert.JSONEq(t, `{"ok":false}`, rec.Body.String())
}

func TestJSON(t *testing.T) {
	r := webaction.JSON(401, map[string]any{"ok": false})
	assert.Equal(t, 401, r.StatusCode)
	assert.Equal(t, "application/json", r.Headers["Content-Type"])
	assert.JSONEq(t, `{"ok":false}`, r.Body)
	r = webaction.JSON(200, func() {})
	assert.Equal(t, 500, r.StatusCode)
}
