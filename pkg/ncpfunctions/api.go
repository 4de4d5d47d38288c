package ncpfunctions

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// PackageBody is the body of Put Package.
type PackageBody struct {
	Description string         `json:"description,omitempty"`
	Parameters  map[string]any `json:"parameters"`
}

// ActionBody is the body of Put Action (basic, web, sequence).
type ActionBody struct {
	Description string         `json:"description,omitempty"`
	Parameters  map[string]any `json:"parameters,omitempty"`
	Limits      *Limits        `json:"limits,omitempty"`
	Exec        Exec           `json:"exec"`
	VPC         []VPC          `json:"vpc,omitempty"`
	RawHTTP     *bool          `json:"raw-http,omitempty"`
}

// Limits are an action's timeout (ms, 500–300000) and memory (MB: 128,
// 256, 512 or 1024).
type Limits struct {
	Timeout int `json:"timeout"`
	Memory  int `json:"memory"`
}

// Exec is an action's code: kind, base64 code, binary flag and main for
// basic/web actions; kind "sequence" and components for sequences.
type Exec struct {
	Kind       string   `json:"kind"`
	Code       string   `json:"code,omitempty"`
	Binary     bool     `json:"binary,omitempty"`
	Main       string   `json:"main,omitempty"`
	Components []string `json:"components,omitempty"`
}

// VPC attaches an action to a subnet (platform vpc).
type VPC struct {
	VPCNo    int64 `json:"vpcNo"`
	SubnetNo int64 `json:"subnetNo"`
}

// Action types (the type query of Put Action; immutable once created).
const (
	TypeBasic       = "basic"
	TypeWeb         = "web"
	TypeSequence    = "sequence"
	TypeSequenceWeb = "sequence-web"
)

// TriggerTypeObjectStorage is the Object Storage trigger type.
const TriggerTypeObjectStorage = "object_storage"

// TriggerTypeCron is the cron (timer) trigger type.
const TriggerTypeCron = "cron"

// TriggerBody is the body of Put Trigger (v2.1: flat).
type TriggerBody struct {
	Description       string              `json:"description,omitempty"`
	Parameters        map[string]any      `json:"parameters,omitempty"`
	ObjectStorageLink []ObjectStorageLink `json:"objectStorageLink,omitempty"`
	// CronOption is a cron trigger's schedule (Put Trigger, cron trigger:
	// cronOption).
	CronOption string `json:"cronOption,omitempty"`
}

// ObjectStorageLink names a bucket and its event rule.
type ObjectStorageLink struct {
	BucketName    string `json:"bucketName"`
	EventRuleName string `json:"eventRuleName"`
}

// LinkBody is the body of link-action.
type LinkBody struct {
	Action  string `json:"action"`
	Package string `json:"package"`
}

// PutPackage creates or updates a package.
// https://api.ncloud-docs.com/docs/compute-cloudfunctions-v2-putpackage
func (c *Client) PutPackage(ctx context.Context, name string, body PackageBody) error {
	if body.Parameters == nil {
		body.Parameters = map[string]any{}
	}
	return c.do(ctx, http.MethodPut, PackagePath(name), nil, body, nil)
}

// PutAction creates or updates an action of type typ.
// https://api.ncloud-docs.com/docs/compute-cloudfunctions-v2-putaction
func (c *Client) PutAction(ctx context.Context, pkg, name, typ string, body ActionBody) error {
	return c.do(ctx, http.MethodPut, ActionPath(pkg, name), url.Values{"type": {typ}}, body, nil)
}

// PutTrigger creates or updates a trigger of type typ.
// https://api.ncloud-docs.com/docs/compute-cloudfunctions-v2-puttrigger
func (c *Client) PutTrigger(ctx context.Context, name, typ string, body TriggerBody) error {
	return c.do(ctx, http.MethodPut, TriggerPath(name), url.Values{"type": {typ}}, body, nil)
}

