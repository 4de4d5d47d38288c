// Package paramcheck judges params.json for one vodflow command before it
// sends anything: which of the file's values the command would use
// ([For]), which of those still hold a placeholder of params.example.json
// ([Placeholders]), and which parameter names no action reads
// ([UnknownNames]). `vodflow local`, `vodflow deploy` and `vodflow check`
// all ask it, so they refuse the same things.
package paramcheck

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

// Deploy targets, as `vodflow deploy --target` names them.
const (
	TargetNCP       = "ncp"
	TargetOpenWhisk = "openwhisk"
)

// Command describes one run of a vodflow command, as far as params.json
// goes.
type Command struct {
	// Name is "local", "deploy", "undeploy" or "check".
	Name string
	// Action is local's --action: that action runs alone. Empty for the
	// upload sequence.
	Action string
	// Target is deploy's and undeploy's --target. check judges for a
	// deploy to NCP.
	Target string
	// Flags names the deploy flags given, which win over the deploy
	// section: "api-url", "vpc-no", "subnet-no".
	Flags map[string]bool
	// Platform is the NCP platform deployed to (the --platform flag, else
	// deploy.platform): "classic" needs no VPC or subnet number.
	Platform string
	// EnvCredentials is set when $NCLOUD_ACCESS_KEY and $NCLOUD_SECRET_KEY
	// sign the deploy calls instead of the package's keys.
	EnvCredentials bool
}

// Use is what a command reads of params.json.
type Use struct {
	// Command is the command's name, for messages.
	Command string
	// Actions are the actions that run: the package's parameters and
	// these actions' sections are used. The others' sections are not.
	Actions []string
	// Trigger is set when the trigger section's parameters are used (the
	// upload sequence runs, or is deployed).
	Trigger bool
	// TriggerLink is set when trigger.bucket_name and
	// trigger.event_rule_name are sent (a deploy to NCP).
	TriggerLink bool
	// DeployFields are the deploy section's fields that are read
	// ("api_url", "vpc_no", "subnet_no").
	DeployFields []string
	// Signing names the package parameters the deploy calls are signed
	// with (NCLOUD_ACCESS_KEY, NCLOUD_SECRET_KEY), when they are.
	Signing []string
	// Bound names the $VARs the running actions' inputs bind: a value of
	// that name is used wherever it is in params.json (a deploy resolves
	// $VAR by name; vodflow local gives it to the action the same way),
	// so playback-url uses encoding-callback's PLAYBACK_TOKEN_KEY.
	Bound []string
}

// For decides which parameters cmd uses, from the manifest's actions and
// sequences. It is the one place that says so: local runs the upload
// sequence (the manifest's sequence, lookup-category and add-files) or
// its one --action; deploy and check deploy every action, the trigger's
// link (NCP) and the deploy section's settings the flags do not give;
// undeploy and invoke need only names and the keys that sign their
// calls.
func For(cmd Command, mf *manifest.File) Use {
	u := Use{Command: cmd.Name}
	switch cmd.Name {
	case "local":
		u.Trigger = cmd.Action == ""
		if cmd.Action != "" {
			u.Actions = []string{cmd.Action}
		} else {
			u.Actions = sequenceActions(mf)
		}
		for _, b := range mf.Bindings() {
			if a, ok := strings.CutPrefix(b.Section, "actions."); ok && u.runs(a) && !contains(u.Bound, b.Var) {
				u.Bound = append(u.Bound, b.Var)
			}
		}
		return u
	case "check":
		cmd.Target = TargetNCP
	}
	if cmd.Target == TargetNCP {
		if !cmd.Flags["api-url"] {
			u.DeployFields = append(u.DeployFields, "api_url")
		}
		if !cmd.EnvCredentials {
			u.Signing = []string{"NCLOUD_ACCESS_KEY", "NCLOUD_SECRET_KEY"}
		}
	}
	if cmd.Name == "undeploy" || cmd.Name == "invoke" {
		return u
	}
	u.Actions = allActions(mf)
	u.Trigger = true
	if cmd.Target == TargetNCP {
		u.TriggerLink = true
		if cmd.Platform == "classic" {
			return u
		}
		for _, f := range []string{"vpc-no", "subnet-no"} {
			if !cmd.Flags[f] {
				u.DeployFields = append(u.DeployFields, strings.ReplaceAll(f, "-", "_"))
			}
		}
	}
	return u
}

