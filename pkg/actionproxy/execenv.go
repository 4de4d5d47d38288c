package actionproxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Texts of the runtime proxy (openwhisk-runtime-go 1.19@1.23.0) when it
// refuses to start an action, quoted verbatim.
const (
	// CannotStartAction is the "error" of the JSON body of the runtime
	// proxy's 502 answer to an /init whose action it cannot start, as the
	// golang images (which set OW_LOG_INIT_ERROR) send it
	// (openwhisk/initHandler.go, StartLatestAction's error).
	CannotStartAction = "Cannot start action. Check logs for details."
	// ExecEnvMismatch is the error the runtime proxy logs (on stderr) when
	// exec.env does not match its execution environment
	// (openwhisk/actionProxy.go, StartLatestAction).
	ExecEnvMismatch = "Execution environment version mismatch. See logs for details."
	// expectedExecEnv is what the runtime proxy prints (on stdout) before
	// ExecEnvMismatch: the expected environment, then exec.env's content
	// untrimmed (openwhisk/actionProxy.go, StartLatestAction).
	expectedExecEnv = "Expected exec.env should start with %s\nActual value: %s"
)

// ErrExecEnv reports an action refused because its exec.env does not match
// the execution environment of the proxy (Options.ExecutionEnv). The error
// is an [*ExecEnvError].
var ErrExecEnv = errors.New("exec.env does not match the execution environment")

// ExecEnvError reports that Start refused an action because the exec.env
// beside its binary is missing, unreadable or does not hold
// Options.ExecutionEnv, where the runtime proxy's /init answers 502 with
// {"error": CannotStartAction} and logs [ExecEnvError.Logs]. It matches
// [ErrExecEnv] with errors.Is, and the read error too when the file could not
// be read (fs.ErrNotExist for a missing file).
type ExecEnvError struct {
	// ExecutionEnv is the execution environment the proxy emulates.
	ExecutionEnv string
	// Path is the exec.env file read.
	Path string
	// Content is the file's content, untrimmed; nil when it could not be
	// read.
	Content []byte
	// Err is the read error; nil when the file was read but does not
	// match.
	Err error
}

// StatusCode returns the status of the runtime proxy's answer to /init in
// this case: 502 Bad Gateway.
func (e *ExecEnvError) StatusCode() int { return http.StatusBadGateway }

// Message returns the "error" of the runtime proxy's answer to /init:
// [CannotStartAction].
func (e *ExecEnvError) Message() string { return CannotStartAction }

// Logs returns what the runtime proxy logs when it refuses the action: for
// a mismatch, "Expected exec.env should start with <ExecutionEnv>\nActual
// value: <Content>" (on its stdout) and [ExecEnvMismatch] (on its stderr); for
// an unreadable file, the read error, such as "open …/exec.env: no such
// file or directory". Every line ends with a newline.
func (e *ExecEnvError) Logs() string {
	var b strings.Builder
	cause := ExecEnvMismatch
	if e.Err != nil {
		cause = e.Err.Error()
	} else {
		fmt.Fprintf(&b, expectedExecEnv, e.ExecutionEnv, e.Content)
		if !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n') // stdout and stderr are separate streams there
		}
	}
	b.WriteString(cause + "\n")
	return b.String()
}

// Error returns the /init answer's message and the logs.
func (e *ExecEnvError) Error() string {
	return fmt.Sprintf("%s (%d from /init); logs: %q", CannotStartAction, e.StatusCode(), strings.TrimSuffix(e.Logs(), "\n"))
}

// Unwrap returns [ErrExecEnv] and, when the file could not be read, the
// read error.
func (e *ExecEnvError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrExecEnv, e.Err}
	}
	return []error{ErrExecEnv}
}

// checkExecEnv checks the exec.env beside the binary against
// opts.ExecutionEnv, as the runtime proxy's StartLatestAction does, and
// logs a refusal to opts.Logs.
func checkExecEnv(opts Options) error {
	if opts.ExecutionEnv == "" {
		return nil
	}
	path := filepath.Join(filepath.Dir(opts.Path), "exec.env")
	data, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(data)) == opts.ExecutionEnv {
		return nil
	}
	e := &ExecEnvError{ExecutionEnv: opts.ExecutionEnv, Path: path, Content: data, Err: err}
	if err != nil {
		e.Content = nil
	}
	if opts.Logs != nil {
		_, _ = io.WriteString(opts.Logs, e.Logs())
	}
	return e
}
