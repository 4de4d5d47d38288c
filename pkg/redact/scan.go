package redact

import (
	"net/url"
	"strings"
)

// isHeaderName reports whether name is a request header whose echoed value
// is a credential: Authorization, Cookie, X-Callback-Token,
// Vodflow-Signature, X-Ncp-Apigw-Signature-V2, X-Amz-Security-Token (any
// case). X-Ncp-Iam-Access-Key is not among them: the access key is an id.
func isHeaderName(name string) bool {
	// Dispatch on the length first: this runs at every colon of a text.
	var h string
	switch len(name) {
	case len("cookie"):
		h = "cookie"
	case len("authorization"):
		h = "authorization"
	case len("x-callback-token"):
		h = "x-callback-token"
	case len("vodflow-signature"):
		h = "vodflow-signature"
	case len("x-amz-security-token"):
		h = "x-amz-security-token"
	case len("x-ncp-apigw-signature-v2"):
		h = "x-ncp-apigw-signature-v2"
	default:
		return false
	}
	return strings.EqualFold(h, name)
}

// isSecretQueryName reports whether a query parameter of this name carries
// a secret.
func isSecretQueryName(name string) bool {
	switch {
	case name == "":
		return false
	case strings.EqualFold(name, "sig"), strings.EqualFold(name, "key"),
		strings.EqualFold(name, "apikey"), strings.EqualFold(name, "x-amz-credential"):
		return true
	}
	return containsFold(name, "SIGNATURE") || IsSecretName(name)
}

// structural appends the ranges of secrets recognised by their shape,
// whatever the Set knows: userinfo passwords, secret-named query values and
// echoed credential headers. A value that already starts with Placeholder
// is left alone, so that scrubbing twice changes nothing.
// A value [Set.Allow] was given is kept too.
func (s *Set) structural(text string, out []span) []span {
	n := len(out)
	out = shapes(text, out)
	kept := out[:n]
	for _, sp := range out[n:] {
		if !strings.HasPrefix(text[sp.start:], Placeholder) && !s.allowed(text[sp.start:sp.end]) {
			kept = append(kept, sp)
		}
	}
	return kept
}

// shapes is structural without the Placeholder check.
func shapes(text string, out []span) []span {
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], ':')
		if j < 0 {
			break
		}
		p := i + j
		i = p + 1
		if strings.HasPrefix(text[p+1:], "//") {
			out = userinfo(text, p+3, out)
			continue
		}
		if start, end := nameBefore(text, p, true); end > start && isHeaderName(text[start:end]) && boundary(text, start) {
			out = headerValue(text, p+1, out)
		}
	}
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '=')
		if j < 0 {
			break
		}
		p := i + j
		i = p + 1
		start, end := nameBefore(text, p, false)
		if end == start {
			continue
		}
		name := text[start:end]
		stop := ""
		switch {
		case isHeaderName(name) && boundary(text, start):
			// A header's value may hold commas (t=…,v1=…).
			stop = "&; \t\r\n\"'<>\\`"
		case isSecretQueryName(name) && queryDelim(text, start):
			stop = "&#; \t\r\n\"'<>\\,)]}`"
		default:
			continue
		}
		if e := valueEnd(text, p+1, stop); e > p+1 {
			out = append(out, span{p + 1, e})
		}
	}
	return out
}

// isNameByte reports whether c may be part of a header or parameter name.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// nameBefore returns the range of the name that ends just before text[p]
// (skipping a closing quote, plain or backslash-escaped, when quoted).
func nameBefore(text string, p int, quoted bool) (start, end int) {
	end = p
	if quoted && end > 0 && text[end-1] == '"' {
		end--
		if end > 0 && text[end-1] == '\\' {
			end--
		}
	}
	// No length bound: the run stops at the previous '=' or ':' (neither
	// is a name byte), so the scan of a whole text stays linear, and a
	// secret-named parameter is found however long its name.
	start = end
	for start > 0 && isNameByte(text[start-1]) {
		start--
	}
	// A JSON-escaped '&' ("\u0026") runs into the name.
	if start > 0 && text[start-1] == '\\' && strings.HasPrefix(text[start:end], "u0026") {
		start += len("u0026")
	}
	return start, end
}

