package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/paramsfile"
)

// readmeCommands returns the `go run ./scripts/vodflow …` lines of
// README.md's shell code blocks, without their trailing comments.
func readmeCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRootForTest(t), "README.md"))
	require.NoError(t, err)
	var out []string
	inBlock, shell := false, false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "```") {
			if inBlock {
				inBlock = false
			} else {
				inBlock, shell = true, strings.TrimPrefix(line, "```") == "sh"
			}
			continue
		}
		if inBlock && shell && strings.Contains(line, "go run ./scripts/vodflow") {
			out = append(out, stripComment(line))
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// stripComment drops a shell comment (a # after a blank, outside quotes).
func stripComment(line string) string {
	var quote rune
	for i, c := range line {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && i > 0 && (line[i-1] == ' ' || line[i-1] == '\t'):
			return strings.TrimSpace(line[:i])
		}
	}
	return strings.TrimSpace(line)
}

// readmeCase says how the test runs one README command.
type readmeCase struct {
	// skip, when set, is why the test does not run it.
	skip string
	// code is the exit status README documents (0 unless said).
	code int
	// params: the command reads params.json, which README has the user
	// copy from params.example.json and fill in; the test gives it a
	// filled-in copy (--params FILE, the last --params wins).
	params bool
	// server: the command serves until interrupted; the test waits for
	// want, then sends SIGINT (exit 0). Its port is made :0, so that a
	// busy 8090 cannot fail the test.
	server bool
	// want is a text stdout must contain.
	want string
	// flags are added to the command (a free port for a server whose
	// README line has no address).
	flags string
}

