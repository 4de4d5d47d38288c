package pipeline

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webaction"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// TokenParam is the query parameter (or last path segment) that carries
// the callback token in the notification URL.
const TokenParam = "token"

// CallbackParams are encoding-callback's parameters.
type CallbackParams struct {
	// APIParams are needed for VERIFY_STATUS, CHANNEL_ID and to judge
	// file_complete from the status API.
	APIParams
	NotifyParams
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
	// Token is the token when the platform merged the query into the
	// parameters.
	Token param.String `json:"token"`
}

// CallbackInput is encoding-callback's input: the web action's parameters,
// kept raw so that every problem becomes an HTTP answer, never an error
// result.
type CallbackInput struct{ raw []byte }

// UnmarshalJSON keeps the parameters for the handler.
func (in *CallbackInput) UnmarshalJSON(b []byte) error {
	in.raw = append([]byte(nil), b...)
	return nil
}

// NewCallbackInput wraps parameters (a JSON object) as the handler's input.
func NewCallbackInput(params []byte) CallbackInput { return CallbackInput{raw: params} }

// callbackAnswer is the JSON body of every answer.
type callbackAnswer struct {
	OK       bool              `json:"ok"`
	Error    string            `json:"error,omitempty"`
	FileID   string            `json:"file_id,omitempty"`
	Status   string            `json:"status,omitempty"`
	Events   []answerEvent     `json:"events,omitempty"`
	Playback *webhook.Playback `json:"playback,omitempty"`
	Notified *NotifyResult     `json:"notified,omitempty"`
	Warnings []string          `json:"warnings,omitempty"`
}

type answerEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

func fail(status int, err error) webaction.Response {
	return webaction.JSON(status, callbackAnswer{Error: err.Error()})
}

// EncodingCallback is encoding-callback's handler, a web action that
// receives VOD Station's encoding callbacks. It authenticates the caller
// by CALLBACK_TOKEN, decodes the callback, optionally confirms it with the
// status API, and sends the signed events it implies: encoding_started,
// rendition_complete (with playback URLs), file_complete (once every
// rendition is COMPLETE, judged from the status API) and encoding_failed.
// Every outcome is an HTTP answer: 401 for a wrong token, 400 for a bad
// callback, 409 for a callback the status API contradicts, 500 for a
// configuration error, 200 otherwise (a failed delivery is logged and
// reported in the answer, never fatal).
func (p *Pipeline) EncodingCallback(ctx context.Context, in CallbackInput) (webaction.Response, error) {
	resp := p.encodingCallback(ctx, in.raw)
	action.LogAttrs(ctx, slog.Int("status_code", resp.StatusCode))
	return resp, nil
}

func (p *Pipeline) encodingCallback(ctx context.Context, raw []byte) webaction.Response {
	req, err := webaction.Parse(raw)
	if err != nil {
		return fail(http.StatusBadRequest, err)
	}
	var params CallbackParams
	if err := action.UnmarshalExact(raw, &params); err != nil {
		err = action.DecodeError(err)
		return fail(configStatus(err), err)
	}
	if params.CallbackToken.Empty() {
		return fail(http.StatusInternalServerError, action.Missing("CALLBACK_TOKEN (the action refuses every callback until it is set)"))
	}
	if !authorized(params.CallbackToken, presentedTokens(req, params)) {
		action.LogAttrs(ctx, slog.String("rejected", "callback token missing or wrong"))
		return webaction.JSON(http.StatusUnauthorized, callbackAnswer{Error: "unauthorized: the callback URL must carry the right token"})
	}
	if m := req.Method; m != "" && m != "post" && m != "put" {
		return webaction.JSON(http.StatusMethodNotAllowed, callbackAnswer{Error: "method " + strings.ToUpper(m) + " not allowed: VOD Station POSTs callbacks"})
	}
	body := req.Body
	if body == nil {
		body = raw // the platform merged the body's fields into the parameters
	}
	cb, err := DecodeCallback(body)
	if err != nil {
		return fail(http.StatusBadRequest, err)
	}
	if err := p.checkNotify(&params.NotifyParams); err != nil {
		return fail(http.StatusInternalServerError, err)
	}
	if err := params.validate(); err != nil {
		return fail(http.StatusInternalServerError, err)
	}
	action.LogAttrs(ctx, slog.String("file_id", string(cb.FileID)), slog.String("status", cb.Status),
		slog.String("rendition", cb.rendition()))

	h := callbackRun{p: p, params: params, cb: cb}
	if bool(params.VerifyStatus) && (cb.Status == StatusComplete || cb.Status == StatusFailure || cb.Status == StatusCanceled) {
		if resp, ok := h.verify(ctx); !ok {
			return resp
		}
	}
	evs := h.events(ctx)
	answer := callbackAnswer{OK: true, FileID: string(cb.FileID), Status: cb.Status, Playback: h.playback, Warnings: h.warnings}
	for _, ev := range evs {
		answer.Events = append(answer.Events, answerEvent{ID: ev.ID, Type: ev.Type})
	}
	if params.NotifyParams.enabled() && len(evs) > 0 {
		n := p.notify(ctx, params.NotifyParams, evs...)
		answer.Notified = &n
	}
	for _, w := range h.warnings {
		action.LogAttrs(ctx, slog.String("warning", w))
	}
	return webaction.JSON(http.StatusOK, answer)
}