// sequenceActions are the components of the manifest's sequences (the
// upload sequence), in order.
func sequenceActions(mf *manifest.File) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range mf.Packages {
		for _, s := range p.Value.Sequences {
			for _, c := range strings.Split(s.Value.Actions, ",") {
				if c = strings.TrimSpace(c); c != "" && !seen[c] {
					seen[c] = true
					out = append(out, c)
				}
			}
		}
	}
	return out
}

func allActions(mf *manifest.File) []string {
	var out []string
	for _, p := range mf.Packages {
		for _, a := range p.Value.Actions {
			out = append(out, a.Name)
		}
	}
	return out
}

// runs reports whether the action runs.
func (u Use) runs(action string) bool {
	for _, a := range u.Actions {
		if a == action {
			return true
		}
	}
	return false
}

// IsPlaceholder reports whether a string still holds a placeholder of
// params.example.json: "YOUR_" anywhere in it (so a URL such as
// https://YOUR_API_GATEWAY_HOST/…?token=YOUR_CALLBACK_TOKEN counts), or a
// value starting with "<".
func IsPlaceholder(s string) bool { return strings.Contains(s, "YOUR_") || strings.HasPrefix(s, "<") }

// hasPlaceholder looks into strings, lists and objects.
func hasPlaceholder(v any) bool {
	switch x := v.(type) {
	case string:
		return IsPlaceholder(x)
	case []any:
		for _, e := range x {
			if hasPlaceholder(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasPlaceholder(e) {
				return true
			}
		}
	}
	return false
}

// Placeholder is a value of params.json that still holds a placeholder.
type Placeholder struct {
	// Where is the value's place: "package.NCLOUD_SECRET_KEY",
	// "actions.add-files.NOTIFICATION_URL", "trigger.bucket_name",
	// "deploy.vpc_no".
	Where string
	// Used is set when the command would use the value; Unused says why
	// not, otherwise.
	Used   bool
	Unused string
	// Hint says what to do: "fill it in", or for an optional feature
	// "fill it in, or set it to \"\" to turn the feature off".
	Hint string
}

// required are the parameters an action cannot do without: "" would not
// turn a feature off, only fail.
var required = map[string]bool{
	"NCLOUD_ACCESS_KEY": true, "NCLOUD_SECRET_KEY": true, "CALLBACK_TOKEN": true, "CATEGORY_NAME": true,
	"WEBHOOK_SECRET": true, "bucket_name": true, "event_rule_name": true, "vpc_no": true, "subnet_no": true,
}

func hint(name string) string {
	if required[name] {
		return "fill it in"
	}
	return `fill it in, or set it to "" to turn the feature off`
}

// Placeholders lists every placeholder in the file, anywhere (parameters,
// the trigger and deploy sections, inside values), sorted by place, each
// saying whether u uses it. A value u does not use — an action that does
// not run, a feature that is off (WEBHOOK_SECRET when WEBHOOK_URL is
// empty) — is listed with Used false and why.
func Placeholders(p *paramsfile.File, u Use) []Placeholder {
	var out []Placeholder
	webhookOn := false
	for _, params := range sectionsOf(p) {
		if s, _ := params["WEBHOOK_URL"].(string); strings.TrimSpace(s) != "" {
			webhookOn = true
		}
	}
	param := func(section, action, name string, v any) {
		if !hasPlaceholder(v) {
			return
		}
		ph := Placeholder{Where: section + "." + name, Used: true, Hint: hint(name)}
		signs := section == "package" && contains(u.Signing, name)
		switch {
		case signs:
		case action != "" && !u.runs(action) && !contains(u.Bound, name):
			ph.Used, ph.Unused = false, action+" does not run in vodflow "+u.Command
		case section == "package" && len(u.Actions) == 0:
			ph.Used, ph.Unused = false, "no action runs in vodflow "+u.Command
		case section == "trigger" && !u.Trigger:
			ph.Used, ph.Unused = false, "the trigger does not fire in vodflow "+u.Command
		case name == "WEBHOOK_SECRET" && !webhookOn:
			ph.Used, ph.Unused = false, "WEBHOOK_URL is empty, so no event is signed"
		}
		out = append(out, ph)
	}
	for name, v := range p.Package.Parameters {
		param("package", "", name, v)
	}
	for action, a := range p.Actions {
		for name, v := range a.Parameters {
			param("actions."+action, action, name, v)
		}
	}
	for name, v := range p.Trigger.Parameters {
		param("trigger", "", name, v)
	}
	field := func(where, name, value string, used bool, why string) {
		if !IsPlaceholder(value) {
			return
		}
		ph := Placeholder{Where: where, Used: used, Hint: hint(name)}
		if !used {
			ph.Unused = why
		}
		out = append(out, ph)
	}
	field("package.name", "name", p.Package.Name, true, "")
	field("trigger.name", "name", p.Trigger.Name, u.Command != "local", "vodflow local fires no trigger")
	notLinked := "the trigger is linked to the bucket only by a deploy to NCP"
	field("trigger.bucket_name", "bucket_name", p.Trigger.BucketName, u.TriggerLink, notLinked)
	field("trigger.event_rule_name", "event_rule_name", p.Trigger.EventRuleName, u.TriggerLink, notLinked)
	deployField := func(name, value string) {
		why := "vodflow " + u.Command + " does not read it"
		if u.Command != "local" {
			why = "a flag gives it, or the target or platform does not need it"
		}
		field("deploy."+name, name, value, contains(u.DeployFields, name), why)
	}
	deployField("api_url", p.Deploy.APIURL)
	deployField("vpc_no", string(p.Deploy.VPCNo))
	deployField("subnet_no", string(p.Deploy.SubnetNo))
	sort.Slice(out, func(i, j int) bool { return out[i].Where < out[j].Where })
	return out
}

// Refusal is the error for the placeholders a command would use, or nil
// when it uses none. path is the params file's name, as the user gave it.
func Refusal(path string, u Use, phs []Placeholder) error {
	var parts []string
	for _, ph := range phs {
		if ph.Used {
			parts = append(parts, ph.Where+" ("+ph.Hint+")")
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return fmt.Errorf("%s still has placeholder values that vodflow %s would use: %s; -p KEY=VALUE sets one for this run",
		path, u.Command, strings.Join(parts, ", "))
}

// Unknown is a params.json parameter that no action reads: no input of
// the manifest binds its name.
type Unknown struct {
	// Where is "package.NAME", "actions.<action>.NAME" or "trigger.NAME".
	Where, Name string
	// Suggestion is the closest known name, or "".
	Suggestion string
}

// Message says what is wrong and what to do.
func (u Unknown) Message() string {
	if u.Suggestion != "" {
		return fmt.Sprintf("unknown parameter %s; did you mean %s?", u.Name, u.Suggestion)
	}
	return fmt.Sprintf("unknown parameter %s: no vodflow action reads it; remove it (an action of your own needs %s: $%s under its inputs in %s)",
		u.Name, u.Name, u.Name, manifest.FileName)
}

// UnknownNames lists the parameters of the file that no input of the
// manifest binds, sorted by place, each with the closest known name.
func UnknownNames(p *paramsfile.File, mf *manifest.File) []Unknown {
	known := map[string]bool{}
	var names []string
	for _, b := range mf.Bindings() {
		if !known[b.Var] {
			known[b.Var] = true
			names = append(names, b.Var)
		}
	}
	sort.Strings(names)
	var out []Unknown
	for where, params := range sectionsOf(p) {
		for k := range params {
			if !known[k] {
				out = append(out, Unknown{Where: where + "." + k, Name: k, Suggestion: manifest.Suggest(k, names)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Where < out[j].Where })
	return out
}

// UnknownError is the error for unknown names, or nil when there is none.
// path is the params file's name, as the user gave it.
func UnknownError(path string, unknown []Unknown) error {
	var errs []error
	for _, u := range unknown {
		errs = append(errs, fmt.Errorf("%s: %s: %s", path, u.Where, u.Message()))
	}
	return errors.Join(errs...)
}

// sectionsOf returns the file's parameter maps by section name.
func sectionsOf(p *paramsfile.File) map[string]map[string]any {
	out := map[string]map[string]any{"package": p.Package.Parameters, "trigger": p.Trigger.Parameters}
	for name, a := range p.Actions {
		out["actions."+name] = a.Parameters
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
