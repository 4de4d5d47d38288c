package uploadurl

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/objectstorage"
)

const mib = 1 << 20

// TestPartPlan: every part but the last is the planned size, the last is
// what is left (1 byte to a whole part), the parts add up to the size, no
// answer has more than MaxAnswerParts parts unless a part would then be
// over S3's largest PUT, and no plan breaks S3's limits (5 MiB to 5 GiB a
// part, 10,000 parts).
func TestPartPlan(t *testing.T) {
	const p = 64 * mib
	for _, tc := range []struct {
		name           string
		size, partSize int64
		wantPart       int64
		wantCount      int
	}{
		{"one byte over the part size: two parts", p + 1, p, p, 2},
		{"exactly two parts", 2 * p, p, p, 2},
		{"two parts and a byte", 2*p + 1, p, p, 3},
		{"the default largest file", DefaultMaxSize, DefaultPartSize, p, 80},
		{"5 MiB parts, exactly 1,000", 1000 * 5 * mib, 5 * mib, 5 * mib, 1000},
		{"5 MiB parts, one byte over 1,000: the part grows to the next MiB", 1000*5*mib + 1, 5 * mib, 6 * mib, 834},
		{"5 MiB parts, a 100 GiB file", 100 << 30, 5 * mib, 103 * mib, 995},
		{"a grown part is rounded up to a MiB", 1000*7*mib + 5, 5 * mib, 8 * mib, 876},
		{"a size not over the part size is one part", p, p, p, 1},
		{"one byte", 1, p, p, 1},
		{"5 TiB with 5 MiB parts: parts stay at most 5 GiB", objectstorage.MaxObjectSize, 5 * mib, objectstorage.MaxPutSize, 1024},
		{"4.9 TiB: 1,000 parts just under 5 GiB", 1000 * 5000 * mib, 64 * mib, 5000 * mib, 1000},
		{"zero bytes: no part", 0, p, p, 0},
		{"negative: no part", -1, p, p, 0},
		{"very negative: no part", -3 * p, p, p, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			part, count := PartPlan(tc.size, tc.partSize)
			assert.Equal(t, tc.wantPart, part, "part size")
			assert.Equal(t, tc.wantCount, count, "part count")
			if tc.size < 1 {
				return
			}
			last := tc.size - int64(count-1)*part
			assert.True(t, last >= 1 && last <= part, "last part %d of %d", last, part)
			assert.LessOrEqual(t, count, objectstorage.MaxParts)
			assert.LessOrEqual(t, part, int64(objectstorage.MaxPutSize))
			assert.GreaterOrEqual(t, part, int64(objectstorage.MinPartSize))
			if part != tc.partSize {
				assert.Zero(t, part%mib, "a grown part is a whole number of MiB")
				assert.Greater(t, tc.size, tc.partSize*MaxAnswerParts, "the part grows only past 1,000 parts")
			}
		})
	}
}

// TestPartPlanEverySizeFitsS3: for sizes spread over 1 byte … 5 TiB and
// every part size the configuration accepts at its ends, the plan keeps
// S3's limits and covers the size exactly.
func TestPartPlanEverySizeFitsS3(t *testing.T) {
	for _, partSize := range []int64{objectstorage.MinPartSize, DefaultPartSize, objectstorage.MaxPutSize} {
		for size := int64(1); size <= objectstorage.MaxObjectSize; size = size*3 + 7 {
			for _, s := range []int64{size, min(size*1000+1, objectstorage.MaxObjectSize), objectstorage.MaxObjectSize} {
				part, count := PartPlan(s, partSize)
				require.GreaterOrEqual(t, count, 1, "size %d", s)
				require.LessOrEqual(t, count, objectstorage.MaxParts, "size %d part %d", s, partSize)
				require.LessOrEqual(t, part, int64(objectstorage.MaxPutSize), "size %d part %d", s, partSize)
				require.GreaterOrEqual(t, part, partSize, "size %d", s)
				last := s - int64(count-1)*part
				require.True(t, last >= 1 && last <= part, "size %d: last part %d of %d", s, last, part)
				if count > MaxAnswerParts {
					require.Equal(t, int64(objectstorage.MaxPutSize), part, "more than 1,000 parts only at S3's largest part")
				}
			}
		}
	}
}

