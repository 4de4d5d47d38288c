package paramcheck_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vodflow/vodflow/pkg/paramcheck"
)

// TestSigningAndTokenParamsPerCommand: PLAYBACK_URL_TOKEN, the
// PLAYBACK_TOKEN_* parameters and UPLOAD_TOKEN, as placeholders in the
// sections params.example.json keeps them in, are used by the commands
// that run their actions (playback-url reads encoding-callback's
// PLAYBACK_TOKEN_KEY: sequence.yaml binds $PLAYBACK_TOKEN_KEY in both),
// and each is optional (set to "" turns its feature off).
func TestSigningAndTokenParamsPerCommand(t *testing.T) {
	const (
		urlToken = "actions.playback-url.PLAYBACK_URL_TOKEN"
		key      = "actions.encoding-callback.PLAYBACK_TOKEN_KEY"
		name     = "actions.encoding-callback.PLAYBACK_TOKEN_NAME"
		upload   = "actions.upload-url.UPLOAD_TOKEN"
	)
	all := []string{key, name, urlToken, upload}
	for _, tc := range []struct {
		name string
		cmd  paramcheck.Command
		used []string
	}{
		{"local runs the sequence", paramcheck.Command{Name: "local"}, nil},
		{"local --action encoding-callback", paramcheck.Command{Name: "local", Action: "encoding-callback"}, []string{key, name}},
		{"local --action playback-url", paramcheck.Command{Name: "local", Action: "playback-url"}, []string{key, name, urlToken}},
		{"local --action upload-url", paramcheck.Command{Name: "local", Action: "upload-url"}, []string{upload}},
		{"deploy to NCP", paramcheck.Command{Name: "deploy", Target: "ncp", Platform: "vpc"}, all},
		{"deploy to OpenWhisk", paramcheck.Command{Name: "deploy", Target: "openwhisk"}, all},
		{"check", paramcheck.Command{Name: "check", Platform: "vpc"}, all},
		{"undeploy", paramcheck.Command{Name: "undeploy", Target: "ncp"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, mf := load(t)
			p.Actions["playback-url"].Parameters["PLAYBACK_URL_TOKEN"] = "YOUR_PLAYBACK_URL_TOKEN"
			p.Actions["encoding-callback"].Parameters["PLAYBACK_TOKEN_KEY"] = "YOUR_GLOBAL_EDGE_TOKEN_KEY"
			p.Actions["encoding-callback"].Parameters["PLAYBACK_TOKEN_NAME"] = "<token name>"
			p.Actions["upload-url"].Parameters["UPLOAD_TOKEN"] = "YOUR_UPLOAD_TOKEN"
			phs := paramcheck.Placeholders(p, paramcheck.For(tc.cmd, mf))
			got := map[string]paramcheck.Placeholder{}
			for _, ph := range phs {
				got[ph.Where] = ph
			}
			for _, where := range all {
				ph, ok := got[where]
				if !assert.True(t, ok, "%s is listed", where) {
					continue
				}
				assert.Equal(t, contains(tc.used, where), ph.Used, "%s: %s", where, ph.Unused)
				if !ph.Used {
					assert.Contains(t, ph.Unused, "does not run in vodflow "+tc.cmd.Name, where)
				}
				assert.Equal(t, `fill it in, or set it to "" to turn the feature off`, ph.Hint, where)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
