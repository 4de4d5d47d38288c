package edgetoken

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Delimiters of a Secure Token, EdgeAuth's defaults.
const (
	// FieldDelimiter separates a token's fields.
	FieldDelimiter = "~"
	// ACLDelimiter separates the path patterns of one "acl=" field.
	ACLDelimiter = "!"
)

// Token is what a Secure Token grants. Exactly one of ACL and URL is set.
type Token struct {
	// ACL are path patterns; '*' matches any run of characters, '/'
	// included. They are written as given (EdgeAuth never escapes them).
	ACL []string
	// URL is the one path a URL token is for (hashed, not written in the
	// token: the edge hashes the path it is asked for).
	URL string
	// Start is "st", when not zero: the token is refused before it.
	Start time.Time
	// End is "exp": the token is refused from then on. Required.
	End time.Time
	// IP, SessionID ("id") and Payload ("data") are optional fields.
	IP, SessionID, Payload string
	// Salt is hashed but not written (EdgeAuth's salt).
	Salt string
	// Algorithm is "sha256" (the default, also for ""), "sha1" or "md5".
	Algorithm string
	// EscapeEarly escapes ip, id, data and url as EdgeAuth's escape_early
	// does: query-escaped ('+' for a space), with lower-case %xx.
	EscapeEarly bool
}

// Sentinel errors a verification wraps; the error says more.
var (
	// ErrMalformed: the token is not a Secure Token or not a JWT.
	ErrMalformed = errors.New("malformed token")
	// ErrSignature: the HMAC does not match (tampered, or another key).
	ErrSignature = errors.New("signature does not match")
	// ErrExpired: the token's expiry has passed.
	ErrExpired = errors.New("token expired")
	// ErrNotYet: the token's start (st, nbf) has not come.
	ErrNotYet = errors.New("token not valid yet")
	// ErrPath: the token does not cover the requested path.
	ErrPath = errors.New("token does not cover this path")
	// ErrIP: the token is bound to another client IP.
	ErrIP = errors.New("token is bound to another client IP")
)

// ParseHexKey decodes a Secure Token key: an even number of hex digits,
// as EdgeAuth requires (NCP's console issues it in that form).
func ParseHexKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("edgetoken: key is empty")
	}
	if len(s)%2 != 0 {
		return nil, errors.New("edgetoken: key must be an even number of hex digits")
	}
	k, err := hex.DecodeString(s)
	if err != nil {
		return nil, errors.New("edgetoken: key must be hex digits (0-9, a-f)")
	}
	return k, nil
}

func newHash(alg string) (func() hash.Hash, error) {
	switch strings.ToLower(alg) {
	case "", "sha256":
		return sha256.New, nil
	case "sha1":
		return sha1.New, nil
	case "md5":
		return md5.New, nil
	}
	return nil, fmt.Errorf("edgetoken: unknown algorithm %q: want sha256, sha1 or md5", alg)
}

