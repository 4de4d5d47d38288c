package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Report is everything one bench run measured. Durations are in
// milliseconds and sizes in bytes; `vodflow bench --json` prints it as is.
type Report struct {
	// Machine describes where the run happened.
	Machine Machine `json:"machine"`
	// Settings are the run's effective settings (defaults filled in).
	Settings Settings `json:"settings"`
	// Actions holds one entry per action of the upload sequence, in order.
	Actions []ActionReport `json:"actions"`
	// Zips holds the size of every release zip.
	Zips []ZipReport `json:"zips"`
	// APICalls counts the API calls of whole uploads through the sequence.
	APICalls APICalls `json:"api_calls"`
	// Burst is the burst's outcome; nil when no burst was run.
	Burst *BurstReport `json:"burst,omitempty"`
	// Checks put each figure next to its target, in table order.
	Checks []Check `json:"checks"`
	// Seconds is the run's wall time, builds included.
	Seconds float64 `json:"seconds"`
}

// Machine describes the machine a report comes from.
type Machine struct {
	// GOOS and GOARCH are the platform the actions ran on.
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	// CPUs is runtime.NumCPU(): the cores this process may use.
	CPUs int `json:"cpus"`
	// CPUModel is the first "model name" of /proc/cpuinfo, when known.
	CPUModel string `json:"cpu_model,omitempty"`
	// GoVersion is the toolchain that built the bench and the actions.
	GoVersion string `json:"go_version"`
	// LoadBefore and LoadAfter are /proc/loadavg's 1-minute load average
	// at the start and the end of the run (-1 when unknown): a load near
	// or above CPUs means other work shared the machine.
	LoadBefore float64 `json:"load_before"`
	LoadAfter  float64 `json:"load_after"`
}

// Settings are a run's effective settings.
type Settings struct {
	// ColdStarts is how many processes were started per action to time
	// cold starts.
	ColdStarts int `json:"cold_starts"`
	// Samples is how many warm activations were timed per action.
	Samples int `json:"samples"`
	// Activations is the length of the RSS growth run per action.
	Activations int `json:"activations"`
	// WarmUploads is how many warm uploads were counted for API calls.
	WarmUploads int `json:"warm_uploads"`
	// Burst, Procs, Throttle and Redeliver are the burst's settings (Burst
	// 0: no burst).
	Burst     int     `json:"burst"`
	Procs     int     `json:"procs"`
	Throttle  float64 `json:"throttle"`
	Redeliver int     `json:"redeliver"`
	// TimeoutMs is the per-activation timeout.
	TimeoutMs float64 `json:"timeout_ms"`
}

// ActionReport is what was measured for one action.
type ActionReport struct {
	// Name is the action's name.
	Name string `json:"name"`
	// Cold is its cold start.
	Cold ColdStart `json:"cold_start"`
	// Warm is its warm activation time.
	Warm WarmTiming `json:"warm"`
	// RSS is its memory.
	RSS RSSReport `json:"rss"`
	// CPU is its processor time per warm activation.
	CPU CPUReport `json:"cpu"`
}

// CPUReport is the processor time one warm action process uses per
// activation, measured over the RSS growth run after its checkpoint.
type CPUReport struct {
	// Activations is how many activations the figure covers; 0 when the
	// CPU time could not be read (not Linux).
	Activations int `json:"activations"`
	// PerActivationUs is the process's CPU time (user and system, from
	// /proc/<pid>/task/*/schedstat) per activation, in microseconds: the
	// action's own work, its JSON and its HTTP client included, without
	// the emulator's.
	PerActivationUs float64 `json:"per_activation_us"`
}

// ColdStart is the median (and worst) of several fresh processes of one
// action, each started, timed to its ack and given one activation.
type ColdStart struct {
	// Starts is how many processes were started.
	Starts int `json:"starts"`
	// AckMedianMs and AckMaxMs: process start → {"ok":true} on fd 3
	// (actionproxy's StartupTime).
	AckMedianMs float64 `json:"ack_median_ms"`
	AckMaxMs    float64 `json:"ack_max_ms"`
	// FirstResultMedianMs and FirstResultMaxMs: process start → the first
	// activation's result line, which includes the first activation's API
	// call (a category listing for lookup-category, add-files for
	// add-files) and its new connection.
	FirstResultMedianMs float64 `json:"first_result_median_ms"`
	FirstResultMaxMs    float64 `json:"first_result_max_ms"`
	// FirstAPIServiceMedianMs is the median emulator service time inside
	// that first activation.
	FirstAPIServiceMedianMs float64 `json:"first_api_service_median_ms"`
	// FirstAPICalls is how many API calls the first activations made in
	// all (one per start is expected).
	FirstAPICalls int64 `json:"first_api_calls"`
}

