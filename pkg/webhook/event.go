package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Event types: the value of [Event.Type] and of the [EventTypeHeader].
const (
	// TypeSubmitted: an upload was accepted by VOD Station (FileID is set).
	TypeSubmitted = "submitted"
	// TypeSubmitFailed: submitting uploads failed (Error, NotSubmitted,
	// Uncertain and Submitted say what happened to each key).
	TypeSubmitFailed = "submit_failed"
	// TypeReconciled: the reconcile action submitted an upload VOD Station
	// had never received (no bucket event fired for it, or its submission
	// failed); FileID is set. It replaces submitted for that upload.
	TypeReconciled = "reconciled"
	// TypeEncodingStarted: VOD Station started encoding a rendition.
	TypeEncodingStarted = "encoding_started"
	// TypeRenditionComplete: one rendition finished encoding.
	TypeRenditionComplete = "rendition_complete"
	// TypeReady: a file can be played: its first rendition finished
	// encoding (Cloudflare Stream's readyToStream), so a site can show the
	// video before every rendition is done. Its id depends on the file
	// only: whichever rendition comes first, a receiver keeps one.
	TypeReady = "ready"
	// TypeFileComplete: every rendition of a file finished encoding.
	TypeFileComplete = "file_complete"
	// TypeEncodingFailed: a rendition failed or was canceled.
	TypeEncodingFailed = "encoding_failed"
)

// Header names set on every delivery.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<lowercase hex
	// HMAC-SHA256(secret, t + "." + body)>"; see [Sign] and [Verify].
	SignatureHeader = "Vodflow-Signature"
	// EventIDHeader carries [Event.ID].
	EventIDHeader = "Vodflow-Event-Id"
	// EventTypeHeader carries [Event.Type].
	EventTypeHeader = "Vodflow-Event-Type"
)

// Event is one notification. It encodes as a flat JSON object; every
// optional field is omitted when empty.
type Event struct {
	// ID is the stable event id; see [NewID].
	ID string `json:"id"`
	// Type is one of the Type* constants.
	Type string `json:"type"`
	// CreatedAt is when the event was created, in UTC (RFC 3339 in JSON).
	CreatedAt time.Time `json:"created_at"`
	// BucketName is the Object Storage bucket of the input object.
	BucketName string `json:"bucket_name,omitempty"`
	// Key is the input object key.
	Key string `json:"key,omitempty"`
	// UploadID is the upload-url id Key carries (pkg/uploadid), when it
	// has that form.
	UploadID string `json:"upload_id,omitempty"`
	// CategoryID is the VOD Station category id.
	CategoryID string `json:"category_id,omitempty"`
	// CategoryName is the VOD Station category name.
	CategoryName string `json:"category_name,omitempty"`
	// FileID is the VOD Station file id.
	FileID string `json:"file_id,omitempty"`
	// Rendition is the rendition concerned (rendition_complete,
	// encoding_failed, encoding_started).
	Rendition *Rendition `json:"rendition,omitempty"`
	// Renditions lists every rendition of the file (file_complete).
	Renditions []Rendition `json:"renditions,omitempty"`
	// Playback holds the file's playback URLs (file_complete: the adaptive
	// URL over every rendition when it can be built, else the first
	// rendition's; ready: the rendition that made the file playable); it
	// may be nil.
	Playback *Playback `json:"playback,omitempty"`
	// Poster is the URL of the file's poster image (file_complete, when
	// the category makes thumbnails; the naming is inferred).
	Poster string `json:"poster,omitempty"`
	// Source is what VOD Station read of the uploaded source
	// (file_complete, when the status API says).
	Source *Source `json:"source,omitempty"`
	// Error says what failed (submit_failed, encoding_failed).
	Error *ErrorInfo `json:"error,omitempty"`
	// NotSubmitted lists the keys that were not submitted (submit_failed).
	NotSubmitted []string `json:"not_submitted,omitempty"`
	// Uncertain lists the keys VOD Station may have accepted although the
	// answer was lost (submit_failed).
	Uncertain []string `json:"uncertain,omitempty"`
	// Submitted lists the keys accepted before the failure (submit_failed).
	Submitted []Submitted `json:"submitted,omitempty"`
	// Warnings are human-readable notes that did not stop the work.
	Warnings []string `json:"warnings,omitempty"`
}

