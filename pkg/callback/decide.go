package callback

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/uploadid"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// Facts are what the decision on one callback rests on: the callback, and
// what was read for it.
type Facts struct {
	// Callback is the authenticated callback.
	Callback Callback
	// Bucket is BUCKET_NAME, for events when the status API was not asked.
	Bucket string
	// Status is the file's status, when the status API was asked.
	Status *vodstation.FileStatus
	// Renditions are every rendition of the file with its status, when
	// known (RenditionsKnown): file_complete is judged from them.
	Renditions      []vodstation.OutputStatus
	RenditionsKnown bool
	// Playback says where renditions play from; nil when unknown.
	Playback *playback.Config
	// ABR is the adaptive URL's form (PLAYBACK_ABR, canonical: see
	// playback.ParseABR).
	ABR string
	// Poster is PLAYBACK_POSTER: PosterAuto, PosterNone or a naming
	// template (see playback.Poster).
	Poster string
	// Warnings are what gathering the facts found wanting.
	Warnings []string
	// Sign, when not nil, signs every playback URL (not the poster: it is
	// on the storage host, outside the edge's protected paths).
	Sign *Sign
}

// Decision is what a callback implies: the events to send, this
// rendition's playback URLs, and warnings for the answer and the log.
type Decision struct {
	Events   []webhook.Event
	Playback *webhook.Playback
	Warnings []string
	// Public are the tokens of the signed URLs: meant for viewers, kept
	// by the scrubber (redact.Set.Allow).
	Public []string
	// ExpiresAt is when the signed URLs' tokens expire (zero: unsigned).
	ExpiresAt time.Time

	signing *Sign
}

// Decide turns the facts of one callback into its events. It is a pure
// function: every event names the bucket (from the status API, else
// BUCKET_NAME), the key, the category and the file; WAITING implies no
// event (the submitted event said so); RUNNING implies encoding_started;
// FAILURE and CANCELED imply encoding_failed (with VOD Station's reason
// when the status says one); COMPLETE implies rendition_complete and
// ready (the file is playable; one id per file), and file_complete when
// every known rendition of the file is COMPLETE, with the adaptive URL,
// the poster and the source's facts.
func Decide(f Facts) Decision {
	d := Decision{Warnings: append([]string(nil), f.Warnings...), signing: f.Sign}
	cb := f.Callback
	r := &webhook.Rendition{EncodingOptionID: string(cb.EncodingOptionID), OutputType: cb.OutputType, Status: cb.Status, Link: cb.Link}
	switch cb.Status {
	case StatusRunning:
		ev := f.base(webhook.TypeEncodingStarted)
		ev.Rendition = r
		d.Events = []webhook.Event{ev}
		return d
	case StatusFailure, StatusCanceled:
		ev := f.base(webhook.TypeEncodingFailed, cb.rendition())
		ev.Rendition = r
		ev.Error = &webhook.ErrorInfo{Code: "encoding_failed",
			Message: fmt.Sprintf("VOD Station reported %s for rendition %s of file %s", cb.Status, nonEmpty(cb.OutputType, cb.rendition()), cb.FileID)}
		if fail := f.failure(); !fail.IsZero() {
			ev.Error.Reason = fail.Code
			if fail.Message != "" {
				ev.Error.Message += ": " + fail.Message
			} else if fail.Code != "" {
				ev.Error.Message += ": " + fail.Code
			}
		}
		d.Events = []webhook.Event{ev}
		return d
	case StatusComplete:
	default:
		return d
	}
	if f.Playback != nil {
		r.Playback = d.playbackFor(*f.Playback, cb.Link)
		d.Playback = r.Playback
	}
	// The id covers what the event announces (the output and its link), so
	// that an event announcing another link never shadows this one at a
	// receiver that drops ids it has seen.
	done := f.base(webhook.TypeRenditionComplete, cb.rendition(), cb.OutputType, cb.Link)
	done.Rendition = r
	ready := f.base(webhook.TypeReady)
	ready.Rendition, ready.Playback = r, r.Playback
	d.Events = []webhook.Event{done, ready}
	if fc, ok := d.fileComplete(f); ok {
		d.Events = append(d.Events, fc)
	}
	return d
}

