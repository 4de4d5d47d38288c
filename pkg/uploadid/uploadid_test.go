package uploadid_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/uploadid"
)

func TestNewHasTheFormAndDiffers(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := uploadid.New()
		require.Len(t, id, uploadid.Len)
		require.True(t, uploadid.Valid(id), id)
		require.Regexp(t, `^up_[a-z2-7]{20}$`, id)
		require.False(t, seen[id], "repeated id %s", id)
		seen[id] = true
	}
}

func TestParse(t *testing.T) {
	id := "up_abcdefghijklmnopqrst"
	for _, tc := range []struct {
		key, want string
	}{
		{"uploads/" + id + "/clip.mp4", id},
		{id + "/clip.mp4", id},
		{"a/b/" + id + "/video.mkv", id},
		{"uploads/" + id, ""},                             // no file after it
		{"uploads/" + id + "/", ""},                       // a folder marker
		{"uploads/" + id + "/sub/clip.mp4", ""},           // not the last directory
		{"uploads/up_ABCDEFGHIJKLMNOPQRST/clip.mp4", ""},  // upper case
		{"uploads/up_abcdefghijklmnopqrs1/clip.mp4", ""},  // 1 is not base32
		{"uploads/up_abcdefghijklmnopqrs/clip.mp4", ""},   // 19 characters
		{"uploads/up_abcdefghijklmnopqrstu/clip.mp4", ""}, // 21 characters
		{"uploads/xx_abcdefghijklmnopqrst/clip.mp4", ""},
		{"uploads/clip.mp4", ""},
		{"/clip.mp4", ""},
		{"", ""},
	} {
		got, ok := uploadid.Parse(tc.key)
		assert.Equal(t, tc.want, got, tc.key)
		assert.Equal(t, tc.want != "", ok, tc.key)
		assert.Equal(t, tc.want, uploadid.Of(tc.key), tc.key)
	}
}

func TestKeyIsParsedBack(t *testing.T) {
	id := uploadid.New()
	key := uploadid.Key("uploads/", id, "My Trip #1 (final).MP4", "MP4")
	assert.Equal(t, "uploads/"+id+"/My_Trip__1__final_.mp4", key)
	got, ok := uploadid.Parse(key)
	require.True(t, ok)
	assert.Equal(t, id, got)
}

func TestSafeBaseName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"clip.mp4", "clip"},
		{"a.b.c.mov", "a.b.c"},
		{`C:\Users\me\clip.mp4`, "clip"},
		{"../../etc/passwd.mp4", "passwd"},
		{"..mp4", "video"},
		{".mp4", "video"},
		{"", "video"},
		{"#$;.mp4", "video"},
		{"영상.mp4", "video"},
		{"a영.mp4", "a___"},
		{"ok-name_1.mp4", "ok-name_1"},
		{strings.Repeat("x", 200) + ".mp4", strings.Repeat("x", uploadid.MaxBaseName)},
	} {
		got := uploadid.SafeBaseName(tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Regexp(t, `^[A-Za-z0-9._-]{1,80}$`, got)
	}
}

func TestExt(t *testing.T) {
	for in, want := range map[string]string{"a.MP4": "mp4", "a": "", "dir.x/a": "", "a.tar.gz": "gz", "a.": ""} {
		assert.Equal(t, want, uploadid.Ext(in), in)
	}
}

// TestKeyIsAlwaysSafe: whatever the declared name (unicode, dots, path
// separators, control bytes, empty, very long), the key is the prefix, the
// id and one safe segment with the extension lower-cased, it never climbs
// out of its directory, and Parse finds the id back.
func TestKeyIsAlwaysSafe(t *testing.T) {
	id := uploadid.New()
	long := strings.Repeat("가", 500) + ".mp4" // 1,500 bytes of unicode
	for _, tc := range []struct{ filename, ext, wantBase string }{
		{"clip.mp4", "mp4", "clip"},
		{"Clip.MP4", "MP4", "Clip"},
		{"", "mp4", "video"},
		{".", "mp4", "video"},
		{"..", "mp4", "video"},
		{"...mp4", "mp4", "video"},
		{"a..mp4", "mp4", "a"},
		{".hidden.mp4", "mp4", "hidden"},
		{"../../../x.mp4", "mp4", "x"},
		{`..\..\x.mp4`, "mp4", "x"},
		{"dir/", "mp4", "video"},
		{"영상 2024.mp4", "mp4", "_______2024"},
		{"e\u0301t\u00e9.mov", "mov", "e__t__"},
		{"tab\there\x00nul.mkv", "mkv", "tab_here_nul"},
		{"a b/c d.webm", "webm", "c_d"},
		{"%2e%2e%2fx.mp4", "mp4", "_2e_2e_2fx"},
		{long, "mp4", "video"},
		{strings.Repeat("a", 79) + "가.mp4", "mp4", strings.Repeat("a", 79) + "_"},
		{strings.Repeat("ab.", 40) + "mp4", "mp4", strings.Repeat("ab.", 26) + "ab"},
	} {
		key := uploadid.Key("uploads/", id, tc.filename, tc.ext)
		assert.Equal(t, "uploads/"+id+"/"+tc.wantBase+"."+strings.ToLower(tc.ext), key, "%q", tc.filename)
		name := strings.TrimPrefix(key, "uploads/"+id+"/")
		assert.NotContains(t, name, "/", "%q", tc.filename)
		assert.NotContains(t, name, `\`, "%q", tc.filename)
		assert.False(t, strings.HasPrefix(name, "."), "%q: a hidden or dot-dot name", tc.filename)
		assert.LessOrEqual(t, len(name), uploadid.MaxBaseName+1+len(tc.ext), "%q", tc.filename)
		got, ok := uploadid.Parse(key)
		assert.True(t, ok, "%q", tc.filename)
		assert.Equal(t, id, got, "%q", tc.filename)
	}
}

func TestExtCases(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a.Mp4", "mp4"},
		{"a.tar.gz", "gz"},
		{".mp4", "mp4"},
		{"..", ""},
		{"", ""},
		{"a", ""},
		{"a.", ""},
		{"dir.mp4/clip", ""},
		{`dir.mp4\clip`, ""},
		{"영상.MKV", "mkv"},
		{"a.m p4", "m p4"}, // kept: EXTENSIONS decides, and no list has it
	} {
		assert.Equal(t, tc.want, uploadid.Ext(tc.in), "%q", tc.in)
	}
}
