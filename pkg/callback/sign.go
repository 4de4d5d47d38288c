package callback

import (
	"strconv"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// Bounds of PLAYBACK_TOKEN_TTL.
const (
	MinTokenTTL = time.Minute
	MaxTokenTTL = 30 * 24 * time.Hour
)

// Signing holds the playback-signing parameters: when PLAYBACK_TOKEN_KEY
// is set, every playback URL is signed for Global Edge.
type Signing struct {
	// TokenKey is the Global Edge token key: hex digits for a Secure
	// Token, the secret for a JWT. Empty: URLs are not signed.
	TokenKey signing.Secret `json:"PLAYBACK_TOKEN_KEY"`
	// TokenName is the token's query parameter (and cookie) name, as set
	// in the Global Edge console; default "token" (Secure Token) or
	// "globaledgejwt" (JWT), NCP's examples.
	TokenName param.String `json:"PLAYBACK_TOKEN_NAME"`
	// TokenTTL is how long a token is valid: a Go duration ("6h", "90m")
	// or a number of seconds; default 6h.
	TokenTTL param.String `json:"PLAYBACK_TOKEN_TTL"`
	// TokenType is securetoken (the default) or jwt.
	TokenType param.String `json:"PLAYBACK_TOKEN_TYPE"`

	signer *edgetoken.Signer
}

// Validate checks the signing parameters, each error naming its field,
// and makes the Signer once.
func (s *Signing) Validate() error {
	typ, err := edgetoken.ParseType(string(s.TokenType))
	if err != nil {
		return action.Invalid("PLAYBACK_TOKEN_TYPE", "got %q, want %s or %s", string(s.TokenType), edgetoken.TypeSecureToken, edgetoken.TypeJWT)
	}
	ttl := edgetoken.DefaultTTL
	if v := strings.TrimSpace(string(s.TokenTTL)); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			ttl = time.Duration(n) * time.Second
		} else if ttl, err = time.ParseDuration(v); err != nil {
			return action.Invalid("PLAYBACK_TOKEN_TTL", "got %q, want a duration such as 6h or 90m, or seconds", v)
		}
		if ttl < MinTokenTTL || ttl > MaxTokenTTL {
			return action.Invalid("PLAYBACK_TOKEN_TTL", "got %q, want from %s to %s", v, MinTokenTTL, "720h")
		}
	}
	if s.TokenKey.Empty() {
		s.signer = nil
		return nil
	}
	name := strings.TrimSpace(string(s.TokenName))
	sg, err := edgetoken.NewSigner(typ, s.TokenKey.Reveal(), name, ttl)
	switch {
	case err != nil && name != "" && !validTokenName(name):
		return action.Invalid("PLAYBACK_TOKEN_NAME", "got %q, want letters, digits, '-', '_' or '.'", name)
	case err != nil && typ == edgetoken.TypeSecureToken:
		// The key's value is never quoted.
		return action.Invalid("PLAYBACK_TOKEN_KEY", "a Secure Token key is an even number of hex digits, as the Global Edge console issues it")
	case err != nil:
		return action.Invalid("PLAYBACK_TOKEN_KEY", "cannot be used: %s", strings.TrimPrefix(err.Error(), "edgetoken: "))
	}
	s.signer = &sg
	return nil
}

func validTokenName(n string) bool {
	_, err := edgetoken.NewSigner(edgetoken.TypeJWT, "x", n, time.Hour)
	return err == nil
}

// Signer returns the Signer, false when PLAYBACK_TOKEN_KEY is not set
// (or Validate has not run).
func (s Signing) Signer() (edgetoken.Signer, bool) {
	if s.signer == nil {
		return edgetoken.Signer{}, false
	}
	return *s.signer, true
}

// Sign is how the playback URLs of one decision are signed: the facts a
// signature rests on, so that Decide stays pure.
type Sign struct {
	// Signer makes the tokens.
	Signer edgetoken.Signer
	// At is the signing time: tokens expire at At + Signer.TTL.
	At time.Time
	// ViewerIP, when not "", binds every token to that address.
	ViewerIP string
}

// sign replaces each URL of p by its signed form; a URL that cannot be
// signed is dropped with a warning (an unsigned URL would not play).
func (d *Decision) sign(p *webhook.Playback) {
	if d.signing == nil || p == nil {
		return
	}
	for _, u := range []*string{&p.HLS, &p.DASH} {
		if *u == "" {
			continue
		}
		// One failure path for both steps: a URL playback.Config built
		// always has a scope, so Scope failing is a guard no input of
		// Decide reaches, and a branch of its own could not be tested.
		var signed, tok string
		var exp time.Time
		scope, err := playback.Scope(*u)
		if err == nil {
			signed, tok, exp, err = d.signing.Signer.SignURL(*u, scope, d.signing.At, d.signing.ViewerIP)
		}
		if err != nil {
			d.warn("playback URL dropped: cannot be signed: %v", err)
			*u = ""
			continue
		}
		*u = signed
		d.Public = append(d.Public, tok)
		d.ExpiresAt = exp
	}
}