// base is the part every event of this callback shares.
func (f Facts) base(typ string, idParts ...string) webhook.Event {
	cb := f.Callback
	ev := webhook.Event{
		ID:           webhook.NewID(typ, append([]string{string(cb.FileID)}, idParts...)...),
		Type:         typ,
		CategoryID:   string(cb.CategoryID),
		CategoryName: cb.CategoryName,
		FileID:       string(cb.FileID),
		Key:          cb.FilePath,
		BucketName:   f.Bucket,
	}
	if f.Status != nil {
		if f.Status.BucketName != "" {
			ev.BucketName = f.Status.BucketName
		}
		if ev.Key == "" {
			ev.Key = f.Status.FilePath
		}
		if ev.CategoryID == "" {
			ev.CategoryID = string(f.Status.CategoryID)
		}
		if ev.CategoryName == "" {
			ev.CategoryName = f.Status.CategoryName
		}
	}
	ev.UploadID = uploadid.Of(ev.Key)
	return ev
}

// fileComplete returns the file_complete event when every known rendition
// of the file is COMPLETE. The rendition of this callback always counts
// with its link, whatever the status rows carry.
func (d *Decision) fileComplete(f Facts) (webhook.Event, bool) {
	if !f.RenditionsKnown {
		return webhook.Event{}, false
	}
	if len(f.Renditions) == 0 {
		d.warn("file_complete not judged: the status API lists no rendition of file %s", f.Callback.FileID)
		return webhook.Event{}, false
	}
	outs, listed := f.withCallback()
	ev := f.base(webhook.TypeFileComplete)
	abr := make([]playback.Rendition, 0, len(outs))
	for _, o := range outs {
		if !strings.EqualFold(o.Status, StatusComplete) {
			return webhook.Event{}, false
		}
		r := webhook.Rendition{EncodingOptionID: string(o.EncodingOptionID), OutputType: o.OutputType, Status: StatusComplete, Link: o.Link}
		if f.Playback != nil && o.Link != "" {
			r.Playback = d.playbackFor(*f.Playback, o.Link)
		}
		ev.Renditions = append(ev.Renditions, r)
		abr = append(abr, playback.Rendition{OutputType: o.OutputType, Link: o.Link, BitrateKbps: o.BitrateKbps})
	}
	if len(ev.Renditions) > 0 {
		ev.Playback = ev.Renditions[0].Playback
	}
	if f.Playback != nil {
		switch {
		case !listed:
			d.warn("no adaptive URL: rendition %s of this callback is not among the renditions the status API lists for file %s; per-rendition URLs only",
				f.Callback.rendition(), f.Callback.FileID)
		case f.ABR == playback.ABRNone:
		default:
			d.adaptive(*f.Playback, f.ABR, abr, &ev)
		}
	}
	ev.Poster = d.poster(f, ev.Key, outs)
	if f.Status != nil && !f.Status.Metadata.IsZero() {
		m := f.Status.Metadata
		ev.Source = &webhook.Source{DurationS: m.DurationS, Width: m.Width, Height: m.Height,
			VideoCodec: m.VideoCodec, AudioCodec: m.AudioCodec, VideoBitrateKbps: m.VideoBitrateKbps,
			AudioBitrateKbps: m.AudioBitrateKbps, Framerate: m.Framerate, AudioSamplingRateHz: m.AudioSamplingRateHz}
	}
	return ev, true
}

