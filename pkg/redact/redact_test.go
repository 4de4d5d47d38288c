package redact_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/redact"
)

// Sentinels: obviously fake values whose first 6 bytes appear nowhere else.
const (
	rawSecret   = "SNTRAW-0123456789"
	quirky      = `Sk"<&>\q91` // every character JSON, HTML and URLs escape
	sixChars    = "SIXCHR"
	fiveChars   = "FIVEC"
	urlPassword = "SNTPWD-secret-pass"
)

// noLeak asserts that neither secret nor its first 6 bytes are in out.
func noLeak(t *testing.T, out, secret string) {
	t.Helper()
	assert.NotContains(t, out, secret)
	assert.NotContains(t, out, secret[:redact.MinLen], "prefix of the secret")
}

func jsonHTML(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonPlain(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}

func TestIsSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"NCLOUD_SECRET_KEY": true, "CALLBACK_TOKEN": true, "WEBHOOK_SECRET": true,
		"PLAYBACK_TOKEN_KEY": true, "UPLOAD_TOKEN": true, "OW_API_KEY": true,
		"db_password": true, "DB_PASSWD": true, "PRIVATE_PEM": true, "api_key": true,
		"NCLOUD_ACCESS_KEY": false, "access_key": false, "CATEGORY_NAME": false,
		"KEY_DECODING": false, "NOTIFICATION_URL": false, "": false,
		"PLAYBACK_TOKEN_NAME": false, "PLAYBACK_TOKEN_TTL": false, "playback_token_type": false,
		"PLAYBACK_URL_TOKEN": true, "TOKEN_NAME_KEY": true,
	} {
		assert.Equal(t, want, redact.IsSecretName(name), name)
	}
}

func TestStringForms(t *testing.T) {
	set := redact.New(rawSecret, quirky, sixChars, fiveChars)
	tests := []struct {
		name, in, want string
		secret         string // must not leak, prefix included
	}{
		{name: "raw", in: "error: " + rawSecret + " refused", want: "error: [redacted] refused", secret: rawSecret},
		{name: "raw twice", in: rawSecret + rawSecret, want: "[redacted]", secret: rawSecret},
		{name: "JSON with HTML escaping", in: jsonHTML(map[string]string{"m": "k=" + quirky}), want: `{"m":"k=[redacted]"}`, secret: `Sk\"\u003c`},
		{name: "JSON without HTML escaping", in: jsonPlain(map[string]string{"m": "k=" + quirky}), want: `{"m":"k=[redacted]"}`, secret: `Sk\"<&>`},
		{name: "Go-quoted", in: fmt.Sprintf("got %q", quirky), want: `got "[redacted]"`, secret: `Sk\"<&>`},
		{name: "query-escaped", in: "https://h/cb?x=" + url.QueryEscape(quirky), want: "https://h/cb?x=[redacted]", secret: url.QueryEscape(quirky)},
		{name: "path-escaped", in: "https://h/a/" + url.PathEscape(quirky) + "/b", want: "https://h/a/[redacted]/b", secret: url.PathEscape(quirky)},
		{name: "raw quirky", in: "(" + quirky + ")", want: "([redacted])", secret: quirky},
		{name: "six characters are scrubbed", in: "k " + sixChars + " v", want: "k [redacted] v", secret: sixChars},
		{name: "five characters are not", in: "k " + fiveChars + " v", want: "k " + fiveChars + " v"},
		{name: "nothing to scrub", in: "all clear", want: "all clear"},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, tt.in, tt.want+"x", "precondition")
			got := set.String(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, set.String(got), "scrubbing twice changes nothing")
			if tt.secret != "" {
				require.Contains(t, tt.in, tt.secret, "precondition: the input carries the secret")
				noLeak(t, got, tt.secret)
			}
			assert.Equal(t, tt.want, string(set.Bytes([]byte(tt.in))), "Bytes agrees")
		})
	}
}

