package bench

import (
	"math"
	"slices"
	"time"
)

// quantile returns the q-quantile (0 < q ≤ 1) of ds by the nearest-rank
// method: the smallest value with at least q·n values at or below it. It
// returns 0 for no values.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(q * float64(len(s))))
	rank = min(max(rank, 1), len(s))
	return s[rank-1]
}

// median is quantile(ds, 0.5).
func median(ds []time.Duration) time.Duration { return quantile(ds, 0.5) }

// p99 is quantile(ds, 0.99).
func p99(ds []time.Duration) time.Duration { return quantile(ds, 0.99) }

// ms converts d to milliseconds, rounded to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
