package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FileName is the manifest's name at the repository root.
const FileName = "sequence.yaml"

// File is a parsed manifest, before interpolation.
type File struct {
	// Packages holds the manifest's packages, in file order.
	Packages Ordered[Package] `yaml:"packages"`
}

// Package is one package entry.
type Package struct {
	Version     string             `yaml:"version,omitempty"`
	License     string             `yaml:"license,omitempty"`
	Inputs      Ordered[Input]     `yaml:"inputs,omitempty"`
	Actions     Ordered[Action]    `yaml:"actions,omitempty"`
	Sequences   Ordered[Sequence]  `yaml:"sequences,omitempty"`
	Triggers    Ordered[Trigger]   `yaml:"triggers,omitempty"`
	Rules       Ordered[Rule]      `yaml:"rules,omitempty"`
	Annotations Ordered[yaml.Node] `yaml:"annotations,omitempty"`
}

// Action is one action entry. Function names the action's zip, relative
// to the manifest.
type Action struct {
	Function    string             `yaml:"function"`
	Runtime     string             `yaml:"runtime"`
	Main        string             `yaml:"main,omitempty"`
	Limits      *Limits            `yaml:"limits,omitempty"`
	Inputs      Ordered[Input]     `yaml:"inputs,omitempty"`
	Annotations Ordered[yaml.Node] `yaml:"annotations,omitempty"`
	// Web and WebExport (its alias) take true, false, yes, no or raw.
	Web       string `yaml:"web,omitempty"`
	WebExport string `yaml:"web-export,omitempty"`
}

// Limits are an action's limits: timeout in ms, memory and log size in MB.
type Limits struct {
	Timeout    *int `yaml:"timeout,omitempty"`
	MemorySize *int `yaml:"memorySize,omitempty"`
	LogSize    *int `yaml:"logSize,omitempty"`
}

// Sequence is one sequence entry: Actions is a comma-separated list.
type Sequence struct {
	Actions     string             `yaml:"actions"`
	Web         string             `yaml:"web,omitempty"`
	Annotations Ordered[yaml.Node] `yaml:"annotations,omitempty"`
}

// Trigger is one trigger entry.
type Trigger struct {
	// Feed is the feed action that fires the trigger (OpenWhisk's
	// /whisk.system/alarms/alarm); its inputs go to the feed.
	Feed        string             `yaml:"feed,omitempty"`
	Inputs      Ordered[Input]     `yaml:"inputs,omitempty"`
	Annotations Ordered[yaml.Node] `yaml:"annotations,omitempty"`
}

// Rule links a trigger to an action or sequence of the same package.
type Rule struct {
	Trigger     string `yaml:"trigger"`
	Action      string `yaml:"action"`
	Description string `yaml:"description,omitempty"`
}

// Input is a parameter: a bare value, or the long form with type, value,
// default, description and required.
type Input struct {
	// Value is the value (from "value", else "default", else the bare
	// value); nil when none is given.
	Value any
	// Type is the declared type, if any.
	Type string
}

// typeNames are the bare values wskdeploy reads as a type declaration.
var typeNames = map[string]bool{"string": true, "integer": true, "float": true, "boolean": true, "json": true}

// UnmarshalYAML reads either form of an input.
func (in *Input) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		var long struct {
			Type        string `yaml:"type"`
			Value       any    `yaml:"value"`
			Default     any    `yaml:"default"`
			Description string `yaml:"description"`
			Required    bool   `yaml:"required"`
		}
		if err := decodeStrict(n, &long); err != nil {
			return err
		}
		in.Type, in.Value = long.Type, long.Value
		if in.Value == nil {
			in.Value = long.Default
		}
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	if s, ok := v.(string); ok && n.Tag == "!!str" && n.Style == 0 && typeNames[s] {
		in.Type = s
		return nil
	}
	in.Value = v
	return nil
}

// Entry is one named entry of a YAML mapping.
type Entry[T any] struct {
	Name  string
	Value T
}

// Ordered is a YAML mapping decoded in file order, strictly.
type Ordered[T any] []Entry[T]

// UnmarshalYAML decodes a mapping of name → T, rejecting duplicate names
// and unknown fields of T.
func (o *Ordered[T]) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping", n.Line)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		if seen[name] {
			return fmt.Errorf("line %d: %q given twice", n.Content[i].Line, name)
		}
		seen[name] = true
		var v T
		if err := decodeStrict(n.Content[i+1], &v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		*o = append(*o, Entry[T]{Name: name, Value: v})
	}
	return nil
}

// decodeStrict decodes a node rejecting unknown fields (yaml.Node.Decode
// alone does not).
func decodeStrict(n *yaml.Node, v any) error {
	if _, ok := v.(*yaml.Node); ok {
		*(v.(*yaml.Node)) = *n
		return nil
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// yamlTypeRE matches yaml's type errors: "cannot unmarshal !!str `soon` into int".
var yamlTypeRE = regexp.MustCompile("cannot unmarshal !!(\\w+) (`[^`]*` )?into (\\S+)")

// yamlKinds rewords yaml's type errors with the kinds a user would say
// ("got a string (soon), want a number") instead of YAML tags and Go types.
func yamlKinds(msg string) string {
	tags := map[string]string{"str": "a string", "int": "a number", "float": "a number", "bool": "a boolean",
		"seq": "a list", "map": "a mapping", "null": "null", "binary": "binary data", "timestamp": "a time"}
	return yamlTypeRE.ReplaceAllStringFunc(msg, func(m string) string {
		sub := yamlTypeRE.FindStringSubmatch(m)
		got := tags[sub[1]]
		if got == "" {
			got = "a " + sub[1]
		}
		if v := strings.Trim(strings.TrimSpace(sub[2]), "`"); v != "" {
			got += " (" + v + ")"
		}
		want := "another kind"
		switch t := sub[3]; {
		case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint") || strings.HasPrefix(t, "float"):
			want = "a number"
		case t == "string":
			want = "a string"
		case t == "bool":
			want = "a boolean"
		case strings.HasPrefix(t, "[]"):
			want = "a list"
		case strings.HasPrefix(t, "map") || strings.Contains(t, "."):
			want = "a mapping"
		}
		return "got " + got + ", want " + want
	})
}

// Load reads and parses a manifest file.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	f, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return f, nil
}

// Parse parses a manifest strictly: a key vodflow does not read is an
// error, not ignored.
func Parse(b []byte) (*File, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse: %s", yamlKinds(err.Error()))
	}
	if len(f.Packages) == 0 {
		return nil, errors.New("parse: no packages")
	}
	return &f, nil
}