// Rendition is one output of an encoding.
type Rendition struct {
	// EncodingOptionID is the VOD Station encoding option id.
	EncodingOptionID string `json:"encoding_option_id,omitempty"`
	// OutputType is the VOD Station output type (for example HLS, DASH, MP4).
	OutputType string `json:"output_type,omitempty"`
	// Status is the VOD Station status: WAITING, RUNNING, COMPLETE, FAILURE
	// or CANCELED. It is always encoded.
	Status string `json:"status"`
	// Link is the output file's URL from VOD Station.
	Link string `json:"link,omitempty"`
	// Playback holds this rendition's playback URLs, if any.
	Playback *Playback `json:"playback,omitempty"`
}

// Playback holds streaming URLs.
type Playback struct {
	// HLS is the HLS (.m3u8) URL.
	HLS string `json:"hls,omitempty"`
	// DASH is the MPEG-DASH (.mpd) URL.
	DASH string `json:"dash,omitempty"`
}

// Source is the uploaded source's metadata, from VOD Station's status API
// (content.input.metadata); every field is omitted when unknown.
type Source struct {
	// DurationS is the playback time in seconds.
	DurationS float64 `json:"duration_s,omitempty"`
	// Width and Height are the video size in pixels.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// VideoCodec and AudioCodec name the codecs as VOD Station reports them.
	VideoCodec string `json:"video_codec,omitempty"`
	AudioCodec string `json:"audio_codec,omitempty"`
	// VideoBitrateKbps and AudioBitrateKbps are the bitrates in Kbps.
	VideoBitrateKbps float64 `json:"video_bitrate_kbps,omitempty"`
	AudioBitrateKbps float64 `json:"audio_bitrate_kbps,omitempty"`
	// Framerate is in frames per second.
	Framerate float64 `json:"framerate,omitempty"`
	// AudioSamplingRateHz is the audio sampling rate in Hz.
	AudioSamplingRateHz float64 `json:"audio_sampling_rate_hz,omitempty"`
}

// ErrorInfo describes a failure in an event.
type ErrorInfo struct {
	// Code is a stable machine-readable code, when there is one.
	Code string `json:"code,omitempty"`
	// Reason is the failing service's own reason, when it gave one (for
	// encoding_failed, VOD Station's, e.g. TRANSCODING_ERROR).
	Reason string `json:"reason,omitempty"`
	// Status is an HTTP-style status, when there is one.
	Status int `json:"status,omitempty"`
	// Message says what went wrong. It is always encoded.
	Message string `json:"message"`
}

// Submitted is a key VOD Station accepted, with the file id it was given.
type Submitted struct {
	// Key is the input object key.
	Key string `json:"key"`
	// FileID is the VOD Station file id.
	FileID string `json:"file_id"`
}

// idPrefix starts every event id.
const idPrefix = "evt_"

// NewID returns a stable event id: "evt_" followed by the first 32 lowercase
// hex characters (128 bits) of SHA-256 over eventType and parts joined with a
// 0x00 separator. The same inputs always give the same id, so a receiver can
// drop duplicates, and a re-run of the same work yields the same id. Pass
// what identifies the event, for example (TypeRenditionComplete, fileID,
// encodingOptionID).
//
// The separator keeps part boundaries apart: ("ab", "c") and ("a", "bc")
// give different ids, and so do ("a") and ("a", ""). Parts that themselves
// contain 0x00 can collide with a different split; object keys and VOD
// Station ids do not contain it.
func NewID(eventType string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(eventType))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	sum := h.Sum(nil)
	return idPrefix + hex.EncodeToString(sum[:16])
}

// ValidType reports whether t is one of the Type* constants.
func ValidType(t string) bool {
	switch t {
	case TypeSubmitted, TypeSubmitFailed, TypeEncodingStarted,
		TypeRenditionComplete, TypeReady, TypeFileComplete, TypeEncodingFailed:
		return true
	}
	return false
}

// hasControl reports whether s contains a byte that cannot go in an HTTP
// header value.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
