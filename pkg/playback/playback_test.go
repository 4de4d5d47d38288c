package playback_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/playback"
)

func TestObjectKey(t *testing.T) {
	tests := []struct {
		name, link, bucket string
		want               string
		wantErr            string // "" = success
		unknownBucket      bool
	}{
		{name: "virtual-hosted", link: "https://out.kr.object.ncloudstorage.com/out/vodflow-demo/clip_AVC_HD_1Pass_30fps.mp4",
			want: "out/vodflow-demo/clip_AVC_HD_1Pass_30fps.mp4"},
		{name: "virtual-hosted, bucket with dots", link: "https://my.videos.kr.object.ncloudstorage.com/a/b.mp4", want: "a/b.mp4"},
		{name: "path-style", link: "https://kr.object.ncloudstorage.com/out/enc/movies/a.mp4", want: "enc/movies/a.mp4"},
		{name: "other region, path-style", link: "https://sg.object.ncloudstorage.com/bkt/x.mp4", want: "x.mp4"},
		{name: "ncpstorage.com", link: "https://bkt.kr.object.ncpstorage.com/x/y.mp4", want: "x/y.mp4"},
		{name: "gov", link: "https://bkt.kr.object.gov-ncloudstorage.com/x.mp4", want: "x.mp4"},
		{name: "fin, path-style", link: "https://kr.object.fin-ncloudstorage.com/bkt/x.mp4", want: "x.mp4"},
		{name: "private endpoint", link: "https://bkt.kr.object.private.ncloudstorage.com/x.mp4", want: "x.mp4"},
		{name: "http and upper-case host", link: "http://BKT.KR.Object.NcloudStorage.com/x.mp4", want: "x.mp4"},
		{name: "encoded Korean name is decoded", link: "https://b.kr.object.ncloudstorage.com/out/%ED%95%9C%EA%B8%80%20%EC%98%81%EC%83%81.mp4",
			want: "out/한글 영상.mp4"},
		{name: "raw Korean and spaces", link: "https://b.kr.object.ncloudstorage.com/out/한글 영상.mp4", want: "out/한글 영상.mp4"},
		{name: "plus is a plus", link: "https://b.kr.object.ncloudstorage.com/out/a+b.mp4", want: "out/a+b.mp4"},
		{name: "encoded plus", link: "https://b.kr.object.ncloudstorage.com/out/a%2Bb%20c.mp4", want: "out/a+b c.mp4"},
		{name: "query and fragment dropped", link: "https://b.kr.object.ncloudstorage.com/out/a.mp4?X-Amz-Signature=abc&x=1#t=10", want: "out/a.mp4"},
		{name: "custom host named after the bucket", link: "https://out.cdn.example.com/enc/a.mp4", bucket: "out", want: "enc/a.mp4"},
		{name: "custom host, bucket as first segment", link: "https://storage.example.com/out/enc/a.mp4", bucket: "out", want: "enc/a.mp4"},
		{name: "bare key", link: "out/vodflow-demo/a.mp4", want: "out/vodflow-demo/a.mp4"},
		{name: "bare key, leading slash", link: "/out/a.mp4", want: "out/a.mp4"},
		{name: "bare key kept as is", link: "out/clip:1 %41.mp4", want: "out/clip:1 %41.mp4"},
		{name: "surrounding space", link: "  https://b.kr.object.ncloudstorage.com/a.mp4\n", want: "a.mp4"},

		{name: "custom host without bucket", link: "https://cdn.example.com/enc/a.mp4", wantErr: "cannot tell the bucket", unknownBucket: true},
		{name: "custom host, other bucket", link: "https://cdn.example.com/enc/a.mp4", bucket: "out", wantErr: `bucket "out" is neither`, unknownBucket: true},
		{name: "unparseable", link: "https://b.kr.object.ncloudstorage.com/a%zz.mp4", wantErr: "is not a URL"},
		{name: "bad host", link: "https://[::1/a.mp4", wantErr: "is not a URL"},
		{name: "other scheme", link: "s3://b/a.mp4", wantErr: `scheme "s3"`},
		{name: "empty", link: " ", wantErr: "link is empty"},
		{name: "slash only", link: "/", wantErr: "names no object"},
		{name: "bucket only, path-style", link: "https://kr.object.ncloudstorage.com/bkt", wantErr: "names no object"},
		{name: "bucket only, virtual-hosted", link: "https://bkt.kr.object.ncloudstorage.com/", wantErr: "names no object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := playback.ObjectKey(tt.link, tt.bucket)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "playback: object key: ")
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, tt.unknownBucket, errors.Is(err, playback.ErrUnknownBucket))
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestForLink(t *testing.T) {
	const enc = "abcDEF123"
	hlsOnly := playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: enc}
	both := playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: enc, Protocols: []string{"hls", "Dash"}}
	vh := "https://out.kr.object.ncloudstorage.com/"
	tests := []struct {
		name     string
		cfg      playback.Config
		link     string
		wantHLS  string
		wantDASH string
		wantWarn string // substring; "" = no warning
	}{
		{"documented example, HLS only by default", hlsOnly, vh + "out/vodflow-demo/clip_AVC_HD_1Pass_30fps.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/vodflow-demo/clip_AVC_HD_1Pass_30fps.mp4/index.m3u8", "", ""},
		{"both protocols", both, vh + "out/a.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/a.mp4/index.m3u8",
			"https://example.edge.naverncp.com/dash/abcDEF123/out/a.mp4/manifest.mpd", ""},
		{"DASH only", playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: enc, Protocols: []string{"DASH"}}, vh + "a.mp4",
			"", "https://example.edge.naverncp.com/dash/abcDEF123/a.mp4/manifest.mpd", ""},
		{"empty protocol entries mean HLS", playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: enc, Protocols: []string{"", " "}}, vh + "a.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/a.mp4/index.m3u8", "", ""},
		{"domain with scheme and trailing slash", playback.Config{Domain: " HTTPS://example.edge.naverncp.com// ", EncryptedBucket: " /abcDEF123/ "}, vh + "a.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/a.mp4/index.m3u8", "", ""},
		{"domain with port", playback.Config{Domain: "example.edge.naverncp.com:8443", EncryptedBucket: enc}, vh + "a.mp4",
			"https://example.edge.naverncp.com:8443/hls/abcDEF123/a.mp4/index.m3u8", "", ""},
		{"encoded Korean is not encoded twice", both, vh + "out/%ED%95%9C%EA%B8%80%20%EC%98%81%EC%83%81.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/%ED%95%9C%EA%B8%80%20%EC%98%81%EC%83%81.mp4/index.m3u8",
			"https://example.edge.naverncp.com/dash/abcDEF123/out/%ED%95%9C%EA%B8%80%20%EC%98%81%EC%83%81.mp4/manifest.mpd", ""},
		{"raw Korean and spaces are encoded once", hlsOnly, vh + "out/한글 영상.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/%ED%95%9C%EA%B8%80%20%EC%98%81%EC%83%81.mp4/index.m3u8", "", ""},
		{"plus stays a plus", hlsOnly, vh + "out/a+b.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/a%2Bb.mp4/index.m3u8", "", ""},
		{"reserved characters escaped", hlsOnly, vh + "out/a%3Fb%25c.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/a%3Fb%25c.mp4/index.m3u8", "", ""},
		{"query string dropped", hlsOnly, vh + "out/a.mp4?response-content-type=video%2Fmp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/a.mp4/index.m3u8", "", ""},
		{"path-style link", hlsOnly, "https://kr.object.ncloudstorage.com/out/enc/a.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/enc/a.mp4/index.m3u8", "", ""},
		{"bare key", hlsOnly, "enc/movies/a_AVC_SD_1Pass_30fps.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/enc/movies/a_AVC_SD_1Pass_30fps.mp4/index.m3u8", "", ""},
		{"custom host with the bucket configured", playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: enc, Bucket: "out"}, "https://files.example.com/out/a.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/a.mp4/index.m3u8", "", ""},
		{"same bucket as configured: no warning", playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: enc, Bucket: "out"}, vh + "a.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/a.mp4/index.m3u8", "", ""},
		{"dollar and semicolon warned", hlsOnly, vh + "out/a$b;c.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/a$b;c.mp4/index.m3u8", "", `contains '$', ';': NCP documents`},
		{"encoded hash warned", hlsOnly, vh + "out/a%23b.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/a%23b.mp4/index.m3u8", "", `contains '#'`},
		{"raw hash cuts the key, warned", hlsOnly, vh + "out/a#b.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/out/a/index.m3u8", "", "unencoded '#'"},
		{"other bucket than the channel's warned", playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: enc, Bucket: "stream"}, vh + "a.mp4",
			"https://example.edge.naverncp.com/hls/abcDEF123/a.mp4/index.m3u8", "", `the link is in bucket "out" but the channel's storage bucket is "stream"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := playback.ForLink(tt.cfg, tt.link)
			require.NoError(t, err)
			assert.Equal(t, tt.wantHLS, got.HLS)
			assert.Equal(t, tt.wantDASH, got.DASH)
			if tt.wantWarn == "" {
				assert.Empty(t, got.Warning)
			} else {
				assert.Contains(t, got.Warning, tt.wantWarn)
			}
			// Whatever the link, each URL decodes back to the key exactly once.
			key, err := playback.ObjectKey(tt.link, tt.cfg.Bucket)
			require.NoError(t, err)
			for _, u := range []string{got.HLS, got.DASH} {
				if u == "" {
					continue
				}
				parsed, err := url.Parse(u)
				require.NoError(t, err)
				assert.Equal(t, "https", parsed.Scheme)
				assert.Contains(t, []string{"/hls/abcDEF123/" + key + "/index.m3u8", "/dash/abcDEF123/" + key + "/manifest.mpd"}, parsed.Path, "no double encoding")
			}
		})
	}
}

func TestForLinkRoundTripsTheKey(t *testing.T) {
	cfg := playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: "enc"}
	for _, key := range []string{"out/한글 영상.mp4", "out/a+b c.mp4", "out/100% sure.mp4", "out/a?b.mp4", "out/(1) [2] {3}.mp4", "out/é&=@,.mp4"} {
		t.Run(key, func(t *testing.T) {
			link := (&url.URL{Scheme: "https", Host: "out.kr.object.ncloudstorage.com", Path: "/" + key}).String()
			got, err := playback.ForLink(cfg, link)
			require.NoError(t, err)
			u, err := url.Parse(got.HLS)
			require.NoError(t, err)
			assert.Equal(t, "/hls/enc/"+key+"/index.m3u8", u.Path)
		})
	}
}

func TestForLinkErrors(t *testing.T) {
	ok := playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: "enc"}
	tests := []struct {
		name    string
		cfg     playback.Config
		link    string
		wantErr string
	}{
		{"invalid config", playback.Config{EncryptedBucket: "enc"}, "a.mp4", "PLAYBACK_DOMAIN"},
		{"bucket not told", ok, "https://cdn.example.com/a.mp4", "cannot tell the bucket"},
		{"empty link", ok, "", "link is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := playback.ForLink(tt.cfg, tt.link)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "playback: "), err.Error())
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, playback.URLs{}, got)
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		cfg       playback.Config
		wantErrs  []string // substrings, each naming a parameter
		wantNoErr bool
	}{
		{"valid, HLS default", playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: "enc"}, nil, true},
		{"valid, both, scheme and slash", playback.Config{Domain: "https://example.edge.naverncp.com/", EncryptedBucket: "enc", Protocols: []string{"dash", "HLS"}}, nil, true},
		{"nothing set", playback.Config{}, []string{"PLAYBACK_DOMAIN is required", "ENCRYPTED_BUCKET_NAME is required"}, false},
		{"only spaces", playback.Config{Domain: "  ", EncryptedBucket: " / "}, []string{"PLAYBACK_DOMAIN is required", "ENCRYPTED_BUCKET_NAME is required"}, false},
		{"domain only a scheme", playback.Config{Domain: "https://", EncryptedBucket: "enc"}, []string{"PLAYBACK_DOMAIN"}, false},
		{"http domain", playback.Config{Domain: "http://example.edge.naverncp.com", EncryptedBucket: "enc"}, []string{`PLAYBACK_DOMAIN "http://example.edge.naverncp.com": playback URLs are https`}, false},
		{"domain with a path", playback.Config{Domain: "example.edge.naverncp.com/hls", EncryptedBucket: "enc"}, []string{"PLAYBACK_DOMAIN", "without a path"}, false},
		{"domain with a space", playback.Config{Domain: "example edge.com", EncryptedBucket: "enc"}, []string{"PLAYBACK_DOMAIN"}, false},
		{"domain with user info", playback.Config{Domain: "user@example.edge.naverncp.com", EncryptedBucket: "enc"}, []string{"PLAYBACK_DOMAIN"}, false},
		{"encrypted bucket with a slash", playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: "a/b"}, []string{"ENCRYPTED_BUCKET_NAME", "one path segment"}, false},
		{"unknown protocol", playback.Config{Domain: "example.edge.naverncp.com", EncryptedBucket: "enc", Protocols: []string{"HLS", "RTMP"}}, []string{`PLAYBACK_PROTOCOLS: "RTMP" is neither HLS nor DASH`}, false},
		{"every problem at once", playback.Config{Protocols: []string{"smooth"}}, []string{"PLAYBACK_DOMAIN", "ENCRYPTED_BUCKET_NAME", "PLAYBACK_PROTOCOLS"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantNoErr {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range tt.wantErrs {
				assert.Contains(t, err.Error(), want)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "playback: "), err.Error())
		})
	}
}
