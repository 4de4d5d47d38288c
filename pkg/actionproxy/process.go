package actionproxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for empty Options fields and Run timeouts, and the fixed values
// the proxy puts in the action's environment.
const (
	// DefaultNamespace is the namespace of activations.
	DefaultNamespace = "guest"
	// DefaultAckTimeout bounds the wait for the action's ack.
	DefaultAckTimeout = 10 * time.Second
	// DefaultRunTimeout is the activation timeout used when Run gets none;
	// it is OpenWhisk's default action time limit.
	DefaultRunTimeout = 60 * time.Second
	// DefaultExecutionEnv is the execution environment of the image of
	// NAVER Cloud Functions' only Go kind, go:1.19 (its OW_EXECUTION_ENV):
	// the value to give Options.ExecutionEnv to run actions as NCP does.
	DefaultExecutionEnv = "openwhisk/action-golang-v1.19"
	// ProxyVersion is the value of __OW_PROXY_VERSION: the openwhisk-runtime-go
	// proxy version whose behaviour this package follows.
	ProxyVersion = "1.17.1"
	// DefaultActionVersion is the action_version of activations.
	DefaultActionVersion = "0.0.1"
)

const (
	// maxResultLine bounds a line read from the result pipe. Results on the
	// platform are at most 1 MB; this only protects the proxy's memory.
	maxResultLine = 64 << 20
	// exitGrace is how long pipes may stay open after the process has
	// exited (a grandchild may hold them) before the proxy closes its ends.
	exitGrace = 500 * time.Millisecond
	// syncTimeout bounds the wait for the log pipes after each activation.
	syncTimeout = time.Second
	// closeGrace is how long Close waits for an idle action to exit after
	// its stdin is closed before killing it.
	closeGrace = 2 * time.Second
	// noAckWait is how long Start watches for an early exit when it does not
	// wait for an ack (the runtime proxy's DefaultTimeoutStart).
	noAckWait = 5 * time.Millisecond
)

// Options configure a Process.
type Options struct {
	// Path is the action binary (the "exec" of an action zip). Required.
	Path string
	// NumericDeadline sends each activation's deadline as a JSON number,
	// as the runtime's ACTION.md documents it, instead of the string the
	// OpenWhisk invoker sends.
	NumericDeadline bool
	// Dir is the working directory of the action; empty means the current
	// directory.
	Dir string
	// Env is the init environment, added to the __OW_* variables the proxy
	// sets (and overriding them). Keys are passed as given.
	Env map[string]string
	// ExecutionEnv is the execution environment the proxy emulates: the
	// OW_EXECUTION_ENV of the runtime image, DefaultExecutionEnv for NCP's
	// go:1.19. When set, Start requires the file exec.env beside the
	// binary (the runtime's bin/exec.env beside bin/exec) to hold exactly
	// this value once trimmed of white space, and refuses the action with an
	// *ExecEnvError otherwise (missing file included), as the runtime
	// proxy's /init does; the action sees the value as __OW_EXECUTION_ENV.
	// Empty emulates an image without OW_EXECUTION_ENV: nothing is checked
	// and __OW_EXECUTION_ENV is not set.
	ExecutionEnv string
	// ProxyEnviron returns the proxy's own environment, as "KEY=value"
	// entries; nil means os.Environ. As the runtime proxy does, every
	// variable in it whose name starts with __OW_ (for example
	// __OW_API_HOST, which the invoker sets on the container) is passed on
	// to the action, after the proxy's own __OW_* variables (so it
	// overrides them) and before Env. Its value is cut at the first "="
	// after the name ("__OW_X=a=b" gives "a"), as the runtime proxy splits
	// the entry on every "=" and keeps the second part. No other variable
	// of the proxy's environment is passed on.
	ProxyEnviron func() []string
	// Namespace is the namespace of activations; default DefaultNamespace.
	Namespace string
	// ActionName is the fully qualified action name of activations, for
	// example "/guest/vodflow/lookup-category"; default
	// "/<Namespace>/<base name of Path>".
	ActionName string
	// ActionVersion is the action_version of activations; default
	// DefaultActionVersion.
	ActionVersion string
	// APIKey, when set, is sent as api_key with every activation.
	APIKey string
	// Logs, when set, receives the action's stdout and stderr as they
	// arrive, in addition to the Process's own capture. It must be safe for
	// concurrent use if several processes share it (a Pool makes it so).
	Logs io.Writer
	// AckTimeout bounds the wait for the ack; default DefaultAckTimeout.
	AckTimeout time.Duration
	// NoAck starts the action without __OW_WAIT_FOR_ACK and does not wait
	// for an ack, like a runtime image that does not set OW_WAIT_FOR_ACK.
	NoAck bool
}