// LinkAction links pkg/action to a trigger. A link that already exists
// (NCP code 80901) is not an error: linked reports false then.
func (c *Client) LinkAction(ctx context.Context, trigger, pkg, action string) (linked bool, err error) {
	err = c.do(ctx, http.MethodPost, TriggerPath(trigger)+"/link-action", nil, LinkBody{Action: action, Package: pkg}, nil)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == CodeDuplicatedRule {
		return false, nil
	}
	return err == nil, err
}

// Activation is the answer of an invoke.
type Activation struct {
	ActivationID string `json:"activationId"`
	Duration     int64  `json:"duration"`
	Response     *struct {
		Result  map[string]any `json:"result"`
		Status  string         `json:"status"`
		Success bool           `json:"success"`
	} `json:"response"`
}

// Invoke runs pkg/action (or a sequence) with params and waits up to wait
// (at most 60 s) for the result. An activation still running when the
// wait ends has no Response, only its id.
// https://api.ncloud-docs.com/docs/compute-cloudfunctions-v2-postaction
func (c *Client) Invoke(ctx context.Context, pkg, action string, params map[string]any, wait time.Duration) (*Activation, error) {
	if params == nil {
		params = map[string]any{}
	}
	var out struct {
		Content Activation `json:"content"`
	}
	q := url.Values{"timeout": {strconv.FormatInt(wait.Milliseconds(), 10)}}
	if err := c.do(ctx, http.MethodPost, ActionPath(pkg, action), q, params, &out); err != nil {
		return nil, err
	}
	return &out.Content, nil
}

// PackagePath, ActionPath and TriggerPath are resource paths under the
// base path.
func PackagePath(name string) string { return "/packages/" + url.PathEscape(name) }

// ActionPath is the path of pkg/action ("-" for no package).
func ActionPath(pkg, action string) string {
	return PackagePath(pkg) + "/actions/" + url.PathEscape(action)
}

// TriggerPath is the path of a trigger.
func TriggerPath(name string) string { return "/triggers/" + url.PathEscape(name) }

// DeletePackage deletes a package. A package that is not there (HTTP
// 404) reports gone, not an error.
// NCP: Delete Package, https://api.ncloud-docs.com/docs/compute-cloudfunctions (v2.1).
func (c *Client) DeletePackage(ctx context.Context, name string) (gone bool, err error) {
	return notFound(c.do(ctx, http.MethodDelete, PackagePath(name), nil, nil, nil))
}

// DeleteAction deletes pkg/action (an action or a sequence). One that is
// not there (HTTP 404) reports gone.
// NCP: Delete Action, https://api.ncloud-docs.com/docs/compute-cloudfunctions (v2.1).
func (c *Client) DeleteAction(ctx context.Context, pkg, action string) (gone bool, err error) {
	return notFound(c.do(ctx, http.MethodDelete, ActionPath(pkg, action), nil, nil, nil))
}

// DeleteTrigger deletes a trigger. One that is not there (HTTP 404)
// reports gone.
// NCP: Delete Trigger, https://api.ncloud-docs.com/docs/compute-cloudfunctions (v2.1).
func (c *Client) DeleteTrigger(ctx context.Context, name string) (gone bool, err error) {
	return notFound(c.do(ctx, http.MethodDelete, TriggerPath(name), nil, nil, nil))
}

// UnlinkAction removes the link from a trigger to pkg/action. A link (or
// trigger) that is not there (HTTP 404) reports gone.
// NCP: Delete Trigger Link Action, https://api.ncloud-docs.com/docs/compute-cloudfunctions (v2.1).
func (c *Client) UnlinkAction(ctx context.Context, trigger, pkg, action string) (gone bool, err error) {
	return notFound(c.do(ctx, http.MethodDelete, TriggerPath(trigger)+"/link-action", nil, LinkBody{Action: action, Package: pkg}, nil))
}

// notFound turns an HTTP 404 into gone.
func notFound(err error) (gone bool, _ error) {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return true, nil
	}
	return false, err
}
