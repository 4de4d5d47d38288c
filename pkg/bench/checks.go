package bench

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vodflow/vodflow/pkg/bytesize"
)

// The targets of issue 7, from `vodflow bench` on a 2-core machine. Sizes
// are decimal megabytes (10^6 bytes), the stricter reading.
const (
	// TargetAckMs bounds the median process start → ack.
	TargetAckMs = 10.0
	// TargetLookupWarmMs bounds the median warm lookup-category action time
	// with the category id cached.
	TargetLookupWarmMs = 0.3
	// TargetAddFilesWarmMs bounds the median warm add-files action time
	// beyond the API's own time.
	TargetAddFilesWarmMs = 1.0
	// TargetWarmCalls is the API calls per upload in warm containers.
	TargetWarmCalls = 1
	// TargetColdCalls is the API calls of the first upload through cold
	// containers: the category listing and add-files.
	TargetColdCalls = 2
	// TargetPeakRSS bounds the peak RSS of every action process.
	TargetPeakRSS = 20_000_000
	// TargetGrowth bounds the RSS growth from activation 1,000 to 10,000.
	TargetGrowth = 2_000_000
	// TargetZip bounds each release zip.
	TargetZip = 6_000_000
	// TargetBurstUploads and TargetBurstProcs are the burst the throughput
	// target is defined for; TargetUploadsPerSecond is the target.
	TargetBurstUploads     = 1000
	TargetBurstProcs       = 8
	TargetUploadsPerSecond = 1000.0
)

// status returns StatusMet when ok, else StatusNotMet.
func status(ok bool) Status {
	if ok {
		return StatusMet
	}
	return StatusNotMet
}

// mb formats bytes as decimal megabytes, as the rest of the tool does.
func mb(b int64) string { return bytesize.MB(b) }

