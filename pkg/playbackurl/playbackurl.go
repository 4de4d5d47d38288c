// Package playbackurl owns the playback-url web action: a site's server
// (or its page, holding a viewer's token) asks for a file's playback URLs
// signed for one viewer, for a time, optionally bound to the viewer's IP.
// The URLs are the ones encoding-callback's file_complete carries (the
// adaptive URL and each rendition's), found the same way (pkg/callback:
// the file's status, its renditions, the channel) and signed with the
// same Global Edge token (PLAYBACK_TOKEN_*).
//
// Contract: GET ?file_id=…[&ttl=…][&ip=…] (or POST with the JSON body
// {"file_id","ttl","ip"}) with Authorization: Bearer <PLAYBACK_URL_TOKEN>;
// 200 {"file_id","playback":{"hls","dash"},"renditions":[…],"expires_at"}.
// Refusals are {"error"} with 401 (token), 400 (a field, named), 404
// (unknown file), 405 (method), 409 (not complete yet, or failed), 500
// (configuration), 502 (status API).
package playbackurl

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/webaction"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// Config is playback-url's configuration: encoding-callback's playback
// and signing parameters, and the token callers present.
//
// Note: it embeds all of callback.Config, so parameters playback-url
// never uses (CALLBACK_TOKEN, WEBHOOK_URL, WEBHOOK_SECRET, VERIFY_STATUS,
// …) decode as its own and raise no unknown-parameter warning when bound
// to it by mistake.
type Config struct {
	callback.Config
	// Token is what callers present as Authorization: Bearer <token>.
	Token signing.Secret `json:"PLAYBACK_URL_TOKEN"`
}

// Input is one authorized request.
type Input struct {
	FileID   string
	TTL      time.Duration // 0: PLAYBACK_TOKEN_TTL
	ViewerIP string
}

// Handler serves playback-url.
type Handler struct {
	now func() time.Time
	cb  *callback.Handler
}

// New returns a Handler whose tokens are signed at now() (nil: time.Now);
// opts are passed to the callback handler it reads files with (HTTP
// client, VOD Station client options).
func New(now func() time.Time, opts ...callback.Option) *Handler {
	if now == nil {
		now = time.Now
	}
	return &Handler{now: now, cb: callback.New(append([]callback.Option{callback.WithClock(now)}, opts...)...)}
}

// Action is playback-url's handler for package action.
func (h *Handler) Action() action.Handler[Config, Input, webaction.Response] {
	return action.Handler[Config, Input, webaction.Response]{Decode: h.decode, Run: h.run, Answer: answer}
}

// Answer is the 200 body.
type Answer struct {
	FileID     string              `json:"file_id"`
	Playback   *webhook.Playback   `json:"playback"`
	Renditions []webhook.Rendition `json:"renditions,omitempty"`
	ExpiresAt  string              `json:"expires_at"`
	Warnings   []string            `json:"warnings,omitempty"`
}

type refusal struct {
	status int
	msg    string
}

func (r *refusal) Error() string { return r.msg }

func refuse(status int, format string, args ...any) error {
	return &refusal{status: status, msg: fmt.Sprintf(format, args...)}
}

// answer turns a failure into an HTTP answer {"error"}.
func answer(ctx context.Context, err error) webaction.Response {
	status := http.StatusBadRequest
	var r *refusal
	var cr *callback.Refusal
	var ae *action.Error
	switch {
	case errors.As(err, &r):
		status = r.status
	case errors.As(err, &cr):
		status = cr.Status
	case errors.As(err, &ae) && ae.Code == action.CodeTooLarge:
		status = http.StatusRequestEntityTooLarge
	case errors.As(err, &ae) && ae.Code == action.CodeTimeout:
		status = http.StatusGatewayTimeout
	case errors.As(err, &ae) && ae.Code == action.CodeInternal:
		status = http.StatusInternalServerError
	case errors.As(err, &ae) && ae.Param != "" && action.IsConfigName(ae.Param) && strings.ToUpper(ae.Param) == ae.Param:
		status = http.StatusInternalServerError
	}
	action.LogAttrs(ctx, action.Int("status_code", status))
	resp := webaction.JSON(status, map[string]string{"error": err.Error()})
	if status == http.StatusUnauthorized {
		resp.Headers["WWW-Authenticate"] = "Bearer"
	}
	return resp
}