// WarmTiming is the time of warm activations of one action, each run alone
// on a warm process.
type WarmTiming struct {
	// Samples is how many activations were timed.
	Samples int `json:"samples"`
	// ActionMedianMs and ActionP99Ms: the activation's wall time through
	// the actionloop (writing the activation line → reading the result
	// line) minus the emulator's service time of the API calls it made.
	ActionMedianMs float64 `json:"action_median_ms"`
	ActionP99Ms    float64 `json:"action_p99_ms"`
	// WallMedianMs and WallP99Ms: the wall time, nothing subtracted.
	WallMedianMs float64 `json:"wall_median_ms"`
	WallP99Ms    float64 `json:"wall_p99_ms"`
	// APIServiceMedianMs is the median of the subtracted service time.
	APIServiceMedianMs float64 `json:"api_service_median_ms"`
	// APICalls is how many API calls the samples made in all.
	APICalls int64 `json:"api_calls"`
}

// RSSReport is the memory of one action's processes.
type RSSReport struct {
	// PeakBytes is the highest VmHWM of any process of the action the
	// bench ran (cold, warm, growth and burst processes).
	PeakBytes int64 `json:"peak_bytes"`
	// Activations is the length of the growth run on one warm process.
	Activations int `json:"activations"`
	// Checkpoint is the activation after which the first reading was taken
	// (1,000, or a tenth of Activations when they are fewer than 10,000).
	Checkpoint int `json:"checkpoint"`
	// AtCheckpointBytes and AtEndBytes are VmRSS after activation
	// Checkpoint and after the last.
	AtCheckpointBytes int64 `json:"at_checkpoint_bytes"`
	AtEndBytes        int64 `json:"at_end_bytes"`
	// HWMAtCheckpointBytes and HWMAtEndBytes are VmHWM at the same points.
	HWMAtCheckpointBytes int64 `json:"hwm_at_checkpoint_bytes"`
	HWMAtEndBytes        int64 `json:"hwm_at_end_bytes"`
	// GrowthBytes is the larger of the VmRSS and the VmHWM growth between
	// the two readings.
	GrowthBytes int64 `json:"growth_bytes"`
}

// ZipReport is one release zip.
type ZipReport struct {
	// Name is the action's name.
	Name string `json:"name"`
	// Bytes is the zip's size.
	Bytes int64 `json:"bytes"`
}

// APICalls counts the API calls of uploads through the whole sequence, as
// the emulator recorded them.
type APICalls struct {
	// Cold is the number of calls of the first upload through fresh
	// processes (a category listing and add-files are expected).
	Cold int `json:"cold"`
	// ColdByEndpoint breaks Cold down by "METHOD path".
	ColdByEndpoint map[string]int `json:"cold_by_endpoint"`
	// WarmUploads is how many uploads followed on the same, now warm,
	// processes.
	WarmUploads int `json:"warm_uploads"`
	// WarmMin, WarmMax and WarmMean are the calls per warm upload.
	WarmMin  int     `json:"warm_min"`
	WarmMax  int     `json:"warm_max"`
	WarmMean float64 `json:"warm_mean"`
}

// Status says whether a figure meets its target.
type Status string

// The statuses of a Check.
const (
	// StatusMet: the figure meets its target.
	StatusMet Status = "met"
	// StatusNotMet: the figure misses its target.
	StatusNotMet Status = "NOT MET"
	// StatusInfo: the figure has no target, or its target is defined for
	// other settings (e.g. a burst of another size).
	StatusInfo Status = "info"
)

// Check is one row of the table: a figure, its target and whether it is met.
type Check struct {
	// Figure names what was measured.
	Figure string `json:"figure"`
	// Value is the measurement, with its unit.
	Value string `json:"value"`
	// Target is the target, or a note.
	Target string `json:"target"`
	// Status says whether Value meets Target.
	Status Status `json:"status"`
}

// NotMet returns the checks whose status is StatusNotMet.
func (r *Report) NotMet() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == StatusNotMet {
			out = append(out, c)
		}
	}
	return out
}

// WriteTable prints the machine, the settings and the checks as a table.
func (r *Report) WriteTable(w io.Writer) error {
	m, s := r.Machine, r.Settings
	var b strings.Builder
	fmt.Fprintf(&b, "vodflow bench: %s/%s, %d cores", m.GOOS, m.GOARCH, m.CPUs)
	if m.CPUModel != "" {
		fmt.Fprintf(&b, " (%s)", m.CPUModel)
	}
	fmt.Fprintf(&b, ", %s, load average %.2f before, %.2f after\n", m.GoVersion, m.LoadBefore, m.LoadAfter)
	fmt.Fprintf(&b, "%d cold starts and %d warm samples per action, %d activations for RSS growth, %d warm uploads",
		s.ColdStarts, s.Samples, s.Activations, s.WarmUploads)
	if s.Burst > 0 {
		fmt.Fprintf(&b, ", burst %d over %d processes per action, %.0f%% of add-files throttled", s.Burst, s.Procs, 100*s.Throttle)
	}
	fmt.Fprintf(&b, "; %.1f s in all\n\n", r.Seconds)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\ttarget\tstatus")
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Figure, c.Value, c.Target, c.Status)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("bench: write table: %w", err)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("bench: write table: %w", err)
	}
	return nil
}