func TestStructuralPatterns(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "userinfo", in: "POST https://user:" + urlPassword + "@host/x failed",
			want: "POST https://user:[redacted]@host/x failed"},
		{name: "userinfo of an unparseable URL", in: `parse "http://user:` + urlPassword + `@host:badport/x": invalid port`,
			want: `parse "http://user:[redacted]@host:badport/x": invalid port`},
		{name: "user without password is kept", in: "https://user@host/x", want: "https://user@host/x"},
		{name: "token query", in: "notify https://h/cb?a=1&token=SNTTOK-abcdef&b=2 now",
			want: "notify https://h/cb?a=1&token=[redacted]&b=2 now"},
		{name: "query names in any case", in: "?X-Amz-Signature=SNTSIG-1&X-Amz-Credential=SNTCRD-2&Sig=SNTSG2-3&api_key=SNTAPI-4&KEY=SNTKEY-5&password=SNTPW2-6&access_token=SNTACC-7&secret=SNTSEC-8",
			want: "?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&Sig=[redacted]&api_key=[redacted]&KEY=[redacted]&password=[redacted]&access_token=[redacted]&secret=[redacted]"},
		{name: "JSON-escaped ampersand", in: `"https://h/cb?a=1\u0026token=SNTTOK-abcdef"`, want: `"https://h/cb?a=1\u0026token=[redacted]"`},
		{name: "key outside a query is kept", in: "sort key=name", want: "sort key=name"},
		{name: "header line", in: "GET /x\r\nAuthorization: Bearer SNTBEA-xyz\r\nHost: h\r\n",
			want: "GET /x\r\nAuthorization: [redacted]\r\nHost: h\r\n"},
		{name: "header JSON", in: `{"headers":{"x-ncp-apigw-signature-v2":"SNTNCP-sig=","x-ncp-iam-access-key":"AKID","X-Callback-Token": "SNTCBT-1"}}`,
			want: `{"headers":{"x-ncp-apigw-signature-v2":"[redacted]","x-ncp-iam-access-key":"AKID","X-Callback-Token": "[redacted]"}}`},
		{name: "header JSON list", in: `{"Cookie":["SNTCOO-a=b","c"],"Accept":["*/*"]}`, want: `{"Cookie":["[redacted]","[redacted]"],"Accept":["*/*"]}`},
		{name: "header escaped JSON", in: `"{\"authorization\":\"SNTAUT-x\"}"`, want: `"{\"authorization\":\"[redacted]\"}"`},
		{name: "Go map of a header", in: "map[Authorization:[Bearer SNTMAP-x] Vodflow-Signature:[t=1,v1=SNTVSG]]",
			want: "map[Authorization:[[redacted]] Vodflow-Signature:[[redacted]]]"},
		{name: "header equals", in: "vodflow-signature=t=1,v1=SNTVS2-ab x-amz-security-token=SNTAMZ-1 next",
			want: "vodflow-signature=[redacted] x-amz-security-token=[redacted] next"},
		{name: "HTML title", in: "<title>Authorization: Bearer SNTHTM-1</title>", want: "<title>Authorization: [redacted]</title>"},
		{name: "header name inside a word is kept", in: "myauthorization: x", want: "myauthorization: x"},
		{name: "access key header is kept", in: "x-ncp-iam-access-key: AKID", want: "x-ncp-iam-access-key: AKID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []*redact.Set{nil, {}, redact.New(rawSecret)} {
				assert.Equal(t, tt.want, s.String(tt.in))
				assert.Equal(t, tt.want, s.String(tt.want), "scrubbing twice changes nothing")
			}
			if strings.Contains(tt.in, "SNT") {
				assert.NotContains(t, (*redact.Set)(nil).String(tt.in), "SNT", "no sentinel prefix survives")
			}
		})
	}
}

func TestOverlappingSecrets(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{name: "one inside the other, short added first", secrets: []string{"SNTLONG-value", "SNTLONG-value-and-more"},
			in: "a SNTLONG-value-and-more b SNTLONG-value c", want: "a [redacted] b [redacted] c"},
		{name: "overlapping ends", secrets: []string{"AAAA-BBBB", "BBBB-CCCC"}, in: "xAAAA-BBBB-CCCCx", want: "x[redacted]x"},
		{name: "overlapping ends, other order", secrets: []string{"BBBB-CCCC", "AAAA-BBBB"}, in: "xAAAA-BBBB-CCCCx", want: "x[redacted]x"},
		{name: "adjacent", secrets: []string{"SNTADJ-1", "SNTADJ-2"}, in: "SNTADJ-1SNTADJ-2", want: "[redacted]"},
		{name: "periodic secret overlapping itself", secrets: []string{"ababab"}, in: "-abababab-", want: "-[redacted]-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redact.New(tt.secrets...).String(tt.in)
			assert.Equal(t, tt.want, got)
			for _, s := range tt.secrets {
				noLeak(t, got, s)
			}
		})
	}
}

