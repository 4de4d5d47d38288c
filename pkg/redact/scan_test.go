package redact_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vodflow/vodflow/pkg/redact"
)

// TestStructuralEdges: the shapes at the edges of a text and next to each
// other are scrubbed, and empty values stay empty (no Placeholder where
// there was nothing).
func TestStructuralEdges(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "a doubled colon before a URL", in: "a:: https://u:SNTPW1-x@h/p", want: "a:: https://u:[redacted]@h/p"},
		{name: "a doubled equals before a query", in: "a==b ?token=SNTTK1-x", want: "a==b ?token=[redacted]"},
		{name: "a header after a URL", in: "GET https://h/x\nAuthorization: Bearer SNTBR1-x", want: "GET https://h/x\nAuthorization: [redacted]"},
		{name: "a header after a URL with a password", in: "https://u:SNTPW2-x@h/ Cookie: SNTCK1-x", want: "https://u:[redacted]@h/ Cookie: [redacted]"},
		{name: "a text that starts with a colon", in: ": x", want: ": x"},
		{name: "a text that starts with an equals sign", in: "=x", want: "=x"},
		{name: "a text that starts with a quoted colon", in: `":x`, want: `":x`},
		{name: "a header with nothing after its colon", in: "Authorization:", want: "Authorization:"},
		{name: "a header with only blanks after its colon", in: "Authorization: \t", want: "Authorization: \t"},
		{name: "an empty JSON header value", in: `{"Authorization":"","a":"b"}`, want: `{"Authorization":"","a":"b"}`},
		{name: "an empty escaped JSON header value", in: `"{\"authorization\":\"\",\"a\":\"b\"}"`, want: `"{\"authorization\":\"\",\"a\":\"b\"}"`},
		{name: "an empty secret query value", in: "https://h/x?token=&a=b", want: "https://h/x?token=&a=b"},
		{name: "a header name after a backslash", in: `\Authorization: Bearer SNTBS1-x`, want: `\Authorization: [redacted]`},
		{name: "a header-equals name after a backslash", in: `\vodflow-signature=t=1,v1=SNTVS1-x`, want: `\vodflow-signature=[redacted]`},
		{name: "a quoted name before an equals sign is not a query parameter", in: `?"token"=abcdefgh`, want: `?"token"=abcdefgh`},
		{name: "a bracketed list left open, only blanks in it", in: "map[Authorization:[  ", want: "map[Authorization:[[redacted]"},
		{name: "a bracketed list left open", in: "map[Authorization:[Bearer SNTOP1-x", want: "map[Authorization:[[redacted]"},
		{name: "an empty bracketed list", in: "map[Authorization:[] Host:[h]]", want: "map[Authorization:[] Host:[h]]"},
		{name: "a JSON list after a blank", in: `{"Cookie":[ "SNTCO2-a"]}`, want: `{"Cookie":[ "[redacted]"]}`},
		{name: "a JSON list cut after a string", in: `{"Cookie":["SNTCO3-a"`, want: `{"Cookie":["[redacted]"`},
		{name: "a JSON list cut after a comma", in: `{"Cookie":["SNTCO4-a", `, want: `{"Cookie":["[redacted]", `},
		{name: "a JSON list with an empty string", in: `{"Cookie":["","SNTCO5-b"]}`, want: `{"Cookie":["","[redacted]"]}`},
		{name: "a JSON header value cut short", in: `{"Authorization":"Bearer SNTUN1-x`, want: `{"Authorization":"[redacted]`},
		{name: "a JSON header value with escapes", in: `{"Authorization":"Bearer SNTES1-\"q\\","a":"b"}`, want: `{"Authorization":"[redacted]","a":"b"}`},
		{name: "a header line's trailing blanks are kept", in: "Authorization: Bearer SNTTR1-x  \r\nX-Callback-Token: SNTTR2-x \t\r\nHost: h",
			want: "Authorization: [redacted]  \r\nX-Callback-Token: [redacted] \t\r\nHost: h"},
		{name: "an empty header line", in: "Authorization: \r\nHost: h", want: "Authorization: \r\nHost: h"},
		{name: "an empty user name", in: "https://:SNTPW3-x@h/", want: "https://:[redacted]@h/"},
		{name: "an empty password", in: "https://u:@h/ x", want: "https://u:@h/ x"},
		{name: "names with Z and 9", in: "X-AMZ-SECURITY-TOKEN: SNTAZ1-x\n?token9=SNTT91-x", want: "X-AMZ-SECURITY-TOKEN: [redacted]\n?token9=[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []*redact.Set{nil, redact.New(rawSecret)} {
				assert.Equal(t, tt.want, s.String(tt.in))
				assert.Equal(t, tt.want, s.String(tt.want), "scrubbing twice changes nothing")
			}
		})
	}
}

