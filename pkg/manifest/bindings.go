package manifest

// Binding is an input bound to a params.json parameter: the input Input
// of Section ("package", "actions.<name>" or "trigger", the params.json
// section the value belongs in) is "$Var".
type Binding struct {
	Section, Input, Var string
}

// Bindings lists the inputs whose value is a whole "$VAR" or "${VAR}", in
// manifest order: the package's, each action's, each trigger's.
func (f *File) Bindings() []Binding {
	var out []Binding
	add := func(section string, in Ordered[Input]) {
		for _, e := range in {
			s, ok := e.Value.Value.(string)
			if !ok {
				continue
			}
			if m := wholeVarRE.FindStringSubmatch(s); m != nil {
				out = append(out, Binding{Section: section, Input: e.Name, Var: m[1] + m[2]})
			}
		}
	}
	for _, p := range f.Packages {
		add("package", p.Value.Inputs)
		for _, a := range p.Value.Actions {
			add("actions."+a.Name, a.Value.Inputs)
		}
		for _, t := range p.Value.Triggers {
			add("trigger", t.Value.Inputs)
		}
	}
	return out
}
