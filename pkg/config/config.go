// Package config owns the bound parameters that several vodflow actions
// share — how to reach the NCP API (NCLOUD_ACCESS_KEY, NCLOUD_SECRET_KEY,
// API_URL, REGION) and where signed notifications go (WEBHOOK_URL,
// WEBHOOK_SECRET) — with their defaults and their validation, and the
// per-container cache of the VOD Station clients built from them.
//
// Each action's configuration type embeds what it needs of these and is
// decoded once at the edge (package action); validation errors name the
// parameter.
package config

import (
	"crypto/sha256"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/expiring"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// Defaults of the shared parameters.
const (
	DefaultAPIURL = vodstation.DefaultBaseURL
	DefaultRegion = "KR"
)

// API is how an action reaches the NCP API.
type API struct {
	AccessKey string         `json:"NCLOUD_ACCESS_KEY"`
	SecretKey signing.Secret `json:"NCLOUD_SECRET_KEY"`
	APIURL    param.String   `json:"API_URL"`
	Region    param.String   `json:"REGION"`
}

// Validate checks the parameters and fills the defaults.
func (a *API) Validate() error {
	a.AccessKey = strings.TrimSpace(a.AccessKey)
	if a.AccessKey == "" {
		return action.Missing("NCLOUD_ACCESS_KEY")
	}
	if a.SecretKey.Empty() {
		return action.Missing("NCLOUD_SECRET_KEY")
	}
	if a.APIURL == "" {
		a.APIURL = DefaultAPIURL
	}
	if err := CheckURL("API_URL", string(a.APIURL)); err != nil {
		return err
	}
	if a.Region == "" {
		a.Region = DefaultRegion
	}
	region, err := CheckRegion("REGION", string(a.Region))
	if err != nil {
		return err
	}
	a.Region = param.String(region)
	return nil
}

// KnownRegions are the NCP region codes vodflow knows (NCP's getRegionList:
// KR, HK, SGN, JPN, USWN, DEN, and the older USW and DE; KRS is the
// government cloud's southern region).
var KnownRegions = []string{"KR", "KRS", "HK", "SGN", "JPN", "USWN", "USW", "DEN", "DE"}

// regionShape is what an NCP region code looks like: letters only. NCP's
// newer regions all have codes of 3 to 5 letters.
var regionShape = regexp.MustCompile(`^[A-Z]{3,5}$`)

// CheckRegion returns the region code raw names, upper-cased, or an error
// naming the parameter. A known code (KnownRegions, any case) is accepted;
// so is an unknown code of 3 to 5 letters, since NCP adds regions. Anything
// else is refused: digits (123), a zone (KR-2), a two-letter code that is
// not a known region (XX).
func CheckRegion(name, raw string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(raw))
	if slices.Contains(KnownRegions, code) || regionShape.MatchString(code) {
		return code, nil
	}
	return "", action.Invalid(name, "got %q, want an NCP region code: %s (letters only; a zone like KR-2 is not a region)",
		redact.Clip(raw, 40), strings.Join(KnownRegions, ", "))
}

// CheckCategoryID refuses a category id that is not a positive integer
// written plainly (VOD Station's ids are integers from 1): "1.0", "abc",
// "-1", "0", "007" are errors naming the parameter.
func CheckCategoryID(name, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != id {
		return action.Invalid(name, "got %q, want a VOD Station category id: a positive integer", redact.Clip(id, 40))
	}
	return nil
}

// Ready reports whether the API parameters are usable, without changing a.
func (a API) Ready() bool { return a.Validate() == nil }

// Credentials are the key pair.
func (a API) Credentials() signing.Credentials {
	return signing.Credentials{AccessKey: a.AccessKey, SecretKey: a.SecretKey}
}

// CacheKey identifies the API account and endpoint for per-container
// caches (the secret enters only as a digest).
func (a API) CacheKey() string {
	sum := sha256.Sum256([]byte(a.SecretKey.Reveal()))
	return string(a.APIURL) + "\x00" + string(a.Region) + "\x00" + a.AccessKey + "\x00" + string(sum[:8])
}

// CheckURL refuses a value that is not an absolute http(s) URL with a
// host; the error names the parameter and quotes the value only as
// redact.URL shows it (never a userinfo password or a secret query value).
func CheckURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return action.Invalid(name, "got %q, want an absolute http(s) URL", redact.URL(raw))
	}
	return nil
}

// Notify says where the signed notifications go. With WEBHOOK_URL empty
// nothing is sent.
type Notify struct {
	// WebhookURL receives the events (http or https).
	WebhookURL string `json:"WEBHOOK_URL"`
	// WebhookSecret signs them; required with WebhookURL.
	WebhookSecret signing.Secret `json:"WEBHOOK_SECRET"`
}

// Enabled reports whether notifications are configured.
func (n Notify) Enabled() bool { return strings.TrimSpace(n.WebhookURL) != "" }

