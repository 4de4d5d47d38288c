package callback

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/expiring"
	"github.com/vodflow/vodflow/pkg/notify"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webaction"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// TokenParam is the query parameter (or last path segment) that carries
// the callback token in the notification URL.
const TokenParam = "token"

// Config is encoding-callback's configuration.
type Config struct {
	// API is needed for VERIFY_STATUS, CHANNEL_ID and to judge
	// file_complete from the status API.
	config.API
	config.Notify
	// CallbackToken is the secret the notification URL must carry.
	CallbackToken signing.Secret `json:"CALLBACK_TOKEN"`
	// VerifyStatus confirms COMPLETE and FAILURE with the status API.
	VerifyStatus param.Bool `json:"VERIFY_STATUS"`
	// PlaybackDomain and EncryptedBucket build playback URLs directly;
	// ChannelID looks them up from the VOD Station channel instead.
	PlaybackDomain  param.String `json:"PLAYBACK_DOMAIN"`
	EncryptedBucket param.String `json:"ENCRYPTED_BUCKET_NAME"`
	ChannelID       param.String `json:"CHANNEL_ID"`
	// PlaybackProtocols is HLS and/or DASH (default: the channel's, else HLS).
	PlaybackProtocols param.List `json:"PLAYBACK_PROTOCOLS"`
	// PlaybackABR is the adaptive URL's form on file_complete: smil (the
	// default), smil-factored or none (see playback.ParseABR).
	PlaybackABR param.String `json:"PLAYBACK_ABR"`
	// PlaybackPoster names the poster on file_complete: auto (the default:
	// {basename}_01.jpg beside the outputs when the status API says the
	// category makes thumbnails), none, or a template (see playback.Poster).
	PlaybackPoster param.String `json:"PLAYBACK_POSTER"`
	// Signing signs every playback URL when PLAYBACK_TOKEN_KEY is set.
	Signing
	// BucketName is the upload bucket (BUCKET_NAME, optional), named on
	// events when the status API was not asked; the bucket the status API
	// gives wins.
	BucketName string `json:"BUCKET_NAME"`
}

// Input is one authenticated callback.
type Input struct {
	// Callback is the decoded body.
	Callback Callback
}

// Bounds of the per-container memories.
const (
	// MaxChannels bounds the channels kept.
	MaxChannels = 16
	// ChannelTTL is how long a channel's playback settings are reused.
	ChannelTTL = time.Hour
)

// Handler serves encoding-callback and keeps, for the life of a warm
// container, the API clients, the channels and the notifier.
type Handler struct {
	now      func() time.Time
	clients  *config.Clients
	notifier *notify.Notifier
	channels *expiring.Cache[string, vodstation.Channel]
}

// Option configures a Handler.
type Option func(*options)

type options struct {
	now        func() time.Time
	clientOpts []vodstation.Option
	senderOpts []webhook.SenderOption
}

// WithClock sets the clock used for cache expiry and status lookback.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithClientOptions passes options to every VOD Station client.
func WithClientOptions(opts ...vodstation.Option) Option {
	return func(o *options) { o.clientOpts = append(o.clientOpts, opts...) }
}

// WithHTTPClient makes every VOD Station client send through hc.
func WithHTTPClient(hc *http.Client) Option {
	return WithClientOptions(vodstation.WithHTTPClient(hc))
}

// WithWebhookOptions passes options to every webhook sender.
func WithWebhookOptions(opts ...webhook.SenderOption) Option {
	return func(o *options) { o.senderOpts = append(o.senderOpts, opts...) }
}