// TestURLEdges: redact.URL at the edges of its input.
func TestURLEdges(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"://u:SNTPW4-x@h/x", "://u:[redacted]@h/x"},
	} {
		assert.Equal(t, tt.want, redact.URL(tt.in), tt.in)
	}
}

// TestURLQueryEdges: redact.URL with short schemes, a query right after the
// host or the start, and empty parts.
func TestURLQueryEdges(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"s3://b/k?token=SNTS3A-x", "s3://b/k?token=[redacted]"},
		{"https://h?token=SNTQH1-x", "https://h?token=[redacted]"},
		{"?token=SNTQ01-x", "?token=[redacted]"},
		{"https://h/x?&token=SNTAM1-x&b=2", "https://h/x?&token=[redacted]&b=2"},
		{"https://h/x?a=1&&token=SNTAM2-x;b=2", "https://h/x?a=1&&token=[redacted];b=2"},
		{"https://h/x?token=&a=b", "https://h/x?token=&a=b"},
	} {
		assert.Equal(t, tt.want, redact.URL(tt.in), tt.in)
	}
}

// TestMatchesNextToEscapes: a known secret matched right after a backslash
// or inside a \uXXXX escape, or ending in a backslash, is replaced with the
// whole escape, so no part of the secret or of the escape is left.
func TestMatchesNextToEscapes(t *testing.T) {
	for _, tt := range []struct{ secret, in, want string }{
		{"nSNTES1-x", `a\nSNTES1-x b`, `a[redacted] b`},
		{"26SNTUE-1", `\u0026SNTUE-1 b`, `[redacted] b`},
		{"26SNTUE-2", `a \u0026SNTUE-2 b`, `a [redacted] b`},
		{`SNTBK-1\`, `x SNTBK-1\`, `x [redacted]`},
		{`SNTBU-1\`, `a SNTBU-1\u0026 b`, `a [redacted] b`},
		{`SNTBN-1\`, `a SNTBN-1\n bcdef`, `a [redacted] bcdef`},
		{`SNTBK-2\`, `a SNTBK-2\\ b`, `a [redacted] b`},
		{"nSNTES2-x", `\nSNTES2-x b`, `[redacted] b`},
		{"6SNTUE-3", `a \u0026SNTUE-3 b`, `a [redacted] b`},
		{`SNTUX-1\u00`, `a SNTUX-1\u0026 b`, `a [redacted] b`},
	} {
		assert.Equal(t, tt.want, redact.New(tt.secret).String(tt.in), "%s in %s", tt.secret, tt.in)
	}
}

// TestMatchInsideWhatLooksLikeAnEscape: a match starting among the hex
// digits of a \uXXXX escape takes the escape with it; after a \u that is
// not followed by hex digits (a path such as C:\users) it does not.
func TestMatchInsideWhatLooksLikeAnEscape(t *testing.T) {
	for _, d := range "0123456789abcdefABCDEF" {
		dd := strings.Repeat(string(d), 2)
		in := `a \u` + dd + dd + "SNTHX-1 b"
		assert.Equal(t, "a [redacted] b", redact.New(dd+"SNTHX-1").String(in), in)
	}
	for _, x := range "/:@`gGzZ" {
		xx := strings.Repeat(string(x), 2)
		in := `a \u` + xx + xx + "SNTNX-1 b"
		assert.Equal(t, `a \u`+xx+"[redacted] b", redact.New(xx+"SNTNX-1").String(in), in)
	}
}
