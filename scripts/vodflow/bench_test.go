package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/bench"
)

func TestBenchRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--throttle", "1"},
		{"bench", "--throttle", "-0.5"},
		{"bench", "--burst", "-1"},
		{"bench", "--procs", "0"},
		{"bench", "--activations", "5"},
		{"bench", "--redeliver", "-1"},
		{"bench", "extra"},
	} {
		_, _, err := runCmd(t, args...)
		assert.Error(t, err, "%v", args)
	}
}

func TestBenchUsageListsBench(t *testing.T) {
	out, _, err := runCmd(t, "help")
	require.NoError(t, err)
	assert.Contains(t, out, "bench      measure the actions")
}

// TestBenchJSON runs a tiny bench end to end and reads its --json output.
func TestBenchJSON(t *testing.T) {
	out, stderr, err := runCmd(t, "bench", "--json", "--cold", "1", "--samples", "3", "--activations", "10",
		"--warm-uploads", "2", "--burst", "10", "--procs", "2", "--throttle", "0.2")
	require.NoError(t, err, stderr)
	var rep bench.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	require.NotNil(t, rep.Burst)
	assert.Equal(t, 10, rep.Burst.Submitted)
	assert.Zero(t, rep.Burst.Duplicates)
	assert.Zero(t, rep.Burst.Lost)
	assert.Equal(t, 0.2, rep.Settings.Throttle)
	assert.Equal(t, 2, rep.APICalls.Cold)
	assert.Equal(t, 1, rep.APICalls.WarmMax)
	assert.NotEmpty(t, rep.Checks)
	assert.Contains(t, stderr, "bench: burst: 10 uploads over 2 warm processes per action, 20% of add-files throttled")
}
