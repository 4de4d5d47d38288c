package action_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/signing"
)

const sentinel = "SENTINEL-SK-d41d8cd98f00"

type in struct {
	Name   string         `json:"name"`
	Count  param.Int      `json:"count"`
	Secret signing.Secret `json:"NCLOUD_SECRET_KEY"`
}

type out struct {
	Greeting string `json:"greeting"`
}

// serve runs the loop over the given input lines and returns the result
// lines and the log.
func serve[In any](t *testing.T, env map[string]string, run func(context.Context, In) (out, error), lines ...string) ([]map[string]any, string) {
	t.Helper()
	var res, logBuf bytes.Buffer
	envs := map[string]string{}
	for k, v := range env {
		envs[k] = v
	}
	err := action.Serve(context.Background(), action.Options{
		Name: "test",
		In:   strings.NewReader(strings.Join(lines, "\n") + "\n"),
		Out:  &res, Log: &logBuf,
		Getenv: func(k string) string { return envs[k] },
		Setenv: func(k, v string) error { envs[k] = v; return nil },
	}, action.Simple(run))
	require.NoError(t, err)
	var results []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(res.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "result line %q", l)
		results = append(results, m)
	}
	return results, logBuf.String()
}

func greet(ctx context.Context, i in) (out, error) {
	if i.Name == "" {
		return out{}, action.Missing("name")
	}
	return out{Greeting: "hi " + i.Name}, nil
}

