package upload

import (
	"path"
	"strings"

	"github.com/vodflow/vodflow/pkg/events"
)

// DefaultExtensions are the input formats VOD Station encodes (add-files
// documentation), compared case-insensitively.
var DefaultExtensions = []string{"avi", "mov", "mp4", "mp3", "3gp", "mpg", "mpeg", "m4v", "vob", "wmv", "asf", "mkv", "flv", "webm", "gif", "av1", "mxf"}

// Skip reasons, stable for programs that read results.
const (
	ReasonEmptyKey             = "empty_key"
	ReasonFolderMarker         = "folder_marker"
	ReasonNotCreated           = "not_a_create_event"
	ReasonOutsideInputPrefix   = "outside_input_prefix"
	ReasonExcludedPrefix       = "excluded_prefix"
	ReasonUnsupportedExtension = "unsupported_extension"
	ReasonCategoryOutput       = "category_output"
	// ReasonRepeated is an object named again in the same event (two
	// records with one key, or a paths list with repeats): it is submitted
	// once, and each repeat is listed with this reason.
	ReasonRepeated = "repeated"
	// ReasonDuplicate is an upload add-files already submitted within
	// DEDUP_WINDOW (the same bucket, key, category and version).
	ReasonDuplicate = "duplicate"
)

// unplayable are characters VOD Station's player cannot handle in a name.
const unplayable = "#$;"

// Filter decides which uploaded objects are submitted for encoding.
type Filter struct {
	// InputPrefix, when set, is the prefix every submitted key must have.
	InputPrefix string
	// ExcludePrefixes are prefixes whose keys are never submitted (the
	// guard against encoding our own output again).
	ExcludePrefixes []string
	// Extensions are the accepted extensions, lower case, without dots.
	Extensions map[string]bool
}

// NewFilter builds a filter; nil extensions mean DefaultExtensions.
func NewFilter(inputPrefix string, exclude, extensions []string) Filter {
	if extensions == nil {
		return Filter{InputPrefix: inputPrefix, ExcludePrefixes: exclude, Extensions: defaultExtensionSet}
	}
	return Filter{InputPrefix: inputPrefix, ExcludePrefixes: exclude, Extensions: extensionSet(extensions)}
}

// defaultExtensionSet is built once: most activations use the defaults.
var defaultExtensionSet = extensionSet(DefaultExtensions)

func extensionSet(extensions []string) map[string]bool {
	exts := make(map[string]bool, len(extensions))
	for _, e := range extensions {
		exts[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(e), "."))] = true
	}
	return exts
}

// Skip returns why o must not be encoded, or "" to submit it.
func (f Filter) Skip(o events.Object) string {
	key := o.Key
	if strings.TrimSpace(key) == "" {
		return ReasonEmptyKey
	}
	if strings.HasSuffix(key, "/") {
		return ReasonFolderMarker
	}
	if !o.Created() {
		return ReasonNotCreated
	}
	if f.InputPrefix != "" && !strings.HasPrefix(key, f.InputPrefix) {
		return ReasonOutsideInputPrefix
	}
	for _, p := range f.ExcludePrefixes {
		if strings.HasPrefix(key, p) {
			return ReasonExcludedPrefix
		}
	}
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(key), "."))
	if !f.Extensions[ext] {
		return ReasonUnsupportedExtension
	}
	return ""
}

// playbackWarning returns a warning when key has a character VOD Station
// cannot play, or "".
func playbackWarning(key string) string {
	if i := strings.IndexAny(key, unplayable); i >= 0 {
		return "file name " + key + " contains " + string(key[i]) +
			": VOD Station cannot play names with #, $ or ; (submitted anyway; rename the upload to play it)"
	}
	return ""
}