// withDefaults returns o with empty fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.ActionName == "" {
		o.ActionName = "/" + o.Namespace + "/" + filepath.Base(o.Path)
	}
	if o.ActionVersion == "" {
		o.ActionVersion = DefaultActionVersion
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = DefaultAckTimeout
	}
	return o
}

// environ builds the child's whole environment, sorted by key, in the
// order of the runtime proxy's SetEnv (openwhisk/actionProxy.go): its own
// variables, then the __OW_* variables of its environment, then the init
// environment, each overriding the ones before.
func (o Options) environ() ([]string, error) {
	env := map[string]string{"__OW_PROXY_VERSION": ProxyVersion}
	if o.ExecutionEnv != "" {
		env["__OW_EXECUTION_ENV"] = o.ExecutionEnv
	}
	if !o.NoAck {
		env["__OW_WAIT_FOR_ACK"] = "1"
	}
	proxyEnviron := o.ProxyEnviron
	if proxyEnviron == nil {
		proxyEnviron = os.Environ
	}
	set := func(k, v string) error {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.Contains(v, "\x00") {
			return fmt.Errorf("invalid environment variable %q", k)
		}
		env[k] = v
		return nil
	}
	for _, kv := range proxyEnviron() {
		if !strings.HasPrefix(kv, "__OW_") {
			continue
		}
		// The runtime proxy keeps strings.Split(kv, "=")[1].
		parts := strings.Split(kv, "=")
		if len(parts) < 2 {
			continue // not an environment entry
		}
		if err := set(parts[0], parts[1]); err != nil {
			return nil, err
		}
	}
	for k, v := range o.Env {
		if err := set(k, v); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out, nil
}

// line is one line read from the result pipe, or the error that ended it.
type line struct {
	data []byte
	err  error
}

// Process is a running action binary. Its methods are safe for concurrent
// use; Run calls are served one at a time.
type Process struct {
	opts Options
	cmd  *exec.Cmd

	stdin   *os.File // write end of the action's stdin
	results *os.File // read end of fd 3
	lines   chan line
	logs    logCapture
	streams [2]*logStream // stdout, stderr

	started  time.Time
	startup  time.Duration
	exited   chan struct{} // closed once the process has been waited for
	pipesOff sync.Once     // closes our ends of the pipes after an exit
	syncGen  atomic.Uint64

	runMu    sync.Mutex // serializes Run
	inFlight atomic.Bool

	mu     sync.Mutex
	killed error // why the proxy killed the process
	closed bool
}

// Start starts the action binary and, unless opts.NoAck is set, waits for
// its ack. ctx bounds only the start (the ack wait), not the process's life;
// end the process with Close. On error the process is not left running.
// With opts.ExecutionEnv set, an action whose exec.env does not match is
// not started: the error is an *ExecEnvError (matching ErrExecEnv), and
// its Logs are written to opts.Logs, as the runtime proxy logs them.
func Start(ctx context.Context, opts Options) (*Process, error) {
	if opts.Path == "" {
		return nil, errors.New("start action: no path")
	}
	opts = opts.withDefaults()
	if err := checkExecEnv(opts); err != nil {
		return nil, fmt.Errorf("start action %s: %w", opts.ActionName, err)
	}
	p, err := start(opts)
	if err != nil {
		return nil, fmt.Errorf("start action %s: %w", opts.ActionName, err)
	}
	if err := p.awaitStart(ctx); err != nil {
		_ = p.Close()
		return nil, fmt.Errorf("start action %s (pid %d): %w", opts.ActionName, p.Pid(), err)
	}
	return p, nil
}

// start creates the pipes and the process and launches the goroutines that
// watch it.
func start(opts Options) (*Process, error) {
	env, err := opts.environ()
	if err != nil {
		return nil, err
	}
	var toClose []*os.File // pipe ends to close on error / after start
	defer func() {
		for _, f := range toClose {
			_ = f.Close()
		}
	}()
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err != nil {
			return nil, nil, fmt.Errorf("create pipe: %w", err)
		}
		toClose = append(toClose, r, w)
		return r, w, nil
	}
	stdinR, stdinW, err := pipe()
	if err != nil {
		return nil, err
	}
	resR, resW, err := pipe()
	if err != nil {
		return nil, err
	}
	p := &Process{
		opts:    opts,
		stdin:   stdinW,
		results: resR,
		lines:   make(chan line, 1),
		logs:    logCapture{forward: opts.Logs},
		exited:  make(chan struct{}),
	}
	for i := range p.streams {
		s, err := newLogStream()
		if err != nil {
			return nil, err
		}
		toClose = append(toClose, s.r, s.w)
		p.streams[i] = s
	}

	cmd := exec.Command(opts.Path)
	cmd.Dir = opts.Dir
	cmd.Env = env
	cmd.Stdin = stdinR
	cmd.Stdout = p.streams[0].w
	cmd.Stderr = p.streams[1].w
	cmd.ExtraFiles = []*os.File{resW} // fd 3
	setProcessGroup(cmd)
	p.cmd = cmd

	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", opts.Path, err)
	}
	// Keep our ends; the child-side ends (stdinR, resW) are closed by the
	// deferred loop now that the child has its copies. The stream write
	// ends stay open for sync markers until the process exits.
	toClose = []*os.File{stdinR, resW}

	for _, s := range p.streams {
		go s.read(&p.logs)
	}
	go p.readResults()
	go p.wait()
	return p, nil
}