func TestServe(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string // JSON of the result
	}{
		{"success", `{"value":{"name":"a"},"activation_id":"x1"}`, `{"greeting":"hi a"}`},
		{"missing parameter names it", `{"value":{}}`,
			`{"error":{"message":"missing parameter name","code":"missing_parameter","status":400}}`},
		{"no value at all", `{"activation_id":"x"}`,
			`{"error":{"message":"missing parameter name","code":"missing_parameter","status":400}}`},
		{"wrong type names the field", `{"value":{"name":7}}`,
			`{"error":{"message":"invalid parameter name: got a number, want a string","code":"invalid_parameter","status":400}}`},
		{"tolerant int, wrong value", `{"value":{"name":"a","count":"many"}}`,
			`{"error":{"message":"invalid parameter count: got non-integer \"many\", want an integer","code":"invalid_parameter","status":400}}`},
		{"value not an object", `{"value":[1,2]}`,
			`{"error":{"message":"parameters are not a JSON object (got a list)","code":"invalid_activation","status":400}}`},
		{"garbage line", `this is not json`,
			`{"error":{"message":"activation is not a JSON object: invalid character 'h' in literal true (expecting 'r')","code":"invalid_activation","status":400}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, _ := serve(t, nil, greet, tt.line)
			require.Len(t, results, 1)
			got, _ := json.Marshal(results[0])
			assert.JSONEq(t, tt.want, string(got))
		})
	}
}

func TestServeAckAndEnv(t *testing.T) {
	var res bytes.Buffer
	envs := map[string]string{"__OW_WAIT_FOR_ACK": "1"}
	var seen []string
	h := func(ctx context.Context, i in) (out, error) {
		a := action.ActivationFrom(ctx)
		seen = append(seen, a.ID+"|"+a.ActionName+"|"+envs["__OW_TRANSACTION_ID"])
		return out{Greeting: i.Name}, nil
	}
	lines := `{"value":{"name":"1"},"activation_id":"a1","action_name":"/ns/p/x","transaction_id":"t1","deadline":"` +
		fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()) + `"}` + "\n" +
		`{"value":{"name":"2"},"activation_id":"a2","action_name":"/ns/p/x","transaction_id":"t2"}` + "\n"
	err := action.Serve(context.Background(), action.Options{
		In: strings.NewReader(lines), Out: &res,
		Getenv: func(k string) string { return envs[k] },
		Setenv: func(k, v string) error { envs[k] = v; return nil },
	}, action.Simple(h))
	require.NoError(t, err)
	assert.Equal(t, `{"ok":true}`+"\n"+`{"greeting":"1"}`+"\n"+`{"greeting":"2"}`+"\n", res.String())
	assert.Equal(t, []string{"a1|/ns/p/x|t1", "a2|/ns/p/x|t2"}, seen)
}

func TestServeDeadline(t *testing.T) {
	env := map[string]string{"__OW_DEADLINE": fmt.Sprint(time.Now().Add(300 * time.Millisecond).UnixMilli())}
	h := func(ctx context.Context, i in) (out, error) {
		dl, ok := ctx.Deadline()
		if !ok {
			return out{}, errors.New("no deadline")
		}
		if time.Until(dl) > 300*time.Millisecond {
			return out{}, errors.New("deadline later than the platform's")
		}
		<-ctx.Done()
		return out{}, fmt.Errorf("wait: %w", ctx.Err())
	}
	results, logText := serve(t, nil, h, `{"value":{},"deadline":"`+env["__OW_DEADLINE"]+`"}`)
	errBody := results[0]["error"].(map[string]any)
	assert.Equal(t, "timeout", errBody["code"])
	assert.EqualValues(t, 504, errBody["status"])
	assert.Contains(t, logText, `"code":"timeout"`)
}

func TestServePanicKeepsServingAndScrubsSecrets(t *testing.T) {
	h := func(ctx context.Context, i in) (out, error) {
		if i.Name == "panic" {
			panic("kaboom " + i.Secret.Reveal())
		}
		if i.Name == "leak" {
			return out{}, fmt.Errorf("upstream echoed %s", i.Secret.Reveal())
		}
		return out{Greeting: "ok " + i.Secret.Reveal()}, nil
	}
	results, logText := serve(t, nil, h,
		`{"value":{"name":"panic","NCLOUD_SECRET_KEY":"`+sentinel+`"}}`,
		`{"value":{"name":"leak","NCLOUD_SECRET_KEY":"`+sentinel+`"}}`,
		`{"value":{"name":"fine","NCLOUD_SECRET_KEY":"`+sentinel+`"}}`,
	)
	require.Len(t, results, 3)
	assert.Equal(t, "internal", results[0]["error"].(map[string]any)["code"])
	assert.Contains(t, results[1]["error"].(map[string]any)["message"], "upstream echoed [redacted]")
	assert.Equal(t, "ok [redacted]", results[2]["greeting"])
	assert.Contains(t, logText, "kaboom [redacted]")
	all, _ := json.Marshal(results)
	assert.NotContains(t, string(all), sentinel)
	assert.NotContains(t, logText, sentinel)
	assert.Equal(t, 3, strings.Count(logText, "\n"), "one log line per activation")
}

func TestServeNeverLogsParameters(t *testing.T) {
	_, logText := serve(t, nil, greet, `{"value":{"name":"visible-name-xyz","OTHER":"other-value-xyz"},"activation_id":"act-9"}`)
	var line map[string]any
	require.NoError(t, json.Unmarshal([]byte(logText), &line))
	assert.Equal(t, "act-9", line["activation_id"])
	assert.Equal(t, "test", line["action"])
	assert.NotContains(t, logText, "other-value-xyz")
	assert.NotContains(t, logText, "visible-name-xyz")
}

// --- the plumbing as a real child process, the way the platform runs it ---

var demoBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "action-test")
	if err != nil {
		panic(err)
	}
	demoBin = filepath.Join(dir, "exec")
	cmd := exec.Command("go", "build", "-o", demoBin, "./testdata/demoaction")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build demo action:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestChildProcess(t *testing.T) {
	resR, resW, err := os.Pipe()
	require.NoError(t, err)
	cmd := exec.Command(demoBin)
	cmd.Env = []string{"__OW_WAIT_FOR_ACK=1"} // only __OW_* variables, as the proxy does
	cmd.ExtraFiles = []*os.File{resW}         // fd 3
	var stderr, stdout bytes.Buffer
	cmd.Stderr, cmd.Stdout = &stderr, &stdout
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	resW.Close()
	results := bufio.NewReader(resR)
	readLine := func() string {
		t.Helper()
		line, err := results.ReadString('\n')
		require.NoError(t, err)
		return strings.TrimSpace(line)
	}
	assert.Equal(t, `{"ok":true}`, readLine(), "ack first")

	send := func(line string) string {
		t.Helper()
		_, err := io.WriteString(stdin, line+"\n")
		require.NoError(t, err)
		return readLine()
	}
	deadline := fmt.Sprint(time.Now().Add(time.Minute).UnixMilli())
	assert.JSONEq(t, `{"hello":"one","activation_id":"a1","has_deadline":true}`,
		send(`{"value":{"name":"one"},"activation_id":"a1","deadline":"`+deadline+`"}`))
	assert.Contains(t, send(`{"value":{"panic":true,"NCLOUD_SECRET_KEY":"`+sentinel+`"},"activation_id":"a2"}`), `"code":"internal"`)
	assert.Contains(t, send(`garbage{`), `"code":"invalid_activation"`)
	assert.JSONEq(t, `{"error":{"message":"demo failed: upstream said no","code":"demo_failed","status":502}}`,
		send(`{"value":{"fail":true},"activation_id":"a4"}`))
	assert.JSONEq(t, `{"hello":"five","activation_id":"a5","has_deadline":false}`,
		send(`{"value":{"name":"five"},"activation_id":"a5"}`))

	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait(), "exits cleanly when stdin closes")
	assert.Empty(t, stdout.String(), "nothing on stdout: results go to fd 3")
	logs := stderr.String()
	assert.NotContains(t, logs, sentinel)
	assert.Contains(t, logs, `"activation_id":"a2"`)
	assert.Contains(t, logs, "boom with [redacted]")
	assert.Equal(t, 5, strings.Count(logs, "\n"), "one log line per activation:\n%s", logs)
}

