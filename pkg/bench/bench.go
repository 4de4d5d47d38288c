package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vodflow/vodflow/pkg/actionproxy"
	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/sequence"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// Defaults of Config's zero fields.
const (
	// DefaultColdStarts is how many processes per action are started to
	// time cold starts.
	DefaultColdStarts = 20
	// DefaultSamples is how many warm activations per action are timed.
	DefaultSamples = 1000
	// DefaultActivations is the length of the RSS growth run.
	DefaultActivations = 10000
	// DefaultWarmUploads is how many warm uploads are counted for API calls.
	DefaultWarmUploads = 100
	// DefaultProcs is the number of warm processes per action in a burst.
	DefaultProcs = 8
	// DefaultRedeliver is how many times a burst upload whose add-files
	// was still throttled after its own retries is fired again.
	DefaultRedeliver = 2
	// DefaultSeed seeds the emulator's fault generator.
	DefaultSeed = 1
	// growthCheckpoint is the activation of the first RSS reading.
	growthCheckpoint = 1000
)

// errNoRoot is returned when something must be built and Config.Root is
// empty.
var errNoRoot = errors.New("bench: no module root to build the actions from")

// Config configures Run. Zero fields take the defaults above.
type Config struct {
	// Root is the module's root directory (the actions are built from it).
	// Required unless BinDir and ZipDir are both set.
	Root string
	// BinDir, when set, holds prebuilt action binaries for this machine,
	// laid out as localrun.BuildBinaries leaves them (each action's exec
	// beside its exec.env, see localrun.ExecPath); otherwise they are built
	// into a temporary directory. Each exec.env must name
	// actionproxy.DefaultExecutionEnv, as NCP's go:1.19 image requires.
	BinDir string
	// ZipDir, when set, holds prebuilt release zips (<action>.zip, as
	// `vodflow build` leaves them in dist/), whose sizes are reported;
	// otherwise they are built for linux/amd64, as `vodflow build` does.
	ZipDir string
	// ColdStarts, Samples, Activations and WarmUploads size the phases.
	ColdStarts  int
	Samples     int
	Activations int
	WarmUploads int
	// Burst is the number of concurrent uploads of the burst; 0 skips it.
	Burst int
	// Procs is the number of warm processes per action in the burst.
	Procs int
	// Throttle is the fraction, in [0, 1), of add-files answers the
	// emulator throttles (429) during the burst.
	Throttle float64
	// Redeliver bounds how many times a burst upload is fired again after
	// its sequence ended in a "throttled" error (safe: a 429 means nothing
	// was accepted); negative means never.
	Redeliver int
	// Timeout is the per-activation timeout (default localrun.DefaultTimeout,
	// which leaves add-files' retries ample time).
	Timeout time.Duration
	// Seed seeds the emulator's fault generator.
	Seed int64
	// Progress, when set, receives one line per phase.
	Progress io.Writer

	// faults are injected during the burst besides the throttling (tests).
	faults []vodstationtest.Fault
}

// withDefaults fills zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.ColdStarts, DefaultColdStarts)
	def(&c.Samples, DefaultSamples)
	def(&c.Activations, DefaultActivations)
	def(&c.WarmUploads, DefaultWarmUploads)
	def(&c.Procs, DefaultProcs)
	def(&c.Redeliver, DefaultRedeliver)
	if c.Redeliver < 0 {
		c.Redeliver = 0
	}
	if c.Timeout <= 0 {
		c.Timeout = localrun.DefaultTimeout
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	switch {
	case c.ColdStarts < 1, c.Samples < 1, c.WarmUploads < 1:
		return c, errors.New("bench: cold starts, samples and warm uploads must be at least 1")
	case c.Activations < 10:
		return c, fmt.Errorf("bench: activations is %d, want at least 10", c.Activations)
	case c.Burst < 0:
		return c, fmt.Errorf("bench: burst is %d, want 0 (none) or more", c.Burst)
	case c.Procs < 1:
		return c, fmt.Errorf("bench: procs is %d, want at least 1", c.Procs)
	case c.Throttle < 0 || c.Throttle >= 1:
		return c, fmt.Errorf("bench: throttle is %g, want a fraction in [0, 1)", c.Throttle)
	}
	return c, nil
}

// settings returns the report's view of c.
func (c Config) settings() Settings {
	s := Settings{
		ColdStarts: c.ColdStarts, Samples: c.Samples, Activations: c.Activations, WarmUploads: c.WarmUploads,
		Burst: c.Burst, TimeoutMs: ms(c.Timeout),
	}
	if c.Burst > 0 {
		s.Procs, s.Throttle, s.Redeliver = c.Procs, c.Throttle, c.Redeliver
	}
	return s
}

