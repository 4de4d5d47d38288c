package callback

import (
	"fmt"
	"strings"

	"github.com/vodflow/vodflow/pkg/playback"
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
	// Warnings are what gathering the facts found wanting.
	Warnings []string
}

// Decision is what a callback implies: the events to send, this
// rendition's playback URLs, and warnings for the answer and the log.
type Decision struct {
	Events   []webhook.Event
	Playback *webhook.Playback
	Warnings []string
}

// Decide turns the facts of one callback into its events. It is a pure
// function: every event names the bucket (from the status API, else
// BUCKET_NAME), the key, the category and the file; WAITING implies no
// event (the submitted event said so); RUNNING implies encoding_started;
// FAILURE and CANCELED imply encoding_failed; COMPLETE implies
// rendition_complete, and file_complete when every known rendition of the
// file is COMPLETE.
func Decide(f Facts) Decision {
	d := Decision{Warnings: append([]string(nil), f.Warnings...)}
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
	d.Events = []webhook.Event{done}
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
	return ev
}

// fileComplete returns the file_complete event when every known rendition
// of the file is COMPLETE.
func (d *Decision) fileComplete(f Facts) (webhook.Event, bool) {
	if !f.RenditionsKnown {
		return webhook.Event{}, false
	}
	if len(f.Renditions) == 0 {
		d.warn("file_complete not judged: the status API lists no rendition of file %s", f.Callback.FileID)
		return webhook.Event{}, false
	}
	ev := f.base(webhook.TypeFileComplete)
	for _, o := range f.Renditions {
		if !strings.EqualFold(o.Status, StatusComplete) {
			return webhook.Event{}, false
		}
		r := webhook.Rendition{EncodingOptionID: string(o.EncodingOptionID), OutputType: o.OutputType, Status: StatusComplete, Link: o.Link}
		if f.Playback != nil && o.Link != "" {
			r.Playback = d.playbackFor(*f.Playback, o.Link)
		}
		if ev.Playback == nil {
			ev.Playback = r.Playback
		}
		ev.Renditions = append(ev.Renditions, r)
	}
	return ev, true
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
	return &webhook.Playback{HLS: u.HLS, DASH: u.DASH}
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