// boundary reports whether a name starting at start is a whole word.
func boundary(text string, start int) bool {
	return start == 0 || !isNameByte(text[start-1])
}

// queryDelim reports whether a name starting at start follows a query
// delimiter: ? & ; # (a fragment's parameters, as OAuth's implicit flow
// sends #access_token=…) or a JSON-escaped & (\u0026).
func queryDelim(text string, start int) bool {
	if start == 0 {
		return false
	}
	switch text[start-1] {
	case '?', '&', ';', '#':
		return true
	}
	return strings.HasSuffix(text[:start], `\u0026`)
}

// valueEnd returns the index of the first byte at or after i that is in
// stop, or len(text).
func valueEnd(text string, i int, stop string) int {
	for k := i; k < len(text); k++ {
		if strings.IndexByte(stop, text[k]) >= 0 {
			return k
		}
	}
	return len(text)
}

// headerValue appends the range of a header's value starting at i (just
// after the colon): a JSON string, a list of them, a bracketed list (Go's
// %v of http.Header) or the rest of the line.
func headerValue(text string, i int, out []span) []span {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	if i >= len(text) || strings.HasPrefix(text[i:], Placeholder) {
		return out
	}
	switch {
	case text[i] == '"':
		if e := jsonStringEnd(text, i+1); e > i+1 {
			out = append(out, span{i + 1, e})
		}
	case strings.HasPrefix(text[i:], `\"`):
		e := strings.Index(text[i+2:], `\"`)
		if e < 0 {
			e = len(text) - i - 2
		}
		if e > 0 {
			out = append(out, span{i + 2, i + 2 + e})
		}
	case text[i] == '[':
		rb := strings.IndexByte(text[i:], ']')
		if rb < 0 {
			rb = len(text) - i
		}
		k := i + 1
		for k < i+rb && text[k] == ' ' {
			k++
		}
		if k < i+rb && text[k] == '"' {
			// A JSON list: scrub each string's content, so that the
			// text stays valid JSON.
			for k < len(text) && text[k] == '"' {
				e := jsonStringEnd(text, k+1)
				if e > k+1 {
					out = append(out, span{k + 1, e})
				}
				k = e + 1
				for k < len(text) && (text[k] == ',' || text[k] == ' ') {
					k++
				}
			}
			break
		}
		if rb > 1 {
			out = append(out, span{i + 1, i + rb})
		}
	default:
		e := valueEnd(text, i, "\r\n\"\\<")
		for e > i && (text[e-1] == ' ' || text[e-1] == '\t') {
			e--
		}
		if e > i {
			out = append(out, span{i, e})
		}
	}
	return out
}

// jsonStringEnd returns the index of the unescaped quote closing the JSON
// string whose content starts at i, or len(text).
func jsonStringEnd(text string, i int) int {
	for k := i; k < len(text); k++ {
		switch text[k] {
		case '\\':
			k++
		case '"':
			return k
		}
	}
	return len(text)
}

// authorityEnd returns the end of the URL authority starting at i.
func authorityEnd(text string, i int) int {
	return valueEnd(text, i, "/?# \t\r\n\"'<>\\`")
}

// userinfo appends the range of the password in the authority that starts
// at i (just after "://"), if there is one.
func userinfo(text string, i int, out []span) []span {
	end := authorityEnd(text, i)
	at := strings.LastIndexByte(text[i:end], '@')
	if at < 0 {
		return out
	}
	colon := strings.IndexByte(text[i:i+at], ':')
	if colon < 0 {
		return out
	}
	if pw := text[i+colon+1 : i+at]; pw != "" && pw != Placeholder {
		out = append(out, span{i + colon + 1, i + at})
	}
	return out
}

