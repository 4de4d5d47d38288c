package actionproxy

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// RSS returns the action's current resident set size (VmRSS) and its peak
// (VmHWM), in bytes, read from /proc/<pid>/status. It fails once the process
// has exited.
func (p *Process) RSS() (current, peak int64, err error) {
	if p.hasExited() {
		return 0, 0, fmt.Errorf("read rss of pid %d: %w", p.Pid(), ErrExited)
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Pid()))
	if err != nil {
		return 0, 0, fmt.Errorf("read rss: %w", err)
	}
	current, peak = -1, -1
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		n, err := parseKB(val)
		if err != nil {
			return 0, 0, fmt.Errorf("read rss of pid %d: %s: %w", p.Pid(), key, err)
		}
		if key == "VmRSS" {
			current = n
		} else {
			peak = n
		}
	}
	if current < 0 || peak < 0 {
		return 0, 0, fmt.Errorf("read rss of pid %d: no VmRSS/VmHWM in /proc status", p.Pid())
	}
	return current, peak, nil
}

// parseKB parses a /proc status value such as "  1234 kB" into bytes.
func parseKB(s string) (int64, error) {
	f := strings.Fields(s)
	if len(f) != 2 || f[1] != "kB" {
		return 0, fmt.Errorf("unexpected value %q", strings.TrimSpace(s))
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("unexpected value %q: %w", strings.TrimSpace(s), err)
	}
	return n * 1024, nil
}
