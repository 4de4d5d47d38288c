package owdeploy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/openwhisk-client-go/whisk"
)

// DefaultKind is the Go kind of current Apache OpenWhisk runtime images.
const DefaultKind = "go:1.22"

// ErrNoAPIHost and ErrNoAuth report a missing API host or auth key.
var (
	ErrNoAPIHost = errors.New("owdeploy: no API host (--apihost, or APIHOST in ~/.wskprops)")
	ErrNoAuth    = errors.New("owdeploy: no auth key (--auth, or AUTH in ~/.wskprops)")
)

// Config says where and as whom to deploy. Auth is "uuid:key"; it is
// never printed.
type Config struct {
	APIHost   string
	Auth      string
	Namespace string
	Insecure  bool
}

// String describes the config without the auth key.
func (c Config) String() string {
	ns := c.Namespace
	if ns == "" {
		ns = "_"
	}
	return fmt.Sprintf("apihost %s, namespace %s", c.APIHost, ns)
}

// WskpropsPath is where wsk reads its properties: $WSK_CONFIG_FILE, else
// ~/.wskprops.
func WskpropsPath() string {
	if p := os.Getenv("WSK_CONFIG_FILE"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".wskprops"
	}
	return filepath.Join(home, ".wskprops")
}

// ReadWskprops reads APIHOST, AUTH and NAMESPACE from a wskprops file
// (KEY=VALUE lines; # comments). A missing file gives an empty Config.
func ReadWskprops(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Config{}, nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("owdeploy: wskprops: %w", err)
	}
	var c Config
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		switch strings.TrimSpace(k) {
		case "APIHOST":
			c.APIHost = strings.TrimSpace(v)
		case "AUTH":
			c.Auth = strings.TrimSpace(v)
		case "NAMESPACE":
			c.Namespace = strings.TrimSpace(v)
		}
	}
	return c, nil
}

// Merge returns c with the non-empty fields of over.
func (c Config) Merge(over Config) Config {
	if over.APIHost != "" {
		c.APIHost = over.APIHost
	}
	if over.Auth != "" {
		c.Auth = over.Auth
	}
	if over.Namespace != "" {
		c.Namespace = over.Namespace
	}
	c.Insecure = c.Insecure || over.Insecure
	return c
}

// NewClient returns an openwhisk-client-go client for c. An API host
// without a scheme gets https://, as wsk does.
func NewClient(c Config) (*whisk.Client, error) {
	if c.APIHost == "" {
		return nil, ErrNoAPIHost
	}
	if c.Auth == "" {
		return nil, ErrNoAuth
	}
	host := c.APIHost
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	// A fresh http.Client: Insecure replaces its Transport.
	cli, err := whisk.NewClient(&http.Client{Timeout: 70 * time.Second}, &whisk.Config{
		Host: host, AuthToken: c.Auth, Namespace: c.Namespace, Insecure: c.Insecure,
	})
	if err != nil {
		return nil, fmt.Errorf("owdeploy: client: %w", err)
	}
	return cli, nil
}
