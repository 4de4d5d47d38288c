package playback

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Names of the action parameters a Config comes from; Validate's messages
// use them so that a user knows which setting to fix.
const (
	ParamDomain          = "PLAYBACK_DOMAIN"
	ParamEncryptedBucket = "ENCRYPTED_BUCKET_NAME"
	ParamProtocols       = "PLAYBACK_PROTOCOLS"
)

// Streaming protocols of a VOD Station channel.
const (
	HLS  = "HLS"
	DASH = "DASH"
)

// Manifest file names the documented playback URL ends with.
const (
	HLSManifest  = "index.m3u8"
	DASHManifest = "manifest.mpd"
)

// unplayable are the characters NCP documents as making a file unplayable.
const unplayable = "#$;"

// ErrUnknownBucket reports that a link is neither an Object Storage URL
// whose bucket can be read from it nor a URL of the configured bucket, so
// its object key cannot be told. Setting the channel's storage bucket
// (Config.Bucket) resolves links to it on other hosts.
var ErrUnknownBucket = errors.New("cannot tell the bucket from the link")

// Config says where renditions play from.
// https://guide.ncloud-docs.com/docs/en/vodstation-vodstationstream
type Config struct {
	// Domain is the Global Edge domain, e.g. "example.edge.naverncp.com"
	// (PLAYBACK_DOMAIN). A leading "https://" and trailing "/" are
	// tolerated and stripped. Required.
	Domain string
	// EncryptedBucket is the channel's encrypted bucket name
	// (ENCRYPTED_BUCKET_NAME; the channel info's encryptedBucketName).
	// Required.
	EncryptedBucket string
	// Bucket is the channel's storage bucket name. Optional: it is used to
	// find the object key in links that are not on an Object Storage
	// endpoint, and to warn when a link is in another bucket.
	Bucket string
	// Protocols holds "HLS" and/or "DASH", case-insensitive
	// (PLAYBACK_PROTOCOLS); empty means HLS only.
	Protocols []string
}

// Validate reports every problem of c, each naming the parameter to fix
// (PLAYBACK_DOMAIN, ENCRYPTED_BUCKET_NAME, PLAYBACK_PROTOCOLS).
func (c Config) Validate() error {
	_, err := c.normalize()
	return err
}

// normalized is a valid Config in the form URLs are built from.
type normalized struct {
	domain, encrypted, bucket string
	hls, dash                 bool
}

// normalize checks c and returns its values trimmed and canonical.
func (c Config) normalize() (normalized, error) {
	var n normalized
	var errs []error
	var err error
	if n.domain, err = normalizeDomain(c.Domain); err != nil {
		errs = append(errs, err)
	}
	n.encrypted = strings.Trim(strings.TrimSpace(c.EncryptedBucket), "/")
	switch {
	case n.encrypted == "":
		errs = append(errs, fmt.Errorf("playback: %s is required (the channel's encryptedBucketName)", ParamEncryptedBucket))
	case strings.ContainsAny(n.encrypted, "/?#% \t\r\n"):
		errs = append(errs, fmt.Errorf("playback: %s %q: must be one path segment, the channel's encryptedBucketName", ParamEncryptedBucket, c.EncryptedBucket))
	}
	n.bucket = strings.TrimSpace(c.Bucket)
	for _, p := range c.Protocols {
		switch strings.ToUpper(strings.TrimSpace(p)) {
		case HLS:
			n.hls = true
		case DASH:
			n.dash = true
		case "":
			// An empty entry (e.g. from "HLS,") asks for nothing.
		default:
			errs = append(errs, fmt.Errorf("playback: %s: %q is neither %s nor %s", ParamProtocols, p, HLS, DASH))
		}
	}
	if !n.dash {
		n.hls = true // empty means HLS only
	}
	return n, errors.Join(errs...)
}