func TestParseTTL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration // 0: refused
	}{
		{"", DefaultURLTTL},
		{"   ", DefaultURLTTL},
		{"900", 900 * time.Second},
		{" 60 ", time.Minute},
		{"1", time.Second},
		{"604800", 7 * 24 * time.Hour},
		{"15m", 15 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1s", time.Second},
		{"1.5s", time.Second}, // truncated to the second
		{"168h", objectstorage.MaxPresignExpiry},
		{"0", 0},
		{"0s", 0},
		{"999ms", 0},
		{"604801", 0},
		{"168h1s", 0},
		{"-5", 0},
		{"-5m", 0},
		{"9223372036854775807", 0},
		{"99999999999999999999", 0},
		{"-36028797018963908", 0}, // n*1e9 wraps to +60 s: still negative seconds
		{"-9223372036854775808", 0},
		{"15 minutes", 0},
		{"1e3", 0},
		{"abc", 0},
	} {
		got, err := parseTTL(tc.in)
		if tc.want == 0 {
			var ae *action.Error
			require.ErrorAs(t, err, &ae, "%q", tc.in)
			assert.Equal(t, "UPLOAD_URL_TTL", ae.Param, "%q", tc.in)
			assert.Contains(t, err.Error(), "UPLOAD_URL_TTL", "%q", tc.in)
			assert.Zero(t, got, "%q", tc.in)
			continue
		}
		require.NoError(t, err, "%q", tc.in)
		assert.Equal(t, tc.want, got, "%q", tc.in)
	}
}

// validConfig returns a Config decoded from JSON, as the edge decodes it,
// with extra merged over the required parameters.
func validConfig(t *testing.T, extra map[string]any) Config {
	t.Helper()
	m := map[string]any{"UPLOAD_TOKEN": "tok-123456", "NCLOUD_ACCESS_KEY": "AK", "NCLOUD_SECRET_KEY": "SK-123456", "BUCKET_NAME": "in"}
	for k, v := range extra {
		m[k] = v
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	var c Config
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

func TestAllowedOrigins(t *testing.T) {
	for _, tc := range []struct {
		name    string
		param   any
		allow   []string
		refuse  []string
		invalid bool
	}{
		{name: "unset: none", param: nil, refuse: []string{"https://www.example.com", "null", ""}},
		{name: "empty: none", param: "", refuse: []string{"https://www.example.com"}},
		{name: "one origin", param: "https://www.example.com",
			allow:  []string{"https://www.example.com", "HTTPS://WWW.Example.COM", "https://www.example.com:443", " https://www.example.com "},
			refuse: []string{"http://www.example.com", "https://example.com", "https://www.example.com:8443", "https://www.example.com.evil.com", "https://evil.com/https://www.example.com", "null", ""}},
		{name: "trailing slash and case in the parameter", param: "HTTPS://WWW.EXAMPLE.COM/",
			allow: []string{"https://www.example.com"}, refuse: []string{"https://example.com"}},
		{name: "default http port", param: "http://localhost:80",
			allow: []string{"http://localhost", "http://localhost:80"}, refuse: []string{"https://localhost", "http://localhost:3000"}},
		{name: "a port is kept", param: "http://localhost:3000",
			allow: []string{"http://localhost:3000"}, refuse: []string{"http://localhost", "http://localhost:3001"}},
		{name: "comma list", param: "https://a.example, https://b.example ,http://localhost:3000",
			allow: []string{"https://a.example", "https://b.example", "http://localhost:3000"}, refuse: []string{"https://c.example"}},
		{name: "JSON list", param: []string{"https://a.example", "https://b.example"},
			allow: []string{"https://a.example", "https://b.example"}, refuse: []string{"https://c.example"}},
		{name: "JSON list in a string", param: `["https://a.example","https://b.example"]`,
			allow: []string{"https://a.example", "https://b.example"}, refuse: []string{"https://c.example"}},
		{name: "star: any", param: "*", allow: []string{"https://anything.example", "http://localhost:1234", "null"}},
		{name: "star among origins", param: "https://a.example,*", allow: []string{"https://z.example"}},
		{name: "a path", param: "https://a.example/app", invalid: true},
		{name: "a query", param: "https://a.example?x=1", invalid: true},
		{name: "a fragment", param: "https://a.example#x", invalid: true},
		{name: "no scheme", param: "www.example.com", invalid: true},
		{name: "another scheme", param: "ftp://a.example", invalid: true},
		{name: "userinfo", param: "https://me@a.example", invalid: true},
		{name: "a wildcard host", param: "https://*.example.com", invalid: true},
		{name: "one bad among good", param: "https://a.example,example.org", invalid: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra := map[string]any{}
			if tc.param != nil {
				extra["ALLOWED_ORIGINS"] = tc.param
			}
			c := validConfig(t, extra)
			err := c.validate()
			if tc.invalid {
				var ae *action.Error
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, "ALLOWED_ORIGINS", ae.Param)
				return
			}
			require.NoError(t, err)
			for _, o := range tc.allow {
				assert.True(t, c.allows(o), "allows %q", o)
			}
			for _, o := range tc.refuse {
				assert.False(t, c.allows(o), "refuses %q", o)
			}
		})
	}
}

func TestConfigLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra map[string]any
		field string // "" valid
	}{
		{"defaults", nil, ""},
		{"5 MiB parts", map[string]any{"UPLOAD_PART_SIZE": objectstorage.MinPartSize}, ""},
		{"a byte under 5 MiB", map[string]any{"UPLOAD_PART_SIZE": objectstorage.MinPartSize - 1}, "UPLOAD_PART_SIZE"},
		{"5 GiB parts", map[string]any{"UPLOAD_PART_SIZE": objectstorage.MaxPutSize}, ""},
		{"a byte over 5 GiB", map[string]any{"UPLOAD_PART_SIZE": objectstorage.MaxPutSize + 1}, "UPLOAD_PART_SIZE"},
		{"max size 1", map[string]any{"UPLOAD_MAX_SIZE": 1}, ""},
		{"max size 0", map[string]any{"UPLOAD_MAX_SIZE": 0}, "UPLOAD_MAX_SIZE"},
		{"max size 5 TiB", map[string]any{"UPLOAD_MAX_SIZE": objectstorage.MaxObjectSize}, ""},
		{"max size over 5 TiB", map[string]any{"UPLOAD_MAX_SIZE": objectstorage.MaxObjectSize + 1}, "UPLOAD_MAX_SIZE"},
		{"ttl", map[string]any{"UPLOAD_URL_TTL": "8d"}, "UPLOAD_URL_TTL"},
		{"no token", map[string]any{"UPLOAD_TOKEN": ""}, "UPLOAD_TOKEN"},
		{"no bucket", map[string]any{"BUCKET_NAME": " "}, "BUCKET_NAME"},
		{"prefix with /", map[string]any{"INPUT_PREFIX": "/uploads/"}, "INPUT_PREFIX"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig(t, tc.extra)
			err := c.validate()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			var ae *action.Error
			require.ErrorAs(t, err, &ae)
			assert.True(t, strings.HasPrefix(ae.Param, tc.field), "field %q, want %q", ae.Param, tc.field)
		})
	}
}

