package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

// override is one -p KEY=VALUE.
type override struct {
	key   string
	value any
}

// overrides is the repeatable -p flag.
type overrides []override

// registerOverrides adds -p to fs.
func registerOverrides(fs *flag.FlagSet, what string) *overrides {
	o := &overrides{}
	fs.Var(o, "p", "set parameter `KEY=VALUE` "+what+" (repeatable; VALUE is read as JSON when it is valid JSON, else as a string)")
	return o
}

func (o *overrides) String() string { return "" }

// Set parses KEY=VALUE.
func (o *overrides) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	*o = append(*o, override{key: k, value: parseValue(v)})
	return nil
}

// parseValue reads v as JSON when it is exactly one valid JSON value,
// else as a string: 600 is a number, true a boolean, "600" (quoted) and
// uploads/ strings.
func parseValue(v string) any {
	if !json.Valid([]byte(v)) {
		return v
	}
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return v
	}
	return x
}

// asMap returns the overrides as parameters (the last of a key wins).
func (o overrides) asMap() map[string]any {
	m := map[string]any{}
	for _, kv := range o {
		m[kv.key] = kv.value
	}
	return m
}

// apply sets each override in params.json's sections: in every section
// that already has the key, else in the section where the manifest binds
// $KEY. A key neither has is an error with the closest known name.
func (o overrides) apply(p *paramsfile.File, bindings []manifest.Binding) error {
	var errs []error
	for _, kv := range o {
		if setExisting(p, kv) {
			continue
		}
		section := ""
		for _, b := range bindings {
			if b.Var == kv.key {
				section = b.Section
				break
			}
		}
		if section == "" {
			errs = append(errs, unknownParam(kv.key, p, bindings))
			continue
		}
		setIn(p, section, kv)
	}
	return errors.Join(errs...)
}

func unknownParam(key string, p *paramsfile.File, bindings []manifest.Binding) error {
	known := map[string]bool{}
	for _, b := range bindings {
		known[b.Var] = true
	}
	for _, params := range sections(p) {
		for k := range params {
			known[k] = true
		}
	}
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names)
	if s := manifest.Suggest(key, names); s != "" {
		return fmt.Errorf("-p %s: no input of sequence.yaml binds $%s; did you mean %s?", key, key, s)
	}
	return fmt.Errorf("-p %s: no input of sequence.yaml binds $%s", key, key)
}

// sections returns params.json's parameter maps by section name.
func sections(p *paramsfile.File) map[string]map[string]any {
	out := map[string]map[string]any{"package": p.Package.Parameters, "trigger": p.Trigger.Parameters}
	for name, a := range p.Actions {
		out["actions."+name] = a.Parameters
	}
	return out
}

func setExisting(p *paramsfile.File, kv override) bool {
	found := false
	for section, params := range sections(p) {
		if _, ok := params[kv.key]; ok {
			setIn(p, section, kv)
			found = true
		}
	}
	return found
}

func setIn(p *paramsfile.File, section string, kv override) {
	switch {
	case section == "package":
		if p.Package.Parameters == nil {
			p.Package.Parameters = map[string]any{}
		}
		p.Package.Parameters[kv.key] = kv.value
	case section == "trigger":
		if p.Trigger.Parameters == nil {
			p.Trigger.Parameters = map[string]any{}
		}
		p.Trigger.Parameters[kv.key] = kv.value
	default:
		name := strings.TrimPrefix(section, "actions.")
		if p.Actions == nil {
			p.Actions = map[string]paramsfile.Action{}
		}
		a := p.Actions[name]
		if a.Parameters == nil {
			a.Parameters = map[string]any{}
		}
		a.Parameters[kv.key] = kv.value
		p.Actions[name] = a
	}
}
