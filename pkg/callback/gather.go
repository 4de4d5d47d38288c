package callback

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// renditionLookback bounds the status-list search when the file's status
// does not list its renditions.
const (
	renditionLookback = 7 * 24 * time.Hour
	renditionPages    = 5
)

// gather reads the facts one callback's decision needs, each at most once.
type gather struct {
	h     *Handler
	cfg   Config
	facts Facts
}

func (g *gather) warn(format string, args ...any) {
	g.facts.Warnings = append(g.facts.Warnings, fmt.Sprintf(format, args...))
}

// fileStatus returns the file's status from the API (once per callback).
func (g *gather) fileStatus(ctx context.Context) (vodstation.FileStatus, error) {
	if g.facts.Status != nil {
		return *g.facts.Status, nil
	}
	c, err := g.h.clients.Get(g.cfg.API)
	if err != nil {
		return vodstation.FileStatus{}, err
	}
	st, err := c.GetFileStatus(ctx, string(g.facts.Callback.FileID))
	if err != nil {
		return vodstation.FileStatus{}, err
	}
	g.facts.Status = &st
	return st, nil
}

// verify confirms a final status with the status API (VERIFY_STATUS); the
// error is the refusal to answer when it is not confirmed.
//
// What is forwarded then comes from VOD Station, not from the caller: the
// file's path and category (id and name) are the status API's, and a
// callback that names others is refused (409); the rendition must be listed
// with the same status, and its link is the listed one (a different link
// is refused; a link VOD Station does not give is left out, with a
// warning). The renditions are read from the file's status when it lists
// them, else from the status list.
func (g *gather) verify(ctx context.Context) error {
	cb := &g.facts.Callback
	no := func(status int, format string, args ...any) error {
		r := refuse(status, format, args...)
		r.FileID, r.CallbackStatus = string(cb.FileID), cb.Status
		return r
	}
	st, err := g.fileStatus(ctx)
	switch {
	case errors.Is(err, vodstation.ErrFileNotFound):
		return no(http.StatusConflict, "not confirmed: VOD Station has no file %s", cb.FileID)
	case err != nil:
		return no(http.StatusBadGateway, "could not confirm the callback with the status API: %v", err)
	case st.CategoryID != "" && cb.CategoryID != "" && st.CategoryID != cb.CategoryID:
		return no(http.StatusConflict, "not confirmed: file %s belongs to category %s, not %s", cb.FileID, st.CategoryID, cb.CategoryID)
	case st.CategoryName != "" && cb.CategoryName != "" && st.CategoryName != cb.CategoryName:
		return no(http.StatusConflict, "not confirmed: file %s belongs to category %q, not %q", cb.FileID, clip(st.CategoryName), clip(cb.CategoryName))
	case st.FilePath != "" && cb.FilePath != "" && strings.TrimPrefix(st.FilePath, "/") != strings.TrimPrefix(cb.FilePath, "/"):
		return no(http.StatusConflict, "not confirmed: file %s is %q, not %q", cb.FileID, clip(st.FilePath), clip(cb.FilePath))
	}
	if st.FilePath != "" {
		cb.FilePath = st.FilePath
	}
	if st.CategoryID != "" {
		cb.CategoryID = st.CategoryID
	}
	if st.CategoryName != "" {
		cb.CategoryName = st.CategoryName
	}
	outs, err := g.renditions(ctx)
	if err != nil {
		return no(http.StatusBadGateway, "could not confirm the callback's rendition with the status API: %v", err)
	}
	g.facts.Renditions, g.facts.RenditionsKnown = outs, true
	o, ok := matchOutput(*cb, outs)
	if !ok {
		return no(http.StatusConflict, "not confirmed: the status API lists no rendition %s", cb.rendition())
	}
	if !strings.EqualFold(o.Status, cb.Status) {
		return no(http.StatusConflict, "not confirmed: the status API says rendition %s is %s", cb.rendition(), o.Status)
	}
	switch {
	case o.Link != "" && cb.Link != "" && o.Link != cb.Link:
		return no(http.StatusConflict, "not confirmed: the status API gives rendition %s another link", cb.rendition())
	case o.Link == "" && cb.Link != "":
		g.warn("the link of rendition %s is not confirmed by the status API: left out", cb.rendition())
	}
	cb.Link = o.Link
	if cb.OutputType == "" {
		cb.OutputType = o.OutputType
	}
	return nil
}