// escapeEarly is EdgeAuth's escape_early: Python's quote_plus with the
// %xx lower-cased.
func escapeEarly(s string) string {
	q := url.QueryEscape(s)
	if !strings.Contains(q, "%") {
		return q
	}
	b := []byte(q)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// SecureToken returns the Secure Token for t signed with key (the raw key,
// see ParseHexKey), in EdgeAuth's field order:
// ip, st, exp, acl, id, data, hmac.
func SecureToken(key []byte, t Token) (string, error) {
	switch {
	case len(key) == 0:
		return "", errors.New("edgetoken: key is empty")
	case (len(t.ACL) == 0) == (t.URL == ""):
		return "", errors.New("edgetoken: give either an ACL or a URL")
	case t.End.IsZero() || t.End.Unix() <= 0:
		return "", errors.New("edgetoken: an expiry is required")
	case !t.Start.IsZero() && !t.End.After(t.Start):
		return "", errors.New("edgetoken: the token would have expired already")
	}
	for _, a := range t.ACL {
		if a == "" || strings.ContainsAny(a, FieldDelimiter+ACLDelimiter) {
			return "", fmt.Errorf("edgetoken: ACL %q: want a non-empty path without '~' or '!'", a)
		}
	}
	h, err := newHash(t.Algorithm)
	if err != nil {
		return "", err
	}
	esc := func(s string) string {
		if t.EscapeEarly {
			return escapeEarly(s)
		}
		return s
	}
	var fields []string
	if t.IP != "" {
		fields = append(fields, "ip="+esc(t.IP))
	}
	if !t.Start.IsZero() {
		fields = append(fields, "st="+strconv.FormatInt(t.Start.Unix(), 10))
	}
	fields = append(fields, "exp="+strconv.FormatInt(t.End.Unix(), 10))
	if len(t.ACL) > 0 {
		fields = append(fields, "acl="+strings.Join(t.ACL, ACLDelimiter))
	}
	if t.SessionID != "" {
		fields = append(fields, "id="+esc(t.SessionID))
	}
	if t.Payload != "" {
		fields = append(fields, "data="+esc(t.Payload))
	}
	source := fields
	if t.URL != "" {
		source = append(source[:len(source):len(source)], "url="+esc(t.URL))
	}
	if t.Salt != "" {
		source = append(source[:len(source):len(source)], "salt="+t.Salt)
	}
	mac := hmac.New(h, key)
	mac.Write([]byte(strings.Join(source, FieldDelimiter)))
	return strings.Join(append(fields, "hmac="+hex.EncodeToString(mac.Sum(nil))), FieldDelimiter), nil
}

// Request is what an edge knows of a request when it checks its token.
type Request struct {
	// Path is the request's path as sent (percent-encoded).
	Path string
	// ClientIP is the viewer's address.
	ClientIP string
	// Now is the edge's clock.
	Now time.Time
}

// VerifySecureToken checks a Secure Token as an edge configured with key
// (raw) and algorithm ("" is sha256) does: the HMAC over the fields before
// "hmac=", then exp, st, ip, and acl (any of its patterns matches
// r.Path) or, for a URL token, the request path hashed as "url=". The
// error wraps one of the sentinel errors.
func VerifySecureToken(key []byte, algorithm, token string, r Request) error {
	h, err := newHash(algorithm)
	if err != nil {
		return err
	}
	body, sig, ok := strings.Cut(token, FieldDelimiter+"hmac=")
	if !ok || sig == "" || strings.Contains(sig, FieldDelimiter) {
		return fmt.Errorf("edgetoken: %w: no hmac= field at the end", ErrMalformed)
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return fmt.Errorf("edgetoken: %w: hmac is not hex", ErrMalformed)
	}
	f := map[string]string{}
	for _, kv := range strings.Split(body, FieldDelimiter) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("edgetoken: %w: field %q has no '='", ErrMalformed, kv)
		}
		if _, dup := f[k]; dup {
			return fmt.Errorf("edgetoken: %w: field %s twice", ErrMalformed, k)
		}
		f[k] = v
	}
	source := body
	acl, isACL := f["acl"]
	if !isACL {
		source += FieldDelimiter + "url=" + r.Path
	}
	mac := hmac.New(h, key)
	mac.Write([]byte(source))
	if subtle.ConstantTimeCompare(mac.Sum(nil), got) != 1 {
		return fmt.Errorf("edgetoken: %w", ErrSignature)
	}
	exp, err := strconv.ParseInt(f["exp"], 10, 64)
	if err != nil {
		return fmt.Errorf("edgetoken: %w: exp %q", ErrMalformed, f["exp"])
	}
	if r.Now.Unix() >= exp {
		return fmt.Errorf("edgetoken: %w at %s", ErrExpired, time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	if st, ok := f["st"]; ok {
		n, err := strconv.ParseInt(st, 10, 64)
		if err != nil {
			return fmt.Errorf("edgetoken: %w: st %q", ErrMalformed, st)
		}
		if r.Now.Unix() < n {
			return fmt.Errorf("edgetoken: %w before %s", ErrNotYet, time.Unix(n, 0).UTC().Format(time.RFC3339))
		}
	}
	if ip, ok := f["ip"]; ok {
		if u, err := url.QueryUnescape(ip); err == nil {
			ip = u
		}
		if ip != r.ClientIP {
			return fmt.Errorf("edgetoken: %w", ErrIP)
		}
	}
	if isACL {
		for _, pat := range strings.Split(acl, ACLDelimiter) {
			if Match(pat, r.Path) {
				return nil
			}
		}
		return fmt.Errorf("edgetoken: %w %s (acl %s)", ErrPath, r.Path, acl)
	}
	return nil
}

// Match reports whether path matches pattern, where '*' matches any run of
// characters, '/' included, and every other byte matches itself.
func Match(pattern, path string) bool {
	// Iterative glob with backtracking to the last '*'.
	p, s, star, mark := 0, 0, -1, 0
	for s < len(path) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, s
			p++
		case p < len(pattern) && pattern[p] == path[s]:
			p++
			s++
		case star >= 0:
			p = star + 1
			mark++
			s = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
