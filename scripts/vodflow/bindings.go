package main

import (
	"sort"
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
func asDeployed(p *paramsfile.File, bindings []manifest.Binding) {
	secs := sections(p)
	names := make([]string, 0, len(secs))
	for n := range secs {
		names = append(names, n)
	}
	sort.Strings(names) // actions.*, the package, the trigger: the same order every run
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
		for _, n := range names {
			if v, has := secs[n][b.Var]; has {
				setIn(p, b.Section, override{key: b.Input, value: v})
				break
			}
		}
	}
}
