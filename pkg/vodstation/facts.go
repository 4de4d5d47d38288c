package vodstation

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// SourceMetadata is content.input.metadata of GET /api/v2/status/{fileId}:
// what VOD Station read of the uploaded source. Every field is optional; a
// field of an unexpected type is left zero rather than failing the answer.
// https://api.ncloud-docs.com/docs/en/vodstation-status-info-list
type SourceMetadata struct {
	// DurationS is the playback time in seconds (duration).
	DurationS float64
	// VideoCodec is the video codec (videoCodec).
	VideoCodec string
	// VideoBitrateKbps is the video bitrate in Kbps (videoBitrate).
	VideoBitrateKbps float64
	// Width and Height are the video size in pixels.
	Width, Height int
	// Framerate is the frame rate in frames per second (framerate; the
	// Korean page types it String, the English one Float: both are read).
	Framerate float64
	// AudioCodec is the audio codec (audioCodec).
	AudioCodec string
	// AudioBitrateKbps is the audio bitrate in Kbps (audioBitrate).
	AudioBitrateKbps float64
	// AudioSamplingRateHz is the audio sampling rate in Hz (audioSamplingRate).
	AudioSamplingRateHz float64
}

// IsZero reports whether m holds nothing.
func (m SourceMetadata) IsZero() bool { return m == SourceMetadata{} }

// Failure is why VOD Station says an encoding failed, when its answer
// says: Code is a reason such as TRANSCODING_ERROR (the status errors the
// troubleshooting guide names: UPLOAD_ERROR, DOWNLOAD_ERROR,
// FILE_NOT_FOUND, FILE_ALREADY_EXISTS, WRONG_INPUT_FILE, TRANSCODING_ERROR),
// Message its text. The status API documents no such field: it is read
// under errorCode, failReason, failureReason, reason, errorMessage,
// message or error (a string, or an object with code or errorCode and
// message), on an output element or on the content.
type Failure struct {
	Code, Message string
}

// IsZero reports whether f says nothing.
func (f Failure) IsZero() bool { return f == Failure{} }

// decodeMetadata reads content.input.metadata tolerantly.
func decodeMetadata(raw json.RawMessage) SourceMetadata {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return SourceMetadata{}
	}
	num := func(k string) float64 { v, _ := number(fields[k]); return v }
	return SourceMetadata{
		DurationS:           num("duration"),
		VideoCodec:          text(fields["videoCodec"]),
		VideoBitrateKbps:    num("videoBitrate"),
		Width:               int(num("width")),
		Height:              int(num("height")),
		Framerate:           num("framerate"),
		AudioCodec:          text(fields["audioCodec"]),
		AudioBitrateKbps:    num("audioBitrate"),
		AudioSamplingRateHz: num("audioSamplingRate"),
	}
}

// decodeFailure reads a failure reason from the fields of an object (see
// Failure for the names tried).
func decodeFailure(fields map[string]json.RawMessage) Failure {
	var f Failure
	for _, k := range [...]string{"errorCode", "failReason", "failureReason", "reason"} {
		if s := text(fields[k]); s != "" {
			f.Code = s
			break
		}
	}
	for _, k := range [...]string{"errorMessage", "message"} {
		if s := text(fields[k]); s != "" {
			f.Message = s
			break
		}
	}
	if raw, ok := fields["error"]; ok {
		if s := text(raw); s != "" {
			if f.Message == "" {
				f.Message = s
			}
		} else {
			var obj map[string]json.RawMessage
			if json.Unmarshal(raw, &obj) == nil {
				inner := Failure{Code: nonEmptyText(text(obj["code"]), text(obj["errorCode"])), Message: text(obj["message"])}
				if f.Code == "" {
					f.Code = inner.Code
				}
				if f.Message == "" {
					f.Message = inner.Message
				}
			}
		}
	}
	return f
}

// decodeThumbnail reads whether the file's category makes thumbnails from
// content.thumbnail or content.category.thumbnail (undocumented in the
// status answer; the category APIs call the flag "thumbnail").
func decodeThumbnail(fields map[string]json.RawMessage) *bool {
	if b, ok := boolean(fields["thumbnail"]); ok {
		return &b
	}
	var cat map[string]json.RawMessage
	if json.Unmarshal(fields["category"], &cat) == nil {
		if b, ok := boolean(cat["thumbnail"]); ok {
			return &b
		}
	}
	return nil
}

// number reads a JSON number or a string holding one.
func number(raw json.RawMessage) (float64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0, false
	}
	var v float64
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		var err error
		if v, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return 0, false
		}
		return v, true
	}
	if json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	return v, true
}

// text reads a JSON string (a number is read as its text); anything else
// is "".
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if raw[0] != '"' && json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// boolean reads a JSON boolean or the strings "true" and "false".
func boolean(raw json.RawMessage) (bool, bool) {
	var b bool
	if json.Unmarshal(raw, &b) == nil && len(bytes.TrimSpace(raw)) > 0 {
		return b, true
	}
	switch strings.ToLower(text(raw)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func nonEmptyText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
