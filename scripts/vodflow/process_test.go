package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/bytesize"
	"github.com/vodflow/vodflow/pkg/manifest"
)

// toolBinary is the vodflow binary, built once in TestMain, for the tests
// about processes: exit status, stdin, what goes to stdout and stderr.
var toolBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vodflow-tool-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	toolBinary = filepath.Join(dir, "vodflow")
	if out, err := exec.Command("go", "build", "-o", toolBinary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the tool: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the tool binary.
type result struct {
	stdout, stderr string
	code           int
}

// exe runs the tool binary with stdin and returns what it printed and its
// exit status.
func exe(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(toolBinary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "NCLOUD_ACCESS_KEY=", "NCLOUD_SECRET_KEY=", "WSK_CONFIG_FILE="+filepath.Join(t.TempDir(), "none"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func TestHelpExitsZeroEverywhere(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "no arguments", args: nil, want: []string{"Commands:", "undeploy", "check"}},
		{name: "--help", args: []string{"--help"}, want: []string{"Commands:"}},
		{name: "-h", args: []string{"-h"}, want: []string{"Commands:"}},
		{name: "help", args: []string{"help"}, want: []string{"Commands:"}},
	}
	for _, c := range commands {
		want := []string{c.purpose, "Usage: " + c.usage, "Flags:", "Example:\n  " + c.example}
		for _, form := range [][]string{{"help", c.name}, {c.name, "-h"}, {c.name, "--help"}} {
			tests = append(tests, struct {
				name string
				args []string
				want []string
			}{name: strings.Join(form, " "), args: form, want: want})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exe(t, "", tt.args...)
			assert.Equal(t, 0, r.code, r.stderr)
			for _, w := range tt.want {
				assert.Contains(t, r.stdout, w)
			}
			assert.Empty(t, r.stderr)
		})
	}
}

func TestUsageErrorsArePrintedOnceAndExitTwo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "unknown flag", args: []string{"local", "--nope"}, want: "vodflow local: flag provided but not defined: -nope"},
		{name: "unknown command", args: []string{"bild"}, want: `vodflow: unknown command "bild"; did you mean build?`},
		{name: "negative timeout", args: []string{"local", "--timeout", "-5s"}, want: `vodflow local: invalid value "-5s" for flag -timeout: want a positive duration`},
		{name: "zero timeout", args: []string{"bench", "--timeout", "0s"}, want: `invalid value "0s" for flag -timeout: want a positive duration`},
		{name: "not a duration", args: []string{"local", "--timeout", "soon"}, want: `invalid value "soon" for flag -timeout: want a duration`},
		{name: "no target", args: []string{"deploy"}, want: "vodflow deploy: --target is required: ncp or openwhisk"},
		{name: "bad target", args: []string{"undeploy", "--target", "aws"}, want: `vodflow undeploy: --target "aws": want ncp or openwhisk`},
		{name: "bad -p", args: []string{"local", "-p", "NOEQUALS"}, want: `invalid value "NOEQUALS" for flag -p: want KEY=VALUE`},
		{name: "result and json", args: []string{"local", "--result", "--json"}, want: "vodflow local: --result and --json exclude each other"},
		{name: "two events", args: []string{"local", "a.json", "b.json"}, want: "want at most one event file, got 2 arguments"},
		{name: "bench throttle", args: []string{"bench", "--throttle", "1"}, want: "--throttle is 1, want a fraction in [0, 1)"},
		{name: "help for nothing", args: []string{"help", "nope"}, want: `unknown command "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exe(t, "", tt.args...)
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, tt.want)
			assert.Equal(t, 1, strings.Count(r.stderr, tt.want), "printed once: %s", r.stderr)
			assert.Contains(t, r.stderr, "Run 'vodflow help")
			assert.Empty(t, r.stdout)
		})
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		t.Run(arg, func(t *testing.T) {
			r := exe(t, "", arg)
			require.Equal(t, 0, r.code, r.stderr)
			// A build from a checkout is (devel), or, where the go command
			// stamps VCS settings (a plain clone without -buildvcs=false), a
			// pseudo-version with the commit it was built from.
			assert.Regexp(t, `^vodflow (\(devel\)|v\S+)( \(commit [0-9a-f]{40}[^)]*\))? go1\.\d+\S* \w+/\w+\n$`, r.stdout)
		})
	}
}

func TestVersionLine(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{name: "no build info", bi: nil, want: "vodflow (devel) "},
		{name: "a checkout without VCS stamps", bi: &debug.BuildInfo{GoVersion: "go1.23.4", Main: debug.Module{Version: "(devel)"}},
			want: "vodflow (devel) go1.23.4 "},
		{name: "a checkout with VCS stamps", bi: &debug.BuildInfo{GoVersion: "go1.23.4", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "03299c0f3f5a3b1e9b0c7d6e5f4a3b2c1d0e9f8a"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			want: "vodflow (devel) (commit 03299c0f3f5a3b1e9b0c7d6e5f4a3b2c1d0e9f8a of 2026-11-30T10:00:00Z, modified) go1.23.4 "},
		{name: "a module version", bi: &debug.BuildInfo{GoVersion: "go1.23.4", Main: debug.Module{Version: "v1.2.3"}},
			want: "vodflow v1.2.3 go1.23.4 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, strings.HasPrefix(versionLine(tt.bi), tt.want), "got %q, want prefix %q", versionLine(tt.bi), tt.want)
		})
	}
}

func TestEventsThatAreNotOneObjectAreErrors(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{name: "a list", args: []string{"--event", "[1,2]"}, want: "event: got a JSON list, want one JSON object"},
		{name: "null", args: []string{"--event", "null"}, want: "event: got JSON null, want one JSON object"},
		{name: "a string", args: []string{"--event", `"a.mp4"`}, want: `event: got a JSON string ("a.mp4"), want one JSON object`},
		{name: "a number", args: []string{"--event", "42"}, want: "event: got a JSON number (42), want one JSON object"},
		{name: "empty", args: []string{"--event", ""}, want: "event: got an empty string, want one JSON object"},
		{name: "trailing data", args: []string{"--event", `{"object_name":"a.mp4"} junk`}, want: "event: unexpected data after the JSON object, at byte 24: junk"},
		{name: "two objects", args: []string{"--event", `{"a":1}{"b":2}`}, want: `event: unexpected data after the JSON object, at byte 7: {"b":2}`},
		{name: "cut short", args: []string{"--event", `{"object_name":`}, want: "event: not valid JSON: it ends early"},
		{name: "no such file", args: []string{"testdata/nope.json"}, want: "event: no file testdata/nope.json (and it is not inline JSON)"},
		{name: "no such file by flag", args: []string{"--event", "nope.json"}, want: "event: no file nope.json"},
		{name: "stdin empty", args: []string{"--event", "-"}, want: "event (stdin): got nothing, want one JSON object"},
		{name: "stdin list", args: []string{"--event", "-"}, stdin: "[]", want: "event (stdin): got a JSON list, want one JSON object"},
		{name: "stdin trailing", args: []string{"--event", "-"}, stdin: "{}\n{}", want: "event (stdin): unexpected data after the JSON object"},
		{name: "flag and argument", args: []string{"--event", "{}", "x.json"}, want: "the event is given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exe(t, tt.stdin, append([]string{"local"}, tt.args...)...)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.NotContains(t, r.stderr, "building", "nothing runs")
			assert.Empty(t, r.stdout)
		})
	}
}

func TestEventFileAsArgumentRunsThatEvent(t *testing.T) {
	r := exe(t, "", "local", "../../testdata/events/korean-raw.json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `event {"object_name":"uploads/한글 영상.mp4"}`)
	assert.Contains(t, r.stdout, "uploads/한글 영상.mp4 → file_id 1")
	assert.NotContains(t, r.stdout, "sample video")
}

func TestEventOnStdinWithResultOnly(t *testing.T) {
	r := exe(t, `{"object_name":"uploads/from stdin.mp4"}`, "local", "--event", "-", "--result")
	require.Equal(t, 0, r.code, r.stderr)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res), "stdout is the result JSON only: %s", r.stdout)
	assert.Equal(t, "uploads/from stdin.mp4", res["file_name"])
	assert.EqualValues(t, 1, res["submitted"])
	// The report and the progress went to stderr.
	assert.Contains(t, r.stderr, "starting the VOD Station emulator")
	n := len(shipped(t))
	assert.Contains(t, r.stderr, fmt.Sprintf("building %d actions for", n))
	assert.Regexp(t, fmt.Sprintf(`built %d actions in \d`, n), r.stderr)
	assert.Contains(t, r.stderr, "[2/2] add-files")
	assert.Contains(t, r.stderr, "webhook file_complete")
}

func TestLocalJSONReport(t *testing.T) {
	r := exe(t, "", "local", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var rep struct {
		Target, Outcome string
		Event           map[string]any
		Steps           []struct{ Action string }
		Result          map[string]any
		Webhooks        []struct{ Type string }
		Playable        []string
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
	assert.Equal(t, "local", rep.Target)
	assert.Equal(t, "submitted", rep.Outcome)
	assert.Equal(t, "uploads/sample video.mp4", rep.Event["object_name"])
	require.Len(t, rep.Steps, 2)
	assert.Equal(t, "add-files", rep.Steps[1].Action)
	assert.NotEmpty(t, rep.Webhooks)
	assert.Len(t, rep.Playable, 1)
}

func TestProgressAndTimingOnStderr(t *testing.T) {
	r := exe(t, "", "local")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "starting the VOD Station emulator (a test double) and the callback loop…")
	n := len(shipped(t))
	assert.Regexp(t, fmt.Sprintf(`building %d actions for \w+/\w+ \(the first build also downloads the modules\)…\n  \[1/%d\] add-files +\d+(\.\d)? m?s\n`, n, n), r.stderr)
	assert.Regexp(t, fmt.Sprintf(`built %d actions in \d+(\.\d)? m?s`, n), r.stderr)
	assert.Regexp(t, `got 6 webhook events in \d+(\.\d)? m?s`, r.stderr)
	assert.NotContains(t, r.stdout, "building")
	assert.Contains(t, r.stdout, "playable: file 1")
}

func TestWebActionErrorAnswerFails(t *testing.T) {
	tests := []struct {
		name  string
		event string
		code  int
		want  string
	}{
		{name: "no token is 401", event: `{"__ow_method":"post","__ow_body":"{}"}`, code: 1, want: "FAILED: the web action answered HTTP 401"},
		{name: "GET is 405", event: `{"__ow_method":"get","__ow_query":"token=vodflow-demo-callback-token"}`, code: 1, want: "FAILED: the web action answered HTTP 405"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exe(t, "", "local", "--action", "encoding-callback", "--event", tt.event)
			assert.Equal(t, tt.code, r.code, r.stdout+r.stderr)
			assert.Contains(t, r.stdout, tt.want)
			assert.NotContains(t, r.stdout, "done ")
		})
	}
}

func TestSizesAreDecimalMB(t *testing.T) {
	dir := t.TempDir()
	r := exe(t, "", "build", "--out", dir, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var zips []builtZip
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &zips), r.stdout)
	require.Len(t, zips, len(shipped(t)))
	for _, z := range zips {
		info, err := os.Stat(filepath.Join(dir, filepath.Base(z.Path)))
		require.NoError(t, err)
		assert.Equal(t, info.Size(), z.Bytes)
		assert.Equal(t, fmt.Sprintf("%.2f MB", float64(z.Bytes)/1e6), z.Size, "decimal MB, not MiB")
	}
	table := exe(t, "", "build", "--out", dir)
	require.Equal(t, 0, table.code, table.stderr)
	for _, z := range zips {
		assert.Contains(t, table.stdout, bytesize.MB(z.Bytes)+"  ("+fmt.Sprint(z.Bytes)+" bytes")
	}
}

// shipped lists sequence.yaml's actions in its order: the tests that count
// deploy steps, built zips or deleted actions follow the manifest, so a new
// action changes no count by hand.
func shipped(t *testing.T) []string {
	t.Helper()
	mf, err := manifest.Load(filepath.Join(repoRootForTest(t), manifest.FileName))
	require.NoError(t, err)
	var names []string
	for _, a := range mf.Packages[0].Value.Actions {
		names = append(names, a.Name)
	}
	require.NotEmpty(t, names)
	return names
}
