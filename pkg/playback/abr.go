package playback

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
)

// ParamABR is the action parameter that chooses the adaptive URL's form;
// ParamPoster the poster's naming.
const (
	ParamABR    = "PLAYBACK_ABR"
	ParamPoster = "PLAYBACK_POSTER"
)

// Forms of the adaptive (ABR) URL, the values of PLAYBACK_ABR.
//
// NCP documents no adaptive URL. The .smil form is the one code published
// by an NCP partner (SGRsoft-Dev's VPE demo apps, "NCP VOD ABR HLS") plays
// from Global Edge: the comma list of Wowza, nginx-vod-module and Akamai,
//
//	https://{cdn}/hls/{encryptedBucket}/{dir}/{basename}_,{outputType1},{outputType2},…,.mp4.smil/master.m3u8
//
// and its DASH twin …/dash/…/….mp4.smil/manifest.mpd, which is inferred
// from the same servers, not seen in that code.
const (
	// ABRSmil lists every output type whole (the default).
	ABRSmil = "smil"
	// ABRSmilFactored moves the output types' common parts (cut at '_')
	// out of the list: {basename}_AVC_,SD,HD,_1Pass_30fps.mp4.smil/….
	ABRSmilFactored = "smil-factored"
	// ABRNone gives no adaptive URL: file_complete's playback is the first
	// rendition's.
	ABRNone = "none"
)

// Manifest names of the adaptive URL.
const (
	HLSMaster  = "master.m3u8"
	DASHMaster = "manifest.mpd"
)

// ParseABR checks a PLAYBACK_ABR value ("" is ABRSmil) and returns it
// canonical.
func ParseABR(s string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "", ABRSmil:
		return ABRSmil, nil
	case ABRSmilFactored, ABRNone:
		return v, nil
	default:
		return "", fmt.Errorf("playback: %s %q: want %s, %s or %s", ParamABR, s, ABRSmil, ABRSmilFactored, ABRNone)
	}
}

// ErrNoAdaptive reports that no adaptive URL can be trusted for the
// renditions given; the error says why, and the caller falls back to the
// per-rendition URLs.
var ErrNoAdaptive = errors.New("no adaptive URL")

// Rendition is one COMPLETE rendition offered to Adaptive.
type Rendition struct {
	// OutputType is the encoding option's output type, e.g.
	// "AVC_HD_1Pass_30fps"; VOD Station names the output
	// "{input basename}_{outputType}.mp4".
	OutputType string
	// Link is the encoded file's link (see ObjectKey).
	Link string
	// BitrateKbps is the rendition's bitrate when known (from the
	// category's encoding options), else 0.
	BitrateKbps float64
}

// Order sorts renditions from the lowest bitrate up and says how it knew:
//
//   - by BitrateKbps when every rendition has one;
//   - else by the resolution the output type names (Rank: UHD/4K/2160 >
//     QHD/1440 > FHD/1080 > HD/720 > SD/480 > 360 > LD/240), ties by
//     name, when every output type names one;
//   - else in the order given, with a warning.
//
// rs is not modified.
func Order(rs []Rendition) ([]Rendition, string) {
	out := slices.Clone(rs)
	known := func(f func(Rendition) bool) bool {
		return !slices.ContainsFunc(out, func(r Rendition) bool { return !f(r) })
	}
	switch {
	case known(func(r Rendition) bool { return r.BitrateKbps > 0 }):
		slices.SortStableFunc(out, func(a, b Rendition) int {
			switch {
			case a.BitrateKbps < b.BitrateKbps:
				return -1
			case a.BitrateKbps > b.BitrateKbps:
				return 1
			}
			return 0
		})
		return out, ""
	case known(func(r Rendition) bool { _, ok := Rank(r.OutputType); return ok }):
		slices.SortStableFunc(out, func(a, b Rendition) int {
			ra, _ := Rank(a.OutputType)
			rb, _ := Rank(b.OutputType)
			if ra != rb {
				return ra - rb
			}
			return strings.Compare(a.OutputType, b.OutputType)
		})
		return out, ""
	}
	return out, "the renditions' bitrates are unknown and not every output type names a resolution (SD, HD, FHD, UHD, 720, …): the adaptive URL lists them in the status API's order"
}

