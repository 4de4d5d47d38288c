package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/vodflow/vodflow/pkg/actionproxy"
	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/sequence"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// burstPrefix is the key prefix of the burst's uploads; every upload has a
// distinct key under it.
const burstPrefix = "bench/burst/"

// BurstReport is the outcome of a burst: throughput, and integrity as the
// emulator recorded it.
type BurstReport struct {
	// Uploads is how many uploads were fired at once, each with a distinct
	// object key.
	Uploads int `json:"uploads"`
	// Procs is the number of warm processes per action.
	Procs int `json:"procs"`
	// Throttle is the fraction of add-files answers throttled (429).
	Throttle float64 `json:"throttle"`
	// Seconds is the time from firing the first upload to the last
	// sequence result.
	Seconds float64 `json:"seconds"`
	// UploadsPerSecond is Uploads / Seconds.
	UploadsPerSecond float64 `json:"uploads_per_second"`
	// LatencyMedianMs and LatencyP99Ms are per upload: firing → the
	// sequence's result, waiting for free processes included.
	LatencyMedianMs float64 `json:"latency_median_ms"`
	LatencyP99Ms    float64 `json:"latency_p99_ms"`
	// Submitted is how many of the uploads the emulator accepted.
	Submitted int `json:"submitted"`
	// Duplicates counts acceptances beyond the first of an upload, plus
	// acceptances of burst keys that were never uploaded.
	Duplicates int `json:"duplicates"`
	// Lost is how many uploads the emulator never accepted.
	Lost int `json:"lost"`
	// Failed is how many uploads ended in an error result (they are lost,
	// but reported, as the README promises).
	Failed int `json:"failed"`
	// SilentlyLost is how many lost uploads ended in a success result.
	SilentlyLost int `json:"silently_lost"`
	// Mismatched is how many success results name a file id other than
	// the one the emulator assigned to the upload.
	Mismatched int `json:"mismatched"`
	// Redelivered is how many times an upload was fired again because its
	// add-files was still throttled after its own 5 attempts.
	Redelivered int `json:"redelivered"`
	// APICalls is how many requests the emulator recorded during the burst;
	// Throttled is how many of them it answered 429.
	APICalls  int `json:"api_calls"`
	Throttled int `json:"throttled"`
	// APICallsPerUpload is APICalls / Uploads.
	APICallsPerUpload float64 `json:"api_calls_per_upload"`
	// Restarts is how many pool processes had to be replaced.
	Restarts int `json:"restarts"`
	// FailedExamples holds up to five error results, for diagnosis.
	FailedExamples []string `json:"failed_examples,omitempty"`
}

// OK reports whether every upload was submitted exactly once and nothing
// else was.
func (b *BurstReport) OK() bool {
	return b.Submitted == b.Uploads && b.Duplicates == 0 && b.Lost == 0 && b.SilentlyLost == 0 && b.Mismatched == 0
}