type embedded struct {
	CategoryName string   `json:"category_name,omitempty"`
	Paths        []string `json:"paths"`
}

type caseInput struct {
	embedded
	Bucket     string `json:"BUCKET_NAME"`
	BucketName string `json:"bucket_name"`
	Plain      string
}

func TestDecodingIsCaseSensitive(t *testing.T) {
	var got caseInput
	h := func(ctx context.Context, in caseInput) (map[string]any, error) {
		got = in
		return map[string]any{}, nil
	}
	var res bytes.Buffer
	line := `{"value":{"CATEGORY_NAME":"from-package","BUCKET_NAME":"B1","bucket_name":"b2","PLAIN":"x","Plain":"y"}}` + "\n"
	require.NoError(t, action.Serve(context.Background(), action.Options{In: strings.NewReader(line), Out: &res}, action.Simple(h)))
	assert.Equal(t, caseInput{Bucket: "B1", BucketName: "b2", Plain: "y"}, got, "CATEGORY_NAME must not fill category_name")

	res.Reset()
	line = `{"value":{"paths":[1]}}` + "\n"
	require.NoError(t, action.Serve(context.Background(), action.Options{In: strings.NewReader(line), Out: &res}, action.Simple(h)))
	assert.Contains(t, res.String(), `invalid parameter paths: got a list holding a number, want a list of strings`)
}

func TestParametersOverOneMegabyteAreRefused(t *testing.T) {
	big := strings.Repeat("x", action.MaxParamsBytes)
	called := false
	h := func(ctx context.Context, in map[string]any) (map[string]any, error) {
		called = true
		return map[string]any{"ok": true}, nil
	}
	var out bytes.Buffer
	line := `{"value":{"object_name":"` + big + `"}}` + "\n"
	require.NoError(t, action.Serve(context.Background(), action.Options{In: strings.NewReader(line), Out: &out}, action.Simple(h)))
	assert.False(t, called, "the handler never sees it")
	var res action.ErrorResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res))
	assert.Equal(t, action.CodeTooLarge, res.Error.Code)
	assert.Equal(t, 413, res.Error.Status)
	assert.Contains(t, res.Error.Message, "at most 1048576 (1 MB)")

	// Exactly at the limit is served: the value {"k":"xx…"} is MaxParamsBytes long.
	out.Reset()
	small := `{"value":{"k":"` + strings.Repeat("x", action.MaxParamsBytes-len(`{"k":""}`)) + `"}}` + "\n"
	require.NoError(t, action.Serve(context.Background(), action.Options{In: strings.NewReader(small), Out: &out}, action.Simple(h)))
	assert.True(t, called)
}

