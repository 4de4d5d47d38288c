package actionproxy

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartWaitsForAck(t *testing.T) {
	p := startEcho(t, Options{})

	assert.Positive(t, p.StartupTime())
	assert.Positive(t, p.Pid())
	select {
	case <-p.Done():
		t.Fatal("process exited after the ack")
	default:
	}
}

func TestRunSeveralActivations(t *testing.T) {
	p := startEcho(t, Options{Namespace: "ns", ActionName: "/ns/pkg/echo"})

	seen := map[string]bool{}
	for i := range 5 {
		res, obj := runObject(t, p, map[string]any{"n": i, "nested": map[string]any{"k": "v"}})

		assert.Equal(t, map[string]any{"n": float64(i), "nested": map[string]any{"k": "v"}}, obj["value"])
		env := obj["env"].(map[string]any)
		assert.Equal(t, res.ActivationID, env["__OW_ACTIVATION_ID"])
		assert.Len(t, res.ActivationID, 32)
		assert.Equal(t, "/ns/pkg/echo", env["__OW_ACTION_NAME"])
		assert.Equal(t, "ns", env["__OW_NAMESPACE"])
		assert.Equal(t, DefaultActionVersion, env["__OW_ACTION_VERSION"])
		assert.NotEmpty(t, env["__OW_TRANSACTION_ID"])
		assert.NotContains(t, env, "__OW_API_KEY")
		assert.Equal(t, float64(p.Pid()), obj["pid"], "same process serves every activation")
		assert.False(t, res.IsError())
		assert.Positive(t, res.Duration)
		assert.False(t, seen[res.ActivationID], "activation ids must be fresh")
		seen[res.ActivationID] = true
	}
}

func TestRunParamsForms(t *testing.T) {
	p := startEcho(t, Options{})

	_, obj := runObject(t, p, nil)
	assert.Equal(t, map[string]any{}, obj["value"], "nil params send {}")

	_, obj = runObject(t, p, json.RawMessage("{\n  \"raw\": true\n}"))
	assert.Equal(t, map[string]any{"raw": true}, obj["value"], "raw JSON is sent on one line")

	_, obj = runObject(t, p, struct {
		Key string `json:"key"`
	}{Key: "a\nb"})
	assert.Equal(t, map[string]any{"key": "a\nb"}, obj["value"])

	_, err := p.Run(context.Background(), map[string]any{"bad": func() {}}, runTimeout)
	assert.ErrorContains(t, err, "encode params")
	_, obj = runObject(t, p, map[string]any{"after": "encode error"})
	assert.Equal(t, map[string]any{"after": "encode error"}, obj["value"])
}

func TestEnvironmentHasOnlyOWVariables(t *testing.T) {
	p := startEcho(t, Options{
		ExecutionEnv: DefaultExecutionEnv,
		Env:          map[string]string{"__OW_API_HOST": "https://example.invalid"},
		ProxyEnviron: func() []string { return []string{"PATH=/usr/bin", "HOME=/root", "OW_WAIT_FOR_ACK=1"} },
	})

	_, obj := runObject(t, p, map[string]any{})

	assert.Equal(t, false, obj["path_set"], "PATH must not be set")
	for _, k := range obj["environ"].([]any) {
		assert.True(t, strings.HasPrefix(k.(string), "__OW_"), "unexpected variable %q", k)
	}
	env := obj["env"].(map[string]any)
	assert.Equal(t, "1", env["__OW_WAIT_FOR_ACK"])
	assert.Equal(t, DefaultExecutionEnv, env["__OW_EXECUTION_ENV"])
	assert.Equal(t, ProxyVersion, env["__OW_PROXY_VERSION"])
	assert.Equal(t, "https://example.invalid", env["__OW_API_HOST"])
}

