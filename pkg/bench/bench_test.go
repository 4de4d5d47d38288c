package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// root is the module root; binDir holds the action binaries built once for
// the whole package.
var root, binDir string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	var err error
	if root, err = filepath.Abs("../.."); err != nil {
		fmt.Fprintln(os.Stderr, "bench tests:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "vodflow-bench-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench tests:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	binDir = filepath.Join(tmp, "bin")
	if _, err := localrun.BuildBinaries(context.Background(), root, binDir, runtime.GOOS, runtime.GOARCH); err != nil {
		fmt.Fprintln(os.Stderr, "bench tests: build the actions:", err)
		return 1
	}
	return m.Run()
}

// TestBurstThrottled is issue 6's burst at a size CI can afford: 200
// uploads with distinct keys through 4 warm processes per action, 20% of
// add-files answers throttled. Every upload is submitted exactly once.
func TestBurstThrottled(t *testing.T) {
	rep, err := RunBurst(context.Background(), Config{BinDir: binDir, Burst: 200, Procs: 4, Throttle: 0.2})
	require.NoError(t, err)
	assert.Equal(t, 200, rep.Uploads)
	assert.Equal(t, 4, rep.Procs)
	assert.Equal(t, 200, rep.Submitted, "submitted; failed examples: %v", rep.FailedExamples)
	assert.Zero(t, rep.Duplicates, "duplicates")
	assert.Zero(t, rep.Lost, "lost")
	assert.Zero(t, rep.Failed, "failed: %v", rep.FailedExamples)
	assert.Zero(t, rep.SilentlyLost, "silently lost")
	assert.Zero(t, rep.Mismatched, "file ids that differ from the emulator's")
	assert.Zero(t, rep.Restarts, "pool restarts")
	assert.Positive(t, rep.Throttled, "some answers throttled")
	// Warm lookups make no call: each call is an accepted add-files or a
	// throttled one, which add-files retried.
	assert.Equal(t, rep.Submitted+rep.Throttled, rep.APICalls)
	assert.True(t, rep.OK())
}

// TestBurstCountsFailuresAndUncertainOutcomes checks the accounting itself
// with faults that are not retried: a 500 loses the upload but reports it,
// a connection dropped after processing reports a failure for an upload
// that was in fact submitted. Neither is fired again, so nothing is
// duplicated.
func TestBurstCountsFailuresAndUncertainOutcomes(t *testing.T) {
	fail := vodstationtest.InternalError(http.MethodPut, "/api/v2/category/", 0)
	fail.Probability = 0.25
	drop := vodstationtest.Drop(http.MethodPut, "/api/v2/category/", 0, vodstationtest.DropAfterProcessing)
	drop.Probability = 0.25
	cfg := Config{BinDir: binDir, Burst: 60, Procs: 2, faults: []vodstationtest.Fault{fail, drop}}
	rep, err := RunBurst(context.Background(), cfg)
	require.NoError(t, err)

	assert.Positive(t, rep.Lost, "uploads answered 500")
	assert.Greater(t, rep.Failed, rep.Lost, "dropped after processing: failed but submitted")
	assert.Equal(t, rep.Uploads, rep.Submitted+rep.Lost)
	assert.Zero(t, rep.SilentlyLost)
	assert.Zero(t, rep.Duplicates)
	assert.Zero(t, rep.Redelivered, "only throttled uploads are fired again")
	assert.Equal(t, rep.Uploads, rep.APICalls, "add-files retries neither a 500 nor a dropped connection")
	assert.False(t, rep.OK())
	assert.NotEmpty(t, rep.FailedExamples)
}

// TestRunReportsEveryFigure runs the whole bench at a tiny size and checks
// that every figure of issue 7 is there, with the call counts exact.
func TestRunReportsEveryFigure(t *testing.T) {
	// Zips of the binaries already built (building the release zips is
	// actionzip's business, tested there).
	zipDir := t.TempDir()
	names, err := actionzip.Actions(root)
	require.NoError(t, err)
	execEnv, err := actionzip.ExecEnv(actionzip.DefaultKind)
	require.NoError(t, err)
	for _, name := range names {
		bin, err := os.ReadFile(localrun.ExecPath(binDir, name))
		require.NoError(t, err)
		f, err := os.Create(filepath.Join(zipDir, name+".zip"))
		require.NoError(t, err)
		require.NoError(t, actionzip.Zip(f, bin, execEnv))
		require.NoError(t, f.Close())
	}
	var progress strings.Builder
	rep, err := Run(context.Background(), Config{
		BinDir: binDir, ZipDir: zipDir, ColdStarts: 2, Samples: 5, Activations: 20, WarmUploads: 3,
		Burst: 20, Procs: 2, Progress: &progress,
	})
	require.NoError(t, err)

	assert.Equal(t, runtime.NumCPU(), rep.Machine.CPUs)
	assert.Equal(t, Settings{ColdStarts: 2, Samples: 5, Activations: 20, WarmUploads: 3, Burst: 20, Procs: 2,
		Redeliver: DefaultRedeliver, TimeoutMs: ms(localrun.DefaultTimeout)}, rep.Settings)
	require.Len(t, rep.Actions, len(localrun.UploadSequence))
	for i, a := range rep.Actions {
		assert.Equal(t, localrun.UploadSequence[i], a.Name)
		assert.Equal(t, 2, a.Cold.Starts, a.Name)
		assert.Positive(t, a.Cold.AckMedianMs, a.Name)
		assert.Greater(t, a.Cold.FirstResultMedianMs, a.Cold.AckMedianMs, a.Name)
		assert.Equal(t, int64(2), a.Cold.FirstAPICalls, "%s: one API call per first activation", a.Name)
		assert.Equal(t, 5, a.Warm.Samples, a.Name)
		assert.Positive(t, a.Warm.ActionMedianMs, a.Name)
		assert.Positive(t, a.Warm.WallP99Ms, a.Name)
		assert.Positive(t, a.RSS.PeakBytes, a.Name)
		assert.Equal(t, 2, a.RSS.Checkpoint, a.Name)
		assert.Positive(t, a.RSS.AtEndBytes, a.Name)
		assert.GreaterOrEqual(t, a.RSS.PeakBytes, a.RSS.HWMAtEndBytes, a.Name)
		if runtime.GOOS == "linux" {
			assert.Equal(t, 18, a.CPU.Activations, a.Name)
			assert.Positive(t, a.CPU.PerActivationUs, a.Name)
		}
	}
	lookup, add := rep.Actions[0].Warm, rep.Actions[1].Warm
	assert.Zero(t, lookup.APICalls, "warm lookups use the cached category id")
	assert.Equal(t, int64(5), add.APICalls, "one add-files call per warm add-files activation")

	assert.Equal(t, 2, rep.APICalls.Cold)
	assert.Equal(t, map[string]int{"GET /api/v2/category": 1, "PUT /api/v2/category/1/add-files": 1}, rep.APICalls.ColdByEndpoint)
	assert.Equal(t, 3, rep.APICalls.WarmUploads)
	assert.Equal(t, 1, rep.APICalls.WarmMin)
	assert.Equal(t, 1, rep.APICalls.WarmMax)

	require.Len(t, rep.Zips, len(names))
	for i, z := range rep.Zips {
		assert.Equal(t, names[i], z.Name)
		assert.Positive(t, z.Bytes, z.Name)
	}
	require.NotNil(t, rep.Burst)
	assert.True(t, rep.Burst.OK(), "%+v", rep.Burst)
	assert.Positive(t, rep.Burst.UploadsPerSecond)

	// One row per figure: ack and first result per action, warm time per
	// action, cold and warm calls, peak RSS, growth and CPU per action,
	// each zip, burst throughput and integrity.
	n := len(rep.Actions)
	assert.Len(t, rep.Checks, 2*n+n+2+3*n+len(rep.Zips)+2)
	for _, c := range rep.Checks {
		assert.NotEmpty(t, c.Figure)
		assert.NotEmpty(t, c.Value, c.Figure)
		assert.NotEmpty(t, c.Target, c.Figure)
		assert.Contains(t, []Status{StatusMet, StatusNotMet, StatusInfo}, c.Status, c.Figure)
	}
	assertCheck(t, rep, "API calls per upload, warm containers", StatusMet)
	assertCheck(t, rep, "API calls per upload, cold containers", StatusMet)
	assertCheck(t, rep, "burst: submitted / duplicates / lost", StatusMet)
	assertCheck(t, rep, "add-files: RSS growth", StatusInfo) // defined for 10,000 activations

	var table strings.Builder
	require.NoError(t, rep.WriteTable(&table))
	for _, c := range rep.Checks {
		assert.Contains(t, table.String(), c.Figure)
	}
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, rep.Checks, back.Checks)
	assert.Contains(t, progress.String(), "bench: burst: 20 uploads")
}