// checks builds the table rows of a report, in the order.
func checks(r *Report) []Check {
	var out []Check
	add := func(figure, value, target string, st Status) {
		out = append(out, Check{Figure: figure, Value: value, Target: target, Status: st})
	}
	for _, a := range r.Actions {
		c := a.Cold
		add(fmt.Sprintf("%s: process start → ack, median of %d", a.Name, c.Starts),
			fmt.Sprintf("%.2f ms (max %.2f)", c.AckMedianMs, c.AckMaxMs),
			fmt.Sprintf("≤ %g ms", TargetAckMs), status(c.AckMedianMs <= TargetAckMs))
		add(fmt.Sprintf("%s: process start → first result, median", a.Name),
			fmt.Sprintf("%.2f ms (API %.2f ms inside)", c.FirstResultMedianMs, c.FirstAPIServiceMedianMs),
			"no target", StatusInfo)
	}
	for _, a := range r.Actions {
		w := a.Warm
		switch a.Name {
		case "lookup-category":
			add("warm lookup-category, cached id: action time, median",
				fmt.Sprintf("%.3f ms (p99 %.3f, %d API calls in %d)", w.ActionMedianMs, w.ActionP99Ms, w.APICalls, w.Samples),
				fmt.Sprintf("≤ %g ms", TargetLookupWarmMs), status(w.ActionMedianMs <= TargetLookupWarmMs))
		case "add-files":
			add("warm add-files: action time beyond the API's, median",
				fmt.Sprintf("%.3f ms (p99 %.3f; wall %.3f, API %.3f)", w.ActionMedianMs, w.ActionP99Ms, w.WallMedianMs, w.APIServiceMedianMs),
				fmt.Sprintf("≤ %g ms", TargetAddFilesWarmMs), status(w.ActionMedianMs <= TargetAddFilesWarmMs))
		default:
			add(fmt.Sprintf("warm %s: action time, median", a.Name),
				fmt.Sprintf("%.3f ms (p99 %.3f)", w.ActionMedianMs, w.ActionP99Ms), "no target", StatusInfo)
		}
	}
	c := r.APICalls
	add("API calls per upload, cold containers", fmt.Sprintf("%d (%s)", c.Cold, endpoints(c.ColdByEndpoint)),
		fmt.Sprintf("%d (list + add-files)", TargetColdCalls), status(c.Cold == TargetColdCalls))
	add("API calls per upload, warm containers",
		fmt.Sprintf("%d–%d, mean %.2f over %d uploads", c.WarmMin, c.WarmMax, c.WarmMean, c.WarmUploads),
		fmt.Sprintf("exactly %d", TargetWarmCalls), status(c.WarmMin == TargetWarmCalls && c.WarmMax == TargetWarmCalls))
	const noProc = "unknown (no /proc on this system)"
	for _, a := range r.Actions {
		value, st := mb(a.RSS.PeakBytes), status(a.RSS.PeakBytes <= TargetPeakRSS)
		if a.RSS.PeakBytes == 0 {
			value, st = noProc, StatusInfo
		}
		add(fmt.Sprintf("%s: peak RSS (VmHWM) of any process", a.Name), value, "≤ "+mb(TargetPeakRSS), st)
	}
	for _, a := range r.Actions {
		g := a.RSS
		st := status(g.GrowthBytes <= TargetGrowth)
		target := "≤ " + mb(TargetGrowth)
		if g.Checkpoint != growthCheckpoint || g.Activations != DefaultActivations {
			st, target = StatusInfo, target+" (defined for 1,000 → 10,000)"
		}
		if g.AtEndBytes == 0 {
			add(fmt.Sprintf("%s: RSS growth, activation %d → %d", a.Name, g.Checkpoint, g.Activations), noProc, target, StatusInfo)
			continue
		}
		add(fmt.Sprintf("%s: RSS growth, activation %d → %d", a.Name, g.Checkpoint, g.Activations),
			fmt.Sprintf("%s (VmRSS %s → %s, VmHWM %s → %s)", bytesize.SignedMB(g.GrowthBytes),
				mb(g.AtCheckpointBytes), mb(g.AtEndBytes), mb(g.HWMAtCheckpointBytes), mb(g.HWMAtEndBytes)),
			target, st)
	}
	for _, a := range r.Actions {
		value := noProc
		if a.CPU.Activations > 0 {
			value = fmt.Sprintf("%.1f µs (over %d activations)", a.CPU.PerActivationUs, a.CPU.Activations)
		}
		add(fmt.Sprintf("%s: CPU time per warm activation", a.Name), value, "no target", StatusInfo)
	}
	for _, z := range r.Zips {
		add(fmt.Sprintf("%s.zip size", z.Name), fmt.Sprintf("%s (%d bytes)", mb(z.Bytes), z.Bytes),
			"≤ "+mb(TargetZip), status(z.Bytes <= TargetZip))
	}
	if b := r.Burst; b != nil {
		st := status(b.UploadsPerSecond >= TargetUploadsPerSecond)
		target := fmt.Sprintf("≥ %g uploads/s", TargetUploadsPerSecond)
		if b.Uploads < TargetBurstUploads || b.Procs != TargetBurstProcs || b.Throttle > 0 {
			st = StatusInfo
			target += fmt.Sprintf(" (defined for %d uploads, %d processes, no throttling)", TargetBurstUploads, TargetBurstProcs)
		}
		add(fmt.Sprintf("burst of %d uploads, %d warm processes per action, %.0f%% throttled: throughput", b.Uploads, b.Procs, 100*b.Throttle),
			fmt.Sprintf("%.0f uploads/s (%.2f s; latency median %.1f ms, p99 %.1f ms)", b.UploadsPerSecond, b.Seconds, b.LatencyMedianMs, b.LatencyP99Ms),
			target, st)
		add("burst: submitted / duplicates / lost",
			fmt.Sprintf("%d / %d / %d (failed %d, redelivered %d, %d API calls, %d answered 429)",
				b.Submitted, b.Duplicates, b.Lost, b.Failed, b.Redelivered, b.APICalls, b.Throttled),
			fmt.Sprintf("%d / 0 / 0", b.Uploads), status(b.OK()))
	}
	return out
}

// endpoints formats a call breakdown as "GET /x ×1, PUT /y ×1", sorted.
func endpoints(by map[string]int) string {
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, by[k])
	}
	return strings.Join(parts, ", ")
}
