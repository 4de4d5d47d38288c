package ncpfunctions

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/manifest"
)

// Annotations of a manifest trigger that make it an NCP Object Storage
// trigger linked to a bucket's event rule.
const (
	AnnotationTriggerType   = "ncp-trigger-type"
	AnnotationBucketName    = "ncp-bucket-name"
	AnnotationEventRuleName = "ncp-event-rule-name"
	// AnnotationCronOption is a cron trigger's schedule (NCP's
	// cronOption, a cron expression such as "*/15 * * * *").
	AnnotationCronOption = "ncp-cron-option"
)

// DefaultCronOption is a cron trigger's schedule when the manifest gives
// none: every 30 minutes.
const DefaultCronOption = "*/30 * * * *"

// Defaults NCP requires when the manifest gives no limits.
const (
	DefaultTimeoutMS = 60000
	DefaultMemoryMB  = 256
)

// Settings are the deployment settings that are not in the manifest.
type Settings struct {
	// VPCNo and SubnetNo attach basic and web actions to a subnet; both
	// are required on platform vpc.
	VPCNo, SubnetNo int64
	// Kind overrides the manifest's runtime of every action (default:
	// the manifest's, go:1.19 for NCP).
	Kind string
}

// Steps plans the deployment of d: the package with its parameters, each
// action (code[name] is its zip; nil in a dry run), each sequence, each
// trigger, and a link from each rule's trigger to its action. Every step
// is a PUT (create or update) or an idempotent link, so applying the steps
// again updates in place.
func Steps(c *Client, d *manifest.Deployment, code map[string][]byte, s Settings) ([]deploy.Step, error) {
	var vpc []VPC
	if c.platform == PlatformVPC {
		if s.VPCNo <= 0 || s.SubnetNo <= 0 {
			return nil, fmt.Errorf("ncp deploy: platform vpc needs the VPC and subnet numbers (deploy.vpc_no and deploy.subnet_no in params.json, or --vpc-no and --subnet-no)")
		}
		vpc = []VPC{{VPCNo: s.VPCNo, SubnetNo: s.SubnetNo}}
	}
	pkg := d.Package.Name
	var steps []deploy.Step
	add := func(resource, method, path string, query url.Values, body, show any, apply func(ctx context.Context) (string, error)) {
		steps = append(steps, deploy.Step{Resource: resource, Request: method + " " + c.URI(path, query), Show: show, Apply: apply})
	}

	pb := PackageBody{Parameters: d.Package.Params}
	add("package "+pkg, http.MethodPut, PackagePath(pkg), nil, pb, PackageBody{Parameters: deploy.ShowParams(pb.Parameters)},
		func(ctx context.Context) (string, error) { return "", c.PutPackage(ctx, pkg, pb) })

	for _, a := range d.Actions {
		kind := a.Runtime
		if s.Kind != "" {
			kind = s.Kind
		}
		timeout, memory := a.Limits.TimeoutMS, a.Limits.MemoryMB
		if timeout == 0 {
			timeout = DefaultTimeoutMS
		}
		if memory == 0 {
			memory = DefaultMemoryMB
		}
		typ := TypeBasic
		var raw *bool
		if a.Web {
			typ = TypeWeb
			r := a.RawHTTP
			raw = &r
		}
		zip := code[a.Name]
		body := ActionBody{
			Parameters: a.Params,
			Limits:     &Limits{Timeout: timeout, Memory: memory},
			Exec:       Exec{Kind: kind, Code: base64.StdEncoding.EncodeToString(zip), Binary: true, Main: a.Main},
			VPC:        vpc,
			RawHTTP:    raw,
		}
		show := body
		show.Parameters = deploy.ShowParams(a.Params)
		show.Exec.Code = deploy.ShowCode(a.Function, len(zip), kind)
		name := a.Name
		q := url.Values{"type": {typ}}
		add("action "+pkg+"/"+name, http.MethodPut, ActionPath(pkg, name), q, body, show, func(ctx context.Context) (string, error) {
			if len(zip) == 0 {
				return "", fmt.Errorf("no code for action %s", name)
			}
			return "", c.PutAction(ctx, pkg, name, typ, body)
		})
	}

	for _, sq := range d.Sequences {
		typ := TypeSequence
		if sq.Web {
			typ = TypeSequenceWeb
		}
		var comps []string
		for _, a := range sq.Components {
			comps = append(comps, pkg+"/"+a)
		}
		body := ActionBody{Exec: Exec{Kind: "sequence", Components: comps}}
		name := sq.Name
		add("sequence "+pkg+"/"+name, http.MethodPut, ActionPath(pkg, name), url.Values{"type": {typ}}, body, body,
			func(ctx context.Context) (string, error) { return "", c.PutAction(ctx, pkg, name, typ, body) })
	}

	for _, t := range d.Triggers {
		typ, _ := t.Annotations[AnnotationTriggerType].(string)
		if typ == TriggerTypeCron {
			cron, _ := t.Annotations[AnnotationCronOption].(string)
			if cron = strings.TrimSpace(cron); cron == "" {
				cron = DefaultCronOption
			}
			body := TriggerBody{Parameters: t.Params, CronOption: cron}
			show := body
			show.Parameters = deploy.ShowParams(t.Params)
			name := t.Name
			add("trigger "+name, http.MethodPut, TriggerPath(name), url.Values{"type": {typ}}, body, show,
				func(ctx context.Context) (string, error) { return "", c.PutTrigger(ctx, name, typ, body) })
			continue
		}
		if typ != TriggerTypeObjectStorage {
			return nil, fmt.Errorf("ncp deploy: trigger %s: annotation %s is %q; vodflow deploys %s and %s triggers only", t.Name, AnnotationTriggerType, typ, TriggerTypeObjectStorage, TriggerTypeCron)
		}
		bucket, _ := t.Annotations[AnnotationBucketName].(string)
		rule, _ := t.Annotations[AnnotationEventRuleName].(string)
		if bucket == "" || rule == "" {
			return nil, fmt.Errorf("ncp deploy: trigger %s: the bucket and its event rule are required (trigger.bucket_name and trigger.event_rule_name in params.json)", t.Name)
		}
		body := TriggerBody{Parameters: t.Params, ObjectStorageLink: []ObjectStorageLink{{BucketName: bucket, EventRuleName: rule}}}
		show := body
		show.Parameters = deploy.ShowParams(t.Params)
		name := t.Name
		add("trigger "+name, http.MethodPut, TriggerPath(name), url.Values{"type": {typ}}, body, show,
			func(ctx context.Context) (string, error) { return "", c.PutTrigger(ctx, name, typ, body) })
	}

	for _, r := range d.Rules {
		trigger, target := r.Trigger, r.Action
		link := LinkBody{Action: target, Package: pkg}
		add("link "+trigger+" → "+pkg+"/"+target, http.MethodPost, TriggerPath(trigger)+"/link-action", nil, link, link,
			func(ctx context.Context) (string, error) {
				linked, err := c.LinkAction(ctx, trigger, pkg, target)
				if err == nil && !linked {
					return "already linked", nil
				}
				return "", err
			})
	}
	return steps, nil
}