// Validate checks the parameters: a URL needs a secret, since unsigned
// events would be worthless to a receiver that verifies them.
func (n *Notify) Validate() error {
	n.WebhookURL = strings.TrimSpace(n.WebhookURL)
	if n.WebhookURL == "" {
		return nil
	}
	if err := CheckURL("WEBHOOK_URL", n.WebhookURL); err != nil {
		return err
	}
	if n.WebhookSecret.Empty() {
		return action.Missing("WEBHOOK_SECRET (required when WEBHOOK_URL is set)")
	}
	return nil
}

// MaxClients bounds the client cache: the parameters rarely change in a
// warm container.
const MaxClients = 8

// Clients caches one VOD Station client per API configuration for the life
// of a warm container, so connections are reused across activations.
type Clients struct {
	opts  []vodstation.Option
	cache *expiring.Cache[string, *vodstation.Client]
}

// NewClients returns an empty cache whose clients are built with opts.
func NewClients(opts ...vodstation.Option) *Clients {
	return &Clients{opts: opts, cache: expiring.New[string, *vodstation.Client](MaxClients, time.Now)}
}

// Get returns the client for a validated API configuration.
func (c *Clients) Get(a API) (*vodstation.Client, error) {
	return c.cache.GetOrCreate(a.CacheKey(), 0, func() (*vodstation.Client, error) {
		opts := append([]vodstation.Option{vodstation.WithRegion(string(a.Region))}, c.opts...)
		return vodstation.New(string(a.APIURL), a.Credentials(), opts...)
	})
}

// Object Storage defaults (NCP's Korean region; ncp-api.md §4).
const (
	DefaultStorageEndpoint = "https://kr.object.ncloudstorage.com"
	DefaultStorageRegion   = "kr-standard"
)

// Storage is how an action reaches Object Storage (S3-compatible, signed
// with AWS SigV4 using the NCP API key pair of [API]): the endpoint and
// the signing region. Reconcile lists the bucket with it; lookup-category
// reads an object's ETag with it when the trigger's payload carries none.
type Storage struct {
	// Endpoint is OBJECT_STORAGE_ENDPOINT, e.g.
	// https://kr.object.ncloudstorage.com (path-style requests).
	Endpoint param.String `json:"OBJECT_STORAGE_ENDPOINT"`
	// Region is OBJECT_STORAGE_REGION, the SigV4 region (kr-standard).
	Region param.String `json:"OBJECT_STORAGE_REGION"`
}

// Configured reports whether OBJECT_STORAGE_ENDPOINT is set.
func (s Storage) Configured() bool { return strings.TrimSpace(string(s.Endpoint)) != "" }

// Validate checks the parameters and fills the defaults (the Korean
// region's endpoint and region when neither is set).
func (s *Storage) Validate() error {
	s.Endpoint = param.String(strings.TrimRight(strings.TrimSpace(string(s.Endpoint)), "/"))
	s.Region = param.String(strings.TrimSpace(string(s.Region)))
	if s.Endpoint == "" {
		s.Endpoint = DefaultStorageEndpoint
	}
	if s.Region == "" {
		s.Region = DefaultStorageRegion
	}
	if err := CheckURL("OBJECT_STORAGE_ENDPOINT", string(s.Endpoint)); err != nil {
		return err
	}
	if u, _ := url.Parse(string(s.Endpoint)); u.Path != "" || u.RawQuery != "" {
		return action.Invalid("OBJECT_STORAGE_ENDPOINT", "got %q, want the endpoint alone (scheme and host, e.g. %s): the bucket goes in BUCKET_NAME", redact.URL(string(s.Endpoint)), DefaultStorageEndpoint)
	}
	if !storageRegionShape.MatchString(string(s.Region)) {
		return action.Invalid("OBJECT_STORAGE_REGION", "got %q, want an Object Storage region such as kr-standard, sg-standard or jp-standard", redact.Clip(string(s.Region), 40))
	}
	return nil
}

// storageRegionShape is what a SigV4 region name looks like.
var storageRegionShape = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// Callback says where VOD Station's encoding callbacks go for the files an
// action submits (add-files and reconcile).
type Callback struct {
	// NotificationURL overrides the category's callback URL.
	NotificationURL string `json:"NOTIFICATION_URL"`
	// NotificationField is the callback field name: notificationUrl
	// (default) or notification.
	NotificationField string `json:"NOTIFICATION_FIELD"`
}

// Validate checks the parameters and fills the default field name.
func (c *Callback) Validate() error {
	switch c.NotificationField {
	case "":
		c.NotificationField = vodstation.NotificationFieldURL
	case vodstation.NotificationFieldURL, vodstation.NotificationFieldShort:
	default:
		return action.Invalid("NOTIFICATION_FIELD", "got %q, want notificationUrl or notification", c.NotificationField)
	}
	if c.NotificationURL = strings.TrimSpace(c.NotificationURL); c.NotificationURL != "" {
		return CheckURL("NOTIFICATION_URL", c.NotificationURL)
	}
	return nil
}
