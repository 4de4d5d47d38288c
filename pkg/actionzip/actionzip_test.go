package actionzip_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/actionzip"
)

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func TestExecEnv(t *testing.T) {
	for kind, want := range map[string]string{"go:1.19": "openwhisk/action-golang-v1.19", "go:1.22": "openwhisk/action-golang-v1.22"} {
		got, err := actionzip.ExecEnv(kind)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"", "go", "nodejs:22", "go:1.19a", "go:latest"} {
		_, err := actionzip.ExecEnv(bad)
		assert.Error(t, err, bad)
	}
}

func TestActions(t *testing.T) {
	names, err := actionzip.Actions(root())
	require.NoError(t, err)
	assert.Contains(t, names, "lookup-category")
	assert.Contains(t, names, "add-files")
}

func TestBuildIsReproducibleAndPassesCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	names, err := actionzip.Actions(root())
	require.NoError(t, err)
	a, b := t.TempDir(), t.TempDir()
	first, err := actionzip.Build(context.Background(), root(), a, actionzip.DefaultKind, names)
	require.NoError(t, err)
	second, err := actionzip.Build(context.Background(), root(), b, actionzip.DefaultKind, names)
	require.NoError(t, err)
	require.Len(t, first, len(names))
	for i := range first {
		za, err := os.ReadFile(first[i].Path)
		require.NoError(t, err)
		zb, err := os.ReadFile(second[i].Path)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(za, zb), "%s: two builds differ", first[i].Name)
		assert.Equal(t, int64(len(za)), first[i].Size)
		info, err := actionzip.Check(za)
		require.NoError(t, err, first[i].Name)
		assert.Equal(t, "openwhisk/action-golang-v1.19", info.ExecEnv)
	}
}

func TestCheckRejects(t *testing.T) {
	zipOf := func(bin []byte) []byte {
		var buf bytes.Buffer
		require.NoError(t, actionzip.Zip(&buf, bin, "openwhisk/action-golang-v1.19"))
		return buf.Bytes()
	}
	_, err := actionzip.Check([]byte("not a zip"))
	assert.ErrorContains(t, err, "not a zip")
	_, err = actionzip.Check(zipOf([]byte("#!/bin/sh\necho hi\n")))
	assert.ErrorContains(t, err, "not an ELF")
	self, err := os.ReadFile("/bin/sh") // dynamically linked on Debian
	if err == nil {
		_, err = actionzip.Check(zipOf(self))
		assert.ErrorContains(t, err, "dynamically linked")
	}
}
