package uploadurl

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/upload"
)

// Defaults of the parameters.
const (
	// DefaultMaxSize is UPLOAD_MAX_SIZE's default: 5 GiB.
	DefaultMaxSize = 5 << 30
	// DefaultPartSize is UPLOAD_PART_SIZE's default: 64 MiB, so the
	// default largest file is 80 parts.
	DefaultPartSize = 64 << 20
	// DefaultURLTTL is UPLOAD_URL_TTL's default.
	DefaultURLTTL = 15 * time.Minute
	// MaxAnswerParts bounds the parts of one answer, so it stays far under
	// the platform's 1 MB result (a presigned URL is about 600 bytes):
	// a file that would need more parts gets larger ones, up to S3's
	// 5 GiB, so a file over 5,000 GiB has more (at most 1,024, for 5 TiB;
	// see PartPlan).
	MaxAnswerParts = 1000
)

// Config is upload-url's configuration.
type Config struct {
	// API holds the NCP key pair that signs the URLs (NCLOUD_ACCESS_KEY,
	// NCLOUD_SECRET_KEY; API_URL and REGION are the package's and unused).
	config.API
	// Notify is read only because the package binds it for every action;
	// upload-url sends no event (the bucket's trigger does the rest).
	config.Notify
	// Storage is the Object Storage endpoint and region the URLs are for.
	config.Storage
	// BucketName is the upload bucket (BUCKET_NAME, required).
	BucketName string `json:"BUCKET_NAME"`
	// InputPrefix starts every key (INPUT_PREFIX, as lookup-category's).
	InputPrefix string `json:"INPUT_PREFIX"`
	// Extensions are the accepted extensions (EXTENSIONS, as
	// lookup-category's; default upload.DefaultExtensions).
	Extensions param.List `json:"EXTENSIONS"`
	// UploadToken is the bearer token a caller must present.
	UploadToken signing.Secret `json:"UPLOAD_TOKEN"`
	// AllowedOrigins are the browser origins answered cross-origin
	// (scheme://host[:port], or * for any); empty: none.
	AllowedOrigins param.List `json:"ALLOWED_ORIGINS"`
	// MaxSize is the largest declared size, in bytes.
	MaxSize param.Int `json:"UPLOAD_MAX_SIZE"`
	// PartSize is the size above which an upload is multipart, and its
	// part size, in bytes.
	PartSize param.Int `json:"UPLOAD_PART_SIZE"`
	// URLTTL is how long the URLs are valid: seconds, or a Go duration
	// such as 15m.
	URLTTL param.String `json:"UPLOAD_URL_TTL"`

	exts      map[string]bool
	origins   map[string]bool
	anyOrigin bool
	maxSize   int64
	partSize  int64
	ttl       time.Duration
}

// validate checks the configuration and fills the derived values.
func (c *Config) validate() error {
	if c.UploadToken.Empty() {
		return action.Missing("UPLOAD_TOKEN (the action refuses every request until it is set)")
	}
	if err := c.API.Validate(); err != nil {
		return err
	}
	if err := c.Storage.Validate(); err != nil {
		return err
	}
	c.BucketName = strings.TrimSpace(c.BucketName)
	if c.BucketName == "" {
		return action.Missing("BUCKET_NAME (the upload bucket)")
	}
	if strings.HasPrefix(c.InputPrefix, "/") {
		return action.Invalid("INPUT_PREFIX", "got %q: object keys do not start with /", c.InputPrefix)
	}
	c.exts = map[string]bool{}
	for _, e := range c.Extensions.Or(upload.DefaultExtensions) {
		c.exts[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(e), "."))] = true
	}
	c.origins = map[string]bool{}
	for _, o := range c.AllowedOrigins.Items {
		if o == "*" {
			c.anyOrigin = true
			continue
		}
		n, ok := normalOrigin(o)
		if !ok {
			return action.Invalid("ALLOWED_ORIGINS", "got %q, want origins such as https://www.example.com (scheme, host and port only), or *", o)
		}
		c.origins[n] = true
	}
	c.maxSize = c.MaxSize.Or(DefaultMaxSize)
	if c.maxSize < 1 || c.maxSize > objectstorage.MaxObjectSize {
		return action.Invalid("UPLOAD_MAX_SIZE", "got %d, want 1 to %d bytes (5 TiB, S3's largest object)", c.maxSize, int64(objectstorage.MaxObjectSize))
	}
	c.partSize = c.PartSize.Or(DefaultPartSize)
	if c.partSize < objectstorage.MinPartSize || c.partSize > objectstorage.MaxPutSize {
		return action.Invalid("UPLOAD_PART_SIZE", "got %d, want %d (5 MiB, S3's smallest part) to %d bytes (5 GiB, its largest PUT)", c.partSize, objectstorage.MinPartSize, int64(objectstorage.MaxPutSize))
	}
	ttl, err := parseTTL(string(c.URLTTL))
	if err != nil {
		return err
	}
	c.ttl = ttl
	return nil
}

// parseTTL reads UPLOAD_URL_TTL: empty (the default), seconds, or a Go
// duration; 1 s to 7 days (SigV4's limit).
func parseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultURLTTL, nil
	}
	d, err := time.ParseDuration(s)
	if n, nerr := strconv.ParseInt(s, 10, 64); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
		if n < 1 || n > int64(objectstorage.MaxPresignExpiry/time.Second) {
			d = 0 // out of range; n*time.Second could wrap into it
		}
	}
	if err != nil || d < time.Second || d > objectstorage.MaxPresignExpiry {
		return 0, action.Invalid("UPLOAD_URL_TTL", "got %q, want 1 to 604800 seconds or a duration such as 15m (at most 7 days, S3's limit)", s)
	}
	return d.Truncate(time.Second), nil
}

// normalOrigin is an origin's canonical form (lower-case scheme and host,
// no default port), ok when o is one: scheme://host[:port], no path, no
// wildcard (the list matches whole origins; * alone allows any).
func normalOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || strings.Contains(u.Host, "*") ||
		strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	host := strings.ToLower(u.Host)
	scheme := strings.ToLower(u.Scheme)
	if (scheme == "https" && strings.HasSuffix(host, ":443")) || (scheme == "http" && strings.HasSuffix(host, ":80")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return scheme + "://" + host, true
}

// allows reports whether a request's Origin header is allowed.
func (c *Config) allows(origin string) bool {
	if c.anyOrigin {
		return true
	}
	n, ok := normalOrigin(origin)
	return ok && c.origins[n]
}