func TestProxyEnvironOWVariablesArePassedOn(t *testing.T) {
	cases := []struct {
		name    string
		environ []string
		env     map[string]string // Options.Env
		want    map[string]any    // expected __OW_* variables (a nil value: absent)
	}{
		{
			name:    "the container's __OW_API_HOST",
			environ: []string{"__OW_API_HOST=https://openwhisk.example:443", "PATH=/bin", "API_HOST=not-ow"},
			want:    map[string]any{"__OW_API_HOST": "https://openwhisk.example:443", "__OW_PATH": nil},
		},
		{
			name:    "every __OW_ variable, an empty one too",
			environ: []string{"__OW_NAMESPACE_HINT=ns", "__OW_EMPTY=", "__OW_ALLOW_CONCURRENT=true"},
			want:    map[string]any{"__OW_NAMESPACE_HINT": "ns", "__OW_EMPTY": "", "__OW_ALLOW_CONCURRENT": "true"},
		},
		{
			name:    "the value ends at its first = as in the runtime proxy",
			environ: []string{"__OW_TOKEN=YWJj==", "__OW_URL=https://h/?a=1&b=2"},
			want:    map[string]any{"__OW_TOKEN": "YWJj", "__OW_URL": "https://h/?a"},
		},
		{
			name:    "they override the proxy's own, the init env overrides them",
			environ: []string{"__OW_PROXY_VERSION=9.9.9", "__OW_API_HOST=from-container"},
			env:     map[string]string{"__OW_API_HOST": "from-init"},
			want:    map[string]any{"__OW_PROXY_VERSION": "9.9.9", "__OW_API_HOST": "from-init"},
		},
		{
			name:    "a lower-case prefix is not theirs",
			environ: []string{"__ow_api_host=x", "OW_API_HOST=y"},
			want:    map[string]any{"__ow_api_host": nil, "OW_API_HOST": nil, "__OW_API_HOST": nil},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			environ := tc.environ
			p := startEcho(t, Options{Env: tc.env, ProxyEnviron: func() []string { return environ }})

			_, obj := runObject(t, p, nil)

			env := obj["env"].(map[string]any)
			for k, v := range tc.want {
				if v == nil {
					assert.NotContains(t, env, k)
					assert.NotContains(t, obj["environ"], k)
					continue
				}
				assert.Equal(t, v, env[k], k)
			}
			for _, k := range obj["environ"].([]any) {
				assert.True(t, strings.HasPrefix(k.(string), "__OW_"), "unexpected variable %q", k)
			}
		})
	}
}

func TestProxyEnvironDefaultsToTheProcessEnvironment(t *testing.T) {
	t.Setenv("__OW_FROM_PROXY_ENV", "passed on")
	t.Setenv("VODFLOW_NOT_OW", "kept back")
	p := startEcho(t, Options{})

	_, obj := runObject(t, p, nil)

	env := obj["env"].(map[string]any)
	assert.Equal(t, "passed on", env["__OW_FROM_PROXY_ENV"])
	assert.NotContains(t, obj["environ"], "VODFLOW_NOT_OW")
}

func TestEnvOverridesAndAPIKey(t *testing.T) {
	p := startEcho(t, Options{
		Env:    map[string]string{"__OW_EXECUTION_ENV": "openwhisk/action-golang-v1.22", "PLAIN": "x"},
		APIKey: "key",
	})

	_, obj := runObject(t, p, nil)

	env := obj["env"].(map[string]any)
	assert.Equal(t, "openwhisk/action-golang-v1.22", env["__OW_EXECUTION_ENV"])
	assert.Equal(t, "key", env["__OW_API_KEY"])
	assert.Contains(t, obj["environ"], "PLAIN", "init env keys are passed as given")
}

func TestDefaultActionName(t *testing.T) {
	p := startEcho(t, Options{})
	_, obj := runObject(t, p, nil)
	assert.Equal(t, "/guest/exec", obj["env"].(map[string]any)["__OW_ACTION_NAME"])
}

func TestDeadlineIsEpochMillisString(t *testing.T) {
	p := startEcho(t, Options{})
	const timeout = 42 * time.Second

	before := time.Now()
	res, err := p.Run(context.Background(), nil, timeout)
	after := time.Now()
	require.NoError(t, err)
	obj, err := res.Object()
	require.NoError(t, err)

	raw, ok := obj["env"].(map[string]any)["__OW_DEADLINE"].(string)
	require.True(t, ok, "__OW_DEADLINE must be a string, got %v", obj["env"])
	ms, err := strconv.ParseInt(raw, 10, 64)
	require.NoError(t, err, "parse deadline %q", raw)
	deadline := time.UnixMilli(ms)
	assert.False(t, deadline.Before(before.Add(timeout).Truncate(time.Millisecond)), "deadline %v, run started %v", deadline, before)
	assert.False(t, deadline.After(after.Add(timeout)), "deadline %v, run ended %v", deadline, after)
}

func TestTimeoutKillsProcess(t *testing.T) {
	p := startEcho(t, Options{})

	res, err := p.Run(context.Background(), map[string]any{"sleep_ms": 60_000}, 300*time.Millisecond)

	require.Error(t, err)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.Contains(t, err.Error(), "/guest/exec")
	require.NotNil(t, res)
	assert.Nil(t, res.Raw)
	assert.Contains(t, err.Error(), res.ActivationID)
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("process still running after the timeout")
	}

	_, err = p.Run(context.Background(), map[string]any{}, runTimeout)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrExited)
	assert.NotErrorIs(t, err, ErrTimeout)
	var exitErr *ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.ErrorIs(t, exitErr.Killed, ErrTimeout)
	assert.Equal(t, -1, exitErr.ExitCode(), "killed by a signal")
	assert.Contains(t, err.Error(), "killed by the proxy")
}