// New returns a Handler with empty caches.
func New(opts ...Option) *Handler {
	o := options{now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	return &Handler{
		now:      o.now,
		clients:  config.NewClients(o.clientOpts...),
		notifier: notify.New(o.now, o.senderOpts...),
		channels: expiring.New[string, vodstation.Channel](MaxChannels, o.now),
	}
}

// Action is encoding-callback's handler for package action: a web action
// that authenticates the caller by CALLBACK_TOKEN, decodes the callback,
// optionally confirms it with the status API, and sends the signed events
// it implies: encoding_started, rendition_complete (with playback URLs),
// file_complete (once every rendition is COMPLETE, judged from the status
// API) and encoding_failed. Every outcome is an HTTP answer: 401 for a
// wrong token, 400 for a bad callback, 405 for a method other than POST or
// PUT, 409 for a callback the status API contradicts, 500 for a
// configuration error or a request that is not raw HTTP, 502 when the
// status API cannot confirm, 200 otherwise (a failed delivery is logged
// and reported in the answer, never fatal).
func (h *Handler) Action() action.Handler[Config, Input, webaction.Response] {
	return action.Handler[Config, Input, webaction.Response]{Decode: h.decode, Run: h.run, Answer: answer}
}

// answerBody is the JSON body of every answer.
type answerBody struct {
	OK       bool              `json:"ok"`
	Error    string            `json:"error,omitempty"`
	FileID   string            `json:"file_id,omitempty"`
	Status   string            `json:"status,omitempty"`
	Events   []answerEvent     `json:"events,omitempty"`
	Playback *webhook.Playback `json:"playback,omitempty"`
	Notified *notify.Result    `json:"notified,omitempty"`
	Warnings []string          `json:"warnings,omitempty"`
}

type answerEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Refusal is a request the action refuses, with the HTTP status to answer.
type Refusal struct {
	// Status is the HTTP status.
	Status int
	// Message says why.
	Message string
	// FileID and CallbackStatus name the callback, when it was decoded.
	FileID, CallbackStatus string
}

// Error implements error.
func (r *Refusal) Error() string { return r.Message }

func refuse(status int, format string, args ...any) *Refusal {
	return &Refusal{Status: status, Message: fmt.Sprintf(format, args...)}
}

// answer turns a failure into the HTTP answer.
func answer(ctx context.Context, err error) webaction.Response {
	body := answerBody{Error: err.Error()}
	status := http.StatusBadRequest
	var r *Refusal
	var ae *action.Error
	switch {
	case errors.As(err, &r):
		status, body.FileID, body.Status = r.Status, r.FileID, r.CallbackStatus
	case errors.As(err, &ae) && ae.Code == action.CodeTooLarge:
		status = http.StatusRequestEntityTooLarge
	case errors.As(err, &ae) && ae.Code == action.CodeTimeout:
		status = http.StatusGatewayTimeout
	case errors.As(err, &ae) && ae.Code == action.CodeInternal:
		status = http.StatusInternalServerError
	case isConfigError(err):
		status = http.StatusInternalServerError
	}
	action.LogAttrs(ctx, action.Int("status_code", status))
	return webaction.JSON(status, body)
}

// isConfigError reports whether a configuration parameter (upper case, set
// at deploy time) is at fault, as opposed to anything the request sent.
func isConfigError(err error) bool {
	var ae *action.Error
	return errors.As(err, &ae) && ae.Param != "" && action.IsConfigName(ae.Param) &&
		strings.IndexFunc(ae.Param, unicode.IsLetter) >= 0
}

// decode refuses, before any call or event, what must not be served: a
// request that is not raw HTTP, an unset or wrong token, a method other
// than POST/PUT, a bad body, a bad configuration.
func (h *Handler) decode(p *action.Params) (Config, Input, error) {
	var cfg Config
	var in Input
	if err := p.DecodeConfig(&cfg); err != nil {
		return cfg, in, err
	}
	if cfg.CallbackToken.Empty() {
		return cfg, in, action.Missing("CALLBACK_TOKEN (the action refuses every callback until it is set)")
	}
	req, err := webaction.ParseFields(p.Web)
	if err != nil {
		return cfg, in, action.Invalid(fieldOf(err), "%s", reasonOf(err))
	}
	if !req.Raw {
		// The platform merged the query and body into the parameters: a
		// caller could then set CALLBACK_TOKEN, WEBHOOK_URL or API_URL.
		return cfg, in, refuse(http.StatusInternalServerError,
			"encoding-callback must be deployed as a raw web action (web: raw; raw-http true): this request's query and body were merged into its parameters, so it is refused")
	}
	if !authorized(cfg.CallbackToken, presentedTokens(req)) {
		return cfg, in, refuse(http.StatusUnauthorized, "unauthorized: the callback URL must carry the right token")
	}
	if m := req.Method; m != "" && m != "post" && m != "put" {
		return cfg, in, refuse(http.StatusMethodNotAllowed, "method %s not allowed: VOD Station POSTs callbacks", strings.ToUpper(m))
	}
	if in.Callback, err = DecodeCallback(req.Body); err != nil {
		return cfg, in, err
	}
	if err := h.notifier.Check(&cfg.Notify); err != nil {
		return cfg, in, err
	}
	if err := cfg.validate(); err != nil {
		return cfg, in, err
	}
	return cfg, in, nil
}

func fieldOf(err error) string {
	var fe *webaction.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return "request"
}

func reasonOf(err error) string {
	var fe *webaction.FieldError
	if errors.As(err, &fe) {
		return fe.Reason
	}
	return err.Error()
}

// presentedTokens are the places a caller may put the token: ?token=, the
// last path segment, or an X-Callback-Token header.
func presentedTokens(req webaction.Request) []string {
	out := append([]string(nil), req.Query[TokenParam]...)
	if segs := strings.Split(strings.Trim(req.Path, "/"), "/"); segs[len(segs)-1] != "" {
		out = append(out, segs[len(segs)-1])
	}
	if t := req.Header("x-callback-token"); t != "" {
		out = append(out, t)
	}
	return out
}

// authorized compares every presented token with the expected one in
// constant time (over SHA-256 digests, so lengths leak nothing either).
func authorized(want signing.Secret, presented []string) bool {
	w := sha256.Sum256([]byte(want.Reveal()))
	ok := 0
	for _, t := range presented {
		g := sha256.Sum256([]byte(t))
		ok |= subtle.ConstantTimeCompare(w[:], g[:])
	}
	return ok == 1
}

// validate checks the parameters beyond the token and notifications.
func (c *Config) validate() error {
	needAPI := ""
	switch {
	case bool(c.VerifyStatus):
		needAPI = "VERIFY_STATUS"
	case c.ChannelID != "" && (c.PlaybackDomain == "" || c.EncryptedBucket == ""):
		needAPI = "CHANNEL_ID"
	}
	if err := c.API.Validate(); err != nil && needAPI != "" {
		return fmt.Errorf("%s needs the VOD Station API: %w", needAPI, err)
	}
	if c.PlaybackDomain != "" && c.EncryptedBucket == "" && c.ChannelID == "" {
		return action.Missing("ENCRYPTED_BUCKET_NAME (PLAYBACK_DOMAIN is set; or set CHANNEL_ID)")
	}
	if c.EncryptedBucket != "" && c.PlaybackDomain == "" && c.ChannelID == "" {
		return action.Missing("PLAYBACK_DOMAIN (ENCRYPTED_BUCKET_NAME is set; or set CHANNEL_ID)")
	}
	for _, proto := range c.PlaybackProtocols.Items {
		if u := strings.ToUpper(strings.TrimSpace(proto)); u != "HLS" && u != "DASH" {
			return action.Invalid("PLAYBACK_PROTOCOLS", "got %q, want HLS and/or DASH", proto)
		}
	}
	abr, err := playback.ParseABR(string(c.PlaybackABR))
	if err != nil {
		return action.Invalid("PLAYBACK_ABR", "got %q, want smil, smil-factored or none", string(c.PlaybackABR))
	}
	c.PlaybackABR = param.String(abr)
	switch p := strings.TrimSpace(string(c.PlaybackPoster)); {
	case p == "" || strings.EqualFold(p, PosterAuto):
		c.PlaybackPoster = PosterAuto
	case strings.EqualFold(p, PosterNone):
		c.PlaybackPoster = PosterNone
	case !strings.Contains(p, "{basename}"):
		return action.Invalid("PLAYBACK_POSTER", "got %q, want auto, none, or a name with {basename} such as %s", p, playback.DefaultPoster)
	case !strings.Contains(p, "://") && strings.Contains(p, "/"):
		return action.Invalid("PLAYBACK_POSTER", "got %q: a file name beside the outputs, or a whole URL such as https://host/{dir}/%s", p, playback.DefaultPoster)
	default:
		c.PlaybackPoster = param.String(p)
	}
	c.BucketName = strings.TrimSpace(c.BucketName)
	return c.Signing.Validate()
}

// run gathers the facts, decides, and sends the events.
func (h *Handler) run(ctx context.Context, cfg Config, in Input) (webaction.Response, error) {
	cb := in.Callback
	action.LogAttrs(ctx, action.String("file_id", string(cb.FileID)), action.String("status", cb.Status),
		action.String("rendition", cb.rendition()))
	g := gather{h: h, cfg: cfg, facts: Facts{Callback: cb, Bucket: cfg.BucketName,
		ABR: string(cfg.PlaybackABR), Poster: string(cfg.PlaybackPoster)}}
	if sg, ok := cfg.Signer(); ok {
		g.facts.Sign = &Sign{Signer: sg, At: h.now()}
	}
	failed := cb.Status == StatusFailure || cb.Status == StatusCanceled
	if bool(cfg.VerifyStatus) && (cb.Status == StatusComplete || failed) {
		if err := g.verify(ctx); err != nil {
			return webaction.Response{}, err
		}
	}
	switch {
	case cb.Status == StatusComplete:
		g.complete(ctx)
	case failed:
		g.failure(ctx)
	}
	d := Decide(g.facts)
	// The signed URLs are for viewers: the scrubber keeps their tokens
	// (the key is never in them, and stays a known secret).
	redact.FromContext(ctx).Allow(d.Public...)
	body := answerBody{OK: true, FileID: string(cb.FileID), Status: cb.Status, Playback: d.Playback, Warnings: d.Warnings}
	for _, ev := range d.Events {
		body.Events = append(body.Events, answerEvent{ID: ev.ID, Type: ev.Type})
	}
	if cfg.Notify.Enabled() && len(d.Events) > 0 {
		n := h.notifier.Send(ctx, cfg.Notify, d.Events...)
		body.Notified = &n
	}
	for _, w := range d.Warnings {
		action.LogAttrs(ctx, action.String("warning", w))
	}
	action.LogAttrs(ctx, action.Int("status_code", http.StatusOK))
	return webaction.JSON(http.StatusOK, body), nil
}