// configStatus is 500 for a configuration parameter (upper case, set at
// deploy time) at fault and 400 for anything the request sent.
func configStatus(err error) int {
	var ae *action.Error
	if errors.As(err, &ae) && ae.Param != "" && strings.ToUpper(ae.Param) == ae.Param &&
		strings.IndexFunc(ae.Param, unicode.IsLetter) >= 0 {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// presentedTokens are the places a caller may put the token: ?token= (raw
// or merged query), the last path segment, or an X-Callback-Token header.
func presentedTokens(req webaction.Request, params CallbackParams) []string {
	var out []string
	if params.Token != "" {
		out = append(out, string(params.Token))
	}
	out = append(out, req.Query[TokenParam]...)
	if segs := strings.Split(strings.Trim(req.Path, "/"), "/"); segs[len(segs)-1] != "" {
		out = append(out, segs[len(segs)-1])
	}
	if h := req.Header("x-callback-token"); h != "" {
		out = append(out, h)
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
func (c *CallbackParams) validate() error {
	needAPI := ""
	switch {
	case bool(c.VerifyStatus):
		needAPI = "VERIFY_STATUS"
	case c.ChannelID != "" && (c.PlaybackDomain == "" || c.EncryptedBucket == ""):
		needAPI = "CHANNEL_ID"
	}
	if err := c.APIParams.validate(); err != nil && needAPI != "" {
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
	return nil
}

// apiReady reports whether the API parameters are usable.
func (c CallbackParams) apiReady() bool {
	p := c.APIParams
	return p.validate() == nil
}

// callbackRun is the work of one callback.
type callbackRun struct {
	p        *Pipeline
	params   CallbackParams
	cb       Callback
	status   *vodstation.FileStatus // from the status API, once fetched
	playback *webhook.Playback      // this rendition's, when COMPLETE
	warnings []string
}

func (h *callbackRun) warn(format string, args ...any) {
	h.warnings = append(h.warnings, fmt.Sprintf(format, args...))
}

// fileStatus returns the file's status from the API (once per callback).
func (h *callbackRun) fileStatus(ctx context.Context) (vodstation.FileStatus, error) {
	if h.status != nil {
		return *h.status, nil
	}
	c, err := h.p.client(h.params.APIParams)
	if err != nil {
		return vodstation.FileStatus{}, err
	}
	st, err := c.GetFileStatus(ctx, string(h.cb.FileID))
	if err != nil {
		return vodstation.FileStatus{}, err
	}
	h.status = &st
	return st, nil
}

// verify confirms a final status with the status API (VERIFY_STATUS). It
// returns the answer to give when the callback is not confirmed.
func (h *callbackRun) verify(ctx context.Context) (webaction.Response, bool) {
	refuse := func(status int, format string, args ...any) (webaction.Response, bool) {
		return webaction.JSON(status, callbackAnswer{FileID: string(h.cb.FileID), Status: h.cb.Status, Error: fmt.Sprintf(format, args...)}), false
	}
	st, err := h.fileStatus(ctx)
	switch {
	case errors.Is(err, vodstation.ErrFileNotFound):
		return refuse(http.StatusConflict, "not confirmed: VOD Station has no file %s", h.cb.FileID)
	case err != nil:
		return refuse(http.StatusBadGateway, "could not confirm the callback with the status API: %v", err)
	case st.CategoryID != "" && h.cb.CategoryID != "" && st.CategoryID != h.cb.CategoryID:
		return refuse(http.StatusConflict, "not confirmed: file %s belongs to category %s, not %s", h.cb.FileID, st.CategoryID, h.cb.CategoryID)
	case !st.OutputsKnown:
		return webaction.Response{}, true
	}
	o, ok := h.matchOutput(st.Outputs)
	if !ok {
		return refuse(http.StatusConflict, "not confirmed: the status API lists no rendition %s", h.cb.rendition())
	}
	if !strings.EqualFold(o.Status, h.cb.Status) {
		return refuse(http.StatusConflict, "not confirmed: the status API says rendition %s is %s", h.cb.rendition(), o.Status)
	}
	if h.cb.Link == "" {
		h.cb.Link = o.Link
	}
	return webaction.Response{}, true
}

func (h *callbackRun) matchOutput(outs []vodstation.OutputStatus) (vodstation.OutputStatus, bool) {
	for _, o := range outs {
		if (h.cb.EncodingOptionID != "" && o.EncodingOptionID == h.cb.EncodingOptionID) ||
			(h.cb.EncodingOptionID == "" && h.cb.OutputType != "" && o.OutputType == h.cb.OutputType) {
			return o, true
		}
	}
	return vodstation.OutputStatus{}, false
}

// base is the part every event of this callback shares.
func (h *callbackRun) base(typ string, idParts ...string) webhook.Event {
	ev := webhook.Event{
		ID:           webhook.NewID(typ, append([]string{string(h.cb.FileID)}, idParts...)...),
		Type:         typ,
		CategoryID:   string(h.cb.CategoryID),
		CategoryName: h.cb.CategoryName,
		FileID:       string(h.cb.FileID),
		Key:          h.cb.FilePath,
	}
	if h.status != nil {
		ev.BucketName = h.status.BucketName
		if ev.Key == "" {
			ev.Key = h.status.FilePath
		}
	}
	return ev
}

// events are the notifications this callback implies.
func (h *callbackRun) events(ctx context.Context) []webhook.Event {
	r := &webhook.Rendition{EncodingOptionID: string(h.cb.EncodingOptionID), OutputType: h.cb.OutputType, Status: h.cb.Status, Link: h.cb.Link}
	switch h.cb.Status {
	case StatusRunning:
		ev := h.base(webhook.TypeEncodingStarted)
		ev.Rendition = r
		return []webhook.Event{ev}
	case StatusFailure, StatusCanceled:
		ev := h.base(webhook.TypeEncodingFailed, h.cb.rendition())
		ev.Rendition = r
		ev.Error = &webhook.ErrorInfo{Code: "encoding_failed",
			Message: fmt.Sprintf("VOD Station reported %s for rendition %s of file %s", h.cb.Status, nonEmpty(h.cb.OutputType, h.cb.rendition()), h.cb.FileID)}
		return []webhook.Event{ev}
	case StatusComplete:
	default: // WAITING: the submitted event already said so
		return nil
	}
	cfg, ok := h.playbackConfig(ctx)
	if ok {
		r.Playback = h.playbackFor(cfg, h.cb.Link)
		h.playback = r.Playback
	}
	done := h.base(webhook.TypeRenditionComplete, h.cb.rendition())
	done.Rendition = r
	evs := []webhook.Event{done}
	if fc, ok := h.fileComplete(ctx, cfg, ok); ok {
		evs = append(evs, fc)
	}
	return evs
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// playbackFor returns the playback URLs of the rendition at link, or nil
// with a warning.
func (h *callbackRun) playbackFor(cfg playback.Config, link string) *webhook.Playback {
	if link == "" {
		h.warn("rendition without a link: no playback URL")
		return nil
	}
	u, err := playback.ForLink(cfg, link)
	if err != nil {
		h.warn("no playback URL for %s: %v", link, err)
		return nil
	}
	if u.Warning != "" {
		h.warn("%s", u.Warning)
	}
	return &webhook.Playback{HLS: u.HLS, DASH: u.DASH}
}

// fileComplete returns the file_complete event when the status API shows
// every rendition of the file COMPLETE.
func (h *callbackRun) fileComplete(ctx context.Context, cfg playback.Config, havePlayback bool) (webhook.Event, bool) {
	if !h.params.apiReady() {
		h.warn("file_complete not judged: the status API needs NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY")
		return webhook.Event{}, false
	}
	outs, err := h.renditions(ctx)
	if err != nil {
		h.warn("file_complete not judged: %v", err)
		return webhook.Event{}, false
	}
	if len(outs) == 0 {
		h.warn("file_complete not judged: the status API lists no rendition of file %s", h.cb.FileID)
		return webhook.Event{}, false
	}
	ev := h.base(webhook.TypeFileComplete)
	for _, o := range outs {
		if !strings.EqualFold(o.Status, StatusComplete) {
			return webhook.Event{}, false
		}
		r := webhook.Rendition{EncodingOptionID: string(o.EncodingOptionID), OutputType: o.OutputType, Status: StatusComplete, Link: o.Link}
		if havePlayback && o.Link != "" {
			r.Playback = h.playbackFor(cfg, o.Link)
		}
		if ev.Playback == nil {
			ev.Playback = r.Playback
		}
		ev.Renditions = append(ev.Renditions, r)
	}
	return ev, true
}

// renditionLookback bounds the status-list search when the file's status
// does not list its renditions.
const (
	renditionLookback = 7 * 24 * time.Hour
	renditionPages    = 5
)

// renditions returns every rendition of the file with its status: from the
// file's status when it lists them, else from the status list (rows of the
// same file id, or the same input path and category).
func (h *callbackRun) renditions(ctx context.Context) ([]vodstation.OutputStatus, error) {
	st, err := h.fileStatus(ctx)
	if err != nil {
		return nil, err
	}
	if st.OutputsKnown {
		return st.Outputs, nil
	}
	c, err := h.p.client(h.params.APIParams)
	if err != nil {
		return nil, err
	}
	path := nonEmpty(h.cb.FilePath, st.FilePath)
	cat := h.cb.CategoryID
	if cat == "" {
		cat = st.CategoryID
	}
	rows, err := c.RecentStatus(ctx, h.p.now().Add(-renditionLookback), renditionPages)
	if err != nil {
		return nil, err
	}
	var outs []vodstation.OutputStatus
	for _, row := range rows {
		if (row.FileID != "" && row.FileID == h.cb.FileID) ||
			(row.FileID == "" && path != "" && row.FilePath == path && (cat == "" || row.CategoryID == cat)) {
			outs = append(outs, vodstation.OutputStatus{OutputType: row.OutputType, Status: row.Status, Link: row.Link})
		}
	}
	return outs, nil
}

// playbackConfig says where renditions play from: PLAYBACK_DOMAIN and
// ENCRYPTED_BUCKET_NAME, or the channel CHANNEL_ID (looked up once per
// warm container). false (with a warning) when neither is set or the
// channel cannot be read.
func (h *callbackRun) playbackConfig(ctx context.Context) (playback.Config, bool) {
	prm := h.params
	cfg := playback.Config{Domain: string(prm.PlaybackDomain), EncryptedBucket: string(prm.EncryptedBucket), Protocols: prm.PlaybackProtocols.Items}
	if prm.ChannelID != "" && (cfg.Domain == "" || cfg.EncryptedBucket == "" || len(cfg.Protocols) == 0) {
		ch, err := h.p.channel(ctx, prm.APIParams, string(prm.ChannelID))
		if err != nil {
			h.warn("no playback URLs: channel %s: %v", prm.ChannelID, err)
			return cfg, false
		}
		if cfg.Domain == "" {
			cfg.Domain = ch.CDNDomain
		}
		if cfg.EncryptedBucket == "" {
			cfg.EncryptedBucket = ch.EncryptedBucketName
		}
		if len(cfg.Protocols) == 0 {
			cfg.Protocols = ch.ProtocolList
		}
		cfg.Bucket = ch.StorageBucketName
	}
	if cfg.Domain == "" && cfg.EncryptedBucket == "" {
		h.warn("no playback URLs: set PLAYBACK_DOMAIN and ENCRYPTED_BUCKET_NAME, or CHANNEL_ID")
		return cfg, false
	}
	if err := cfg.Validate(); err != nil {
		h.warn("no playback URLs: %v", err)
		return cfg, false
	}
	return cfg, true
}

// channelTTL is how long a channel's playback settings are reused.
const channelTTL = time.Hour

type cachedChannel struct {
	channel vodstation.Channel
	expires time.Time
}

// channel returns the channel, cached for channelTTL in the warm container.
func (p *Pipeline) channel(ctx context.Context, params APIParams, id string) (vodstation.Channel, error) {
	key := categoryKey(params, "channel:"+id)
	p.mu.Lock()
	c, ok := p.channels[key]
	p.mu.Unlock()
	if ok && p.now().Before(c.expires) {
		return c.channel, nil
	}
	client, err := p.client(params)
	if err != nil {
		return vodstation.Channel{}, err
	}
	ch, err := client.GetChannel(ctx, id)
	if err != nil {
		return vodstation.Channel{}, err
	}
	p.mu.Lock()
	if len(p.channels) >= 16 {
		clear(p.channels)
	}
	p.channels[key] = cachedChannel{channel: ch, expires: p.now().Add(channelTTL)}
	p.mu.Unlock()
	return ch, nil
}
