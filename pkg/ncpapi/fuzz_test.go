package ncpapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// Bounds FuzzParseError holds ParseError to: a hostile or broken gateway
// must not be able to make an error message (and the logs and action
// results that carry it) arbitrarily long.
const (
	fuzzMaxCode    = 64
	fuzzMaxMessage = 400
	fuzzMaxDetails = 300 + len("…")
	fuzzMaxExtra   = 1024 // Error() beyond the method and path
)

// fuzzHeaderNames are request headers that carry credentials or signing
// material; an error message must never contain them unless the answer did.
var fuzzHeaderNames = []string{"x-ncp-apigw-signature-v2", "x-ncp-iam-access-key", "x-ncp-apigw-timestamp"}

// FuzzParseError feeds ParseError arbitrary statuses, content types and
// bodies and checks that it never panics and always describes the answer
// safely: it returns an *APIError for the call; its Error() is non-empty,
// valid UTF-8 and bounded (Code, Message and Details are clipped); and it
// never invents a request header name that the answer did not contain.
func FuzzParseError(f *testing.F) {
	for _, s := range []struct {
		status   int
		ct, body string
	}{
		{401, "application/json", `{"error":{"errorCode":"210","message":"Permission Denied","details":"sub"}}`},
		{409, "application/json", `{"error":{"code":80901,"message":"dup"}}`},
		{404, "application/json", `{"error":{"code":260004,"message":"resource not found","details":"category 9"}}`},
		{429, "", `{"errorCode":"410","message":"Throttle Limited"}`},
		{400, "application/json", `{"error":{"errorCode":"260002","message":"bad input","details":{"field":"pathList"}}}`},
		{502, "text/html", `<html><title> 502 Bad   Gateway </title></html>`},
		{401, "text/html; charset=utf-8", "<html><head><title>401 Authorization Required</title></head><body><h1>nope</h1></body></html>"},
		{503, "text/plain", "Please try again in a few minutes.\n"},
		{500, "", "  "},
		{502, "", ""},
		{500, "application/json", `{"oops":true}`},
		{500, "application/json", `{"error":null,"message":"` + strings.Repeat("한", 200) + `"}`},
		{500, "application/json", `{"error":{"errorCode":{"nested":[1,2,3]},"details":12.5e3}}`},
		{400, "application/json", `{"message":"x-ncp-iam-access-\u006bey is missing"}`},
		{400, "text/plain", "x-ncp-apigw-signature-v2 mismatch"},
		{500, "text/html", "<b>한</b><title>\t오류 </title>"},
		{0, "", "{"},
		{-1, ";", "<"},
		{200, "application/json", `{"content":[]}`},
	} {
		f.Add(s.status, s.ct, []byte(s.body))
	}
	const method, path = "PUT", "/api/v2/category/1/add-files"
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		e := ParseError(context.Background(), method, path, status, contentType, body)
		if e == nil {
			t.Fatalf("nil error for status %d", status)
		}
		if e.Method != method || e.Path != path || e.StatusCode != status {
			t.Fatalf("call not named: %+v", e)
		}
		msg := e.Error()
		switch {
		case msg == "" || e.Message == "" && e.Code == "":
			t.Fatalf("empty description: %+v", e)
		case !utf8.ValidString(msg):
			t.Fatalf("Error() is not valid UTF-8: %q", msg)
		case len(e.Code) > fuzzMaxCode:
			t.Fatalf("code is %d bytes: %q", len(e.Code), e.Code)
		case len(e.Message) > fuzzMaxMessage:
			t.Fatalf("message is %d bytes: %q", len(e.Message), e.Message)
		case len(e.Details) > fuzzMaxDetails:
			t.Fatalf("details are %d bytes: %q", len(e.Details), e.Details)
		case len(msg) > len(method)+len(path)+fuzzMaxExtra:
			t.Fatalf("Error() is %d bytes: %q", len(msg), msg)
		}
		answer := strings.ToLower(contentType + "\x00" + string(body) + "\x00" + jsonText(body))
		for _, h := range fuzzHeaderNames {
			if strings.Contains(strings.ToLower(msg), h) && !strings.Contains(answer, h) {
				t.Fatalf("Error() %q names %s, which the answer did not", msg, h)
			}
		}
	})
}

// jsonText is the text of every string (keys too) in body when it is JSON,
// as decoding unescapes it, separated by NULs.
func jsonText(body []byte) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			b.WriteString(v + "\x00")
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for k, x := range v {
				b.WriteString(k + "\x00")
				walk(x)
			}
		}
	}
	walk(v)
	return b.String()
}
