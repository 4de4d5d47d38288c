package redact_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		{name: "an escaped JSON header value cut short", in: `"{\"Authorization\":\"Bearer SNTUN2-x`, want: `"{\"Authorization\":\"[redacted]`},
		{name: "an escaped JSON header value with nothing after its quote", in: `"{\"Authorization\":\"`, want: `"{\"Authorization\":\"`},
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

// TestLongSecretQueryNames: a secret-named query parameter is found by its
// shape however long its name, in a URL, in any text, and by AddURL.
func TestLongSecretQueryNames(t *testing.T) {
	for _, n := range []int{31, 32, 33, 34, 64, 200, 4096} {
		name := strings.Repeat("x", n-len("_access_token")) + "_access_token"
		require.Len(t, name, n)
		in := "https://h/cb?a=1&" + name + "=SNTLN-1x&b=2"
		want := "https://h/cb?a=1&" + name + "=[redacted]&b=2"
		assert.Equal(t, want, redact.URL(in), "URL, a name of %d bytes", n)
		assert.Equal(t, `{"u":"`+want+`"}`, redact.New().String(`{"u":"`+in+`"}`), "String, a name of %d bytes", n)
		s := redact.New()
		s.AddURL(in)
		assert.Equal(t, "echo [redacted].", s.String("echo SNTLN-1x."), "AddURL, a name of %d bytes", n)
	}
}

// TestFragmentParameters: secret-named parameters in a URL's fragment
// (OAuth's implicit flow answers #access_token=…) are scrubbed like the
// query's; the fragment's other parameters and a query before it are kept
// or scrubbed by their own names.
func TestFragmentParameters(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		secrets  []string // what AddURL learns
	}{
		{"https://h/p#access_token=SNTFR-1x", "https://h/p#access_token=[redacted]", []string{"SNTFR-1x"}},
		{"https://h/p#state=xyz123&access_token=SNTFR-2x&expires_in=3600", "https://h/p#state=xyz123&access_token=[redacted]&expires_in=3600", []string{"SNTFR-2x"}},
		{"https://h/p?a=1#token=SNTFR-3x;b=2", "https://h/p?a=1#token=[redacted];b=2", []string{"SNTFR-3x"}},
		{"https://h/p?token=SNTFR-4x#frag", "https://h/p?token=[redacted]#frag", []string{"SNTFR-4x"}},
		{"https://h/p?token=SNTFR-5x#sig=SNTFR-6x", "https://h/p?token=[redacted]#sig=[redacted]", []string{"SNTFR-5x", "SNTFR-6x"}},
		{"https://h/p#frag=SNTFR-0x", "https://h/p#frag=SNTFR-0x", nil},
		{"https://h/p#token=", "https://h/p#token=", nil},
		{"https://h#token=SNTFR-7x", "https://h#token=[redacted]", []string{"SNTFR-7x"}},
		{"https://u:SNTFR-8x@h#a=b", "https://u:[redacted]@h#a=b", []string{"SNTFR-8x"}},
	} {
		assert.Equal(t, tt.want, redact.URL(tt.in), "URL(%s)", tt.in)
		assert.Equal(t, `"`+tt.want+`"`, redact.New().String(`"`+tt.in+`"`), "String(%s)", tt.in)
		s := redact.New()
		s.AddURL(tt.in)
		assert.Equal(t, len(tt.secrets), s.Len(), "AddURL(%s) learns each secret once", tt.in)
		for _, v := range tt.secrets {
			assert.Equal(t, "echo [redacted].", s.String("echo "+v+"."), "AddURL(%s) knows %s", tt.in, v)
		}
	}
}
