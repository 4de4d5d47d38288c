package redact

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Placeholder replaces every secret in a scrubbed text.
const Placeholder = "[redacted]"

// MinLen is the length, in bytes, below which a value is not scrubbed: a
// shorter value would match everywhere. A value of exactly MinLen bytes is
// scrubbed.
const MinLen = 6

// IsSecretName reports whether a parameter (or query parameter, or header)
// with this name holds a secret. Case does not matter. A name is secret when
// it contains SECRET, TOKEN, PASSWORD, PASSWD or PRIVATE, or ends in _KEY
// other than ACCESS_KEY: NCLOUD_SECRET_KEY, CALLBACK_TOKEN, WEBHOOK_SECRET,
// PLAYBACK_TOKEN_KEY, UPLOAD_TOKEN and OW_API_KEY are secret;
// NCLOUD_ACCESS_KEY is not (it is an id, shown on purpose). Names that
// end in _TOKEN_NAME, _TOKEN_TTL or _TOKEN_TYPE describe a token and hold
// none (PLAYBACK_TOKEN_NAME, PLAYBACK_TOKEN_TTL, PLAYBACK_TOKEN_TYPE): they
// are not secret.
func IsSecretName(name string) bool {
	for _, about := range [...]string{"_TOKEN_NAME", "_TOKEN_TTL", "_TOKEN_TYPE"} {
		if hasSuffixFold(name, about) {
			return false
		}
	}
	for _, part := range [...]string{"SECRET", "TOKEN", "PASSWORD", "PASSWD", "PRIVATE"} {
		if containsFold(name, part) {
			return true
		}
	}
	return hasSuffixFold(name, "_KEY") && !hasSuffixFold(name, "ACCESS_KEY")
}

// Set is the set of secret values one activation or one deployment knows.
// It is safe for concurrent use; Add may run while other goroutines scrub.
// The zero value and a nil *Set know no value and scrub only the structural
// patterns (see the package doc).
type Set struct {
	mu      sync.Mutex               // serializes writers
	needles atomic.Pointer[[]string] // immutable once stored; longest first
	public  atomic.Pointer[[]string] // values the structural part keeps
}

// Allow makes s keep each value where only its shape would have it
// scrubbed: a token vodflow made for viewers (a signed playback URL's
// ?token=…) is meant to be read, though its parameter name looks secret.
// A known secret ([Set.Add]) is scrubbed wherever it appears, allowed or
// not; a structural match is kept only when it is exactly an allowed
// value. Values shorter than [MinLen] are ignored. [Set.Strict] keeps
// none of them (the edge's log line).
func (s *Set) Allow(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var next []string
	if p := s.public.Load(); p != nil {
		next = slices.Clone(*p)
	}
	for _, v := range values {
		if len(v) >= MinLen && !slices.Contains(next, v) {
			next = append(next, v)
		}
	}
	s.public.Store(&next)
}

// Strict returns a Set that knows every secret s knows and keeps no
// value [Set.Allow] was given: for an output that must never carry a
// grant, such as an activation's log line (read by operators, kept far
// longer than a presigned URL or a viewer token lives). It is s itself
// when s allows nothing; otherwise a snapshot (secrets added to s later
// are not in it).
func (s *Set) Strict() *Set {
	if s == nil || s.public.Load() == nil {
		return s
	}
	out := &Set{}
	out.needles.Store(s.needles.Load())
	return out
}

// allowed reports whether v is a value s was told to keep.
func (s *Set) allowed(v string) bool {
	if s == nil {
		return false
	}
	p := s.public.Load()
	return p != nil && slices.Contains(*p, v)
}

// New returns a Set that knows values (see [Set.Add]).
func New(values ...string) *Set {
	s := &Set{}
	s.Add(values...)
	return s
}

// Add makes s know each value of at least [MinLen] bytes, in every form it
// may take in an output: as is, JSON-escaped with and without HTML escaping
// (Sk"<&>\q91 as Sk\"<&>\\q91 and Sk\"\u003c\u0026\u003e\\q91), Go-quoted,
// query-escaped and path-escaped. Shorter values are ignored.
func (s *Set) Add(values ...string) {
	if s == nil {
		return
	}
	var add []string
	for _, v := range values {
		if len(v) >= MinLen {
			add = appendForms(add, v)
		}
	}
	if len(add) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur []string
	if p := s.needles.Load(); p != nil {
		cur = *p
	}
	next := slices.Clone(cur)
	for _, n := range add {
		if !slices.Contains(next, n) {
			next = append(next, n)
		}
	}
	if len(next) == len(cur) {
		return
	}
	// In no particular order: spans finds every match of every form and
	// merges them, so which form is tried first changes nothing.
	s.needles.Store(&next)
}

// appendForms appends v and each distinct escaped form of v. For the usual
// secret (letters, digits, -_.~) every form is v itself, added once.
func appendForms(out []string, v string) []string {
	if plain(v) {
		// No encoder changes it (the usual secret: letters, digits, -_.~),
		// so its forms are itself: skip building five copies on the warm
		// path (a speed-only branch; docs/MUTATION.md lists its mutants).
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
		return out
	}
	for _, f := range []string{v, jsonInner(v, true), jsonInner(v, false), quoteInner(v), url.QueryEscape(v), url.PathEscape(v)} {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// plain reports whether every escaping leaves v as it is: only ASCII
// letters, digits and -_.~ (unreserved in URLs, never escaped in JSON).
func plain(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
			return false
		}
	}
	return true
}

// jsonInner is v as encoding/json writes it inside a string's quotes.
func jsonInner(v string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if enc.Encode(v) != nil {
		return ""
	}
	q := bytes.TrimSpace(b.Bytes())
	return string(q[1 : len(q)-1])
}

