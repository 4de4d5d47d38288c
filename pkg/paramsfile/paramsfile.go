package paramsfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/vodflow/vodflow/pkg/redact"
)

// DefaultPackageName is the Cloud Functions package vodflow deploys into.
const DefaultPackageName = "vodflow"

// File is the content of params.json.
type File struct {
	// Package holds the package name and its default parameters, seen by
	// every action (NCLOUD_ACCESS_KEY, NCLOUD_SECRET_KEY, API_URL, REGION).
	Package Package `json:"package"`
	// Actions holds each action's own default parameters, by action name.
	Actions map[string]Action `json:"actions,omitempty"`
	// Trigger describes the Object Storage upload trigger.
	Trigger Trigger `json:"trigger"`
	// Deploy holds deployment settings that are not parameters: where and
	// how `vodflow deploy --target ncp` deploys. Flags override it.
	Deploy Deploy `json:"deploy"`
}

// Deploy is the optional deploy section: NCP Cloud Functions settings.
type Deploy struct {
	// Platform is "vpc" (the default) or "classic".
	Platform string `json:"platform,omitempty"`
	// Region picks the Cloud Functions API host: "kr" (the default), "sg"
	// or "jp".
	Region string `json:"region,omitempty"`
	// APIURL overrides the Cloud Functions API host (gov, fin), e.g.
	// "https://cloudfunctions.apigw.fin-ntruss.com".
	APIURL string `json:"api_url,omitempty"`
	// VPCNo and SubnetNo attach actions to a VPC subnet (platform vpc).
	VPCNo    Number `json:"vpc_no,omitempty"`
	SubnetNo Number `json:"subnet_no,omitempty"`
}

// Number is an NCP resource number, written in params.json as a JSON
// number or a string (so that a placeholder fits).
type Number string

// UnmarshalJSON accepts a JSON number or string.
func (n *Number) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*n = Number(strings.TrimSpace(s))
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return fmt.Errorf("a VPC or subnet number: want a number or a string, got %s", b)
	}
	*n = Number(num.String())
	return nil
}

// Int returns the number, or an error naming field when it is not a
// positive integer (a placeholder left in place, for instance).
func (n Number) Int(field string) (int64, error) {
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%s %q is not a positive integer", field, string(n))
	}
	return v, nil
}

// Validate checks the values that have a fixed set of choices.
func (d Deploy) Validate() error {
	switch d.Platform {
	case "", "vpc", "classic":
	default:
		return fmt.Errorf("deploy.platform %q: want vpc or classic", d.Platform)
	}
	switch d.Region {
	case "", "kr", "sg", "jp":
	default:
		return fmt.Errorf("deploy.region %q: want kr, sg or jp", d.Region)
	}
	return nil
}

// Package is the package section.
type Package struct {
	Name       string         `json:"name,omitempty"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

// Action is one action's section.
type Action struct {
	Parameters map[string]any `json:"parameters,omitempty"`
}

// Trigger is the upload trigger's section.
type Trigger struct {
	// Name is the trigger's name (default "vodflow-upload").
	Name string `json:"name,omitempty"`
	// BucketName and EventRuleName link the trigger to an Object Storage
	// bucket event rule (NCP).
	BucketName    string `json:"bucket_name,omitempty"`
	EventRuleName string `json:"event_rule_name,omitempty"`
	// Parameters are the trigger's default parameters.
	Parameters map[string]any `json:"parameters,omitempty"`
}

// Load reads and validates a params file.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("params file: %w", err)
	}
	f, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("params file %s: %w", path, err)
	}
	return f, nil
}

// Parse decodes a params file strictly: an unknown section or field is an
// error, so a typo does not silently drop a setting.
func Parse(b []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, decodeError(err)
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON object, at byte %d", dec.InputOffset())
	}
	if err := f.Deploy.Validate(); err != nil {
		return nil, err
	}
	if f.Package.Name == "" {
		f.Package.Name = DefaultPackageName
	}
	if f.Trigger.Name == "" {
		f.Trigger.Name = "vodflow-upload"
	}
	return &f, nil
}

// decodeError words a decoding error as a user would say it: the field's
// path and the JSON kinds, not Go's type names.
func decodeError(err error) error {
	var typ *json.UnmarshalTypeError
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &typ):
		return fmt.Errorf("%s: got %s, want %s", typ.Field, article(typ.Value), wantKind(typ.Type))
	case errors.As(err, &syn):
		return fmt.Errorf("not valid JSON: %v (at byte %d)", syn, syn.Offset)
	case errors.Is(err, io.EOF):
		return errors.New("empty: want one JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("not valid JSON: it ends early")
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// article names a JSON kind as decoding errors report it ("number",
// "array", …), with an article: "a number", "a list".
func article(kind string) string {
	switch kind {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "a boolean"
	case "null":
		return "null"
	}
	return "a " + kind
}

// wantKind names the JSON kind a Go type decodes from.
func wantKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another kind"
}

// ActionParameters returns an action's default parameters (never nil).
func (f *File) ActionParameters(name string) map[string]any {
	if p := f.Actions[name].Parameters; p != nil {
		return p
	}
	return map[string]any{}
}

// Masked returns a copy of params for printing: the values of
// secret-named parameters (redact.IsSecretName) are replaced by "****",
// and URL values lose their userinfo password and secret query values
// (redact.URL).
func Masked(params map[string]any) map[string]any {
	out := make(map[string]any, len(params))
	for k, v := range params {
		if s, ok := v.(string); ok && s != "" {
			switch {
			case redact.IsSecretName(k):
				v = "****"
			case strings.Contains(s, "://"):
				v = redact.URL(s)
			}
		}
		out[k] = v
	}
	return out
}

// Secrets returns the one Set that knows every secret of the file: each
// parameter of every section goes through redact.Set.AddParam (so a
// secret-named value, and the password and secret query values of any URL
// value, such as NOTIFICATION_URL's ?token=, are known), and so does the
// deploy section's API URL. Everything vodflow prints about the file —
// plans, progress lines, errors, local results — goes through it.
func (f *File) Secrets() *redact.Set {
	s := &redact.Set{}
	s.AddParams(f.Package.Parameters)
	for _, a := range f.Actions {
		s.AddParams(a.Parameters)
	}
	s.AddParams(f.Trigger.Parameters)
	s.AddURL(f.Deploy.APIURL)
	return s
}