// withCallback returns the file's renditions with this callback's own
// rendition merged in: its link fills a row without one, and a rendition
// the rows lack is added (listed is then false).
func (f Facts) withCallback() (outs []vodstation.OutputStatus, listed bool) {
	cb := f.Callback
	outs = slices.Clone(f.Renditions)
	for i, o := range outs {
		same := (cb.EncodingOptionID != "" && o.EncodingOptionID != "" && o.EncodingOptionID == cb.EncodingOptionID) ||
			((cb.EncodingOptionID == "" || o.EncodingOptionID == "") && cb.OutputType != "" && o.OutputType == cb.OutputType)
		if !same {
			continue
		}
		if o.Link == "" {
			outs[i].Link = cb.Link
		}
		if outs[i].OutputType == "" {
			outs[i].OutputType = cb.OutputType
		}
		return outs, true
	}
	return append(outs, vodstation.OutputStatus{EncodingOptionID: cb.EncodingOptionID, OutputType: cb.OutputType,
		Status: StatusComplete, Link: cb.Link}), false
}

// adaptive sets ev's playback to the adaptive URL over rs, or leaves the
// first rendition's with a warning saying why not.
func (d *Decision) adaptive(cfg playback.Config, form string, rs []playback.Rendition, ev *webhook.Event) {
	for _, r := range rs {
		if r.Link == "" {
			d.warn("no adaptive URL: rendition %s has no link; per-rendition URLs only", r.OutputType)
			return
		}
	}
	u, err := playback.Adaptive(cfg, form, rs)
	if err != nil {
		d.warn("%v; per-rendition URLs only", err)
		return
	}
	if u.Warning != "" {
		d.warn("%s", u.Warning)
	}
	ev.Playback = &webhook.Playback{HLS: u.HLS, DASH: u.DASH}
	d.sign(ev.Playback)
}

// PLAYBACK_POSTER's keywords; any other value is a naming template.
const (
	// PosterAuto names the poster playback.DefaultPoster when the status
	// API says the category makes thumbnails.
	PosterAuto = "auto"
	// PosterNone gives no poster.
	PosterNone = "none"
)

// poster returns the poster URL for file_complete: with PosterAuto when
// the status API says the category makes thumbnails; with a template
// unless it says the category makes none.
func (d *Decision) poster(f Facts, key string, outs []vodstation.OutputStatus) string {
	var says *bool
	if f.Status != nil {
		says = f.Status.Thumbnail
	}
	template := f.Poster
	switch {
	case template == PosterNone:
		return ""
	case template == "" || template == PosterAuto:
		if says == nil || !*says {
			return ""
		}
		template = playback.DefaultPoster
	case says != nil && !*says:
		return ""
	}
	link := ""
	for _, o := range outs {
		if o.Link != "" {
			link = o.Link
			break
		}
	}
	u, err := playback.Poster(template, link, key)
	if err != nil {
		d.warn("no poster: %v", err)
		return ""
	}
	return u
}

// failure is VOD Station's reason for this callback's failure: its
// rendition's, else the file's.
func (f Facts) failure() vodstation.Failure {
	if f.Status == nil {
		return vodstation.Failure{}
	}
	if o, ok := matchOutput(f.Callback, f.Status.Outputs); ok && !o.Failure.IsZero() {
		return o.Failure
	}
	return f.Status.Failure
}

func (d *Decision) warn(format string, args ...any) {
	d.Warnings = append(d.Warnings, fmt.Sprintf(format, args...))
}

// playbackFor returns the playback URLs of the rendition at link, or nil
// with a warning.
func (d *Decision) playbackFor(cfg playback.Config, link string) *webhook.Playback {
	if link == "" {
		d.warn("rendition without a link: no playback URL")
		return nil
	}
	u, err := playback.ForLink(cfg, link)
	if err != nil {
		d.warn("no playback URL for %s: %v", link, err)
		return nil
	}
	if u.Warning != "" {
		d.warn("%s", u.Warning)
	}
	p := &webhook.Playback{HLS: u.HLS, DASH: u.DASH}
	d.sign(p)
	return p
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