// quoteInner is v as %q writes it inside its quotes.
func quoteInner(v string) string {
	q := strconv.Quote(v)
	return q[1 : len(q)-1]
}

// AddParam makes s know the secrets of one parameter: its value when the
// name is secret ([IsSecretName]), and the secrets inside the value when
// it holds a URL ("://", see [Set.AddURL]).
func (s *Set) AddParam(name, value string) {
	if IsSecretName(name) {
		s.Add(value)
	}
	if strings.Contains(value, "://") {
		s.AddURL(value)
	}
}

// AddParams calls [Set.AddParam] for each parameter of params. A
// secret-named number is added as JSON writes it; other values that are not
// strings are skipped.
func (s *Set) AddParams(params map[string]any) {
	for k, v := range params {
		switch v := v.(type) {
		case string:
			s.AddParam(k, v)
		case json.Number:
			s.AddParam(k, v.String())
		case float64:
			s.AddParam(k, strconv.FormatFloat(v, 'f', -1, 64))
		case int:
			s.AddParam(k, strconv.Itoa(v))
		case int64:
			s.AddParam(k, strconv.FormatInt(v, 10))
		}
	}
}

// AddURL makes s know the secrets inside a URL: the password of its
// userinfo and the values of its secret-named query and fragment parameters (token,
// secret, signature, sig, key, password, access_token, api_key,
// X-Amz-Signature, X-Amz-Credential and any name [IsSecretName] accepts;
// any case), each as written and unescaped. It works on URLs that
// url.Parse refuses, such as one with a bad port.
func (s *Set) AddURL(raw string) {
	var vals []string
	for _, sp := range urlSpans(raw, nil) {
		v := raw[sp.start:sp.end]
		vals = append(vals, v)
		// A form equal to v is added once (see appendForms).
		if u, err := url.QueryUnescape(v); err == nil {
			vals = append(vals, u)
		}
		if u, err := url.PathUnescape(v); err == nil {
			vals = append(vals, u)
		}
	}
	s.Add(vals...)
}

// load returns the known forms.
func (s *Set) load() []string {
	if s == nil {
		return nil
	}
	if p := s.needles.Load(); p != nil {
		return *p
	}
	return nil
}

// Len returns how many distinct forms of secrets s knows (each value counts
// once per distinct escaped form).
func (s *Set) Len() int { return len(s.load()) }

// String returns text with every known secret, and every structural secret
// (see the package doc), replaced by [Placeholder]. Overlapping and
// adjacent matches become one Placeholder, so no part of either secret is
// left. When nothing matches, text itself is returned and nothing is
// allocated.
func (s *Set) String(text string) string {
	spans := s.spans(text)
	if len(spans) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, sp := range spans {
		b.WriteString(text[last:sp.start])
		b.WriteString(Placeholder)
		last = sp.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// Bytes is [Set.String] for a byte slice. b is never modified: when
// something is replaced the result is a new slice, otherwise b itself.
func (s *Set) Bytes(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	// A read-only view of b for the duration of the scan; nothing keeps
	// it afterwards.
	text := unsafe.String(unsafe.SliceData(b), len(b))
	spans := s.spans(text)
	if len(spans) == 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	last := 0
	for _, sp := range spans {
		out = append(out, b[last:sp.start]...)
		out = append(out, Placeholder...)
		last = sp.end
	}
	return append(out, b[last:]...)
}

// Err returns an error whose text is err's, scrubbed by [Set.String], and
// which unwraps to err, so errors.Is and errors.As still work. It returns
// err itself when its text holds nothing to scrub, and nil for nil. A cause
// found with errors.As is the original: print the returned error, not the
// cause's fields.
func (s *Set) Err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := s.String(msg)
	if clean == msg {
		return err
	}
	return &scrubbedError{msg: clean, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// span is a byte range [start, end) of a text to replace.
type span struct{ start, end int }

// spans returns the sorted, merged ranges of text to replace; nil when
// there is none.
func (s *Set) spans(text string) []span {
	var out []span
	for _, n := range s.load() {
		if len(n) > len(text) {
			continue
		}
		for i := 0; ; {
			j := strings.Index(text[i:], n)
			if j < 0 {
				break
			}
			out = append(out, span{i + j, i + j + len(n)})
			// Step one byte, not len(n): a periodic secret may
			// overlap itself.
			i += j + 1
		}
	}
	out = s.structural(text, out)
	for k := range out {
		out[k] = fitEscapes(text, out[k])
	}
	if len(out) < 2 {
		return out
	}
	for i := 1; i < len(out); i++ { // by start: an insertion sort (few spans)
		for j := i; j > 0 && out[j].start < out[j-1].start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	merged := out[:1]
	for _, sp := range out[1:] {
		last := &merged[len(merged)-1]
		if sp.start <= last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// Clip shortens s to at most n bytes on a UTF-8 boundary and marks the cut
// with "…". Scrub before clip: a secret cut by Clip no longer matches, yet
// its first part is still there.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n < 0 {
		n = 0
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// Writer returns a writer that scrubs each Write with s before passing it
// on to w. It reports len(p) written when w took the whole scrubbed text.
// A secret split across two Writes is not recognised: write whole lines
// (each fmt.Fprintf is one Write).
func (s *Set) Writer(w io.Writer) io.Writer { return &writer{w: w, s: s} }

type writer struct {
	w io.Writer
	s *Set
}

func (w *writer) Write(p []byte) (int, error) {
	clean := w.s.Bytes(p)
	n, err := w.w.Write(clean)
	if err != nil {
		return min(n, len(p)), err
	}
	if n < len(clean) {
		return min(n, len(p)), io.ErrShortWrite
	}
	return len(p), nil
}