// RunBurst runs only the burst of cfg (cfg.Burst uploads, default
// DefaultProcs processes per action, cfg.Throttle of add-files answers
// throttled) against a fresh emulator, on the binaries in cfg.BinDir (built
// from cfg.Root when empty).
func RunBurst(ctx context.Context, cfg Config) (*BurstReport, error) {
	if cfg.Burst < 1 {
		return nil, fmt.Errorf("bench: burst is %d, want at least 1 upload", cfg.Burst)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if cfg.Root == "" && cfg.BinDir == "" {
		return nil, errNoRoot
	}
	if cfg.BinDir == "" {
		tmp, err := os.MkdirTemp("", "vodflow-bench")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(tmp)
		cfg.BinDir = filepath.Join(tmp, "bin")
		if _, err := localrun.BuildBinaries(ctx, cfg.Root, cfg.BinDir, runtime.GOOS, runtime.GOARCH); err != nil {
			return nil, fmt.Errorf("bench: build binaries: %w", err)
		}
	}
	rep, _, err := runBurst(ctx, cfg)
	return rep, err
}

// runBurst runs the burst on a fresh emulator and returns the report and the
// peak VmHWM per action of the pools' processes.
func runBurst(ctx context.Context, cfg Config) (*BurstReport, map[string]int64, error) {
	emu, err := startEmulator(cfg.Seed)
	if err != nil {
		return nil, nil, err
	}
	defer emu.Close()
	r := newRunner(cfg, emu)

	pools := map[string]*actionproxy.Pool{}
	defer func() {
		for _, p := range pools {
			_ = p.Close()
		}
	}()
	for _, c := range r.seq.Components {
		pool, err := actionproxy.NewPool(ctx, r.options(c.Name), cfg.Procs)
		if err != nil {
			return nil, nil, fmt.Errorf("bench: burst: %w", err)
		}
		pools[c.Name] = pool
		// Warm every process: lookup-category caches the category id,
		// add-files opens its kept-alive connection.
		for i, p := range pool.Processes() {
			key := fmt.Sprintf("bench/burst-warmup/%s-%02d.mp4", c.Name, i)
			if _, err := r.run(ctx, &proc{name: c.Name, Process: p}, r.params(c.Name, key)); err != nil {
				return nil, nil, fmt.Errorf("bench: burst warm-up: %w", err)
			}
		}
	}
	inv := sequence.InvokerFunc(func(ctx context.Context, action string, params map[string]any) (map[string]any, error) {
		res, err := pools[action].Run(ctx, params, cfg.Timeout)
		if err != nil {
			return nil, err
		}
		return res.Object()
	})

	emu.ResetCalls()
	if cfg.Throttle > 0 {
		f := vodstationtest.Throttle(http.MethodPut, "/api/v2/category/", 0)
		f.Probability = cfg.Throttle
		emu.InjectFault(f)
	}
	for _, f := range cfg.faults {
		emu.InjectFault(f)
	}
	keys := make([]string, cfg.Burst)
	for i := range keys {
		keys[i] = fmt.Sprintf("%supload-%05d.mp4", burstPrefix, i)
	}
	outcomes := make([]sequence.Outcome, cfg.Burst)
	latencies := make([]time.Duration, cfg.Burst)
	redelivered := make([]int, cfg.Burst)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			for attempt := 0; ; attempt++ {
				outcomes[i] = r.seq.Run(ctx, inv, uploadEvent(keys[i]))
				if !outcomes[i].Failed || !throttled(outcomes[i].Result) || attempt >= cfg.Redeliver || ctx.Err() != nil {
					break
				}
				redelivered[i]++
			}
			latencies[i] = time.Since(t0)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	emu.ClearFaults()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("bench: burst: %w", err)
	}

	rep := &BurstReport{
		Uploads: cfg.Burst, Procs: cfg.Procs, Throttle: cfg.Throttle,
		Seconds: elapsed.Seconds(), UploadsPerSecond: float64(cfg.Burst) / elapsed.Seconds(),
		LatencyMedianMs: ms(median(latencies)), LatencyP99Ms: ms(p99(latencies)),
	}
	for _, c := range emu.Calls() {
		rep.APICalls++
		if c.Status == http.StatusTooManyRequests {
			rep.Throttled++
		}
	}
	rep.APICallsPerUpload = float64(rep.APICalls) / float64(cfg.Burst)
	tally(rep, emu, keys, outcomes, redelivered)

	peaks := map[string]int64{}
	for name, pool := range pools {
		rep.Restarts += pool.Restarts()
		for _, p := range pool.Processes() {
			if _, peak, err := p.RSS(); err == nil {
				peaks[name] = max(peaks[name], peak)
			}
		}
	}
	return rep, peaks, nil
}

// tally fills the integrity counts of rep from the emulator's records and
// the sequence outcomes.
func tally(rep *BurstReport, emu *timedEmulator, keys []string, outcomes []sequence.Outcome, redelivered []int) {
	accepted := emu.SubmittedPaths()
	fileIDs := map[string]string{} // "bucket/path" → the id the emulator gave
	for _, s := range emu.Submissions() {
		for i, p := range s.Paths {
			fileIDs[s.BucketName+"/"+p] = fmt.Sprint(s.FileIDs[i])
		}
	}
	uploaded := make(map[string]bool, len(keys))
	for i, key := range keys {
		full := bucketName + "/" + key
		uploaded[full] = true
		n := accepted[full]
		out := outcomes[i]
		rep.Redelivered += redelivered[i]
		switch {
		case n == 0:
			rep.Lost++
			if !out.Failed {
				rep.SilentlyLost++
			}
		case n > 1:
			rep.Duplicates += n - 1
		}
		if n > 0 {
			rep.Submitted++
		}
		if out.Failed {
			rep.Failed++
			if len(rep.FailedExamples) < 5 {
				rep.FailedExamples = append(rep.FailedExamples, fmt.Sprintf("%s: %v", key, out.Result))
			}
			continue
		}
		if id := resultFileID(out.Result); n > 0 && id != fileIDs[full] {
			rep.Mismatched++
		}
	}
	for full, n := range accepted {
		if strings.HasPrefix(full, bucketName+"/"+burstPrefix) && !uploaded[full] {
			rep.Duplicates += n
		}
	}
}

// throttled reports whether a sequence's error result is add-files'
// "throttled" error: every attempt got a 429, so nothing was accepted and
// firing the upload again cannot encode it twice.
func throttled(result map[string]any) bool {
	e, _ := result[sequence.ErrorKey].(map[string]any)
	code, _ := e["code"].(string)
	if code != "throttled" {
		return false
	}
	details, _ := e["details"].(map[string]any)
	return details["uncertain"] == nil
}

// resultFileID returns the file id of add-files' result for one file.
func resultFileID(result map[string]any) string {
	files, _ := result["files"].([]any)
	if len(files) != 1 {
		return ""
	}
	f, _ := files[0].(map[string]any)
	id, _ := f["file_id"].(string)
	return id
}
