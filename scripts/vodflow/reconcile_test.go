package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReconcileByHandOnTheEmulators runs the tool binary: a dry run lists
// the emulated bucket's three untriggered uploads and submits nothing; a
// run submits them, with the report on stdout and progress on stderr.
func TestReconcileByHandOnTheEmulators(t *testing.T) {
	r := exe(t, "", "reconcile", "--dry-run", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res), r.stdout)
	assert.Len(t, res["would_submit"], 3)
	assert.NotContains(t, res, "submitted")
	assert.Contains(t, r.stderr, "dry run: nothing is submitted")

	r = exe(t, "", "reconcile")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "submitted uploads/never-triggered-1.mp4 (file id 1)")
	assert.Contains(t, r.stdout, "3 submitted")
	assert.Contains(t, r.stderr, "running reconcile")
	assert.NotContains(t, r.stdout, "running reconcile", "progress goes to stderr")
}

func TestReconcileUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{{"reconcile", "extra"}, {"reconcile", "--no-such-flag"}} {
		r := exe(t, "", args...)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "vodflow help reconcile")
	}
}

// TestReconcileAgainstADownEndpointFails: with --params naming endpoints
// nothing listens on, the run fails (exit 1) with an error saying what
// could not be reached, and no secret.
func TestReconcileAgainstADownEndpointFails(t *testing.T) {
	p := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"package":{"name":"vodflow","parameters":{
		"NCLOUD_ACCESS_KEY":"AK","NCLOUD_SECRET_KEY":"SK-sentinel-down","API_URL":"http://127.0.0.1:1","REGION":"KR"}},
		"actions":{"reconcile":{"parameters":{"BUCKET_NAME":"b","CATEGORY_ID":"7","OBJECT_STORAGE_ENDPOINT":"http://127.0.0.1:1"}}}}`), 0o600))
	r := exe(t, "", "reconcile", "--params", p)
	assert.Equal(t, 1, r.code, r.stderr)
	assert.Contains(t, r.stderr, "reconcile failed")
	assert.Contains(t, r.stderr, "connection refused (unreachable)")
	assert.NotContains(t, r.stderr+r.stdout, "SK-sentinel-down")
}