func TestContextCancelKillsProcess(t *testing.T) {
	p := startEcho(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)

	_, err := p.Run(ctx, map[string]any{"sleep_ms": 60_000}, runTimeout)

	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrTimeout)
	_, err = p.Run(context.Background(), nil, runTimeout)
	assert.ErrorIs(t, err, ErrExited)
}

func TestExitIsDetected(t *testing.T) {
	p := startEcho(t, Options{})
	runObject(t, p, map[string]any{"warm": true})

	res, err := p.Run(context.Background(), map[string]any{"log": "last words", "exit": 3}, runTimeout)

	require.Error(t, err)
	assert.ErrorIs(t, err, ErrExited)
	var exitErr *ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, 3, exitErr.ExitCode())
	assert.Nil(t, exitErr.Killed)
	assert.Equal(t, p.Pid(), exitErr.Pid)
	assert.Contains(t, string(exitErr.LogTail), "last words")
	assert.Contains(t, err.Error(), "exit status 3")
	require.NotNil(t, res)
	assert.Contains(t, string(res.Logs), "last words")

	_, err = p.Run(context.Background(), nil, runTimeout)
	assert.ErrorIs(t, err, ErrExited, "later runs report the exit too")
}

func TestExitWithOrphanHoldingPipes(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks the orphan through /proc")
	}
	p := startEcho(t, Options{})

	_, err := p.Run(context.Background(), map[string]any{"orphan": true}, runTimeout)

	var exitErr *ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, 7, exitErr.ExitCode())
	var orphan int
	for _, l := range strings.Split(string(p.Logs()), "\n") {
		if s, ok := strings.CutPrefix(l, "orphan pid "); ok {
			orphan, _ = strconv.Atoi(s)
		}
	}
	require.Positive(t, orphan, "orphan pid in logs %q", p.Logs())
	require.NoError(t, p.Close())
	assert.Eventually(t, func() bool { return !running(orphan) }, 10*time.Second, 20*time.Millisecond,
		"orphan %d of the action's process group must be killed", orphan)
}

// running reports whether pid is a live (not zombie) process.
func running(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	i := strings.LastIndexByte(string(data), ')')
	return i < 0 || i+2 >= len(data) || (data[i+2] != 'Z' && data[i+2] != 'X')
}

func TestGarbageResult(t *testing.T) {
	p := startEcho(t, Options{})

	res, err := p.Run(context.Background(), map[string]any{"garbage": true}, runTimeout)

	require.Error(t, err)
	assert.ErrorIs(t, err, ErrBadResult)
	var bad *BadResultError
	require.ErrorAs(t, err, &bad)
	assert.Equal(t, "this is not json", string(bad.Line))
	assert.Contains(t, err.Error(), "did not return a dictionary or array")
	require.NotNil(t, res)
	assert.Nil(t, res.Raw)

	_, obj := runObject(t, p, map[string]any{"after": "garbage"})
	assert.Equal(t, map[string]any{"after": "garbage"}, obj["value"], "the process stays usable")
}

func TestExtraLineIsReported(t *testing.T) {
	p := startEcho(t, Options{})
	runObject(t, p, map[string]any{"extra": true})
	// The extra line arrives right after the result; wait for it.
	require.Eventually(t, func() bool { return len(p.lines) == 1 }, 10*time.Second, 5*time.Millisecond)

	_, err := p.Run(context.Background(), map[string]any{"n": 1}, runTimeout)
	var bad *BadResultError
	require.ErrorAs(t, err, &bad)
	assert.Equal(t, `{"extra":true}`, string(bad.Line))

	_, obj := runObject(t, p, map[string]any{"n": 2})
	assert.Equal(t, map[string]any{"n": float64(2)}, obj["value"])
}

func TestResultShapes(t *testing.T) {
	p := startEcho(t, Options{})

	t.Run("array", func(t *testing.T) {
		res, err := p.Run(context.Background(), map[string]any{"array": true}, runTimeout)
		require.NoError(t, err)
		assert.JSONEq(t, `["echo", {"array": true}]`, string(res.Raw))
		assert.False(t, res.IsError())
		_, err = res.Object()
		assert.Error(t, err)
	})
	t.Run("application error", func(t *testing.T) {
		res, err := p.Run(context.Background(), map[string]any{"error": map[string]any{"message": "no category"}}, runTimeout)
		require.NoError(t, err, "an application error is a result, not a Run error")
		assert.True(t, res.IsError())
		assert.JSONEq(t, `{"error": {"message": "no category"}}`, string(res.Raw))
	})
	t.Run("result larger than 1 MB", func(t *testing.T) {
		const size = 2 << 20
		_, obj := runObject(t, p, map[string]any{"big": size})
		assert.Len(t, obj["big"], size)
	})
}