// awaitStart waits for the ack (or, without ack, for an early exit).
func (p *Process) awaitStart(ctx context.Context) error {
	if p.opts.NoAck {
		select {
		case <-p.exited:
			return p.exitError()
		case <-time.After(noAckWait):
			p.startup = time.Since(p.started)
			return nil
		}
	}
	timer := time.NewTimer(p.opts.AckTimeout)
	defer timer.Stop()
	data, err := p.readLine(ctx, timer.C)
	if err != nil {
		if errors.Is(err, ErrTimeout) {
			p.kill(ErrTimeout)
			return fmt.Errorf("wait for ack: %w after %s; last logs: %q", ErrTimeout, p.opts.AckTimeout, p.logs.tail(logTailBytes))
		}
		if ctx.Err() != nil {
			p.kill(ctx.Err())
		}
		return fmt.Errorf("wait for ack: %w", err)
	}
	p.startup = time.Since(p.started)
	var ack struct {
		OK bool `json:"ok"`
	}
	if err := json.Unmarshal(data, &ack); err != nil || !ack.OK {
		return fmt.Errorf("%w: ack %q", ErrBadAck, data)
	}
	return nil
}

// readResults reads lines from the result pipe into p.lines until the pipe
// ends.
func (p *Process) readResults() {
	defer close(p.lines)
	br := bufio.NewReaderSize(p.results, 64<<10)
	for {
		data, err := readResultLine(br)
		switch {
		case err == nil || len(data) > 0:
			// A whole line (even an empty one, which is not a valid
			// result), or the last bytes before the pipe ended.
			p.lines <- line{data: data}
		case errors.Is(err, ErrBadResult):
			p.lines <- line{err: err}
			continue
		case !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed):
			p.lines <- line{err: fmt.Errorf("read result: %w", err)}
		}
		if err != nil {
			return
		}
	}
}

// readResultLine reads one line from br without its line ending. A line larger
// than maxResultLine is consumed and reported as a *BadResultError.
func readResultLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			buf = append(buf, chunk...)
			if len(buf) > maxResultLine {
				tooLong = true
				buf = buf[:maxQuotedLine]
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if tooLong {
			return nil, &BadResultError{Line: buf, Reason: fmt.Sprintf("line longer than %d bytes", maxResultLine)}
		}
		return bytes.TrimRight(buf, "\r\n"), err
	}
}

// wait reaps the process, then makes every pending read end promptly.
func (p *Process) wait() {
	_ = p.cmd.Wait() // the state is in p.cmd.ProcessState
	// End what the action started, as the platform does when it destroys
	// the container of an action whose process is gone.
	killGroup(p.cmd.Process)
	// The child is gone: our copies of the log write ends are the last ones
	// unless a grandchild inherited them.
	for _, s := range p.streams {
		_ = s.w.Close()
	}
	close(p.exited)
	time.AfterFunc(exitGrace, p.closePipes)
}

// closePipes closes our read ends so that readers blocked by a grandchild
// holding the write ends stop.
func (p *Process) closePipes() {
	p.pipesOff.Do(func() {
		_ = p.results.Close()
		for _, s := range p.streams {
			_ = s.r.Close()
		}
	})
}

