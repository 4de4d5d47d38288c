package edgetoken

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Token types a Signer makes, the values of PLAYBACK_TOKEN_TYPE.
const (
	TypeSecureToken = "securetoken"
	TypeJWT         = "jwt"
)

// Default token names. NCP's Secure Token example names the token "token"
// (guide.ncloud-docs.com/docs/en/globaledge-signedurl; EdgeAuth's own
// default is "__token__"); its JWT example names it "globaledgejwt"
// (guide.ncloud-docs.com/docs/en/globaledge-jwt). Both are set in the
// Global Edge console and must match it.
const (
	DefaultSecureTokenName = "token"
	DefaultJWTName         = "globaledgejwt"
)

// DefaultTTL is how long a token made without a TTL is valid.
const DefaultTTL = 6 * time.Hour

// ParseType checks a token type ("" is TypeSecureToken, any case).
func ParseType(s string) (string, error) {
	switch t := strings.ToLower(strings.TrimSpace(s)); t {
	case "", TypeSecureToken:
		return TypeSecureToken, nil
	case TypeJWT:
		return TypeJWT, nil
	}
	return "", fmt.Errorf("edgetoken: token type %q: want %s or %s", s, TypeSecureToken, TypeJWT)
}

// Signer signs playback URLs for Global Edge.
type Signer struct {
	// Type is TypeSecureToken or TypeJWT.
	Type string
	// Key is the raw key: the hex-decoded Secure Token key, or the JWT
	// secret's bytes.
	Key []byte
	// Name is the query parameter (and cookie) name of the token.
	Name string
	// TTL is how long a token is valid.
	TTL time.Duration
}

// NewSigner returns the Signer for a token type, a key as the Global Edge
// console shows it (hex for a Secure Token, the secret itself for a JWT),
// a token name ("" for the type's default) and a TTL (0 for DefaultTTL).
func NewSigner(typ, key, name string, ttl time.Duration) (Signer, error) {
	t, err := ParseType(typ)
	if err != nil {
		return Signer{}, err
	}
	s := Signer{Type: t, Name: strings.TrimSpace(name), TTL: ttl}
	if t == TypeSecureToken {
		if s.Key, err = ParseHexKey(key); err != nil {
			return Signer{}, err
		}
	} else {
		if key == "" {
			return Signer{}, errors.New("edgetoken: key is empty")
		}
		s.Key = []byte(key)
	}
	if s.Name == "" {
		s.Name = DefaultName(t)
	}
	if !validName(s.Name) {
		return Signer{}, fmt.Errorf("edgetoken: token name %q: want letters, digits, '-', '_' or '.'", name)
	}
	if s.TTL == 0 {
		s.TTL = DefaultTTL
	}
	if s.TTL < time.Second {
		return Signer{}, fmt.Errorf("edgetoken: TTL %s: want at least 1s", ttl)
	}
	return s, nil
}

// String describes s without its key: fmt's %v, %+v and %s of a Signer
// (or of a struct holding one) never show the key.
func (s Signer) String() string {
	return fmt.Sprintf("edgetoken.Signer{%s %s ttl %s, key [redacted]}", s.Type, s.Name, s.TTL)
}

// GoString is String, for %#v.
func (s Signer) GoString() string { return s.String() }

// DefaultName is the default token name of a type.
func DefaultName(typ string) string {
	if typ == TypeJWT {
		return DefaultJWTName
	}
	return DefaultSecureTokenName
}

func validName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Token returns a token for the path pattern scope, valid from at for the
// Signer's TTL, bound to viewerIP when it is not "" (an IP address; for a
// JWT a CIDR too), and its expiry. No start (st, nbf) is written: a
// token is then valid at once even on an edge whose clock is behind.
func (s Signer) Token(scope string, at time.Time, viewerIP string) (string, time.Time, error) {
	exp := at.Add(s.TTL).Truncate(time.Second)
	if viewerIP != "" {
		if err := checkIP(s.Type, viewerIP); err != nil {
			return "", time.Time{}, err
		}
	}
	var tok string
	var err error
	if s.Type == TypeJWT {
		tok, err = JWT(s.Key, Claims{Path: scope, Exp: exp.Unix(), CIP: viewerIP})
	} else {
		tok, err = SecureToken(s.Key, Token{ACL: []string{scope}, End: exp, IP: viewerIP})
	}
	return tok, exp, err
}

// checkIP accepts an IP address, and for a JWT a CIDR.
func checkIP(typ, ip string) error {
	if _, err := netip.ParseAddr(ip); err == nil {
		return nil
	}
	if typ == TypeJWT {
		if _, err := netip.ParsePrefix(ip); err == nil {
			return nil
		}
		return fmt.Errorf("edgetoken: viewer IP %q is not an IP address or CIDR", ip)
	}
	return fmt.Errorf("edgetoken: viewer IP %q is not an IP address", ip)
}

// SignURL returns rawURL with the token for scope appended as the query
// parameter Name, the token itself, and its expiry. The token is written
// as is, as EdgeAuth's examples do (an edge hashes the token it receives,
// which is why EdgeAuth escapes fields "early"): a scope's percent-escapes
// stay as they are. A token holding a byte that cannot stand raw in a
// query value (never one made for a playback.Scope) is query-escaped.
func (s Signer) SignURL(rawURL, scope string, at time.Time, viewerIP string) (signed, token string, exp time.Time, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("edgetoken: URL: %w", err)
	}
	token, exp, err = s.Token(scope, at, viewerIP)
	if err != nil {
		return "", "", time.Time{}, err
	}
	v := token
	if !querySafe(v) {
		v = url.QueryEscape(v)
	}
	pair := s.Name + "=" + v
	if u.RawQuery != "" {
		u.RawQuery += "&" + pair
	} else {
		u.RawQuery = pair
	}
	return u.String(), token, exp, nil
}

// querySafe reports whether s can stand raw in a query value.
func querySafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/*=:!,%", c) >= 0) {
			return false
		}
	}
	return true
}

// FromRequest returns the token a viewer's request carries under name, as
// sent (not decoded: the token is hashed as the viewer sent it): the query
// parameter, else the cookie; "" when there is none. rawQuery is the raw
// query string, cookies the Cookie header's value.
func FromRequest(name, rawQuery, cookies string) string {
	for _, kv := range strings.Split(rawQuery, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name && v != "" {
			return v
		}
	}
	for _, c := range strings.Split(cookies, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(c), "=")
		if ok && k == name && v != "" {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// Verify checks a token as the Signer's edge would (see VerifySecureToken
// and VerifyJWT).
func (s Signer) Verify(token string, r Request) error {
	if s.Type == TypeJWT {
		return VerifyJWT(s.Key, token, r)
	}
	return VerifySecureToken(s.Key, "", token, r)
}