// rankTokens map a token of an output type to the height it stands for.
var rankTokens = map[string]int{
	"UHD": 2160, "4K": 2160, "2160": 2160,
	"QHD": 1440, "2K": 1440, "1440": 1440,
	"FHD": 1080, "1080": 1080,
	"HD": 720, "720": 720,
	"SD": 480, "480": 480,
	"360": 360,
	"LD":  240, "240": 240,
}

// Rank returns the video height an output type's name stands for: the
// first '_'- or '-'-separated token that is UHD, 4K, QHD, FHD, HD, SD, LD
// or a height (with or without a trailing "p"), case-insensitive. It is a
// heuristic over VOD Station's system option names (AVC_SD_1Pass_30fps,
// AVC_HD_1Pass_30fps, AVC_FHD_2Pass_30fps, …), not an NCP rule.
func Rank(outputType string) (int, bool) {
	for _, tok := range strings.FieldsFunc(strings.ToUpper(outputType), func(r rune) bool { return r == '_' || r == '-' }) {
		if h, ok := rankTokens[tok]; ok {
			return h, true
		}
		if n := strings.TrimSuffix(tok, "P"); n != tok {
			if h, ok := rankTokens[n]; ok {
				return h, true
			}
		}
	}
	return 0, false
}

// Adaptive returns the adaptive URLs (HLS master, and DASH when c asks for
// DASH) over rs in the given form, with the renditions in bitrate order
// (see Order). One rendition gives its own ForLink URLs. An error matching
// ErrNoAdaptive says why no adaptive URL can be trusted, so that the
// caller falls back to the per-rendition URLs and warns; it is never a
// guess: every rendition's file must be "{basename}_{outputType}.mp4" in
// one folder of one bucket, with a basename common to all, and no name may
// hold ',' (the list separator) or NCP's unplayable '#', '$', ';'. Other
// errors are configuration errors. URLs.Warning carries ordering notes.
func Adaptive(c Config, form string, rs []Rendition) (URLs, error) {
	n, err := c.normalize()
	if err != nil {
		return URLs{}, err
	}
	if form, err = ParseABR(form); err != nil {
		return URLs{}, err
	}
	no := func(format string, args ...any) (URLs, error) {
		return URLs{}, fmt.Errorf("playback: %w: %s", ErrNoAdaptive, fmt.Sprintf(format, args...))
	}
	switch {
	case form == ABRNone:
		return no("%s is %s", ParamABR, ABRNone)
	case len(rs) == 0:
		return no("no rendition")
	case len(rs) == 1:
		return ForLink(c, rs[0].Link)
	}
	ordered, warn := Order(rs)
	var dir, bucket, base string
	types := make([]string, len(ordered))
	for i, r := range ordered {
		loc, err := locate(r.Link, n.bucket)
		if err != nil {
			return no("rendition %s: %v", r.OutputType, err)
		}
		if found := foundChars(loc.key, unplayable+","); found != "" || loc.fragment {
			return no("object key %q contains %s: NCP cannot play '#', '$', ';', and ',' separates the list", loc.key, nonEmpty(found, "'#'"))
		}
		d, file := path.Split(loc.key)
		suffix := "_" + r.OutputType + ".mp4"
		switch {
		case r.OutputType == "" || strings.Contains(r.OutputType, "/"):
			return no("rendition with link %s has no usable output type", r.Link)
		case !strings.HasSuffix(file, suffix) || len(file) == len(suffix):
			return no("file %q is not named {basename}_%s.mp4", file, r.OutputType)
		}
		b := strings.TrimSuffix(file, suffix)
		if i == 0 {
			dir, bucket, base = d, loc.bucket, b
		} else if d != dir || loc.bucket != bucket || b != base {
			return no("the renditions have no common prefix: %q and %q are not {basename}_{outputType}.mp4 of one basename in one folder",
				ordered[0].Link, r.Link)
		}
		types[i] = r.OutputType
	}
	if len(slices.Compact(slices.Sorted(slices.Values(types)))) != len(types) {
		return no("two renditions have the same output type")
	}
	pre, mids, suf := "", types, ""
	if form == ABRSmilFactored {
		pre, mids, suf = factor(types)
	}
	list := base + "_" + pre + "," + strings.Join(mids, ",") + "," + suf + ".mp4.smil"
	out := URLs{Warning: warn}
	if n.hls {
		out.HLS = build(n.domain, "hls", n.encrypted, dir+list, HLSMaster)
	}
	if n.dash {
		out.DASH = build(n.domain, "dash", n.encrypted, dir+list, DASHMaster)
	}
	return out, nil
}

