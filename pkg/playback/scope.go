package playback

import (
	"fmt"
	"net/url"
	"strings"
)

// Scope returns the path pattern (for a Secure Token's acl or a JWT's
// path claim) that covers a playback URL ForLink or Adaptive built and
// every request a player makes for that stream: the variant playlists,
// init segments and media segments below it. A token on the manifest's
// path alone would make every child request fail.
//
//   - a rendition's URL …/{proto}/{enc}/{dir}/{file}/{manifest} gives
//     /{proto}/{enc}/{dir}/{file}/*: its manifest and everything below;
//   - an adaptive URL …/{proto}/{enc}/{dir}/{basename}_{pre},{mid},…,{suf}.smil/{manifest}
//     gives /{proto}/{enc}/{dir}/{basename}_{pre}*: the master, and each
//     rendition's own folder {basename}_{pre}{mid}{suf}.mp4/ (where a
//     player is sent for variants and segments), since every rendition's
//     file name starts with the list's first part.
//
// The pattern keeps the URL's percent-escapes (a name with spaces or
// Korean letters is matched exactly, as the edge sees the request path),
// is cut before the first byte other than a letter, digit, '-', '.', '_',
// '~', '/' or '%' (a '&' or '=' in a name would break the query the token
// rides in; the pattern then also covers the folder's other files whose
// names share the prefix), and ends in '*'. It never covers the other
// protocol's URLs or another folder: each URL is signed with the pattern
// of its own protocol.
func Scope(playbackURL string) (string, error) {
	u, err := url.Parse(playbackURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("playback: scope: %q is not a playback URL", playbackURL)
	}
	p := u.EscapedPath()
	proto, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	enc, rest, _ := strings.Cut(rest, "/")
	if (proto != "hls" && proto != "dash") || enc == "" || rest == "" {
		return "", fmt.Errorf("playback: scope: %q is not /hls/ or /dash/{encryptedBucket}/…", playbackURL)
	}
	base := "/" + proto + "/" + enc + "/"
	var prefix string
	if i := strings.Index(rest, ".smil/"); i >= 0 {
		list := rest[:i]
		dir, name := "", list
		if j := strings.LastIndex(list, "/"); j >= 0 {
			dir, name = list[:j+1], list[j+1:]
		}
		first, _, ok := strings.Cut(name, ",")
		if !ok || first == "" {
			return "", fmt.Errorf("playback: scope: %q: a .smil list starts with {basename}_", playbackURL)
		}
		prefix = base + dir + first
	} else {
		j := strings.LastIndex(rest, "/")
		if j <= 0 {
			return "", fmt.Errorf("playback: scope: %q names no rendition folder", playbackURL)
		}
		prefix = base + rest[:j+1]
	}
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '%') {
			prefix = prefix[:i]
			break
		}
	}
	return prefix + "*", nil
}
