//go:build !linux

package actionproxy

import (
	"errors"
	"fmt"
)

// RSS returns the action's current and peak resident set size in bytes. It
// is only implemented on Linux (/proc/<pid>/status); elsewhere it returns an
// error matching errors.ErrUnsupported.
func (p *Process) RSS() (current, peak int64, err error) {
	return 0, 0, fmt.Errorf("read rss of pid %d: %w", p.Pid(), errors.ErrUnsupported)
}
