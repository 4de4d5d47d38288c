package edgetoken

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Claims are the claims of a Global Edge JWT, in NCP's order.
type Claims struct {
	// Path is the path pattern the token is for ('*' allowed). Required.
	Path string `json:"path"`
	// Exp is the expiry (Unix seconds), 0 for none.
	Exp int64 `json:"exp,omitempty"`
	// Nbf is the start (Unix seconds), 0 for none.
	Nbf int64 `json:"nbf,omitempty"`
	// CIP is the client IP or CIDR the token is bound to, "" for any.
	CIP string `json:"cip,omitempty"`
}

// jwtHeader is the only header Global Edge accepts, as NCP writes it:
// compact JSON, alg before typ.
const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

var b64 = base64.RawURLEncoding

// JWT returns the HS256 JWT of c signed with key (the secret's bytes).
func JWT(key []byte, c Claims) (string, error) {
	if len(key) == 0 {
		return "", errors.New("edgetoken: key is empty")
	}
	if c.Path == "" {
		return "", errors.New("edgetoken: the path claim is required")
	}
	if c.CIP != "" {
		if _, err := parseCIP(c.CIP); err != nil {
			return "", err
		}
	}
	// Compact JSON as NCP shows it, without Go's HTML escaping of <, >, &.
	var payload bytes.Buffer
	enc := json.NewEncoder(&payload)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return "", fmt.Errorf("edgetoken: %w", err)
	}
	signed := b64.EncodeToString([]byte(jwtHeader)) + "." + b64.EncodeToString(bytes.TrimSuffix(payload.Bytes(), []byte("\n")))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signed))
	return signed + "." + b64.EncodeToString(mac.Sum(nil)), nil
}

// parseCIP reads a cip claim: a CIDR, or one address.
func parseCIP(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("edgetoken: cip %q is not an IP or CIDR", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("edgetoken: cip %q is not an IP or CIDR", s)
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// VerifyJWT checks a JWT as Global Edge does with key: the header is HS256
// JWT, the signature matches, exp has not passed, nbf has come, the
// client IP is within cip, and path matches r.Path. The error wraps one of
// the sentinel errors.
func VerifyJWT(key []byte, token string, r Request) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fmt.Errorf("edgetoken: %w: a JWT has three parts", ErrMalformed)
	}
	head, err := b64.DecodeString(parts[0])
	if err != nil {
		return fmt.Errorf("edgetoken: %w: header is not base64url", ErrMalformed)
	}
	var h struct{ Alg, Typ string }
	if json.Unmarshal(head, &h) != nil || h.Alg != "HS256" || (h.Typ != "" && h.Typ != "JWT") {
		return fmt.Errorf("edgetoken: %w: header must be HS256 JWT", ErrMalformed)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("edgetoken: %w: signature is not base64url", ErrMalformed)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return fmt.Errorf("edgetoken: %w", ErrSignature)
	}
	raw, err := b64.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("edgetoken: %w: payload is not base64url", ErrMalformed)
	}
	var c Claims
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&c); err != nil {
		return fmt.Errorf("edgetoken: %w: payload: %v", ErrMalformed, err)
	}
	now := r.Now.Unix()
	switch {
	case c.Path == "":
		return fmt.Errorf("edgetoken: %w: no path claim", ErrMalformed)
	case c.Exp != 0 && now >= c.Exp:
		return fmt.Errorf("edgetoken: %w at %s", ErrExpired, time.Unix(c.Exp, 0).UTC().Format(time.RFC3339))
	case c.Nbf != 0 && now < c.Nbf:
		return fmt.Errorf("edgetoken: %w before %s", ErrNotYet, time.Unix(c.Nbf, 0).UTC().Format(time.RFC3339))
	}
	if c.CIP != "" {
		p, err := parseCIP(c.CIP)
		if err != nil {
			return fmt.Errorf("edgetoken: %w: %v", ErrMalformed, err)
		}
		a, err := netip.ParseAddr(r.ClientIP)
		if err != nil || !p.Contains(a.Unmap()) {
			return fmt.Errorf("edgetoken: %w", ErrIP)
		}
	}
	if !Match(c.Path, r.Path) {
		return fmt.Errorf("edgetoken: %w %s (path %s)", ErrPath, r.Path, c.Path)
	}
	return nil
}
