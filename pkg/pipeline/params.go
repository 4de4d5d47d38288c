package pipeline

import (
	"strings"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// Defaults for the package parameters.
const (
	DefaultAPIURL = vodstation.DefaultBaseURL
	DefaultRegion = "KR"
	// DefaultCacheTTL is how long a category id found by name is reused, in seconds.
	DefaultCacheTTL = 300
)

// APIParams are the package-bound parameters every action needs to call
// the NCP API.
type APIParams struct {
	AccessKey string         `json:"NCLOUD_ACCESS_KEY"`
	SecretKey signing.Secret `json:"NCLOUD_SECRET_KEY"`
	APIURL    param.String   `json:"API_URL"`
	Region    param.String   `json:"REGION"`
}

// validate checks the parameters and fills defaults.
func (p *APIParams) validate() error {
	p.AccessKey = strings.TrimSpace(p.AccessKey)
	if p.AccessKey == "" {
		return action.Missing("NCLOUD_ACCESS_KEY")
	}
	if p.SecretKey.Empty() {
		return action.Missing("NCLOUD_SECRET_KEY")
	}
	if p.APIURL == "" {
		p.APIURL = DefaultAPIURL
	}
	if u := string(p.APIURL); !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return action.Invalid("API_URL", "got %q, want an http(s) URL", u)
	}
	if p.Region == "" {
		p.Region = DefaultRegion
	}
	return nil
}

func (p APIParams) credentials() signing.Credentials {
	return signing.Credentials{AccessKey: p.AccessKey, SecretKey: p.SecretKey}
}
