package manifest

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vodflow/vodflow/pkg/paramsfile"
)

// Names of the variables VarsFromParams derives from params.json's
// package and trigger sections (beside every parameter name).
const (
	VarPackageName          = "PACKAGE_NAME"
	VarTriggerName          = "TRIGGER_NAME"
	VarTriggerBucketName    = "TRIGGER_BUCKET_NAME"
	VarTriggerEventRuleName = "TRIGGER_EVENT_RULE_NAME"
)

// ErrUnset reports a $VAR used in a name or inside a longer string that
// has no value.
var ErrUnset = errors.New("variable not set")

// Vars are the values for $VAR interpolation, with where each came from.
type Vars struct {
	values map[string]any
	source map[string]string // name → "actions.add-files" etc.; empty for derived names
	used   map[string]bool
}

// NewVars returns variables with the given values (none from params.json).
func NewVars(values map[string]any) *Vars {
	v := &Vars{values: map[string]any{}, source: map[string]string{}, used: map[string]bool{}}
	for k, x := range values {
		v.values[k] = x
	}
	return v
}

// VarsFromParams builds the variables from params.json: every parameter
// of the package, action and trigger sections by its name, plus
// PACKAGE_NAME, TRIGGER_NAME, TRIGGER_BUCKET_NAME and
// TRIGGER_EVENT_RULE_NAME. A name set to two different values in two
// sections is an error.
func VarsFromParams(p *paramsfile.File) (*Vars, error) {
	v := NewVars(nil)
	derived := map[string]string{
		VarPackageName: p.Package.Name, VarTriggerName: p.Trigger.Name,
		VarTriggerBucketName: p.Trigger.BucketName, VarTriggerEventRuleName: p.Trigger.EventRuleName,
	}
	for k, x := range derived {
		if x != "" {
			v.values[k] = x
		}
	}
	add := func(section string, params map[string]any) error {
		for _, k := range sortedKeys(params) {
			if _, isDerived := derived[k]; isDerived {
				return fmt.Errorf("manifest: params.json %s sets %s, a name reserved for the %s section", section, k, strings.ToLower(strings.SplitN(k, "_", 2)[0]))
			}
			if prev, ok := v.values[k]; ok && fmt.Sprint(prev) != fmt.Sprint(params[k]) {
				return fmt.Errorf("manifest: params.json sets %s differently in %s and %s; sequence.yaml's $%s must have one value", k, v.source[k], section, k)
			}
			v.values[k] = params[k]
			v.source[k] = section
		}
		return nil
	}
	if err := add("package", p.Package.Parameters); err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(p.Actions) {
		if err := add("actions."+name, p.Actions[name].Parameters); err != nil {
			return nil, err
		}
	}
	if err := add("trigger", p.Trigger.Parameters); err != nil {
		return nil, err
	}
	return v, nil
}

// Unused lists the params.json parameters that no $VAR referenced, as
// "section.NAME".
func (v *Vars) Unused() []string {
	var out []string
	for k, src := range v.source {
		if src != "" && !v.used[k] {
			out = append(out, src+"."+k)
		}
	}
	sort.Strings(out)
	return out
}