// Run builds the actions, measures them against the emulator (see the
// package documentation) and returns the report. An activation that fails
// outside the burst is an error: the figures would mean nothing.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if cfg.Root == "" && (cfg.BinDir == "" || cfg.ZipDir == "") {
		return nil, errNoRoot
	}
	start := time.Now()
	rep := &Report{Machine: machine(), Settings: cfg.settings()}

	tmp, err := os.MkdirTemp("", "vodflow-bench")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)
	if cfg.BinDir == "" {
		cfg.progress("building the action binaries for %s/%s", runtime.GOOS, runtime.GOARCH)
		cfg.BinDir = filepath.Join(tmp, "bin")
		if _, err := localrun.BuildBinaries(ctx, cfg.Root, cfg.BinDir, runtime.GOOS, runtime.GOARCH); err != nil {
			return nil, fmt.Errorf("bench: build binaries: %w", err)
		}
	}
	if rep.Zips, err = zipSizes(ctx, cfg, filepath.Join(tmp, "dist")); err != nil {
		return nil, err
	}

	emu, err := startEmulator(cfg.Seed)
	if err != nil {
		return nil, err
	}
	defer emu.Close()
	r := newRunner(cfg, emu)
	defer r.closeAll()

	for _, name := range localrun.UploadSequence {
		rep.Actions = append(rep.Actions, ActionReport{Name: name})
	}
	cfg.progress("cold starts: %d per action", cfg.ColdStarts)
	for i := range rep.Actions {
		if rep.Actions[i].Cold, err = r.coldStarts(ctx, rep.Actions[i].Name); err != nil {
			return nil, err
		}
	}
	cfg.progress("API calls per upload: 1 cold upload, then %d warm ones", cfg.WarmUploads)
	if rep.APICalls, err = r.apiCalls(ctx); err != nil {
		return nil, err
	}
	cfg.progress("warm activations: %d timed per action", cfg.Samples)
	for i := range rep.Actions {
		if rep.Actions[i].Warm, err = r.warm(ctx, rep.Actions[i].Name); err != nil {
			return nil, err
		}
	}
	cfg.progress("RSS growth: %d activations per action", cfg.Activations)
	for i := range rep.Actions {
		if rep.Actions[i].RSS, rep.Actions[i].CPU, err = r.growth(ctx, rep.Actions[i].Name); err != nil {
			return nil, err
		}
	}
	r.closeAll()
	emu.Close()

	if cfg.Burst > 0 {
		cfg.progress("burst: %d uploads over %d warm processes per action, %.0f%% of add-files throttled",
			cfg.Burst, cfg.Procs, 100*cfg.Throttle)
		b, peaks, err := runBurst(ctx, cfg)
		if err != nil {
			return nil, err
		}
		rep.Burst = b
		for name, peak := range peaks {
			r.notePeak(name, peak)
		}
	}
	for i := range rep.Actions {
		rep.Actions[i].RSS.PeakBytes = r.peak(rep.Actions[i].Name)
	}
	rep.Machine.LoadAfter = loadAverage()
	rep.Seconds = time.Since(start).Seconds()
	rep.Checks = checks(rep)
	return rep, nil
}

// progress prints one progress line, when asked to.
func (c Config) progress(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, "bench: "+format+"\n", args...)
	}
}

// zipSizes builds the release zips (or reads ZipDir) and returns their sizes.
func zipSizes(ctx context.Context, cfg Config, out string) ([]ZipReport, error) {
	var zips []ZipReport
	if cfg.ZipDir != "" {
		paths, err := filepath.Glob(filepath.Join(cfg.ZipDir, "*.zip"))
		if err != nil || len(paths) == 0 {
			return nil, fmt.Errorf("bench: no zips in %s", cfg.ZipDir)
		}
		for _, p := range paths {
			fi, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("bench: zip size: %w", err)
			}
			zips = append(zips, ZipReport{Name: strings.TrimSuffix(filepath.Base(p), ".zip"), Bytes: fi.Size()})
		}
		return zips, nil
	}
	names, err := actionzip.Actions(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	cfg.progress("building the release zips (linux/amd64, kind %s)", actionzip.DefaultKind)
	built, err := actionzip.Build(ctx, cfg.Root, out, actionzip.DefaultKind, names)
	if err != nil {
		return nil, fmt.Errorf("bench: build zips: %w", err)
	}
	for _, b := range built {
		zips = append(zips, ZipReport{Name: b.Name, Bytes: b.Size})
	}
	return zips, nil
}

// runner drives action processes against one emulator and remembers the
// peak RSS of every process it closes.
type runner struct {
	cfg Config
	emu *timedEmulator
	seq sequence.Sequence

	mu    sync.Mutex
	peaks map[string]int64
	open  []*proc
}

