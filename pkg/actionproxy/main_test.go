package actionproxy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// echoPath is the test action built by TestMain from testdata/echoaction.
var echoPath string

// runTimeout is a generous activation timeout for activations that must not
// time out.
const runTimeout = 30 * time.Second

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

// buildAndRun builds the echo action into a temporary directory, as exec
// beside an exec.env, and runs the tests.
func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "actionproxy-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "create temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	echoPath = filepath.Join(dir, "exec")
	cmd := exec.Command("go", "build", "-o", echoPath, "./testdata/echoaction")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build echo action: %v\n%s", err, out)
		return 1
	}
	// Beside it, the exec.env of a zip for NCP's go:1.19.
	if err := os.WriteFile(filepath.Join(dir, "exec.env"), []byte(DefaultExecutionEnv+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "write exec.env:", err)
		return 1
	}
	return m.Run()
}

// startEcho starts the echo action and closes it when the test ends.
func startEcho(t *testing.T, opts Options) *Process {
	t.Helper()
	opts.Path = echoPath
	p, err := Start(context.Background(), opts)
	require.NoError(t, err, "Start")
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// runObject runs one activation that must succeed and returns its result
// object.
func runObject(t *testing.T, p *Process, params any) (*Result, map[string]any) {
	t.Helper()
	res, err := p.Run(context.Background(), params, runTimeout)
	require.NoError(t, err, "Run(%v)", params)
	obj, err := res.Object()
	require.NoError(t, err, "Object of %s", res.Raw)
	return res, obj
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