func TestAddParamAndAddURL(t *testing.T) {
	s := &redact.Set{}
	s.AddParam("CALLBACK_TOKEN", "SNTCBT-token-1")
	s.AddParam("NCLOUD_ACCESS_KEY", "SNTAKI-not-secret")
	s.AddParam("NOTIFICATION_URL", "https://gw/cb?token=SNTNTF%2Btok&x=1")
	s.AddParam("WEBHOOK_URL", "https://user:SNTWHP%40pass@host/x")
	s.AddParam("API_URL", "http://user:SNTAPW-pass@host:badport")
	s.AddParam("SHORT_TOKEN", "abc")

	in := "echo SNTCBT-token-1 SNTAKI-not-secret SNTNTF+tok SNTNTF%2Btok SNTWHP@pass SNTWHP%40pass SNTAPW-pass abc"
	got := s.String(in)
	assert.Equal(t, "echo [redacted] SNTAKI-not-secret [redacted] [redacted] [redacted] [redacted] [redacted] abc", got)

	p := &redact.Set{}
	p.AddParams(map[string]any{"WEBHOOK_SECRET": "SNTWHS-secret", "PIN_TOKEN": float64(12345678), "N": 3, "URL": "https://h/?sig=SNTSIG-x"})
	assert.Equal(t, "[redacted] [redacted] 3 [redacted]", p.String("SNTWHS-secret 12345678 3 SNTSIG-x"))
}

// A URL's secret is known as written and as each unescaping reads it: a
// query-unescaper turns + into a space, a path-unescaper keeps it.
func TestAddURLKnowsEachUnescaping(t *testing.T) {
	s := &redact.Set{}
	s.AddURL("https://user:SNTPWX%40a+b@host/x")
	for _, form := range []string{"SNTPWX%40a+b", "SNTPWX@a b", "SNTPWX@a+b"} {
		assert.Equal(t, "got [redacted]!", s.String("got "+form+"!"), form)
	}
}

