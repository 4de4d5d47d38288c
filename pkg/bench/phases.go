package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vodflow/vodflow/pkg/sequence"
)

// coldStarts starts cfg.ColdStarts fresh processes of the action, one after
// the other, and times each to its ack and to its first result.
func (r *runner) coldStarts(ctx context.Context, name string) (ColdStart, error) {
	n := r.cfg.ColdStarts
	acks := make([]time.Duration, 0, n)
	firsts := make([]time.Duration, 0, n)
	services := make([]time.Duration, 0, n)
	var calls int64
	for i := range n {
		t0 := time.Now()
		p, err := r.start(ctx, name)
		if err != nil {
			return ColdStart{}, err
		}
		a, err := r.run(ctx, p, r.params(name, fmt.Sprintf("bench/cold/%s-%04d.mp4", name, i)))
		first := time.Since(t0)
		r.close(p)
		if err != nil {
			return ColdStart{}, err
		}
		acks = append(acks, p.StartupTime())
		firsts = append(firsts, first)
		services = append(services, a.service)
		calls += a.calls
	}
	return ColdStart{
		Starts:      n,
		AckMedianMs: ms(median(acks)), AckMaxMs: ms(quantile(acks, 1)),
		FirstResultMedianMs: ms(median(firsts)), FirstResultMaxMs: ms(quantile(firsts, 1)),
		FirstAPIServiceMedianMs: ms(median(services)), FirstAPICalls: calls,
	}, nil
}

// sequenceInvoker runs each component on its process.
type sequenceInvoker struct {
	r     *runner
	procs map[string]*proc
}

// Invoke implements sequence.Invoker.
func (s sequenceInvoker) Invoke(ctx context.Context, action string, params map[string]any) (map[string]any, error) {
	p, ok := s.procs[action]
	if !ok {
		return nil, fmt.Errorf("bench: no process for action %s", action)
	}
	res, err := p.Run(ctx, params, s.r.cfg.Timeout)
	if err != nil {
		return nil, err
	}
	return res.Object()
}

// apiCalls fires one upload through fresh processes of the sequence's
// actions, then cfg.WarmUploads more on the same processes, and counts the
// API calls of each from the emulator's records.
func (r *runner) apiCalls(ctx context.Context) (APICalls, error) {
	inv := sequenceInvoker{r: r, procs: map[string]*proc{}}
	for _, c := range r.seq.Components {
		p, err := r.start(ctx, c.Name)
		if err != nil {
			return APICalls{}, err
		}
		inv.procs[c.Name] = p
	}
	defer func() {
		for _, p := range inv.procs {
			r.close(p)
		}
	}()
	upload := func(key string) (int, map[string]int, error) {
		r.emu.ResetCalls()
		out := r.seq.Run(ctx, inv, uploadEvent(key))
		calls := r.emu.Calls()
		if out.Failed {
			return 0, nil, fmt.Errorf("bench: upload %s failed: %v", key, out.Result)
		}
		if files, _ := out.Result["submitted"].(float64); files != 1 {
			return 0, nil, fmt.Errorf("bench: upload %s: submitted %v files, want 1: %v", key, out.Result["submitted"], out.Result)
		}
		by := map[string]int{}
		for _, c := range calls {
			by[c.Method+" "+c.Path]++
		}
		return len(calls), by, nil
	}
	var rep APICalls
	var err error
	if rep.Cold, rep.ColdByEndpoint, err = upload("bench/calls/cold.mp4"); err != nil {
		return APICalls{}, err
	}
	total := 0
	for i := range r.cfg.WarmUploads {
		n, _, err := upload(fmt.Sprintf("bench/calls/warm-%04d.mp4", i))
		if err != nil {
			return APICalls{}, err
		}
		if i == 0 || n < rep.WarmMin {
			rep.WarmMin = n
		}
		rep.WarmMax = max(rep.WarmMax, n)
		total += n
	}
	rep.WarmUploads = r.cfg.WarmUploads
	rep.WarmMean = float64(total) / float64(r.cfg.WarmUploads)
	return rep, nil
}