// TestCheck: the content type, the size limit and the extension against
// EXTENSIONS (lookup-category's list and default).
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name     string
		exts     any
		req      Request
		status   int // 0: accepted
		code     string
		wantExt  string
		wantFail string
	}{
		{name: "mp4", req: Request{"clip.mp4", "video/mp4", 10}, wantExt: "mp4"},
		{name: "upper-case extension", req: Request{"CLIP.MP4", "video/mp4", 10}, wantExt: "mp4"},
		{name: "parameters in the type", req: Request{"a.mov", "video/quicktime; codecs=avc1", 10}, wantExt: "mov"},
		{name: "dots in the name", req: Request{"my.trip.2024.mkv", "video/x-matroska", 10}, wantExt: "mkv"},
		{name: "unicode name", req: Request{"영상.webm", "video/webm", 10}, wantExt: "webm"},
		{name: "size at the limit", req: Request{"a.mp4", "video/mp4", 1000}, wantExt: "mp4"},
		{name: "size over the limit", req: Request{"a.mp4", "video/mp4", 1001}, status: http.StatusRequestEntityTooLarge, code: CodeTooLarge, wantFail: "size"},
		{name: "not video", req: Request{"a.mp4", "application/octet-stream", 10}, status: http.StatusUnsupportedMediaType, code: CodeUnsupportedType, wantFail: "content_type"},
		{name: "audio", req: Request{"a.mp3", "audio/mpeg", 10}, status: http.StatusUnsupportedMediaType, code: CodeUnsupportedType, wantFail: "content_type"},
		{name: "no subtype", req: Request{"a.mp4", "video/", 10}, status: http.StatusBadRequest, code: CodeBadRequest, wantFail: "content_type"},
		{name: "no slash", req: Request{"a.mp4", "video", 10}, status: http.StatusBadRequest, code: CodeBadRequest, wantFail: "content_type"},
		{name: "header injection", req: Request{"a.mp4", "video/mp4\r\nX-Amz-Acl: public-read", 10}, status: http.StatusBadRequest, code: CodeBadRequest, wantFail: "content_type"},
		{name: "an extension not encoded", req: Request{"a.txt", "video/mp4", 10}, status: http.StatusBadRequest, code: CodeUnsupportedExt, wantFail: "filename"},
		{name: "no extension", req: Request{"clip", "video/mp4", 10}, status: http.StatusBadRequest, code: CodeUnsupportedExt, wantFail: "filename"},
		{name: "a trailing dot", req: Request{"clip.", "video/mp4", 10}, status: http.StatusBadRequest, code: CodeUnsupportedExt, wantFail: "filename"},
		{name: "the extension of a directory", req: Request{"dir.mp4/clip", "video/mp4", 10}, status: http.StatusBadRequest, code: CodeUnsupportedExt, wantFail: "filename"},
		{name: "double extension, last one counts", req: Request{"a.mp4.exe", "video/mp4", 10}, status: http.StatusBadRequest, code: CodeUnsupportedExt, wantFail: "filename"},
		{name: "EXTENSIONS set: listed", exts: ".MKV, webm", req: Request{"a.mkv", "video/x-matroska", 10}, wantExt: "mkv"},
		{name: "EXTENSIONS set: a default one not listed", exts: ".MKV, webm", req: Request{"a.mp4", "video/mp4", 10}, status: http.StatusBadRequest, code: CodeUnsupportedExt, wantFail: "filename"},
		{name: "EXTENSIONS as a JSON list", exts: []string{"mp4"}, req: Request{"a.MP4", "video/mp4", 10}, wantExt: "mp4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra := map[string]any{"UPLOAD_MAX_SIZE": 1000}
			if tc.exts != nil {
				extra["EXTENSIONS"] = tc.exts
			}
			c := validConfig(t, extra)
			require.NoError(t, c.validate())
			in := Input{Request: tc.req}
			r := c.check(&in)
			if tc.status == 0 {
				require.Nil(t, r)
				assert.Equal(t, tc.wantExt, in.Ext)
				return
			}
			require.NotNil(t, r)
			assert.Equal(t, tc.status, r.Status)
			assert.Equal(t, tc.code, r.Code)
			assert.Equal(t, tc.wantFail, r.Field)
			var err error = r
			assert.True(t, errors.As(err, new(*Refusal)))
		})
	}
}

func TestAuthorized(t *testing.T) {
	const tok = "s3cr3t-Upload-Token"
	for _, tc := range []struct {
		header string
		ok     bool
	}{
		{"Bearer " + tok, true},
		{"bearer " + tok, true},
		{"BEARER " + tok, true},
		{"  Bearer   " + tok + "  ", true},
		{"Bearer " + strings.ToLower(tok), false},
		{"Bearer " + tok + "x", false},
		{"Bearer " + tok[:len(tok)-1], false},
		{"Bearer x" + tok, false},
		{"Bearer ", false},
		{"Bearer", false},
		{tok, false},
		{"Basic " + tok, false},
		{"Token " + tok, false},
		{"", false},
	} {
		assert.Equal(t, tc.ok, authorized(tok, tc.header), "%q", tc.header)
	}
}