// TestReadmeCommandsWorkAsShown runs every `go run ./scripts/vodflow`
// command of README's code blocks that can run offline (against the
// built-in emulator), with the tool binary, from the repository root, and
// asserts its exit status. Each command must be listed here: a new one in
// README fails the test until it is classified, and so does an entry
// README no longer shows.
func TestReadmeCommandsWorkAsShown(t *testing.T) {
	const needsNCP = "needs real NCP credentials and resources (it signs calls to NCP)"
	const needsOW = "needs a real Apache OpenWhisk host and auth key"
	const synopsis = "a synopsis (alternatives and optional flags in brackets), not a command"
	cases := map[string]readmeCase{
		`go run ./scripts/vodflow local`: {want: "playable: file 1"},
		`go run ./scripts/vodflow local --params params.json --event '{"object_name":"uploads/my video.mp4"}'`: {skip: needsNCP},
		`go run ./scripts/vodflow local --action add-files --event '{"category_id":"1","bucket_name":"vodflow-demo-uploads","paths":["a.mp4","b.mp4"]}'`: {
			want: "submitted 2 file(s) to category 1 in bucket vodflow-demo-uploads"},
		`go run ./scripts/vodflow build`:                                                                                     {want: "lookup-category.zip"},
		`go run ./scripts/vodflow local [flags] [EVENT_FILE]`:                                                                {skip: synopsis},
		`go run ./scripts/vodflow local --web`:                                                                               {server: true, flags: "--addr 127.0.0.1:0", want: "page: http://127.0.0.1:"},
		`go run ./scripts/vodflow emulator --addr 127.0.0.1:8090`:                                                            {server: true, want: "VOD Station emulator (a test double, not NCP) at"},
		`go run ./scripts/vodflow check --params params.json`:                                                                {params: true, want: "0 error(s)"},
		`go run ./scripts/vodflow deploy --target ncp|openwhisk [--dry-run]`:                                                 {skip: synopsis},
		`go run ./scripts/vodflow undeploy --target ncp|openwhisk [--dry-run]`:                                               {skip: synopsis},
		`go run ./scripts/vodflow invoke --target ncp|openwhisk [--event JSON|FILE|-] [--action NAME]`:                       {skip: synopsis},
		`go run ./scripts/vodflow bench [--burst 1000] [--throttle 0.2] [--json]`:                                            {skip: synopsis},
		`go run ./scripts/vodflow reconcile [--dry-run] [--params params.json] [--json]`:                                     {skip: synopsis},
		`go run ./scripts/vodflow reconcile --dry-run`:                                                                       {want: "would submit uploads/never-triggered-1.mp4"},
		`go run ./scripts/vodflow upload FILE [--params params.json] [--bucket B] [--key K] [--wait] [--json]`:               {skip: synopsis},
		`go run ./scripts/vodflow status [--params params.json] [--since 2h] [--category ID] [--file ID] [--watch] [--json]`: {skip: synopsis},
		`go run ./scripts/vodflow local testdata/events/korean-raw.json`:                                                     {want: "submitted 1 file(s)"},
		`echo '{"object_name":"uploads/a.mp4"}' | go run ./scripts/vodflow local --event - --result`:                         {want: `"submitted": 1`},
		`go run ./scripts/vodflow local -p EXCLUDE_PREFIXES=uploads/ --json`:                                                 {want: `"reason": "excluded_prefix"`},
		`go run ./scripts/vodflow help local`:                                                                                {want: "Usage: vodflow local"},
		`go run ./scripts/vodflow deploy --target ncp --dry-run`:                                                             {params: true, want: "nothing is sent"},
		`go run ./scripts/vodflow deploy --target ncp`:                                                                       {skip: needsNCP},
		`go run ./scripts/vodflow invoke --target ncp --event '{"object_name":"uploads/my video.mp4"}'`:                      {skip: needsNCP},
		`go run ./scripts/vodflow deploy --target openwhisk`:                                                                 {skip: needsOW},
		`go run ./scripts/vodflow invoke --target openwhisk --event testdata/events/plain.json`:                              {skip: needsOW},
	}
	commands := readmeCommands(t)
	seen := map[string]bool{}
	for _, cmd := range commands {
		seen[cmd] = true
		_, ok := cases[cmd]
		assert.True(t, ok, "README shows %q: classify it in this test", cmd)
	}
	for cmd := range cases {
		assert.True(t, seen[cmd], "README no longer shows %q: drop it from this test", cmd)
	}
	filled := filledParams(t)
	root := repoRootForTest(t)
	for _, cmd := range commands {
		c, ok := cases[cmd]
		if !ok {
			continue
		}
		t.Run(cmd, func(t *testing.T) {
			if c.skip != "" {
				t.Skip(c.skip)
			}
			line := strings.Replace(cmd, "go run ./scripts/vodflow", toolBinary, 1)
			if c.params {
				line += " --params " + filled
			}
			if c.server {
				line = strings.Replace(line, "127.0.0.1:8090", "127.0.0.1:0", 1)
			}
			if c.flags != "" {
				line += " " + c.flags
			}
			if !strings.Contains(line, "|") {
				line = "exec " + line // signals reach the tool, not sh
			}
			sh := exec.Command("sh", "-c", line)
			sh.Dir = root
			sh.Env = append(os.Environ(), "NCLOUD_ACCESS_KEY=", "NCLOUD_SECRET_KEY=", "WSK_CONFIG_FILE="+filepath.Join(t.TempDir(), "none"))
			var stdout, stderr syncBuf
			sh.Stdout, sh.Stderr = &stdout, &stderr
			require.NoError(t, sh.Start())
			if c.server {
				deadline := time.Now().Add(3 * time.Minute) // local --web builds the actions first
				for !strings.Contains(stdout.String(), c.want) && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				assert.Contains(t, stdout.String(), c.want, stderr.String())
				require.NoError(t, sh.Process.Signal(syscall.SIGINT))
			}
			err := sh.Wait()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, c.code, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			assert.Contains(t, stdout.String(), c.want, stderr.String())
		})
	}
}

// filledParams is params.example.json filled in as README asks, written to
// a temporary file.
func filledParams(t *testing.T) string {
	t.Helper()
	p, err := paramsfile.Load(filepath.Join(repoRootForTest(t), "params.example.json"))
	require.NoError(t, err)
	p.Package.Parameters["NCLOUD_ACCESS_KEY"] = "AK-readme"
	p.Package.Parameters["NCLOUD_SECRET_KEY"] = "SK-readme-secret"
	p.Package.Parameters["WEBHOOK_SECRET"] = "whsec-readme"
	p.Package.Parameters["BUCKET_NAME"] = "my-uploads"
	p.Actions["lookup-category"].Parameters["CATEGORY_NAME"] = "movies"
	p.Actions["add-files"].Parameters["NOTIFICATION_URL"] = "https://gw.example/vodflow/v1/callback?token=cb-readme-token"
	p.Actions["encoding-callback"].Parameters["CALLBACK_TOKEN"] = "cb-readme-token"
	p.Actions["encoding-callback"].Parameters["CHANNEL_ID"] = "vs-1"
	p.Trigger.BucketName, p.Trigger.EventRuleName = "my-uploads", "on-upload"
	p.Deploy.VPCNo, p.Deploy.SubnetNo = "1234", "5678"
	b, err := json.Marshal(p)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

// syncBuf is a bytes.Buffer safe to read while a process writes it.
type syncBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