// proc is a started action process.
type proc struct {
	name string
	*actionproxy.Process
}

// newRunner returns a runner for the upload sequence on emu.
func newRunner(cfg Config, emu *timedEmulator) *runner {
	return &runner{cfg: cfg, emu: emu, seq: uploadSequence(emu), peaks: map[string]int64{}}
}

// uploadSequence is the upload sequence with the emulator's package
// defaults and lookup-category's own (category by name, cached as by
// default, and the bucket).
func uploadSequence(emu *timedEmulator) sequence.Sequence {
	s := sequence.Sequence{Name: "upload", PackageDefaults: emu.packageParams()}
	for _, name := range localrun.UploadSequence {
		c := sequence.Component{Name: name}
		if name == "lookup-category" {
			c.Defaults = map[string]any{"CATEGORY_NAME": categoryName, "BUCKET_NAME": bucketName}
		}
		s.Components = append(s.Components, c)
	}
	return s
}

// options returns the actionproxy options of an action.
func (r *runner) options(name string) actionproxy.Options {
	return actionproxy.Options{
		Path:         localrun.ExecPath(r.cfg.BinDir, name),
		ActionName:   "/guest/vodflow/" + name,
		ExecutionEnv: actionproxy.DefaultExecutionEnv,
	}
}

// start starts a process of the action.
func (r *runner) start(ctx context.Context, name string) (*proc, error) {
	p, err := actionproxy.Start(ctx, r.options(name))
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	pr := &proc{name: name, Process: p}
	r.mu.Lock()
	r.open = append(r.open, pr)
	r.mu.Unlock()
	return pr, nil
}

// close records the process's peak RSS and ends it.
func (r *runner) close(p *proc) {
	if _, peak, err := p.RSS(); err == nil {
		r.notePeak(p.name, peak)
	}
	_ = p.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, q := range r.open {
		if q == p {
			r.open = append(r.open[:i], r.open[i+1:]...)
			break
		}
	}
}

// closeAll closes every process still open.
func (r *runner) closeAll() {
	r.mu.Lock()
	open := append([]*proc(nil), r.open...)
	r.mu.Unlock()
	for _, p := range open {
		r.close(p)
	}
}

// notePeak records a VmHWM reading of a process of the action.
func (r *runner) notePeak(name string, peak int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.peaks[name] = max(r.peaks[name], peak)
}

// peak returns the highest VmHWM recorded for the action.
func (r *runner) peak(name string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peaks[name]
}

// activation is one timed activation: its wall time through the
// actionloop and the emulator's service time and request count during it.
type activation struct {
	result  map[string]any
	wall    time.Duration
	service time.Duration
	calls   int64
}

// run runs one activation on p alone (nothing else may use the emulator
// meanwhile, so its counters belong to this activation). A failed
// activation or an error result is an error.
func (r *runner) run(ctx context.Context, p *proc, params map[string]any) (activation, error) {
	svc0, n0 := r.emu.counters()
	res, err := p.Run(ctx, params, r.cfg.Timeout)
	svc1, n1 := r.emu.counters()
	if err != nil {
		return activation{}, fmt.Errorf("bench: %w", err)
	}
	obj, err := res.Object()
	if err != nil {
		return activation{}, fmt.Errorf("bench: %s: %w", p.name, err)
	}
	if sequence.IsError(obj) {
		return activation{}, fmt.Errorf("bench: %s activation %s failed: %s", p.name, res.ActivationID, res.Raw)
	}
	return activation{result: obj, wall: res.Duration, service: svc1 - svc0, calls: n1 - n0}, nil
}

// params returns the merged parameters of one activation of the action for
// an upload of key, as the sequence would give them: for lookup-category
// the upload event over its defaults, for add-files lookup-category's
// result for that key over its defaults.
func (r *runner) params(name, key string) map[string]any {
	if name == "lookup-category" {
		return r.seq.FirstParams(uploadEvent(key))
	}
	prev := map[string]any{
		"category_id":   strconv.FormatInt(r.emu.category.ID, 10),
		"category_name": r.emu.category.Name,
		"bucket_name":   bucketName,
		"file_name":     key,
	}
	return r.seq.NextParams(1, prev)
}

// uploadEvent is the trigger's payload for an upload of key.
func uploadEvent(key string) map[string]any {
	return map[string]any{"object_name": key}
}

// machine describes this machine.
func machine() Machine {
	return Machine{
		GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(),
		CPUModel: cpuModel(), GoVersion: runtime.Version(), LoadBefore: loadAverage(), LoadAfter: -1,
	}
}

// cpuModel returns the first "model name" of /proc/cpuinfo, or "".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAverage returns the 1-minute load average, or -1.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}