// assertCheck asserts the status of the check whose figure starts with
// prefix.
func assertCheck(t *testing.T, rep *Report, prefix string, want Status) {
	t.Helper()
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.Figure, prefix) {
			assert.Equal(t, want, c.Status, "%s: %s", c.Figure, c.Value)
			return
		}
	}
	t.Errorf("no check %q", prefix)
}

func TestConfigRejectsBadSettings(t *testing.T) {
	for _, cfg := range []Config{
		{Throttle: 1}, {Throttle: -0.1}, {Burst: -1}, {Procs: -1}, {Activations: 5}, {Samples: -1},
	} {
		_, err := cfg.withDefaults()
		assert.Error(t, err, "%+v", cfg)
	}
	_, err := Run(context.Background(), Config{})
	assert.ErrorIs(t, err, errNoRoot)
	_, err = RunBurst(context.Background(), Config{})
	assert.ErrorContains(t, err, "want at least 1 upload")
}

func TestQuantile(t *testing.T) {
	ds := make([]time.Duration, 100)
	for i := range ds {
		ds[i] = time.Duration(100-i) * time.Millisecond
	}
	assert.Equal(t, 50*time.Millisecond, median(ds))
	assert.Equal(t, 99*time.Millisecond, p99(ds))
	assert.Equal(t, 100*time.Millisecond, quantile(ds, 1))
	assert.Equal(t, 100*time.Millisecond, ds[0], "the input is not sorted in place")
	assert.Zero(t, median(nil))
	assert.Equal(t, time.Second, p99([]time.Duration{time.Second}))
}

func TestThrottled(t *testing.T) {
	errResult := func(code string, details map[string]any) map[string]any {
		return map[string]any{"error": map[string]any{"code": code, "details": details}}
	}
	assert.True(t, throttled(errResult("throttled", map[string]any{"http_status": 429.0})))
	assert.False(t, throttled(errResult("throttled", map[string]any{"uncertain": []any{"a.mp4"}})))
	assert.False(t, throttled(errResult("upstream_error", nil)))
	assert.False(t, throttled(errResult("outcome_unknown", nil)))
	assert.False(t, throttled(map[string]any{"submitted": 1.0}))
}
