package main

import (
	"strings"

	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

// asDeployed gives each action's section the values its inputs bind
// ($VAR) that neither it nor the package has, from the section that
// holds VAR: a deploy resolves $VAR by name across params.json
// (manifest.VarsFromParams), so this is what the action gets deployed.
// Without it, vodflow local would run playback-url without
// PLAYBACK_TOKEN_KEY or CHANNEL_ID, which params.example.json (and -p)
// keep in encoding-callback's section.
func asDeployed(p *paramsfile.File, bindings []manifest.Binding) error {
	vars, err := manifest.VarsFromParams(p) // deploy's own resolution: it refuses what this refuses
	if err != nil {
		return err
	}
	for _, b := range bindings {
		action, ok := strings.CutPrefix(b.Section, "actions.")
		if !ok {
			continue
		}
		if _, has := p.ActionParameters(action)[b.Input]; has {
			continue
		}
		if _, has := p.Package.Parameters[b.Input]; has && b.Input == b.Var {
			continue
		}
		if v, bound, err := vars.Value("$" + b.Var); err == nil && bound {
			setIn(p, b.Section, override{key: b.Input, value: v})
		}
	}
	return nil
}
