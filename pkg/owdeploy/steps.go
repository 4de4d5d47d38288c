package owdeploy

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/apache/openwhisk-client-go/whisk"

	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/manifest"
)

// APIError is a failed OpenWhisk call: the HTTP status (0 when there was
// no answer) and the controller's message.
type APIError struct {
	Op         string
	StatusCode int
	Message    string
	// ApplicationError is set when an invoked action returned an error.
	ApplicationError bool
}

// Error implements error.
func (e *APIError) Error() string {
	if e.StatusCode == 0 {
		return fmt.Sprintf("%s: %s", e.Op, e.Message)
	}
	return fmt.Sprintf("%s: HTTP %d %s: %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

// wrap turns a client-go error into an *APIError.
func wrap(op string, resp *http.Response, err error) error {
	if err == nil {
		return nil
	}
	e := &APIError{Op: op, Message: err.Error()}
	if resp != nil {
		e.StatusCode = resp.StatusCode
	}
	var werr *whisk.WskError
	if errors.As(err, &werr) {
		e.ApplicationError = werr.ApplicationError
	}
	return e
}

// qualified names an entity of the client's namespace ("_" = the
// caller's own).
func qualified(name string) string { return "/_/" + name }

// params turns a parameter map into client-go's sorted key/value list.
func params(m map[string]any) whisk.KeyValueArr {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := whisk.KeyValueArr{}
	for _, k := range keys {
		out = append(out, whisk.KeyValue{Key: k, Value: m[k]})
	}
	return out
}

// Steps plans the deployment of d: the package, each action as kind
// (code[name] is its zip, built for kind; nil in a dry run), each
// sequence, each trigger, and each rule, set active. Every insert
// overwrites, so applying the steps again updates in place.
func Steps(cli *whisk.Client, d *manifest.Deployment, code map[string][]byte, kind string) []deploy.Step {
	pkg := d.Package.Name
	var steps []deploy.Step

	p := &whisk.Package{Name: pkg, Parameters: params(d.Package.Params)}
	steps = append(steps, deploy.Step{
		Resource: "package " + pkg, Request: "PUT packages/" + pkg + "?overwrite=true",
		Show: map[string]any{"parameters": deploy.ShowParams(d.Package.Params)},
		Apply: func(context.Context) (string, error) {
			_, resp, err := cli.Packages.Insert(p, true)
			return "", wrap("put package "+pkg, resp, err)
		},
	})

	for _, a := range d.Actions {
		zip := code[a.Name]
		enc := base64.StdEncoding.EncodeToString(zip)
		binary := true
		act := &whisk.Action{
			Name:       pkg + "/" + a.Name,
			Exec:       &whisk.Exec{Kind: kind, Code: &enc, Binary: &binary, Main: a.Main},
			Parameters: params(a.Params),
			Limits:     limits(a.Limits),
		}
		ann := map[string]any{}
		for k, v := range a.Annotations {
			ann[k] = v
		}
		if a.Web {
			ann["web-export"] = true
			ann["raw-http"] = a.RawHTTP
			ann["final"] = true
		}
		act.Annotations = params(ann)
		name := act.Name
		steps = append(steps, deploy.Step{
			Resource: "action " + name, Request: "PUT actions/" + name + "?overwrite=true",
			Show: map[string]any{"exec": map[string]any{"kind": kind, "code": deploy.ShowCode(a.Function, len(zip), kind), "binary": true, "main": a.Main},
				"parameters": deploy.ShowParams(a.Params), "limits": act.Limits, "annotations": ann},
			Apply: func(context.Context) (string, error) {
				if len(zip) == 0 {
					return "", fmt.Errorf("no code for action %s", name)
				}
				_, resp, err := cli.Actions.Insert(act, true)
				return "", wrap("put action "+name, resp, err)
			},
		})
	}

	for _, s := range d.Sequences {
		var comps []string
		for _, c := range s.Components {
			comps = append(comps, qualified(pkg+"/"+c))
		}
		act := &whisk.Action{Name: pkg + "/" + s.Name, Exec: &whisk.Exec{Kind: "sequence", Components: comps}}
		if s.Web {
			act.Annotations = params(map[string]any{"web-export": true})
		}
		name := act.Name
		steps = append(steps, deploy.Step{
			Resource: "sequence " + name, Request: "PUT actions/" + name + "?overwrite=true",
			Show: map[string]any{"exec": act.Exec},
			Apply: func(context.Context) (string, error) {
				_, resp, err := cli.Actions.Insert(act, true)
				return "", wrap("put sequence "+name, resp, err)
			},
		})
	}

	for _, t := range d.Triggers {
		if t.Feed != "" {
			steps = append(steps, feedTriggerSteps(cli, t)...)
			continue
		}
		trig := &whisk.Trigger{Name: t.Name, Parameters: params(t.Params), Annotations: params(t.Annotations)}
		name := t.Name
		steps = append(steps, deploy.Step{
			Resource: "trigger " + name, Request: "PUT triggers/" + name + "?overwrite=true",
			Show: map[string]any{"parameters": deploy.ShowParams(t.Params), "annotations": t.Annotations},
			Apply: func(context.Context) (string, error) {
				_, resp, err := cli.Triggers.Insert(trig, true)
				return "", wrap("put trigger "+name, resp, err)
			},
		})
	}

	for _, r := range d.Rules {
		rule := &whisk.Rule{Name: r.Name, Trigger: qualified(r.Trigger), Action: qualified(pkg + "/" + r.Action)}
		name := r.Name
		steps = append(steps, deploy.Step{
			Resource: "rule " + name + ": " + r.Trigger + " → " + pkg + "/" + r.Action,
			Request:  "PUT rules/" + name + "?overwrite=true, then POST rules/" + name + " {status: active}",
			Show:     map[string]any{"trigger": rule.Trigger, "action": rule.Action},
			Apply: func(context.Context) (string, error) {
				if _, resp, err := cli.Rules.Insert(rule, true); err != nil {
					return "", wrap("put rule "+name, resp, err)
				}
				_, resp, err := cli.Rules.SetState(name, "active")
				return "active", wrap("activate rule "+name, resp, err)
			},
		})
	}
	return steps
}

func limits(l manifest.LimitsSpec) *whisk.Limits {
	if l == (manifest.LimitsSpec{}) {
		return nil
	}
	out := &whisk.Limits{}
	if l.TimeoutMS > 0 {
		out.Timeout = &l.TimeoutMS
	}
	if l.MemoryMB > 0 {
		out.Memory = &l.MemoryMB
	}
	if l.LogSizeMB > 0 {
		out.Logsize = &l.LogSizeMB
	}
	return out
}

// Invoke runs pkg/name (an action or sequence) with params, blocking, and
// returns its result. A result with an "error" key is returned as a
// result, not as an error; an activation that outlives the blocking wait
// is an error naming its activation id.
func Invoke(cli *whisk.Client, pkg, name string, params map[string]any) (map[string]any, error) {
	if params == nil {
		params = map[string]any{}
	}
	res, resp, err := cli.Actions.Invoke(pkg+"/"+name, params, true, true)
	m, _ := res.(map[string]any)
	var werr *whisk.WskError
	if err != nil && errors.As(err, &werr) && werr.ApplicationError && m != nil {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("openwhisk invoke %s/%s: %w", pkg, name, wrap("POST actions/"+pkg+"/"+name, resp, err))
	}
	if m == nil {
		return nil, fmt.Errorf("openwhisk invoke %s/%s: the result is not a JSON object: %v", pkg, name, res)
	}
	return m, nil
}

// UndeploySteps plans the removal of what Steps deploys, in the reverse
// order: each rule (set inactive, then deleted), each trigger, each
// sequence, each action (last first), then the package. A resource that
// is already gone (HTTP 404) is a step done with the note
// deploy.NoteGone.
func UndeploySteps(cli *whisk.Client, d *manifest.Deployment) []deploy.Step {
	pkg := d.Package.Name
	var steps []deploy.Step
	add := func(resource, request string, del func() (*http.Response, error)) {
		steps = append(steps, deploy.Step{Resource: resource, Request: request, Apply: func(context.Context) (string, error) {
			resp, err := del()
			if err != nil && resp != nil && resp.StatusCode == http.StatusNotFound {
				return deploy.NoteGone, nil
			}
			return "", err
		}})
	}
	for i := len(d.Rules) - 1; i >= 0; i-- {
		r := d.Rules[i]
		name := r.Name
		add("rule "+name+": "+r.Trigger+" → "+pkg+"/"+r.Action, "POST rules/"+name+" {status: inactive}, then DELETE rules/"+name,
			func() (*http.Response, error) {
				if _, resp, err := cli.Rules.SetState(name, "inactive"); err != nil {
					return resp, wrap("deactivate rule "+name, resp, err)
				}
				resp, err := cli.Rules.Delete(name)
				return resp, wrap("delete rule "+name, resp, err)
			})
	}
	for i := len(d.Triggers) - 1; i >= 0; i-- {
		name := d.Triggers[i].Name
		if feed := d.Triggers[i].Feed; feed != "" {
			// The feed forgets the trigger; one that does not know it
			// (already undeployed) answers an error, which is "gone".
			steps = append(steps, deploy.Step{Resource: "feed " + feed + " of trigger " + name,
				Request: "POST " + feedRoute(feed) + " {lifecycleEvent: DELETE}",
				Apply: func(context.Context) (string, error) {
					_, _, getErr := cli.Triggers.Get(name)
					if _, err := invokeFeed(cli, feed, name, "DELETE", nil); err != nil || getErr != nil {
						return deploy.NoteGone, nil
					}
					return "", nil
				}})
		}
		add("trigger "+name, "DELETE triggers/"+name, func() (*http.Response, error) {
			_, resp, err := cli.Triggers.Delete(name)
			return resp, wrap("delete trigger "+name, resp, err)
		})
	}
	for i := len(d.Sequences) - 1; i >= 0; i-- {
		name := pkg + "/" + d.Sequences[i].Name
		add("sequence "+name, "DELETE actions/"+name, func() (*http.Response, error) {
			resp, err := cli.Actions.Delete(name)
			return resp, wrap("delete sequence "+name, resp, err)
		})
	}
	for i := len(d.Actions) - 1; i >= 0; i-- {
		name := pkg + "/" + d.Actions[i].Name
		add("action "+name, "DELETE actions/"+name, func() (*http.Response, error) {
			resp, err := cli.Actions.Delete(name)
			return resp, wrap("delete action "+name, resp, err)
		})
	}
	add("package "+pkg, "DELETE packages/"+pkg, func() (*http.Response, error) {
		resp, err := cli.Packages.Delete(pkg)
		return resp, wrap("delete package "+pkg, resp, err)
	})
	return steps
}

// feedTriggerSteps create a trigger fired by a feed (the alarms feed's
// cron schedule), as the wsk CLI does: the trigger, annotated with its
// feed, then the feed action invoked with lifecycleEvent CREATE, the
// trigger's qualified name, the API key and the trigger's inputs (cron,
// trigger_payload). A feed already registered for the trigger is deleted
// first (lifecycleEvent DELETE, its failure ignored), so a redeploy
// updates the schedule.
func feedTriggerSteps(cli *whisk.Client, t manifest.TriggerSpec) []deploy.Step {
	name, feed := t.Name, t.Feed
	ann := map[string]any{"feed": feed}
	for k, v := range t.Annotations {
		ann[k] = v
	}
	trig := &whisk.Trigger{Name: name, Annotations: params(ann)}
	feedParams := map[string]any{}
	for k, v := range t.Params {
		feedParams[k] = v
	}
	if c, _ := feedParams["cron"].(string); strings.TrimSpace(c) == "" {
		feedParams["cron"] = ncpDefaultCron
	}
	return []deploy.Step{{
		Resource: "trigger " + name, Request: "PUT triggers/" + name + "?overwrite=true",
		Show: map[string]any{"annotations": ann},
		Apply: func(context.Context) (string, error) {
			_, resp, err := cli.Triggers.Insert(trig, true)
			return "", wrap("put trigger "+name, resp, err)
		},
	}, {
		Resource: "feed " + feed + " of trigger " + name,
		Request:  "POST " + feedRoute(feed) + " {lifecycleEvent: DELETE}, then {lifecycleEvent: CREATE}",
		Show:     map[string]any{"parameters": deploy.ShowParams(feedParams)},
		Apply: func(context.Context) (string, error) {
			_, _ = invokeFeed(cli, feed, name, "DELETE", nil)
			_, err := invokeFeed(cli, feed, name, "CREATE", feedParams)
			return "", err
		},
	}}
}

// ncpDefaultCron is the alarms feed's schedule when the manifest gives
// none: every 30 minutes, as on NCP.
const ncpDefaultCron = "*/30 * * * *"

// feedRoute is the invoke route of a fully qualified feed action
// (/namespace/package/action).
func feedRoute(feed string) string {
	ns, rest, _ := strings.Cut(strings.TrimPrefix(feed, "/"), "/")
	return "namespaces/" + ns + "/actions/" + rest + "?blocking=true&result=true"
}

// invokeFeed invokes the feed action for trigger with lifecycleEvent.
func invokeFeed(cli *whisk.Client, feed, trigger, event string, extra map[string]any) (*http.Response, error) {
	body := map[string]any{}
	for k, v := range extra {
		body[k] = v
	}
	body["lifecycleEvent"] = event
	body["triggerName"] = "/_/" + trigger
	body["authKey"] = cli.Config.AuthToken
	req, err := cli.NewRequest(http.MethodPost, feedRoute(feed), body, whisk.DoNotIncludeNamespaceInUrl)
	if err != nil {
		return nil, fmt.Errorf("feed %s %s of trigger %s: %w", feed, event, trigger, err)
	}
	var res map[string]any
	resp, err := cli.Do(req, &res, whisk.ExitWithErrorOnTimeout)
	return resp, wrap("feed "+feed+" "+event+" of trigger "+trigger, resp, err)
}
