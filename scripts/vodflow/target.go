package main

import (
	"fmt"
	"sort"

	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/paramcheck"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// paramsTarget reads the parameters upload and status use from params.json:
// an action's value wins over the package's, as on the platform.
type paramsTarget struct {
	path string
	p    *paramsfile.File
}

// lookup returns name's value: from the first action (in name order) that
// sets it, else from the package; "" when none does.
func (t paramsTarget) lookup(name string) string {
	names := make([]string, 0, len(t.p.Actions))
	for n := range t.p.Actions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if v, ok := t.p.Actions[n].Parameters[name]; ok && fmt.Sprint(v) != "" {
			return fmt.Sprint(v)
		}
	}
	if v, ok := t.p.Package.Parameters[name]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// need returns the values of names, or an error naming each one that is
// missing or still a placeholder of params.example.json.
func (t paramsTarget) need(names ...string) (map[string]string, error) {
	out := map[string]string{}
	var bad []string
	for _, n := range names {
		v := t.lookup(n)
		switch {
		case v == "":
			bad = append(bad, n+" is not set")
		case paramcheck.IsPlaceholder(v):
			bad = append(bad, n+" is still the placeholder "+v)
		}
		out[n] = v
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s: %v: set them (see params.example.json)", t.path, bad)
	}
	return out, nil
}

func (t paramsTarget) credentials() (signing.Credentials, error) {
	v, err := t.need("NCLOUD_ACCESS_KEY", "NCLOUD_SECRET_KEY")
	if err != nil {
		return signing.Credentials{}, err
	}
	return signing.Credentials{AccessKey: v["NCLOUD_ACCESS_KEY"], SecretKey: signing.NewSecret(v["NCLOUD_SECRET_KEY"])}, nil
}

// storage is the Object Storage client of params.json: OBJECT_STORAGE_ENDPOINT
// (default NCP's Korean endpoint), OBJECT_STORAGE_REGION, the NCLOUD_* keys.
func (t paramsTarget) storage(opts ...objectstorage.Option) (*objectstorage.Client, error) {
	creds, err := t.credentials()
	if err != nil {
		return nil, err
	}
	return objectstorage.New(objectstorage.Config{
		Endpoint: t.lookup("OBJECT_STORAGE_ENDPOINT"), Region: t.lookup("OBJECT_STORAGE_REGION"),
		AccessKey: creds.AccessKey, SecretKey: creds.SecretKey,
	}, opts...)
}

// vodStation is the VOD Station client of params.json (API_URL, the keys).
func (t paramsTarget) vodStation() (*vodstation.Client, error) {
	creds, err := t.credentials()
	if err != nil {
		return nil, err
	}
	api := t.lookup("API_URL")
	if api == "" {
		api = "https://vodstation.apigw.ntruss.com"
	}
	var opts []vodstation.Option
	if r := t.lookup("REGION"); r != "" {
		opts = append(opts, vodstation.WithRegion(r))
	}
	return vodstation.New(api, creds, opts...)
}

// playbackConfig is where renditions play from: PLAYBACK_DOMAIN and
// ENCRYPTED_BUCKET_NAME when set (ok false when they are not).
func (t paramsTarget) playbackConfig() (playback.Config, bool) {
	c := playback.Config{Domain: t.lookup("PLAYBACK_DOMAIN"), EncryptedBucket: t.lookup("ENCRYPTED_BUCKET_NAME")}
	if p := t.lookup("PLAYBACK_PROTOCOLS"); p != "" {
		c.Protocols = splitList(p)
	}
	return c, c.Domain != "" && c.EncryptedBucket != ""
}

func splitList(s string) []string {
	var out []string
	cur := ""
	for _, r := range s + "," {
		if r == ',' || r == ' ' {
			if cur != "" {
				out = append(out, cur)
			}
			cur = ""
			continue
		}
		cur += string(r)
	}
	return out
}