// matchOutput finds the callback's rendition: by encoding option id when
// both carry one, else by output type.
func matchOutput(cb Callback, outs []vodstation.OutputStatus) (vodstation.OutputStatus, bool) {
	for _, o := range outs {
		if (cb.EncodingOptionID != "" && o.EncodingOptionID != "" && o.EncodingOptionID == cb.EncodingOptionID) ||
			((cb.EncodingOptionID == "" || o.EncodingOptionID == "") && cb.OutputType != "" && o.OutputType == cb.OutputType) {
			return o, true
		}
	}
	return vodstation.OutputStatus{}, false
}

// complete gathers what a COMPLETE callback needs: where renditions play
// from and every rendition of the file.
func (g *gather) complete(ctx context.Context) {
	if cfg, ok := g.playbackConfig(ctx); ok {
		g.facts.Playback = &cfg
	}
	if !g.cfg.API.Ready() {
		g.warn("file_complete not judged: the status API needs NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY")
		return
	}
	if g.facts.RenditionsKnown {
		return // read by verify
	}
	outs, err := g.renditions(ctx)
	if err != nil {
		g.warn("file_complete not judged: %v", err)
		return
	}
	g.facts.Renditions, g.facts.RenditionsKnown = outs, true
}

// failure reads the file's status for VOD Station's failure reason (one
// call, none when VERIFY_STATUS already read it); a failed read is only a
// warning.
func (g *gather) failure(ctx context.Context) {
	if !g.cfg.API.Ready() {
		return
	}
	if _, err := g.fileStatus(ctx); err != nil {
		g.warn("no failure reason: %v", err)
	}
}

// renditions returns every rendition of the file with its status: from the
// file's status when it lists them, else from the status list (rows of the
// same file id, or the same input path and category).
func (g *gather) renditions(ctx context.Context) ([]vodstation.OutputStatus, error) {
	st, err := g.fileStatus(ctx)
	if err != nil {
		return nil, err
	}
	if st.OutputsKnown {
		return st.Outputs, nil
	}
	c, err := g.h.clients.Get(g.cfg.API)
	if err != nil {
		return nil, err
	}
	cb := g.facts.Callback
	path := nonEmpty(cb.FilePath, st.FilePath)
	cat := cb.CategoryID
	if cat == "" {
		cat = st.CategoryID
	}
	rows, err := c.RecentStatus(ctx, g.h.now().Add(-renditionLookback), renditionPages)
	if err != nil {
		return nil, err
	}
	var outs []vodstation.OutputStatus
	for _, row := range rows {
		if (row.FileID != "" && row.FileID == cb.FileID) ||
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
func (g *gather) playbackConfig(ctx context.Context) (playback.Config, bool) {
	prm := g.cfg
	cfg := playback.Config{Domain: string(prm.PlaybackDomain), EncryptedBucket: string(prm.EncryptedBucket), Protocols: prm.PlaybackProtocols.Items}
	// The channel is needed for a missing domain or bucket (validate then
	// requires the API); for the protocols alone only when it can be read,
	// else they default to HLS.
	needChannel := cfg.Domain == "" || cfg.EncryptedBucket == ""
	if prm.ChannelID != "" && (needChannel || (len(cfg.Protocols) == 0 && prm.API.Ready())) {
		ch, err := g.h.channel(ctx, prm.API, string(prm.ChannelID))
		if err != nil {
			g.warn("no playback URLs: channel %s: %v", prm.ChannelID, err)
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
		g.warn("no playback URLs: set PLAYBACK_DOMAIN and ENCRYPTED_BUCKET_NAME, or CHANNEL_ID")
		return cfg, false
	}
	if err := cfg.Validate(); err != nil {
		g.warn("no playback URLs: %v", err)
		return cfg, false
	}
	return cfg, true
}

// channel returns the channel, cached for ChannelTTL in the warm container.
func (h *Handler) channel(ctx context.Context, api config.API, id string) (vodstation.Channel, error) {
	key := api.CacheKey() + "\x00" + id
	if ch, ok := h.channels.Get(key); ok {
		return ch, nil
	}
	c, err := h.clients.Get(api)
	if err != nil {
		return vodstation.Channel{}, err
	}
	ch, err := c.GetChannel(ctx, id)
	if err != nil {
		return vodstation.Channel{}, err
	}
	h.channels.Put(key, ch, ChannelTTL)
	return ch, nil
}