// UndeploySteps plans the removal of what Steps deploys, in the reverse
// order: each rule's link, each trigger, each sequence, each action (last
// first), then the package. A resource that is already gone (HTTP 404)
// is a step done with the note deploy.NoteGone.
func UndeploySteps(c *Client, d *manifest.Deployment) []deploy.Step {
	pkg := d.Package.Name
	var steps []deploy.Step
	add := func(resource, method, path string, show any, del func(ctx context.Context) (bool, error)) {
		steps = append(steps, deploy.Step{Resource: resource, Request: method + " " + c.URI(path, nil), Show: show,
			Apply: func(ctx context.Context) (string, error) {
				gone, err := del(ctx)
				if gone {
					return deploy.NoteGone, nil
				}
				return "", err
			}})
	}
	for i := len(d.Rules) - 1; i >= 0; i-- {
		trigger, target := d.Rules[i].Trigger, d.Rules[i].Action
		link := LinkBody{Action: target, Package: pkg}
		add("link "+trigger+" → "+pkg+"/"+target, http.MethodDelete, TriggerPath(trigger)+"/link-action", link,
			func(ctx context.Context) (bool, error) { return c.UnlinkAction(ctx, trigger, pkg, target) })
	}
	for i := len(d.Triggers) - 1; i >= 0; i-- {
		name := d.Triggers[i].Name
		add("trigger "+name, http.MethodDelete, TriggerPath(name), nil,
			func(ctx context.Context) (bool, error) { return c.DeleteTrigger(ctx, name) })
	}
	for i := len(d.Sequences) - 1; i >= 0; i-- {
		name := d.Sequences[i].Name
		add("sequence "+pkg+"/"+name, http.MethodDelete, ActionPath(pkg, name), nil,
			func(ctx context.Context) (bool, error) { return c.DeleteAction(ctx, pkg, name) })
	}
	for i := len(d.Actions) - 1; i >= 0; i-- {
		name := d.Actions[i].Name
		add("action "+pkg+"/"+name, http.MethodDelete, ActionPath(pkg, name), nil,
			func(ctx context.Context) (bool, error) { return c.DeleteAction(ctx, pkg, name) })
	}
	add("package "+pkg, http.MethodDelete, PackagePath(pkg), nil,
		func(ctx context.Context) (bool, error) { return c.DeletePackage(ctx, pkg) })
	return steps
}