// readLine waits for the next line on the result pipe, the process's exit,
// timeout or the end of ctx.
func (p *Process) readLine(ctx context.Context, timeout <-chan time.Time) ([]byte, error) {
	select {
	case l, ok := <-p.lines:
		return p.gotLine(l, ok)
	case <-p.exited:
		// A line written just before the exit is still in the pipe, and
		// the pipe is closed within exitGrace at the latest.
		l, ok := <-p.lines
		return p.gotLine(l, ok)
	case <-timeout:
		return nil, ErrTimeout
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// gotLine turns a receive from p.lines into a result.
func (p *Process) gotLine(l line, ok bool) ([]byte, error) {
	if ok {
		return l.data, l.err
	}
	// The result pipe has ended: normally because the process exited.
	select {
	case <-p.exited:
	case <-time.After(exitGrace):
		p.kill(errors.New("the action closed its result pipe"))
		<-p.exited
	}
	return nil, p.exitError()
}

// exitError describes the exit of a process that has exited.
func (p *Process) exitError() error {
	// Let the log readers finish so that the tail includes the last words.
	deadline := time.Now().Add(exitGrace)
	for _, s := range p.streams {
		s.waitEOF(deadline)
	}
	p.mu.Lock()
	killed := p.killed
	p.mu.Unlock()
	return &ExitError{
		Pid:     p.Pid(),
		State:   p.cmd.ProcessState,
		Killed:  killed,
		LogTail: p.logs.tail(logTailBytes),
	}
}

// kill kills the process (and its process group) and records why, unless it
// was already killed or has exited.
func (p *Process) kill(reason error) {
	if p.hasExited() {
		return
	}
	p.mu.Lock()
	if p.killed == nil {
		p.killed = reason
	}
	p.mu.Unlock()
	killProcess(p.cmd.Process)
}

// hasExited reports whether the process has been reaped.
func (p *Process) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// gone reports whether the process has exited or has been killed.
func (p *Process) gone() bool {
	p.mu.Lock()
	killed := p.killed != nil
	p.mu.Unlock()
	return killed || p.hasExited()
}

// StartupTime returns the time from starting the process to receiving its
// ack (or to the end of the early-exit check when not waiting for an ack).
func (p *Process) StartupTime() time.Duration { return p.startup }

// Pid returns the process id of the action.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done returns a channel that is closed once the process has exited.
func (p *Process) Done() <-chan struct{} { return p.exited }

// Logs returns a copy of the action's stdout and stderr so far, in arrival
// order (at most the last 8 MiB).
func (p *Process) Logs() []byte { return p.logs.since(0) }

// activation is the line the proxy writes to the action's stdin.
type activation struct {
	Value         json.RawMessage `json:"value"`
	Namespace     string          `json:"namespace"`
	ActionName    string          `json:"action_name"`
	ActionVersion string          `json:"action_version"`
	ActivationID  string          `json:"activation_id"`
	TransactionID string          `json:"transaction_id"`
	Deadline      json.RawMessage `json:"deadline"`
	APIKey        string          `json:"api_key,omitempty"`
}

// deadlineJSON is the deadline as the invoker sends it (a string of epoch
// milliseconds), or as a number when Options.NumericDeadline asks for the
// form the runtime's ACTION.md documents.
func (p *Process) deadlineJSON(d time.Time) json.RawMessage {
	ms := strconv.FormatInt(d.UnixMilli(), 10)
	if p.opts.NumericDeadline {
		return json.RawMessage(ms)
	}
	return json.RawMessage(strconv.Quote(ms))
}

// newID returns n random bytes as lower-case hex (OpenWhisk activation ids
// are 32 hex digits).
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// Run sends one activation with params as its value and waits for the result
// line. params is encoded with encoding/json (a json.RawMessage is sent as
// is); nil sends {}. The activation's deadline is now+timeout (timeout ≤ 0
// means DefaultRunTimeout); an action that has not answered by then is
// killed and Run returns an error matching ErrTimeout. If ctx ends first, the
// action is killed too and the error wraps ctx's error. Once the process has
// exited, Run returns an error matching ErrExited (an *ExitError). A result
// line that is not a JSON object or array gives an error matching
// ErrBadResult (a *BadResultError); the process stays usable.
//
// Run returns a nil Result only when the activation could not be sent; when
// it returns an error after sending, the Result carries the activation id,
// duration and logs, with a nil Raw.
func (p *Process) Run(ctx context.Context, params any, timeout time.Duration) (*Result, error) {
	p.runMu.Lock()
	defer p.runMu.Unlock()
	p.inFlight.Store(true)
	defer p.inFlight.Store(false)
	if timeout <= 0 {
		timeout = DefaultRunTimeout
	}
	res, err := p.run(ctx, params, timeout)
	if err != nil {
		id := ""
		if res != nil {
			id = " activation " + res.ActivationID
		}
		return res, fmt.Errorf("run %s%s: %w", p.opts.ActionName, id, err)
	}
	return res, nil
}

// run does the work of Run; the caller holds runMu.
func (p *Process) run(ctx context.Context, params any, timeout time.Duration) (*Result, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("process closed: %w", ErrExited)
	}
	if p.gone() {
		<-p.exited // killed: the exit follows at once
		return nil, p.exitError()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// A line waiting before the activation was sent is a protocol error of
	// the previous activation (more than one line); don't take it as this
	// activation's result.
	select {
	case l, ok := <-p.lines:
		data, err := p.gotLine(l, ok)
		if err != nil {
			return nil, err
		}
		return nil, &BadResultError{Line: data, Reason: "unexpected line before the activation"}
	default:
	}

	value := []byte("{}")
	if params != nil {
		var err error
		if value, err = json.Marshal(params); err != nil {
			return nil, fmt.Errorf("encode params: %w", err)
		}
	}
	res := &Result{ActivationID: newID(16)}
	deadline := time.Now().Add(timeout)
	msg, err := json.Marshal(activation{
		Value:         value,
		Namespace:     p.opts.Namespace,
		ActionName:    p.opts.ActionName,
		ActionVersion: p.opts.ActionVersion,
		ActivationID:  res.ActivationID,
		TransactionID: newID(16),
		Deadline:      p.deadlineJSON(deadline),
		APIKey:        p.opts.APIKey,
	})
	if err != nil {
		return nil, fmt.Errorf("encode activation: %w", err)
	}
	msg = append(msg, '\n')

	logStart := p.logs.offset()
	start := time.Now()
	data, err := p.exchange(ctx, msg, deadline)
	res.Duration = time.Since(start)
	if err == nil || errors.Is(err, ErrBadResult) {
		p.syncLogs()
	}
	res.Logs = p.logs.since(logStart)
	switch {
	case errors.Is(err, ErrTimeout):
		p.kill(ErrTimeout)
		return res, fmt.Errorf("%w after %s", ErrTimeout, timeout)
	case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		p.kill(fmt.Errorf("activation abandoned: %w", err))
		return res, err
	case err != nil:
		return res, err
	}
	if !isObjectOrArray(data) {
		return res, &BadResultError{Line: data}
	}
	res.Raw = json.RawMessage(data)
	return res, nil
}

// exchange writes msg to the action's stdin and reads the answer.
func (p *Process) exchange(ctx context.Context, msg []byte, deadline time.Time) ([]byte, error) {
	err := p.stdin.SetWriteDeadline(deadline)
	if err == nil {
		_, err = p.stdin.Write(msg)
	}
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, ErrTimeout
		}
		// A broken pipe (the process has exited) or a closed one (Close is
		// ending the process): report the exit.
		select {
		case <-p.exited:
			return nil, p.exitError()
		case <-time.After(exitGrace):
			return nil, fmt.Errorf("write activation: %w", err)
		}
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	return p.readLine(ctx, timer.C)
}

// syncLogs waits until the log readers have captured everything the action
// wrote before its result line.
func (p *Process) syncLogs() {
	gen := p.syncGen.Add(1)
	deadline := time.Now().Add(syncTimeout)
	for _, s := range p.streams {
		s.sync(gen, deadline)
	}
}

// isObjectOrArray reports whether data is one valid JSON object or array.
func isObjectOrArray(data []byte) bool {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || (data[0] != '{' && data[0] != '[') {
		return false
	}
	return json.Valid(data)
}

// Close ends the process: it closes the action's stdin so that an idle
// action loop can exit, kills the process (and its process group) if it is
// still running after a short grace period (at once when an activation is
// in flight), waits for it and drains its log pipes. A Run in flight fails
// with ErrExited, later Runs too. Close is idempotent and returns nil: the
// process's exit status is not an error of Close (see ExitError).
func (p *Process) Close() error {
	p.mu.Lock()
	already := p.closed
	p.closed = true
	p.mu.Unlock()
	if !already {
		_ = p.stdin.Close()
		if p.inFlight.Load() {
			p.kill(errors.New("process closed"))
		}
		select {
		case <-p.exited:
		case <-time.After(closeGrace):
			p.kill(errors.New("process closed"))
		}
	}
	<-p.exited
	deadline := time.Now().Add(exitGrace)
	for _, s := range p.streams {
		s.waitEOF(deadline)
	}
	p.closePipes()
	return nil
}