// normalizeDomain strips a leading "https://" and trailing slashes from d
// and checks that what is left is a host name (with an optional port).
func normalizeDomain(d string) (string, error) {
	s := strings.TrimSpace(d)
	if s == "" {
		return "", fmt.Errorf("playback: %s is required (the Global Edge domain, e.g. example.edge.naverncp.com)", ParamDomain)
	}
	if len(s) >= len("https://") && strings.EqualFold(s[:len("https://")], "https://") {
		s = s[len("https://"):]
	}
	s = strings.TrimRight(s, "/")
	if strings.Contains(s, "://") {
		return "", fmt.Errorf("playback: %s %q: playback URLs are https; give the host name only", ParamDomain, d)
	}
	u, err := url.Parse("https://" + s)
	if err != nil || s == "" || u.Host != s || u.Hostname() == "" || strings.ContainsAny(s, " \t@") {
		return "", fmt.Errorf("playback: %s %q: want a host name such as example.edge.naverncp.com, without a path", ParamDomain, d)
	}
	return s, nil
}

// URLs are the playback URLs of one rendition.
type URLs struct {
	// HLS is the HLS URL (…/index.m3u8), "" when HLS is not configured.
	HLS string
	// DASH is the DASH URL (…/manifest.mpd), "" when DASH is not configured.
	DASH string
	// Warning, when not empty, is a non-fatal reason why the URLs may not
	// play: NCP documents that file names containing '#', '$' or ';'
	// cannot be played, and a link in another bucket than Config.Bucket
	// does not play from the channel.
	Warning string
}

// ForLink returns the playback URLs of the rendition whose output file is at
// link (the "link" of a COMPLETE callback or status row; see ObjectKey for
// the accepted forms):
//
//	https://{Domain}/hls/{EncryptedBucket}/{object key}/index.m3u8
//	https://{Domain}/dash/{EncryptedBucket}/{object key}/manifest.mpd
//
// The key is taken decoded from the link and percent-encoded once; '+' is a
// literal plus (RFC 3986) and is sent as %2B so that no server reads it as a
// space. The link's query and fragment are dropped.
// https://guide.ncloud-docs.com/docs/en/vodstation-vodstationstream
func ForLink(c Config, link string) (URLs, error) {
	n, err := c.normalize()
	if err != nil {
		return URLs{}, err
	}
	loc, err := locate(link, n.bucket)
	if err != nil {
		return URLs{}, err
	}
	var out URLs
	if n.hls {
		out.HLS = build(n.domain, "hls", n.encrypted, loc.key, HLSManifest)
	}
	if n.dash {
		out.DASH = build(n.domain, "dash", n.encrypted, loc.key, DASHManifest)
	}
	out.Warning = warning(n, loc)
	return out, nil
}

// build returns https://domain/protocol/encrypted/key/manifest with the path
// percent-encoded once.
func build(domain, protocol, encrypted, key, manifest string) string {
	u := url.URL{Scheme: "https", Host: domain, Path: "/" + protocol + "/" + encrypted + "/" + key + "/" + manifest}
	// url.URL leaves '+' as is in paths; some servers (S3 among them) read
	// it as a space, so send it encoded. RawPath is used by String only
	// because it is a valid encoding of Path.
	u.RawPath = strings.ReplaceAll(u.EscapedPath(), "+", "%2B")
	return u.String()
}

// warning describes what may keep the rendition at loc from playing.
func warning(n normalized, loc location) string {
	var ws []string
	if found := foundChars(loc.key, unplayable); found != "" {
		ws = append(ws, fmt.Sprintf("object key %q contains %s: NCP documents that files whose names contain '#', '$' or ';' cannot be played", loc.key, found))
	}
	if loc.fragment {
		ws = append(ws, "the link has an unencoded '#': if it is part of the file name, the key was cut there and such files cannot be played anyway")
	}
	if n.bucket != "" && loc.bucket != "" && loc.bucket != n.bucket {
		ws = append(ws, fmt.Sprintf("the link is in bucket %q but the channel's storage bucket is %q: the URL plays only if the file is there", loc.bucket, n.bucket))
	}
	return strings.Join(ws, "; ")
}

// foundChars lists, quoted, the characters of set that occur in s.
func foundChars(s, set string) string {
	var found []string
	for _, r := range set {
		if strings.ContainsRune(s, r) {
			found = append(found, fmt.Sprintf("'%c'", r))
		}
	}
	return strings.Join(found, ", ")
}