// factor splits names into a common prefix ending in '_', the middles, and
// a common suffix starting with '_', each middle left non-empty.
func factor(names []string) (pre string, mids []string, suf string) {
	pre, suf = names[0], names[0]
	for _, s := range names[1:] {
		for !strings.HasPrefix(s, pre) {
			pre = pre[:len(pre)-1]
		}
		for !strings.HasSuffix(s, suf) {
			suf = suf[1:]
		}
	}
	if i := strings.LastIndex(pre, "_"); i >= 0 {
		pre = pre[:i+1]
	} else {
		pre = ""
	}
	if i := strings.Index(suf, "_"); i >= 0 {
		suf = suf[i:]
	} else {
		suf = ""
	}
	for _, s := range names {
		if len(pre)+len(suf) >= len(s) {
			return "", names, ""
		}
	}
	mids = make([]string, len(names))
	for i, s := range names {
		mids[i] = s[len(pre) : len(s)-len(suf)]
	}
	return pre, mids, suf
}

// DefaultPoster is PLAYBACK_POSTER's default naming: VOD Station's
// thumbnail beside the outputs, as NCP partner code shows it (inferred,
// not documented).
const DefaultPoster = "{basename}_01.jpg"

// Poster returns the poster URL of a file: template with {basename} (the
// input file's name without its extension, as VOD Station names the
// outputs) and {dir} (the outputs' folder, the object key's directory)
// filled in, each percent-encoded. A template without "://" is a file name
// beside the output at link (same host and folder); one with "://" is a
// whole URL, e.g. "https://thumbs.example.com/{dir}/{basename}_01.jpg"
// for a CDN in front of the thumbnail bucket.
func Poster(template, link, inputKey string) (string, error) {
	template = strings.TrimSpace(template)
	if template == "" {
		template = DefaultPoster
	}
	key := strings.TrimSpace(inputKey)
	name := path.Base(key)
	name = strings.TrimSuffix(name, path.Ext(name))
	if key == "" || strings.HasSuffix(key, "/") || name == "" || name == "." {
		return "", fmt.Errorf("playback: poster: the input key %q names no file", inputKey)
	}
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return "", fmt.Errorf("playback: poster: link %q is not an http(s) URL of a file", link)
	}
	dir := path.Dir(strings.TrimPrefix(u.Path, "/"))
	fill := func(t string, escDir string) string {
		return strings.NewReplacer("{basename}", escapeSegment(name), "{dir}", escDir).Replace(t)
	}
	if !strings.Contains(template, "://") {
		if strings.Contains(template, "/") {
			return "", fmt.Errorf("playback: %s %q: a file name (beside the outputs) or a whole URL with {dir}", ParamPoster, template)
		}
		u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
		p := u.EscapedPath()
		u.Path = "" // RawPath carries it
		out := u.String() + p[:strings.LastIndex(p, "/")+1] + fill(template, "")
		return out, nil
	}
	escDir := make([]string, 0, 8)
	for _, seg := range strings.Split(dir, "/") {
		escDir = append(escDir, escapeSegment(seg))
	}
	out := fill(template, strings.Join(escDir, "/"))
	if v, err := url.Parse(out); err != nil || (v.Scheme != "http" && v.Scheme != "https") || v.Host == "" {
		return "", fmt.Errorf("playback: %s %q: not an http(s) URL once filled in", ParamPoster, template)
	}
	return out, nil
}

// escapeSegment percent-encodes one path segment, '+' included.
func escapeSegment(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "+", "%2B")
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