func TestLogsAreCaptured(t *testing.T) {
	var forwarded syncBuffer
	p := startEcho(t, Options{Logs: &forwarded})

	res1, _ := runObject(t, p, map[string]any{"log": "to stderr 1", "stdout": "to stdout 1"})
	res2, _ := runObject(t, p, map[string]any{"log": "to stderr 2"})

	assert.Contains(t, string(res1.Logs), "to stderr 1\n")
	assert.Contains(t, string(res1.Logs), "to stdout 1\n")
	assert.Equal(t, "to stderr 2\n", string(res2.Logs), "only this activation's logs")
	all := string(p.Logs())
	for _, s := range []string{"to stderr 1", "to stdout 1", "to stderr 2"} {
		assert.Contains(t, all, s)
		assert.Contains(t, forwarded.String(), s)
	}
	assert.NotContains(t, all, "actionproxy-log-sync", "sync markers must not leak")
	assert.NotContains(t, forwarded.String(), "actionproxy-log-sync")
}

func TestCloseAndRunAfterClose(t *testing.T) {
	p := startEcho(t, Options{})
	runObject(t, p, nil)

	require.NoError(t, p.Close())
	require.NoError(t, p.Close(), "Close is idempotent")

	select {
	case <-p.Done():
	default:
		t.Fatal("process still running after Close")
	}
	_, err := p.Run(context.Background(), nil, runTimeout)
	assert.ErrorIs(t, err, ErrExited)
}

func TestCloseDuringRun(t *testing.T) {
	p := startEcho(t, Options{})
	errc := make(chan error, 1)
	go func() {
		_, err := p.Run(context.Background(), map[string]any{"sleep_ms": 60_000}, runTimeout)
		errc <- err
	}()
	require.Eventually(t, p.inFlight.Load, 10*time.Second, 5*time.Millisecond)

	require.NoError(t, p.Close())

	select {
	case err := <-errc:
		assert.ErrorIs(t, err, ErrExited)
	case <-time.After(20 * time.Second):
		t.Fatal("Run still blocked after Close")
	}
}

func TestStartFailures(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantIs  error
		wantMsg string
	}{
		{name: "no path", opts: Options{}, wantMsg: "no path"},
		{name: "missing binary", opts: Options{Path: "/nonexistent/exec"}, wantIs: os.ErrNotExist},
		{name: "invalid env key", opts: Options{Path: echoPath, Env: map[string]string{"A=B": "x"}}, wantMsg: "invalid environment variable"},
		{
			name:   "exit before ack",
			opts:   Options{Path: echoPath, Env: map[string]string{"ECHO_EXIT_AT_START": "5"}},
			wantIs: ErrExited, wantMsg: "exiting at start",
		},
		{
			name:   "no ack",
			opts:   Options{Path: echoPath, Env: map[string]string{"ECHO_NO_ACK": "1"}, AckTimeout: 300 * time.Millisecond},
			wantIs: ErrTimeout,
		},
		{
			name:   "bad ack",
			opts:   Options{Path: echoPath, Env: map[string]string{"ECHO_BAD_ACK": "1"}},
			wantIs: ErrBadAck, wantMsg: `{\"ok\":false}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Start(context.Background(), tt.opts)
			require.Error(t, err)
			assert.Nil(t, p)
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
			if tt.wantMsg != "" {
				assert.ErrorContains(t, err, tt.wantMsg)
			}
		})
	}
}

func TestStartContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)

	_, err := Start(ctx, Options{Path: echoPath, Env: map[string]string{"ECHO_NO_ACK": "1"}, AckTimeout: time.Minute})

	assert.ErrorIs(t, err, context.Canceled)
}

func TestNoAck(t *testing.T) {
	p := startEcho(t, Options{NoAck: true})

	_, obj := runObject(t, p, map[string]any{"n": 1})

	assert.Equal(t, map[string]any{"n": float64(1)}, obj["value"])
	assert.NotContains(t, obj["env"], "__OW_WAIT_FOR_ACK")
}

func TestRSS(t *testing.T) {
	p := startEcho(t, Options{})
	runObject(t, p, map[string]any{"big": 1 << 20})

	current, peak, err := p.RSS()
	if runtime.GOOS != "linux" {
		assert.ErrorIs(t, err, errors.ErrUnsupported)
		return
	}
	require.NoError(t, err)
	assert.Positive(t, current)
	assert.GreaterOrEqual(t, peak, current)

	require.NoError(t, p.Close())
	_, _, err = p.RSS()
	assert.ErrorIs(t, err, ErrExited)
}