// location is where a link points.
type location struct {
	bucket   string // "" when the link does not say (bare key)
	key      string // decoded object key, no leading "/"
	fragment bool   // the link had a "#…" part
}

// ObjectKey extracts the object key from an Object Storage link, decoded
// (an encoded link gives the key's real characters), without the link's
// query or fragment:
//
//   - virtual-hosted https://{bucket}.{region}.object.ncloudstorage.com/{key}
//     (also *.object.ncpstorage.com, *.object.gov-ncloudstorage.com,
//     *.object.fin-ncloudstorage.com, and the .object.private. variants);
//   - path-style https://{region}.object.ncloudstorage.com/{bucket}/{key};
//   - on any other http(s) host, when bucket != "": a host starting with
//     bucket+"." means the path is the key; a first path segment equal to
//     bucket means the rest is;
//   - a bare key (no "://") is returned as is, leading "/" trimmed.
//
// Anything else is an error matching ErrUnknownBucket, so that the caller
// can ask for the bucket to be configured. A link naming no object is an
// error too.
func ObjectKey(link, bucket string) (string, error) {
	loc, err := locate(link, strings.TrimSpace(bucket))
	if err != nil {
		return "", err
	}
	return loc.key, nil
}

// storageDomains are the Object Storage endpoint domains after
// "{region}.object." (optionally "private.").
var storageDomains = map[string]bool{
	"ncloudstorage.com":     true,
	"ncpstorage.com":        true,
	"gov-ncloudstorage.com": true,
	"fin-ncloudstorage.com": true,
}

// storagePrefix returns what precedes ".object." in an Object Storage
// endpoint host: "{bucket}.{region}" (virtual-hosted) or "{region}"
// (path-style).
func storagePrefix(host string) (string, bool) {
	i := strings.LastIndex(host, ".object.")
	if i <= 0 {
		return "", false
	}
	rest := strings.TrimPrefix(host[i+len(".object."):], "private.")
	return host[:i], storageDomains[rest]
}

// locate finds the bucket and key of link (see ObjectKey); bucket is the
// configured bucket or "".
func locate(link, bucket string) (location, error) {
	s := strings.TrimSpace(link)
	if s == "" {
		return location{}, errors.New("playback: object key: link is empty")
	}
	if !strings.Contains(s, "://") {
		key := strings.TrimLeft(s, "/")
		if key == "" {
			return location{}, fmt.Errorf("playback: object key: link %q names no object", link)
		}
		return location{key: key}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return location{}, fmt.Errorf("playback: object key: link %q is not a URL: %w", link, errors.Unwrap(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return location{}, fmt.Errorf("playback: object key: link %q: scheme %q is not http(s)", link, u.Scheme)
	}
	host := strings.ToLower(u.Hostname())
	path := strings.TrimPrefix(u.Path, "/")
	loc := location{fragment: u.Fragment != ""}
	if prefix, ok := storagePrefix(host); ok {
		if i := strings.LastIndex(prefix, "."); i > 0 {
			loc.bucket, loc.key = prefix[:i], path // virtual-hosted
		} else {
			loc.bucket, loc.key, _ = strings.Cut(path, "/") // path-style
		}
	} else {
		switch first, rest, _ := strings.Cut(path, "/"); {
		case bucket != "" && strings.HasPrefix(host, strings.ToLower(bucket)+"."):
			loc.bucket, loc.key = bucket, path
		case bucket != "" && first == bucket:
			loc.bucket, loc.key = bucket, rest
		default:
			hint := "set the channel's storage bucket name"
			if bucket != "" {
				hint = fmt.Sprintf("it is not on an Object Storage endpoint and bucket %q is neither its host nor its first path segment", bucket)
			}
			return location{}, fmt.Errorf("playback: object key: link %q: %w (%s)", link, ErrUnknownBucket, hint)
		}
	}
	if loc.key == "" {
		return location{}, fmt.Errorf("playback: object key: link %q names no object", link)
	}
	return loc, nil
}
