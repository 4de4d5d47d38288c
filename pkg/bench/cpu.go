package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuTime returns the CPU time a process has used so far, in nanoseconds:
// the sum of the first field of /proc/<pid>/task/<tid>/schedstat over its
// threads (Linux only; a thread that has exited is no longer counted, which
// a Go process's threads rarely do).
func cpuTime(pid int) (time.Duration, error) {
	files, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(files) == 0 {
		return 0, fmt.Errorf("bench: cpu time of pid %d: no /proc/%d/task/*/schedstat", pid, pid)
	}
	var total time.Duration
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return 0, fmt.Errorf("bench: cpu time of pid %d: %w", pid, err)
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, fmt.Errorf("bench: cpu time of pid %d: empty %s", pid, name)
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: cpu time of pid %d: %w", pid, err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}
