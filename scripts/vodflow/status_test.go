package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// seededEmulator starts the demo emulator with paths submitted to its demo
// category, their encodings finished, and returns its URL, the category
// id and the file ids.
func seededEmulator(t *testing.T, paths ...string) (*vodstationtest.Server, string, []string) {
	t.Helper()
	srv, cat, err := startDemoEmulator("", nil, nil)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	vs, err := vodstation.New(srv.URL, signing.Credentials{AccessKey: demoAccessKey, SecretKey: signing.NewSecret(demoSecretKey)})
	require.NoError(t, err)
	catID := strconv.FormatInt(cat.ID, 10)
	if len(paths) == 0 {
		return srv, catID, nil
	}
	added, err := vs.AddFiles(context.Background(), catID, vodstation.AddFilesRequest{BucketName: demoBucket, Paths: paths})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitIdle(ctx))
	var ids []string
	for _, a := range added {
		ids = append(ids, string(a.ID))
	}
	return srv, catID, ids
}

func TestStatusTable(t *testing.T) {
	srv, catID, ids := seededEmulator(t, "uploads/a.mp4", "uploads/b.mp4")
	r := exe(t, "", "status", "--emulator", srv.URL)
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.GreaterOrEqual(t, len(lines), 3, r.stdout)
	assert.Regexp(t, `^FILE ID +CATEGORY +PATH +RENDITION +STATUS +% +TIME$`, lines[0])
	assert.Contains(t, r.stdout, "uploads/a.mp4")
	assert.Contains(t, r.stdout, "uploads/b.mp4")
	assert.Contains(t, r.stdout, catID+" "+demoCategoryName)
	assert.Regexp(t, `COMPLETE +100`, r.stdout)
	assert.Len(t, ids, 2)
}

func TestStatusJSONAndFilters(t *testing.T) {
	srv, catID, ids := seededEmulator(t, "uploads/a.mp4", "uploads/b.mp4")
	rowsOf := func(args ...string) []statusRow {
		t.Helper()
		r := exe(t, "", append([]string{"status", "--emulator", srv.URL, "--json"}, args...)...)
		require.Equal(t, 0, r.code, r.stderr)
		var rows []statusRow
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rows), r.stdout)
		return rows
	}
	all := rowsOf()
	require.NotEmpty(t, all)
	paths := map[string]bool{}
	for _, row := range all {
		paths[row.Path] = true
		assert.Equal(t, catID, row.CategoryID)
		assert.Equal(t, "COMPLETE", row.Status)
		assert.NotEmpty(t, row.Rendition)
	}
	assert.Equal(t, map[string]bool{"uploads/a.mp4": true, "uploads/b.mp4": true}, paths)

	assert.Len(t, rowsOf("--category", catID), len(all))
	assert.Len(t, rowsOf("--category", demoCategoryName), len(all))
	assert.Empty(t, rowsOf("--category", "999999"))
	assert.Empty(t, rowsOf("--since", "1ms"), "nothing started within the last millisecond")

	one := rowsOf("--file", ids[0])
	require.NotEmpty(t, one)
	for _, row := range one {
		assert.Equal(t, ids[0], row.FileID)
		assert.Equal(t, "uploads/a.mp4", row.Path)
	}
	assert.Less(t, len(one), len(all))
}

func TestStatusWatchRefreshesUntilBounded(t *testing.T) {
	srv, _, _ := seededEmulator(t, "uploads/a.mp4")
	r := exe(t, "", "status", "--emulator", srv.URL, "--watch", "-n", "3", "--every", "20ms")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, 3, strings.Count(r.stdout, "FILE ID"), r.stdout)
	assert.Equal(t, 3, strings.Count(r.stdout, "— "), r.stdout)

	r = exe(t, "", "status", "--emulator", srv.URL, "--watch", "-n", "2", "--every", "20ms", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2, "one JSON array a line per refresh")
	for _, l := range lines {
		var rows []statusRow
		require.NoError(t, json.Unmarshal([]byte(l), &rows))
		assert.NotEmpty(t, rows)
	}
}

func TestStatusWatchStopsOnInterrupt(t *testing.T) {
	srv, _, _ := seededEmulator(t, "uploads/a.mp4")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var out, errb strings.Builder
	err := run(ctx, []string{"status", "--emulator", srv.URL, "--watch", "--every", "50ms"}, strings.NewReader(""), &out, &errb)
	require.NoError(t, err, "an interrupted --watch ends cleanly")
	assert.GreaterOrEqual(t, strings.Count(out.String(), "FILE ID"), 2)
}

func TestStatusErrors(t *testing.T) {
	r := exe(t, "", "status", "--emulator", downURL(t))
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "no VOD Station emulator answers at")
	assert.Contains(t, r.stderr, "start 'vodflow emulator', or give --params")

	for _, args := range [][]string{{"status", "x"}, {"status", "-n", "2"}, {"status", "--max-pages", "0"}} {
		r := exe(t, "", args...)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
	}
	srv, _, _ := seededEmulator(t)
	r = exe(t, "", "status", "--emulator", srv.URL)
	assert.Equal(t, 0, r.code)
	assert.Equal(t, "no encoding jobs in that window\n", r.stdout)
}