func (h *Handler) decode(p *action.Params) (Config, Input, error) {
	var cfg Config
	var in Input
	if err := p.DecodeConfig(&cfg); err != nil {
		return cfg, in, err
	}
	if cfg.Token.Empty() {
		return cfg, in, refuse(http.StatusInternalServerError, "PLAYBACK_URL_TOKEN is not set: playback-url refuses every request until it is")
	}
	req, err := webaction.ParseFields(p.Web)
	if err != nil {
		return cfg, in, refuse(http.StatusBadRequest, "%v", err)
	}
	if !req.Raw {
		return cfg, in, refuse(http.StatusInternalServerError,
			"playback-url must be deployed as a raw web action (web: raw): this request's query and body were merged into its parameters, so it is refused")
	}
	if !authorized(cfg.Token, req.Header("authorization")) {
		return cfg, in, refuse(http.StatusUnauthorized, "unauthorized: the request must carry PLAYBACK_URL_TOKEN as a bearer token (the Authorization header)")
	}
	var fields struct {
		FileID json.RawMessage `json:"file_id"`
		TTL    json.RawMessage `json:"ttl"`
		IP     string          `json:"ip"`
	}
	get := func(name string) string { return strings.TrimSpace(req.Query.Get(name)) }
	fileID, ttl, ip := get("file_id"), get("ttl"), get("ip")
	switch req.Method {
	case "", "get":
	case "post":
		if len(req.Body) > 0 {
			if err := json.Unmarshal(req.Body, &fields); err != nil {
				return cfg, in, refuse(http.StatusBadRequest, "body: want a JSON object {\"file_id\",\"ttl\",\"ip\"}")
			}
			fileID, ttl, ip = nonEmpty(text(fields.FileID), fileID), nonEmpty(text(fields.TTL), ttl), nonEmpty(strings.TrimSpace(fields.IP), ip)
		}
	default:
		return cfg, in, refuse(http.StatusMethodNotAllowed, "method %s not allowed: GET ?file_id=… or POST {\"file_id\"}", strings.ToUpper(req.Method))
	}
	if fileID == "" {
		return cfg, in, refuse(http.StatusBadRequest, "file_id is required (VOD Station's file id, as events name it)")
	}
	if _, err := strconv.ParseUint(fileID, 10, 63); err != nil {
		return cfg, in, refuse(http.StatusBadRequest, "file_id %q: want VOD Station's numeric file id", clip(fileID))
	}
	in.FileID = fileID
	if ttl != "" {
		d, err := parseTTL(ttl)
		if err != nil || d < callback.MinTokenTTL || d > callback.MaxTokenTTL {
			return cfg, in, refuse(http.StatusBadRequest, "ttl %q: want a duration from 1m to 720h (such as 2h) or seconds", clip(ttl))
		}
		in.TTL = d
	}
	if ip != "" {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return cfg, in, refuse(http.StatusBadRequest, "ip %q: want the viewer's IP address", clip(ip))
		}
		in.ViewerIP = a.String()
	}
	if err := cfg.Validate(); err != nil {
		return cfg, in, err
	}
	if _, ok := cfg.Signer(); !ok {
		return cfg, in, refuse(http.StatusInternalServerError, "PLAYBACK_TOKEN_KEY is not set: playback-url signs playback URLs with it")
	}
	return cfg, in, nil
}

func (h *Handler) run(ctx context.Context, cfg Config, in Input) (webaction.Response, error) {
	action.LogAttrs(ctx, action.String("file_id", in.FileID))
	sg, _ := cfg.Signer()
	if in.TTL > 0 {
		sg.TTL = in.TTL
	}
	fp, err := h.cb.FilePlayback(ctx, cfg.Config, in.FileID, &callback.Sign{Signer: sg, At: h.now(), ViewerIP: in.ViewerIP})
	if err != nil {
		return webaction.Response{}, err
	}
	redact.FromContext(ctx).Allow(fp.Public...)
	action.LogAttrs(ctx, action.Int("status_code", http.StatusOK))
	resp := webaction.JSON(http.StatusOK, Answer{FileID: in.FileID, Playback: fp.Playback, Renditions: fp.Renditions,
		ExpiresAt: fp.ExpiresAt.UTC().Format(time.RFC3339), Warnings: fp.Warnings})
	resp.Headers["Cache-Control"] = "no-store"
	return resp, nil
}

// authorized compares the bearer token with want in constant time (over
// SHA-256 digests, so lengths leak nothing either).
func authorized(want signing.Secret, header string) bool {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		tok = ""
	}
	w := sha256.Sum256([]byte(want.Reveal()))
	g := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(w[:], g[:]) == 1 && tok != ""
}

func parseTTL(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}

// text is a JSON string's or number's text.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(string(raw))
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func clip(s string) string { return redact.Clip(s, 64) }