var (
	wholeVarRE = regexp.MustCompile(`^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$`)
	anyVarRE   = regexp.MustCompile(`\$\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
)

// lookup returns a variable's value, marking it used.
func (v *Vars) lookup(name string) (any, bool) {
	v.used[name] = true
	x, ok := v.values[name]
	return x, ok
}

// Value interpolates an input value. A string that is exactly "$VAR" or
// "${VAR}" takes the variable's value with its JSON type; when the
// variable is not set, bound is false (the input is left out). Variables
// inside a longer string must be set. "$${VAR}" stands for "${VAR}".
func (v *Vars) Value(x any) (val any, bound bool, err error) {
	s, ok := x.(string)
	if !ok {
		return x, x != nil, nil
	}
	if m := wholeVarRE.FindStringSubmatch(s); m != nil {
		name := m[1] + m[2]
		val, ok := v.lookup(name)
		return val, ok, nil
	}
	out, err := v.String(s)
	return out, true, err
}

// String interpolates every variable in s; each must be set.
func (v *Vars) String(s string) (string, error) {
	var missing []string
	out := anyVarRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "$$") {
			return m[1:]
		}
		name := strings.Trim(m, "${}")
		val, ok := v.lookup(name)
		if !ok {
			missing = append(missing, "$"+name)
			return m
		}
		return fmt.Sprint(val)
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("%s: %w in params.json", strings.Join(missing, ", "), ErrUnset)
	}
	return out, nil
}

// Deployment is a resolved manifest: names and values interpolated and
// checked, ready for a deploy target.
type Deployment struct {
	// Package is the one package vodflow deploys into, with its default
	// parameters.
	Package PackageSpec
	// Actions, Sequences, Triggers and Rules are in manifest order.
	Actions   []ActionSpec
	Sequences []SequenceSpec
	Triggers  []TriggerSpec
	Rules     []RuleSpec
}

// PackageSpec is the resolved package.
type PackageSpec struct {
	Name   string
	Params map[string]any
}

// ActionSpec is a resolved action.
type ActionSpec struct {
	Name string
	// Function is the zip's path as written (relative to the manifest).
	Function string
	// Runtime is the manifest's kind, e.g. go:1.19.
	Runtime string
	Main    string
	Limits  LimitsSpec
	Params  map[string]any
	// Web marks a web action; RawHTTP a raw one (web: raw).
	Web, RawHTTP bool
	Annotations  map[string]any
}

// LimitsSpec holds limits; zero means not given.
type LimitsSpec struct {
	TimeoutMS, MemoryMB, LogSizeMB int
}

// SequenceSpec is a resolved sequence; Components are action names of
// the package, in order.
type SequenceSpec struct {
	Name       string
	Components []string
	Web        bool
}

// TriggerSpec is a resolved trigger.
type TriggerSpec struct {
	Name string
	// Feed is the feed action, e.g. /whisk.system/alarms/alarm ("" for
	// none); Params then go to the feed when the trigger is created.
	Feed        string
	Params      map[string]any
	Annotations map[string]any
}

// RuleSpec links Trigger to Action (an action or sequence of the package).
type RuleSpec struct {
	Name, Trigger, Action string
}

// Sequence returns the named sequence.
func (d *Deployment) Sequence(name string) (SequenceSpec, bool) {
	for _, s := range d.Sequences {
		if s.Name == name {
			return s, true
		}
	}
	return SequenceSpec{}, false
}

// Action returns the named action.
func (d *Deployment) Action(name string) (ActionSpec, bool) {
	for _, a := range d.Actions {
		if a.Name == name {
			return a, true
		}
	}
	return ActionSpec{}, false
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{0,49}$`)

// Resolve interpolates the manifest with vars and checks it: one package;
// names of 1–50 letters, digits, '-' and '_' (not starting with '-'),
// unique across the package, its actions, sequences and triggers (NCP's
// rule); sequences of at least two actions of the package; rules that
// name a trigger and an action or sequence of the package; zip functions
// with a runtime. A params.json parameter that no $VAR uses is an error.
func (f *File) Resolve(vars *Vars) (*Deployment, error) {
	if len(f.Packages) != 1 {
		return nil, fmt.Errorf("manifest: want exactly one package, have %d", len(f.Packages))
	}
	entry := f.Packages[0]
	pkg := entry.Value
	d := &Deployment{}
	var err error
	names := map[string]string{}
	claim := func(kind, raw string) (string, error) {
		name, err := vars.String(raw)
		if err != nil {
			return "", fmt.Errorf("manifest: %s name %q: %w", kind, raw, err)
		}
		if !nameRE.MatchString(name) {
			return "", fmt.Errorf("manifest: %s name %q: want 1-50 letters, digits, '-' or '_', not starting with '-'", kind, name)
		}
		if prev, ok := names[name]; ok {
			return "", fmt.Errorf("manifest: %s name %q is already the name of a %s", kind, name, prev)
		}
		names[name] = kind
		return name, nil
	}
	if d.Package.Name, err = claim("package", entry.Name); err != nil {
		return nil, err
	}
	if d.Package.Params, err = resolveInputs(vars, "package "+d.Package.Name, pkg.Inputs); err != nil {
		return nil, err
	}
	for _, e := range pkg.Actions {
		a, err := resolveAction(vars, claim, e)
		if err != nil {
			return nil, err
		}
		d.Actions = append(d.Actions, a)
	}
	for _, e := range pkg.Sequences {
		s := SequenceSpec{}
		if s.Name, err = claim("sequence", e.Name); err != nil {
			return nil, err
		}
		if s.Web, _, err = webFlag(e.Value.Web); err != nil {
			return nil, fmt.Errorf("manifest: sequence %s: %w", s.Name, err)
		}
		for _, c := range strings.Split(e.Value.Actions, ",") {
			c, err := vars.String(strings.TrimSpace(c))
			if err != nil {
				return nil, fmt.Errorf("manifest: sequence %s: %w", s.Name, err)
			}
			if _, ok := d.Action(c); !ok {
				return nil, fmt.Errorf("manifest: sequence %s: %q is not an action of package %s", s.Name, c, d.Package.Name)
			}
			s.Components = append(s.Components, c)
		}
		if len(s.Components) < 2 {
			return nil, fmt.Errorf("manifest: sequence %s: want at least two actions", s.Name)
		}
		d.Sequences = append(d.Sequences, s)
	}
	for _, e := range pkg.Triggers {
		t := TriggerSpec{}
		if t.Name, err = claim("trigger", e.Name); err != nil {
			return nil, err
		}
		if t.Feed, err = vars.String(e.Value.Feed); err != nil {
			return nil, err
		}
		if t.Params, err = resolveInputs(vars, "trigger "+t.Name, e.Value.Inputs); err != nil {
			return nil, err
		}
		if t.Annotations, err = resolveAnnotations(vars, "trigger "+t.Name, e.Value.Annotations); err != nil {
			return nil, err
		}
		d.Triggers = append(d.Triggers, t)
	}
	ruleNames := map[string]bool{}
	for _, e := range pkg.Rules {
		r := RuleSpec{}
		if r.Name, err = vars.String(e.Name); err != nil || !nameRE.MatchString(r.Name) || ruleNames[r.Name] {
			return nil, fmt.Errorf("manifest: rule name %q: invalid, duplicate or unset (%v)", e.Name, err)
		}
		ruleNames[r.Name] = true
		if r.Trigger, err = vars.String(e.Value.Trigger); err != nil {
			return nil, fmt.Errorf("manifest: rule %s: %w", r.Name, err)
		}
		if r.Action, err = vars.String(e.Value.Action); err != nil {
			return nil, fmt.Errorf("manifest: rule %s: %w", r.Name, err)
		}
		if names[r.Trigger] != "trigger" {
			return nil, fmt.Errorf("manifest: rule %s: %q is not a trigger of the manifest", r.Name, r.Trigger)
		}
		if k := names[r.Action]; k != "action" && k != "sequence" {
			return nil, fmt.Errorf("manifest: rule %s: %q is not an action or sequence of package %s", r.Name, r.Action, d.Package.Name)
		}
		d.Rules = append(d.Rules, r)
	}
	if unused := vars.Unused(); len(unused) > 0 {
		return nil, fmt.Errorf("manifest: params.json sets %s, but sequence.yaml binds no input to it (add NAME: $NAME under the action's inputs)", strings.Join(unused, ", "))
	}
	return d, nil
}

func resolveAction(vars *Vars, claim func(kind, raw string) (string, error), e Entry[Action]) (ActionSpec, error) {
	a := ActionSpec{}
	var err error
	if a.Name, err = claim("action", e.Name); err != nil {
		return a, err
	}
	src := e.Value
	where := "action " + a.Name
	if a.Function, err = vars.String(src.Function); err != nil {
		return a, fmt.Errorf("manifest: %s: function: %w", where, err)
	}
	if !strings.HasSuffix(a.Function, ".zip") {
		return a, fmt.Errorf("manifest: %s: function %q: want a .zip built by `vodflow build`", where, a.Function)
	}
	if a.Runtime = src.Runtime; a.Runtime == "" {
		return a, fmt.Errorf("manifest: %s: runtime is required for a zip", where)
	}
	a.Main = src.Main
	if a.Main == "" {
		a.Main = "main"
	}
	if l := src.Limits; l != nil {
		a.Limits = LimitsSpec{TimeoutMS: deref(l.Timeout), MemoryMB: deref(l.MemorySize), LogSizeMB: deref(l.LogSize)}
	}
	web := src.Web
	if web == "" {
		web = src.WebExport
	}
	if a.Web, a.RawHTTP, err = webFlag(web); err != nil {
		return a, fmt.Errorf("manifest: %s: %w", where, err)
	}
	if a.Params, err = resolveInputs(vars, where, src.Inputs); err != nil {
		return a, err
	}
	if a.Annotations, err = resolveAnnotations(vars, where, src.Annotations); err != nil {
		return a, err
	}
	return a, nil
}

// webFlag reads a web / web-export value.
func webFlag(s string) (web, raw bool, err error) {
	switch strings.ToLower(s) {
	case "", "false", "no":
		return false, false, nil
	case "true", "yes":
		return true, false, nil
	case "raw":
		return true, true, nil
	}
	return false, false, fmt.Errorf("web %q: want true, false, yes, no or raw", s)
}

func resolveInputs(vars *Vars, where string, in Ordered[Input]) (map[string]any, error) {
	out := map[string]any{}
	for _, e := range in {
		val, bound, err := vars.Value(e.Value.Value)
		if err != nil {
			return nil, fmt.Errorf("manifest: %s: input %s: %w", where, e.Name, err)
		}
		if bound {
			out[e.Name] = val
		}
	}
	return out, nil
}

func resolveAnnotations(vars *Vars, where string, in Ordered[yaml.Node]) (map[string]any, error) {
	out := map[string]any{}
	for _, e := range in {
		var raw any
		if err := e.Value.Decode(&raw); err != nil {
			return nil, fmt.Errorf("manifest: %s: annotation %s: %w", where, e.Name, err)
		}
		val, bound, err := vars.Value(raw)
		if err != nil {
			return nil, fmt.Errorf("manifest: %s: annotation %s: %w", where, e.Name, err)
		}
		if bound {
			out[e.Name] = val
		}
	}
	return out, nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
