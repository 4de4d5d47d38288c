// Package uploadid owns the form of an upload's id and of the object key
// upload-url generates for it: the id is "up_" and 20 characters of
// lower-case RFC 4648 base32 (a-z, 2-7) from crypto/rand, and the key is
// {prefix}{id}/{safe base name}{.ext}. It is the one place that knows this
// form: upload-url makes ids and keys with [New] and [Key], and every
// action that names a key finds the id in it with [Parse]. It links only
// the standard library's crypto/rand and strings, so the small actions
// (lookup-category, add-files) can import it.
package uploadid

import (
	"crypto/rand"
	"strings"
)

// Prefix starts every upload id.
const Prefix = "up_"

// Len is the length of an upload id, prefix included.
const Len = len(Prefix) + randomChars

// MaxBaseName is the longest safe base name of a key, in bytes.
const MaxBaseName = 80

// DefaultBaseName is the base name of a key whose declared file name keeps
// no safe character.
const DefaultBaseName = "video"

const (
	randomChars = 20
	alphabet    = "abcdefghijklmnopqrstuvwxyz234567" // RFC 4648 base32, lower case
)

// New returns a fresh upload id: 100 bits from crypto/rand (whose Read
// never fails: since Go 1.24 a broken system source crashes the program).
func New() string {
	var b [randomChars]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 0, Len)
	out = append(out, Prefix...)
	for _, c := range b {
		out = append(out, alphabet[c&31]) // 256 is a multiple of 32: uniform
	}
	return string(out)
}

// Valid reports whether id has the form of an upload id.
func Valid(id string) bool {
	if len(id) != Len || !strings.HasPrefix(id, Prefix) {
		return false
	}
	for i := len(Prefix); i < len(id); i++ {
		if c := id[i]; (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// Parse returns the upload id a key carries: the key's last directory,
// when it is an upload id and a file name follows it
// ("uploads/up_…/clip.mp4" → "up_…"). ok is false for any other key.
func Parse(key string) (id string, ok bool) {
	slash := strings.LastIndexByte(key, '/')
	if slash <= 0 || slash == len(key)-1 {
		return "", false
	}
	dir := key[:slash]
	id = dir[strings.LastIndexByte(dir, '/')+1:]
	if !Valid(id) {
		return "", false
	}
	return id, true
}

// Of returns the upload id key carries, or "" (Parse without ok, for the
// omitempty upload_id of events and results).
func Of(key string) string {
	id, _ := Parse(key)
	return id
}

// Key returns the object key of the upload id for a file declared as
// filename with the extension ext (without the dot, already checked by
// the caller; lower-cased here): {prefix}{id}/{safe base name}.{ext}.
// The safe base name is filename's directory-less base without its
// extension, with every byte other than A-Z a-z 0-9 . _ - replaced by
// "_", cut to MaxBaseName bytes, and DefaultBaseName when nothing is left.
func Key(prefix, id, filename, ext string) string {
	return prefix + id + "/" + SafeBaseName(filename) + "." + strings.ToLower(ext)
}

// SafeBaseName is the base name Key uses for filename (see Key).
func SafeBaseName(filename string) string {
	base := filename[strings.LastIndexAny(filename, `/\`)+1:]
	if dot := strings.LastIndexByte(base, '.'); dot >= 0 {
		base = base[:dot]
	}
	b := []byte(base)
	for i, c := range b {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if len(b) > MaxBaseName {
		b = b[:MaxBaseName]
	}
	s := strings.Trim(string(b), ".")
	if strings.Trim(s, "_") == "" {
		return DefaultBaseName
	}
	return s
}

// Ext returns filename's extension, lower case, without the dot ("" when
// it has none).
func Ext(filename string) string {
	base := filename[strings.LastIndexAny(filename, `/\`)+1:]
	dot := strings.LastIndexByte(base, '.')
	if dot < 0 {
		return ""
	}
	return strings.ToLower(base[dot+1:])
}
