package actionproxy

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Sentinel errors; test for them with errors.Is.
var (
	// ErrTimeout reports that the action did not answer (ack or result)
	// before its deadline. The process has been killed.
	ErrTimeout = errors.New("action timed out")
	// ErrExited reports that the action process is no longer running. The
	// error is usually an [*ExitError] carrying the exit status and logs.
	ErrExited = errors.New("action process exited")
	// ErrBadResult reports a result line that is not a JSON object or
	// array. The error is a [*BadResultError] carrying the line.
	ErrBadResult = errors.New("the action did not return a dictionary or array")
	// ErrBadAck reports a first line on fd 3 that is not {"ok":true}.
	ErrBadAck = errors.New("the action did not initialize properly")
	// ErrPoolClosed reports a Run on a closed [Pool].
	ErrPoolClosed = errors.New("pool closed")
)

// logTailBytes is how much of the logs an ExitError keeps.
const logTailBytes = 4096

// ExitError reports that the action process has exited, by itself or
// because the proxy killed it. It matches [ErrExited] with errors.Is.
type ExitError struct {
	// Pid is the process id the action had.
	Pid int
	// State is the exit state reported by the operating system.
	State *os.ProcessState
	// Killed is why the proxy killed the process, for example [ErrTimeout];
	// nil when the process exited on its own.
	Killed error
	// LogTail holds the last bytes of the action's stdout and stderr.
	LogTail []byte
}

// Error describes the exit, including the tail of the logs.
func (e *ExitError) Error() string {
	var b strings.Builder
	b.WriteString(ErrExited.Error())
	if e.State != nil {
		fmt.Fprintf(&b, " (%s)", e.State)
	}
	if e.Killed != nil {
		fmt.Fprintf(&b, ", killed by the proxy: %v", e.Killed)
	}
	if tail := strings.TrimSpace(string(e.LogTail)); tail != "" {
		fmt.Fprintf(&b, "; last logs: %q", tail)
	}
	return b.String()
}

// Unwrap returns [ErrExited].
func (e *ExitError) Unwrap() error { return ErrExited }

// ExitCode returns the process's exit code, or -1 when it was ended by a
// signal or its state is unknown.
func (e *ExitError) ExitCode() int {
	if e.State == nil {
		return -1
	}
	return e.State.ExitCode()
}

// maxQuotedLine is how much of a bad line an error message shows.
const maxQuotedLine = 256

// BadResultError reports a line on the result pipe that is not a JSON object
// or array (or that arrived when no activation was waiting for it). It
// matches [ErrBadResult] with errors.Is.
type BadResultError struct {
	// Line is the raw line, without its trailing newline (possibly cut
	// short when it was larger than the proxy accepts).
	Line []byte
	// Reason says what is wrong with the line when it is not the usual
	// "not a JSON object or array", for example that it was unexpected.
	Reason string
}

// Error describes the bad line, quoting its beginning.
func (e *BadResultError) Error() string {
	line := e.Line
	suffix := ""
	if len(line) > maxQuotedLine {
		line, suffix = line[:maxQuotedLine], "..."
	}
	msg := ErrBadResult.Error()
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return fmt.Sprintf("%s: %q%s", msg, line, suffix)
}

// Unwrap returns [ErrBadResult].
func (e *BadResultError) Unwrap() error { return ErrBadResult }