// The proxy waits for one result per line it sends: every complete line is
// answered, a blank one too (with an error result), and so is a last line
// without its newline; whitespace after the last line is not an activation.
func TestServeAnswersEveryLine(t *testing.T) {
	const ok = `{"value":{"name":"a"}}`
	tests := []struct {
		name  string
		input string
		want  []bool // per result: true = a greeting, false = an error result
	}{
		{"blank line between two", ok + "\n\n" + ok + "\n", []bool{true, false, true}},
		{"whitespace-only line", ok + "\n \t\n", []bool{true, false}},
		{"last line without its newline", ok + "\n" + ok, []bool{true, true}},
		{"whitespace after the last line", ok + "\n  ", []bool{true}},
		{"nothing", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res bytes.Buffer
			require.NoError(t, action.Serve(context.Background(), action.Options{
				In: strings.NewReader(tt.input), Out: &res,
				Getenv: func(string) string { return "" }, Setenv: func(string, string) error { return nil },
			}, action.Simple(greet)))
			var got []bool
			for _, l := range strings.Split(strings.TrimSuffix(res.String(), "\n"), "\n") {
				if l == "" {
					continue
				}
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(l), &m), "result line %q", l)
				got = append(got, m["greeting"] == "hi a")
				if m["greeting"] != "hi a" {
					assert.Contains(t, m, "error", "line %q", l)
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// Only the activation's own deadline makes a timeout result: an error that
// wraps context.DeadlineExceeded while the activation still has time (a
// client's own timeout) is reported as itself.
func TestTimeoutResultOnlyWhenTheActivationRanOut(t *testing.T) {
	h := func(ctx context.Context, in map[string]any) (map[string]any, error) {
		return nil, fmt.Errorf("list categories: %w", context.DeadlineExceeded)
	}
	var out bytes.Buffer
	require.NoError(t, action.Serve(context.Background(), action.Options{In: strings.NewReader(`{"value":{}}` + "\n"), Out: &out}, action.Simple(h)))
	var res action.ErrorResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res))
	assert.NotEqual(t, action.CodeTimeout, res.Error.Code)
	assert.Contains(t, res.Error.Message, "list categories")
}

// A caller that gives only Getenv or only Setenv keeps it: the loop's own
// environment stands in only when it is given neither.
func TestServeKeepsTheEnvironmentGiven(t *testing.T) {
	t.Run("only Getenv", func(t *testing.T) {
		var out bytes.Buffer
		require.NoError(t, action.Serve(context.Background(), action.Options{
			In: strings.NewReader(""), Out: &out,
			Getenv: func(k string) string { return map[string]string{"__OW_WAIT_FOR_ACK": "true"}[k] },
		}, action.Simple(greet)))
		assert.Equal(t, `{"ok":true}`+"\n", out.String(), "the ack the given environment asked for")
	})
	t.Run("only Setenv", func(t *testing.T) {
		set := map[string]string{}
		require.NoError(t, action.Serve(context.Background(), action.Options{
			In: strings.NewReader(`{"value":{"name":"a"},"activation_id":"x1"}` + "\n"), Out: io.Discard,
			Setenv: func(k, v string) error { set[k] = v; return nil },
		}, action.Simple(greet)))
		assert.Equal(t, "x1", set["__OW_ACTIVATION_ID"])
	})
}

// The value is the parameters, never an environment variable, whatever
// its kind; and a failure without an OnError hook calls none.
func TestServeValueIsNotExportedAndNoHookIsCalled(t *testing.T) {
	set := map[string]string{}
	var logBuf bytes.Buffer
	h := func(ctx context.Context, in map[string]any) (map[string]any, error) {
		return nil, errors.New("run failed")
	}
	require.NoError(t, action.Serve(context.Background(), action.Options{
		In:  strings.NewReader(`{"value":"a string","activation_id":"x1"}` + "\n" + `{"value":7}` + "\n" + `{"value":{}}` + "\n"),
		Out: io.Discard, Log: &logBuf,
		Getenv: func(k string) string { return set[k] },
		Setenv: func(k, v string) error { set[k] = v; return nil },
	}, action.Simple(h)))
	assert.NotContains(t, set, "__OW_VALUE")
	assert.NotContains(t, logBuf.String(), "on_error_panic")
	assert.Contains(t, logBuf.String(), "run failed", "precondition: the failure is logged")
}

// The activation's log line gives its duration in milliseconds, from the
// loop's clock, and lists parameter warnings only when there are some.
func TestLogLineDurationAndNoEmptyWarnings(t *testing.T) {
	var logBuf bytes.Buffer
	t0 := time.Unix(1700000000, 0)
	// The first read starts the activation; every later one is 1.5 ms on.
	started := false
	now := func() time.Time {
		if !started {
			started = true
			return t0
		}
		return t0.Add(1500 * time.Microsecond)
	}
	require.NoError(t, action.Serve(context.Background(), action.Options{
		In: strings.NewReader(`{"value":{"name":"a"}}` + "\n"), Out: io.Discard, Log: &logBuf, Now: now,
		Getenv: func(string) string { return "" }, Setenv: func(string, string) error { return nil },
	}, action.Simple(greet)))
	var line map[string]any
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(logBuf.Bytes()), &line), logBuf.String())
	require.Contains(t, line, "duration_ms")
	d, _ := line["duration_ms"].(float64)
	assert.Equal(t, 1.5, d)
	assert.NotContains(t, line, "parameter_warnings")
	assert.Equal(t, "activation succeeded", line["msg"])
}