// A secret in a JSON text or a Go-quoted string, with no parameter name
// around it to give it away, is still scrubbed in its escaped form.
func TestEscapedFormsAlone(t *testing.T) {
	set := redact.New(quirky)
	for _, in := range []string{
		`error Sk\"<&>\\q91 end`, `error Sk\"\u003c\u0026\u003e\\q91 end`,
		"error " + url.QueryEscape(quirky) + " end", "error " + url.PathEscape(quirky) + " end",
	} {
		assert.Equal(t, "error [redacted] end", set.String(in), in)
	}
	// The last two have a form of their own only a JSON encoder without
	// HTML escaping writes (< or & as is, the control byte or invalid
	// UTF-8 as \u0001 or \ufffd, which %q writes otherwise).
	for _, c := range []string{`"`, `<`, `&`, `>`, `\`, " ", "/", "+", "<\x01", "&\xff"} {
		secret := "SNTONE" + c + "x"
		one := redact.New(secret)
		for _, in := range []string{jsonHTML(secret), jsonPlain(secret), fmt.Sprintf("%q", secret), url.QueryEscape(secret), url.PathEscape(secret)} {
			assert.NotContains(t, one.String("error "+in+" end"), "SNTONE", "%s in %s", secret, in)
		}
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:" + urlPassword + "@host/x?token=SNTTOK-1&a=b#frag", "https://user:[redacted]@host/x?token=[redacted]&a=b#frag"},
		{"http://user:" + urlPassword + "@host:badport", "http://user:[redacted]@host:badport"},
		{"https://host/x?a=1&Signature=SNTSIG-2;key=SNTKEY-3", "https://host/x?a=1&Signature=[redacted];key=[redacted]"},
		{"https://host/x?to%6Ben=SNTESC-4", "https://host/x?to%6Ben=[redacted]"},
		{"https://host/x?token=", "https://host/x?token="},
		{"https://host/x", "https://host/x"},
		{"https://host/p@th:x/y", "https://host/p@th:x/y"},
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		got := redact.URL(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.NotContains(t, got, "SNT")
	}
}

func TestErr(t *testing.T) {
	s := redact.New(rawSecret)
	cause := &fs.PathError{Op: "open", Path: rawSecret, Err: fs.ErrNotExist}
	err := s.Err(fmt.Errorf("load: %w", cause))
	require.Error(t, err)
	assert.Equal(t, "load: open [redacted]: file does not exist", err.Error())
	assert.ErrorIs(t, err, fs.ErrNotExist)
	var pe *fs.PathError
	assert.ErrorAs(t, err, &pe)

	clean := errors.New("nothing secret")
	assert.Same(t, clean, s.Err(clean), "an error with nothing to scrub is returned as is")
	assert.NoError(t, s.Err(nil))
	assert.Equal(t, "x https://u:[redacted]@h", (*redact.Set)(nil).Err(errors.New("x https://u:"+urlPassword+"@h")).Error())
}

func TestNilAndZeroSet(t *testing.T) {
	var nilSet *redact.Set
	nilSet.Add(rawSecret) // no panic, no effect
	nilSet.AddParam("CALLBACK_TOKEN", rawSecret)
	nilSet.AddURL("https://u:" + urlPassword + "@h")
	assert.Equal(t, rawSecret, nilSet.String(rawSecret))
	assert.Equal(t, 0, nilSet.Len())
	b := []byte("plain")
	assert.Equal(t, b, nilSet.Bytes(b))

	var zero redact.Set
	assert.Equal(t, rawSecret, zero.String(rawSecret))
	zero.Add(rawSecret)
	assert.Equal(t, "[redacted]", zero.String(rawSecret))
}

func TestBytesDoesNotModifyInput(t *testing.T) {
	s := redact.New(rawSecret)
	in := []byte("a " + rawSecret + " b")
	orig := string(in)
	out := s.Bytes(in)
	assert.Equal(t, "a [redacted] b", string(out))
	assert.Equal(t, orig, string(in))
}

func TestContext(t *testing.T) {
	fromBare := redact.FromContext(context.Background())
	require.NotNil(t, fromBare)
	fromBare.Add(rawSecret)
	assert.Equal(t, rawSecret, redact.FromContext(context.Background()).String(rawSecret), "values added to the fallback Set are not shared")

	s := redact.New(rawSecret)
	ctx := redact.NewContext(context.Background(), s)
	assert.Same(t, s, redact.FromContext(ctx))
	assert.NotNil(t, redact.FromContext(redact.NewContext(context.Background(), nil)))
}

func TestClip(t *testing.T) {
	assert.Equal(t, "abc", redact.Clip("abc", 5))
	assert.Equal(t, "abc", redact.Clip("abc", 3))
	assert.Equal(t, "ab…", redact.Clip("abc", 2))
	assert.Equal(t, "한…", redact.Clip("한글", 4), "never cuts inside a rune")
	assert.Equal(t, "…", redact.Clip("한글", 2))
	assert.Equal(t, "…", redact.Clip("abc", -1))
}

func TestScrubBeforeClip(t *testing.T) {
	s := redact.New(rawSecret)
	text := strings.Repeat("p", 290) + rawSecret
	got := redact.Clip(s.String(text), 300)
	noLeak(t, got, rawSecret)
	bad := s.String(redact.Clip(text, 300))
	assert.Contains(t, bad, rawSecret[:6], "the test can fail: clipping first leaks the prefix")
}

func TestConcurrentUse(t *testing.T) {
	s := &redact.Set{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(2)
		secret := fmt.Sprintf("SNTCON-%02d-secret", g)
		go func() {
			defer wg.Done()
			s.Add(secret)
			s.AddParam("X_TOKEN", secret+"-param")
		}()
		go func() {
			defer wg.Done()
			for range 50 {
				out := s.String("a " + secret + " https://u:" + urlPassword + "@h")
				assert.NotContains(t, out, urlPassword)
			}
		}()
	}
	wg.Wait()
	for g := range 8 {
		secret := fmt.Sprintf("SNTCON-%02d-secret", g)
		assert.Equal(t, "[redacted] [redacted]", s.String(secret+" "+secret+"-param"))
	}
}

func TestJSONStaysValid(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		value  any
	}{
		{name: "match starts at an escape", secret: "nSNTESC-1", value: "a\nSNTESC-1 b"},
		{name: "match starts inside a unicode escape", secret: "0026SNTUNI-1", value: "a&SNTUNI-1 b"},
		{name: "match ends inside an escape", secret: `SNTEND-1\`, value: `SNTEND-1\ and more`},
		{name: "match ends inside a unicode escape", secret: "SNTEU2-1\\u00", value: "SNTEU2-1<x"},
		{name: "header list", secret: "SNTNONE-0", value: map[string]any{"headers": map[string][]string{"Cookie": {"a=SNTCK1", "b"}, "Authorization": {"Bearer SNTAU1"}}}},
		{name: "URL in a string", secret: "SNTNONE-0", value: "https://u:SNTPW1-p@h/x?a=1&token=SNTTK1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := redact.New(tt.secret)
			matched := 0
			for _, doc := range []string{jsonHTML(map[string]any{"v": tt.value}), jsonPlain(map[string]any{"v": tt.value})} {
				require.True(t, json.Valid([]byte(doc)), "precondition")
				got := s.String(doc)
				assert.True(t, json.Valid([]byte(got)), "%s scrubbed to %s", doc, got)
				if strings.Contains(doc, tt.secret) || strings.Contains(doc, "SNT") && tt.secret == "SNTNONE-0" {
					matched++
					assert.Contains(t, got, redact.Placeholder, "%s", doc)
					assert.NotContains(t, got, "SNT", "%s", doc)
				}
			}
			require.NotZero(t, matched, "precondition: some document holds the secret")
		})
	}
}

func TestWriter(t *testing.T) {
	s := &redact.Set{}
	var b bytes.Buffer
	w := s.Writer(&b)
	s.Add(rawSecret) // added after the writer was made: still known
	n, err := fmt.Fprintf(w, "key %s and https://u:%s@h\n", rawSecret, urlPassword)
	require.NoError(t, err)
	assert.Equal(t, len("key  and https://u:@h\n")+len(rawSecret)+len(urlPassword), n, "reports the bytes it was given")
	assert.Equal(t, "key [redacted] and https://u:[redacted]@h\n", b.String())
}

// TestAllowKeepsViewerTokens: a signed playback URL's token, allowed, is
// kept where the shape of ?token= would scrub it; another token of the
// same shape is still scrubbed, and a known secret inside an allowed value
// is scrubbed all the same.
func TestAllowKeepsViewerTokens(t *testing.T) {
	const tok = "exp=1700000000~acl=/hls/ENC/d/clip_*~hmac=554f05ff293cead8e1f8f95efd7d498e"
	text := `{"hls":"https://cdn.example.com/hls/ENC/d/clip_A.mp4/index.m3u8?token=` + tok + `","other":"https://x/?token=exp=1~hmac=beef00"}`
	s := redact.New("52a152a152a1")
	assert.NotContains(t, s.String(text), tok, "not allowed: scrubbed by its shape")
	s.Allow(tok, "short")
	got := s.String(text)
	assert.Contains(t, got, "?token="+tok)
	assert.Contains(t, got, `?token=[redacted]"`, "an unknown token is still scrubbed")
	assert.Equal(t, got, string(s.Bytes([]byte(text))))

	s.Add("acl=/hls/ENC")
	assert.NotContains(t, s.String(text), "acl=/hls/ENC", "a known secret wins over Allow")
	var nilSet *redact.Set
	nilSet.Allow(tok)
	assert.NotContains(t, nilSet.String(text), tok)
}

// TestStrictKeepsNoAllowedValue: Strict scrubs what Allow keeps, still
// knows every secret, leaves the Set itself as it was, and is the Set
// itself when nothing is allowed.
func TestStrictKeepsNoAllowedValue(t *testing.T) {
	const tok = "exp=1700000000~hmac=554f05ff293cead8e1f8f95efd7d498e"
	text := `https://cdn.example.com/a.m3u8?token=` + tok + ` key 52a152a152a1`
	s := redact.New("52a152a152a1")
	assert.Same(t, s, s.Strict(), "nothing allowed: no copy")
	s.Allow(tok)
	strict := s.Strict()
	assert.NotSame(t, s, strict)
	assert.Equal(t, `https://cdn.example.com/a.m3u8?token=[redacted] key [redacted]`, strict.String(text))
	assert.Equal(t, `https://cdn.example.com/a.m3u8?token=`+tok+` key [redacted]`, s.String(text), "the Set still allows")
	var nilSet *redact.Set
	assert.Nil(t, nilSet.Strict())
	assert.NotContains(t, nilSet.Strict().String(text), tok)
}

// TestAllowMinLen: Allow keeps a value of MinLen bytes and ignores a
// shorter one, which its shape still scrubs; allowing a value twice keeps
// it as once.
func TestAllowMinLen(t *testing.T) {
	long := strings.Repeat("k", redact.MinLen)
	short := strings.Repeat("s", redact.MinLen-1)
	text := "https://h/a?token=" + long + "&sig=" + short
	s := redact.New()
	s.Allow(long, short)
	assert.Equal(t, "https://h/a?token="+long+"&sig=[redacted]", s.String(text))
	s.Allow(long)
	assert.Equal(t, "https://h/a?token="+long+"&sig=[redacted]", s.String(text))
	assert.Equal(t, "https://h/a?token=[redacted]&sig=[redacted]", s.Strict().String(text))
}