// urlSpans appends the ranges of the secrets in one URL: the userinfo
// password and the values of secret-named parameters, in the query or in
// the fragment (#access_token=…, OAuth's implicit flow).
func urlSpans(raw string, out []span) []span {
	rest := 0
	if k := strings.Index(raw, "://"); k >= 0 {
		out = userinfo(raw, k+3, out)
		rest = authorityEnd(raw, k+3)
	}
	q := strings.IndexAny(raw[rest:], "?#")
	if q < 0 {
		return out
	}
	// The query and the fragment are read as one list of parameters: '#'
	// ends a query's last value and starts the fragment's first name.
	q += rest + 1
	for q < len(raw) {
		e := q + strings.IndexAny(raw[q:], "&;#")
		if e < q {
			e = len(raw)
		}
		if eq := strings.IndexByte(raw[q:e], '='); eq > 0 && q+eq+1 < e && isSecretQueryName(unescapeName(raw[q:q+eq])) {
			out = append(out, span{q + eq + 1, e})
		}
		q = e + 1
	}
	return out
}

// unescapeName decodes a query parameter's name, or returns it as is.
func unescapeName(name string) string {
	if strings.ContainsAny(name, "%+") {
		if u, err := url.QueryUnescape(name); err == nil {
			return u
		}
	}
	return name
}

// URL returns raw for display: the userinfo password and the values of
// secret-named query and fragment parameters (see [Set.AddURL]) are replaced by
// [Placeholder]; the rest is kept as written. It works on URLs that
// url.Parse refuses, such as one with a bad port.
func URL(raw string) string {
	spans := urlSpans(raw, nil)
	if len(spans) == 0 {
		return raw
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(raw[last:sp.start])
		b.WriteString(Placeholder)
		last = sp.end
	}
	b.WriteString(raw[last:])
	return b.String()
}

// containsFold reports whether s contains upper (ASCII upper case) in any
// case, without allocating.
func containsFold(s, upper string) bool {
	for i := 0; i+len(upper) <= len(s); i++ {
		if hasPrefixUpper(s[i:], upper) {
			return true
		}
	}
	return false
}

func hasSuffixFold(s, upper string) bool {
	return len(s) >= len(upper) && hasPrefixUpper(s[len(s)-len(upper):], upper)
}

func hasPrefixUpper(s, upper string) bool {
	if len(s) < len(upper) {
		return false
	}
	for k := 0; k < len(upper); k++ {
		c := s[k]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[k] {
			return false
		}
	}
	return true
}

// fitEscapes widens sp so that it neither starts nor ends inside a
// backslash escape (\n, \", \\, \u0026): replacing part of an escape would
// leave JSON or a Go-quoted string malformed.
func fitEscapes(text string, sp span) span {
	if escaped(text, sp.start) {
		sp.start--
	} else if k := uEscapeStart(text, sp.start); k >= 0 {
		sp.start = k
	}
	if escaped(text, sp.end) {
		if sp.end < len(text) && text[sp.end] == 'u' {
			sp.end = min(sp.end+5, len(text))
		} else {
			sp.end = min(sp.end+1, len(text))
		}
	} else if k := uEscapeStart(text, sp.end); k >= 0 {
		sp.end = min(k+6, len(text))
	}
	return sp
}

// escaped reports whether text[i] follows an odd run of backslashes.
func escaped(text string, i int) bool {
	n := 0
	for k := i - 1; k >= 0 && text[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

// uEscapeStart returns where a \uXXXX escape that i falls strictly inside
// (among its hex digits) starts, or -1.
func uEscapeStart(text string, i int) int {
	for k := i - 2; k >= 0 && k >= i-5; k-- {
		if text[k] == '\\' && text[k+1] == 'u' && !escaped(text, k) && isHex(text[k+2:i]) {
			return k
		}
	}
	return -1
}

func isHex(s string) bool {
	for k := 0; k < len(s); k++ {
		c := s[k]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
