package main

import (
	"context"
	"fmt"

	"github.com/vodflow/vodflow/pkg/bench"
	"github.com/vodflow/vodflow/pkg/localrun"
)

// runBench is `vodflow bench`: it measures the actions against the
// emulator and prints the figures next to their targets (or the report as
// JSON). It exits non-zero only when a burst lost or duplicated an upload:
// performance figures are reported, not enforced.
func runBench(ctx context.Context, e *env, args []string) error {
	fs := newFlags("bench")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of a table")
	burst := fs.Int("burst", 0, "concurrent uploads through pools of warm processes; 0 skips the burst")
	procs := fs.Int("procs", bench.DefaultProcs, "warm processes per action in the burst")
	throttle := fs.Float64("throttle", 0, "fraction of add-files answers the emulator throttles (429) during the burst, in [0, 1)")
	redeliver := fs.Int("redeliver", bench.DefaultRedeliver, "times a burst upload still throttled after add-files' own retries is fired again; 0: never")
	activations := fs.Int("activations", bench.DefaultActivations, "activations per action in the RSS growth run")
	samples := fs.Int("samples", bench.DefaultSamples, "warm activations timed per action")
	cold := fs.Int("cold", bench.DefaultColdStarts, "processes started per action to time cold starts")
	warmUploads := fs.Int("warm-uploads", bench.DefaultWarmUploads, "warm uploads counted for API calls per upload")
	timeout := durationFlag(fs, "timeout", localrun.DefaultTimeout, "per-activation timeout, a positive `DURATION`")
	pos, err := parse(fs, e, args)
	if err != nil {
		return err
	}
	stdout, stderr := e.stdout, e.stderr
	if len(pos) > 0 {
		return usagef("bench", "unexpected arguments: %q", pos)
	}
	if *burst < 0 || *procs < 1 || *activations < 10 || *samples < 1 || *cold < 1 || *warmUploads < 1 || *redeliver < 0 {
		return usagef("bench", "--burst must be ≥ 0, --procs, --samples, --cold, --warm-uploads ≥ 1, --activations ≥ 10, --redeliver ≥ 0")
	}
	if *throttle < 0 || *throttle >= 1 {
		return usagef("bench", "--throttle is %g, want a fraction in [0, 1)", *throttle)
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	cfg := bench.Config{
		Root: root, ColdStarts: *cold, Samples: *samples, Activations: *activations, WarmUploads: *warmUploads,
		Burst: *burst, Procs: *procs, Throttle: *throttle, Redeliver: *redeliver, Timeout: *timeout,
		Progress: stderr,
	}
	if *redeliver == 0 {
		cfg.Redeliver = -1 // bench.Config reads 0 as its default
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(stdout, rep); err != nil {
			return fmt.Errorf("encode the report: %w", err)
		}
	} else if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if b := rep.Burst; b != nil && !b.OK() {
		fmt.Fprintf(stderr, "vodflow bench: the burst lost or duplicated uploads: %d submitted of %d, %d duplicates, %d lost (%d failed)\n",
			b.Submitted, b.Uploads, b.Duplicates, b.Lost, b.Failed)
		return exitCode(1)
	}
	return nil
}
