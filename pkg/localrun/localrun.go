package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vodflow/vodflow/pkg/actionproxy"
	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/sequence"
)

// UploadSequence is the sequence the upload trigger fires, in order.
var UploadSequence = []string{"lookup-category", "add-files"}

// DefaultTimeout is the per-activation timeout (NCP's default).
const DefaultTimeout = 60 * time.Second

// ExecPath returns where an action's binary is in a binary directory
// (Config.BinDir): <binDir>/<name>/exec, beside <binDir>/<name>/exec.env,
// as the runtime proxy lays out an action zip (bin/exec, bin/exec.env).
// actionproxy.Unzip(zip, filepath.Join(binDir, name)) installs a shipped
// zip there.
func ExecPath(binDir, name string) string {
	return filepath.Join(binDir, name, "exec")
}

// BuildBinaries compiles every action of the module at root for this
// machine into dir (see BuildBinary) and returns the action names.
func BuildBinaries(ctx context.Context, root, dir, goos, goarch string) ([]string, error) {
	names, err := actionzip.Actions(root)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if err := BuildBinary(ctx, root, dir, name, goos, goarch); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// BuildBinary compiles the action name of the module at root into dir, as
// ExecPath(dir, name) beside the exec.env that `vodflow build` ships with
// it (actionzip.DefaultKind's).
func BuildBinary(ctx context.Context, root, dir, name, goos, goarch string) error {
	execEnv, err := actionzip.ExecEnv(actionzip.DefaultKind)
	if err != nil {
		return err
	}
	exe := ExecPath(dir, name)
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		return fmt.Errorf("localrun: %w", err)
	}
	if err := actionzip.BuildBinary(ctx, root, name, exe, goos, goarch); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(exe), "exec.env"), []byte(execEnv+"\n"), 0o644); err != nil {
		return fmt.Errorf("localrun: %w", err)
	}
	return nil
}

// Config configures a Platform.
type Config struct {
	// BinDir holds one directory per action, named after it, with the
	// action's exec and exec.env (see ExecPath).
	BinDir string
	// ExecutionEnv is the execution environment the actions run in, checked
	// against each action's exec.env as the runtime proxy does (see
	// actionproxy.Options.ExecutionEnv); default
	// actionproxy.DefaultExecutionEnv, NCP's go:1.19 image.
	ExecutionEnv string
	// Params supplies package, action and trigger defaults.
	Params *paramsfile.File
	// Timeout bounds each activation (default DefaultTimeout).
	Timeout time.Duration
	// Logs receives the actions' stdout and stderr (default: discarded).
	Logs io.Writer
}

// Platform runs actions as warm processes, started on first use.
type Platform struct {
	cfg   Config
	mu    sync.Mutex
	procs map[string]*actionproxy.Process
	last  map[string]*actionproxy.Result
}

// New returns a Platform; processes start on first use.
func New(cfg Config) *Platform {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ExecutionEnv == "" {
		cfg.ExecutionEnv = actionproxy.DefaultExecutionEnv
	}
	if cfg.Params == nil {
		cfg.Params, _ = paramsfile.Parse([]byte(`{}`))
	}
	return &Platform{cfg: cfg, procs: map[string]*actionproxy.Process{}, last: map[string]*actionproxy.Result{}}
}

// process returns the warm process of an action, starting it if needed
// (or again, if it died).
func (p *Platform) process(ctx context.Context, name string) (*actionproxy.Process, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if proc, ok := p.procs[name]; ok {
		select {
		case <-proc.Done():
			proc.Close()
		default:
			return proc, nil
		}
	}
	path := ExecPath(p.cfg.BinDir, name)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("localrun: action %s: %w", name, err)
	}
	proc, err := actionproxy.Start(ctx, actionproxy.Options{
		Path:         path,
		ActionName:   "/guest/" + p.cfg.Params.Package.Name + "/" + name,
		Logs:         p.cfg.Logs,
		ExecutionEnv: p.cfg.ExecutionEnv,
	})
	if err != nil {
		return nil, fmt.Errorf("localrun: start %s: %w", name, err)
	}
	p.procs[name] = proc
	return proc, nil
}

// Invoke runs one activation of an action with exactly params (no defaults
// merged). It implements sequence.Invoker.
func (p *Platform) Invoke(ctx context.Context, name string, params map[string]any) (map[string]any, error) {
	proc, err := p.process(ctx, name)
	if err != nil {
		return nil, err
	}
	res, err := proc.Run(ctx, params, p.cfg.Timeout)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.last[name] = res
	p.mu.Unlock()
	return res.Object()
}

// LastResult returns the last activation of an action (its timing and logs).
func (p *Platform) LastResult(name string) *actionproxy.Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last[name]
}

// Sequence returns the upload sequence with the params file's defaults.
// withTrigger adds the trigger's defaults (a trigger firing rather than a
// direct invoke).
func (p *Platform) Sequence(withTrigger bool) sequence.Sequence {
	s := sequence.Sequence{Name: "upload", PackageDefaults: p.cfg.Params.Package.Parameters}
	if withTrigger {
		s.TriggerDefaults = p.cfg.Params.Trigger.Parameters
	}
	for _, name := range UploadSequence {
		s.Components = append(s.Components, sequence.Component{Name: name, Defaults: p.cfg.Params.ActionParameters(name)})
	}
	return s
}

// Fire runs the upload sequence on an upload event, as the trigger does.
func (p *Platform) Fire(ctx context.Context, event map[string]any) sequence.Outcome {
	return p.Sequence(true).Run(ctx, p, event)
}

// RunAction invokes one action alone with the package's and its own
// defaults under params — a manual invoke from the console.
func (p *Platform) RunAction(ctx context.Context, name string, params map[string]any) (map[string]any, error) {
	known := false
	for _, n := range UploadSequence {
		known = known || n == name
	}
	if _, err := os.Stat(ExecPath(p.cfg.BinDir, name)); !known && err != nil {
		return nil, fmt.Errorf("localrun: no action named %q", name)
	}
	merged := sequence.Merge(p.cfg.Params.Package.Parameters, p.cfg.Params.ActionParameters(name), params)
	return p.Invoke(ctx, name, merged)
}

// Close stops every process.
func (p *Platform) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for name, proc := range p.procs {
		if err := proc.Close(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	p.procs = map[string]*actionproxy.Process{}
	return errors.Join(errs...)
}
