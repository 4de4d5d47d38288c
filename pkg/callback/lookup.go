package callback

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// Validate checks c's playback and signing parameters (and what they need
// of the VOD Station API) as encoding-callback does, without the callback
// token and notifications: for an action that builds playback URLs the
// same way (playback-url).
func (c *Config) Validate() error { return c.validate() }

// FilePlayback is a COMPLETE file's playback, as file_complete carries it.
type FilePlayback struct {
	// Playback is the adaptive URL (else the first rendition's).
	Playback *webhook.Playback
	// Renditions are the file's renditions with their own URLs.
	Renditions []webhook.Rendition
	// ExpiresAt is when the tokens expire (zero when unsigned).
	ExpiresAt time.Time
	// Public are the tokens of the signed URLs (for redact.Set.Allow).
	Public []string
	// Warnings are what the lookup found wanting.
	Warnings []string
}

// FilePlayback reads file fileID's status and renditions with the status
// API and where they play from (PLAYBACK_DOMAIN/ENCRYPTED_BUCKET_NAME or
// CHANNEL_ID), as encoding-callback does, and returns the playback
// file_complete would carry, signed by sign when not nil. The error is a
// *Refusal: 404 for a file VOD Station does not know, 409 for a file not
// COMPLETE yet (or failed), 502 when the API cannot be read, 500 when no
// playback URL can be built from the configuration.
func (h *Handler) FilePlayback(ctx context.Context, cfg Config, fileID string, sign *Sign) (FilePlayback, error) {
	g := gather{h: h, cfg: cfg, facts: Facts{Callback: Callback{FileID: vodstation.ID(fileID), Status: StatusComplete},
		Bucket: cfg.BucketName, ABR: string(cfg.PlaybackABR), Poster: PosterNone, Sign: sign}}
	no := func(status int, format string, args ...any) error {
		r := refuse(status, format, args...)
		r.FileID = fileID
		return r
	}
	if !cfg.API.Ready() {
		return FilePlayback{}, no(http.StatusInternalServerError, "the status API needs NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY")
	}
	outs, err := g.renditions(ctx)
	switch {
	case errors.Is(err, vodstation.ErrFileNotFound):
		return FilePlayback{}, no(http.StatusNotFound, "VOD Station has no file %s", fileID)
	case err != nil:
		return FilePlayback{}, no(http.StatusBadGateway, "could not read file %s from the status API: %v", fileID, err)
	case len(outs) == 0:
		return FilePlayback{}, no(http.StatusConflict, "file %s has no rendition yet", fileID)
	}
	first := -1
	var waiting, failed []string
	for i, o := range outs {
		switch strings.ToUpper(o.Status) {
		case StatusComplete:
			if first < 0 && o.Link != "" {
				first = i
			}
		case StatusFailure, StatusCanceled:
			failed = append(failed, nonEmpty(o.OutputType, string(o.EncodingOptionID)))
		default:
			waiting = append(waiting, nonEmpty(o.OutputType, string(o.EncodingOptionID))+" "+o.Status)
		}
	}
	switch {
	case len(failed) > 0:
		return FilePlayback{}, no(http.StatusConflict, "file %s did not encode: rendition %s failed", fileID, strings.Join(failed, ", "))
	case len(waiting) > 0 || first < 0:
		return FilePlayback{}, no(http.StatusConflict, "file %s is not complete yet: %s", fileID, nonEmpty(strings.Join(waiting, ", "), "no rendition has a link"))
	}
	g.facts.Renditions, g.facts.RenditionsKnown = outs, true
	o := outs[first]
	cb := &g.facts.Callback
	cb.EncodingOptionID, cb.OutputType, cb.Link = o.EncodingOptionID, o.OutputType, o.Link
	if g.facts.Status != nil {
		cb.FilePath, cb.CategoryID = g.facts.Status.FilePath, g.facts.Status.CategoryID
	}
	pc, ok := g.playbackConfig(ctx)
	if !ok {
		return FilePlayback{}, no(http.StatusInternalServerError, "no playback URL: %s", strings.Join(g.facts.Warnings, "; "))
	}
	g.facts.Playback = &pc
	d := Decide(g.facts)
	for _, ev := range d.Events {
		if ev.Type == webhook.TypeFileComplete && ev.Playback != nil {
			return FilePlayback{Playback: ev.Playback, Renditions: ev.Renditions, ExpiresAt: d.ExpiresAt, Public: d.Public, Warnings: d.Warnings}, nil
		}
	}
	return FilePlayback{}, no(http.StatusInternalServerError, "no playback URL for file %s: %s", fileID, strings.Join(d.Warnings, "; "))
}