// warmUp is how many activations a process gets before it counts as warm:
// the first fills lookup-category's category cache and opens add-files'
// connection; a few more let both settle into their steady state.
const warmUp = 10

// warm times cfg.Samples activations of the action, one at a time, on one
// warm process, each for a new upload.
func (r *runner) warm(ctx context.Context, name string) (WarmTiming, error) {
	p, err := r.start(ctx, name)
	if err != nil {
		return WarmTiming{}, err
	}
	defer r.close(p)
	for i := range warmUp {
		if _, err := r.run(ctx, p, r.params(name, fmt.Sprintf("bench/warmup/%s-%04d.mp4", name, i))); err != nil {
			return WarmTiming{}, err
		}
	}
	n := r.cfg.Samples
	actions := make([]time.Duration, 0, n)
	walls := make([]time.Duration, 0, n)
	services := make([]time.Duration, 0, n)
	var calls int64
	for i := range n {
		a, err := r.run(ctx, p, r.params(name, fmt.Sprintf("bench/warm/%s-%06d.mp4", name, i)))
		if err != nil {
			return WarmTiming{}, err
		}
		actions = append(actions, a.wall-a.service)
		walls = append(walls, a.wall)
		services = append(services, a.service)
		calls += a.calls
	}
	return WarmTiming{
		Samples:        n,
		ActionMedianMs: ms(median(actions)), ActionP99Ms: ms(p99(actions)),
		WallMedianMs: ms(median(walls)), WallP99Ms: ms(p99(walls)),
		APIServiceMedianMs: ms(median(services)), APICalls: calls,
	}, nil
}

// growth runs cfg.Activations activations on one fresh process of the
// action and reads its RSS after the checkpoint activation and after the
// last, and its CPU time between the two.
func (r *runner) growth(ctx context.Context, name string) (RSSReport, CPUReport, error) {
	p, err := r.start(ctx, name)
	if err != nil {
		return RSSReport{}, CPUReport{}, err
	}
	defer r.close(p)
	rep := RSSReport{Activations: r.cfg.Activations, Checkpoint: min(growthCheckpoint, r.cfg.Activations/10)}
	var cpu CPUReport
	var cpu0 time.Duration
	var cpuErr error
	every := max(r.cfg.Activations/10, 1)
	for i := 1; i <= r.cfg.Activations; i++ {
		if _, err := r.run(ctx, p, r.params(name, fmt.Sprintf("bench/growth/%s-%06d.mp4", name, i))); err != nil {
			return RSSReport{}, CPUReport{}, err
		}
		if i%every == 0 {
			// Keep the emulator's own records from growing with the run.
			r.emu.ResetCalls()
		}
		switch i {
		case rep.Checkpoint:
			if rep.AtCheckpointBytes, rep.HWMAtCheckpointBytes, err = p.RSS(); rssFailed(err) {
				return RSSReport{}, CPUReport{}, fmt.Errorf("bench: %s: %w", name, err)
			}
			cpu0, cpuErr = cpuTime(p.Pid())
		case r.cfg.Activations:
			if rep.AtEndBytes, rep.HWMAtEndBytes, err = p.RSS(); rssFailed(err) {
				return RSSReport{}, CPUReport{}, fmt.Errorf("bench: %s: %w", name, err)
			}
			if cpu1, err := cpuTime(p.Pid()); err == nil && cpuErr == nil {
				cpu.Activations = r.cfg.Activations - rep.Checkpoint
				cpu.PerActivationUs = float64((cpu1 - cpu0).Nanoseconds()) / 1000 / float64(cpu.Activations)
			}
		}
	}
	rep.GrowthBytes = max(rep.AtEndBytes-rep.AtCheckpointBytes, rep.HWMAtEndBytes-rep.HWMAtCheckpointBytes)
	return rep, cpu, nil
}

// rssFailed reports whether reading RSS failed for another reason than
// the platform not offering it (actionproxy reads /proc, Linux only); where
// it is unsupported the figures stay 0 and the table says "unknown".
func rssFailed(err error) bool {
	return err != nil && !errors.Is(err, errors.ErrUnsupported)
}

// sequenceInvoker is what sequence.Run needs.
var _ sequence.Invoker = sequenceInvoker{}
