package actionproxy

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoZip returns a zip of the echo action as exec, with exec.env holding
// execEnv unless it is nil.
func echoZip(t *testing.T, execEnv []byte) []byte {
	t.Helper()
	bin, err := os.ReadFile(echoPath)
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, mode os.FileMode, data []byte) {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	add("exec", 0o755, bin)
	if execEnv != nil {
		add("exec.env", 0o644, execEnv)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestExecEnvIsCheckedAsByTheRuntimeProxy(t *testing.T) {
	const want = DefaultExecutionEnv // what vodflow local and the tests emulate
	cases := []struct {
		name         string
		executionEnv string
		execEnv      []byte // nil: no exec.env in the zip
		refused      bool
		wantLogs     string // for a mismatch; a missing file is checked apart
	}{
		{name: "as shipped", executionEnv: want, execEnv: []byte(want + "\n")},
		{name: "trimmed", executionEnv: want, execEnv: []byte(" \t" + want + "\r\n\n")},
		{
			name: "other version", executionEnv: want, execEnv: []byte("openwhisk/action-golang-v1.20\n"), refused: true,
			wantLogs: "Expected exec.env should start with openwhisk/action-golang-v1.19\nActual value: openwhisk/action-golang-v1.20\n" +
				"Execution environment version mismatch. See logs for details.\n",
		},
		{
			name: "longer value: equality, not a prefix", executionEnv: want, execEnv: []byte(want + "-extra"), refused: true,
			wantLogs: "Expected exec.env should start with openwhisk/action-golang-v1.19\nActual value: openwhisk/action-golang-v1.19-extra\n" +
				"Execution environment version mismatch. See logs for details.\n",
		},
		{
			name: "empty file", executionEnv: want, execEnv: []byte{}, refused: true,
			wantLogs: "Expected exec.env should start with openwhisk/action-golang-v1.19\nActual value: \n" +
				"Execution environment version mismatch. See logs for details.\n",
		},
		{name: "no exec.env", executionEnv: want, refused: true},
		{name: "no execution env emulated: nothing checked", execEnv: []byte("openwhisk/action-golang-v1.20\n")},
		{name: "no execution env emulated, no exec.env"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path, err := Unzip(echoZip(t, tc.execEnv), dir)
			require.NoError(t, err)
			var logs syncBuffer
			p, err := Start(context.Background(), Options{Path: path, ExecutionEnv: tc.executionEnv, Logs: &logs, ProxyEnviron: func() []string { return nil }})

			if !tc.refused {
				require.NoError(t, err)
				t.Cleanup(func() { _ = p.Close() })
				_, obj := runObject(t, p, nil)
				env := obj["env"].(map[string]any)
				if tc.executionEnv == "" {
					assert.NotContains(t, env, "__OW_EXECUTION_ENV", "an image without OW_EXECUTION_ENV")
				} else {
					assert.Equal(t, tc.executionEnv, env["__OW_EXECUTION_ENV"])
				}
				assert.Empty(t, logs.String())
				return
			}
			require.Error(t, err)
			assert.Nil(t, p)
			assert.ErrorIs(t, err, ErrExecEnv)
			var e *ExecEnvError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 502, e.StatusCode())
			assert.Equal(t, "Cannot start action. Check logs for details.", e.Message())
			assert.Equal(t, filepath.Join(dir, "exec.env"), e.Path)
			assert.Contains(t, err.Error(), "Cannot start action. Check logs for details.")
			assert.Contains(t, err.Error(), "/guest/exec", "the error names the action")
			if tc.execEnv == nil {
				assert.ErrorIs(t, err, fs.ErrNotExist)
				assert.Equal(t, "open "+filepath.Join(dir, "exec.env")+": no such file or directory\n", e.Logs())
				assert.NotContains(t, e.Logs(), "Expected exec.env")
			} else {
				assert.NoError(t, e.Err)
				assert.Equal(t, tc.execEnv, e.Content)
				assert.Equal(t, tc.wantLogs, e.Logs())
				assert.Contains(t, err.Error(), "Expected exec.env should start with openwhisk/action-golang-v1.19")
			}
			assert.Equal(t, e.Logs(), logs.String(), "the refusal is logged as the runtime proxy logs it")
		})
	}
}

func TestPoolRefusesAMismatchedExecEnv(t *testing.T) {
	path, err := Unzip(echoZip(t, []byte("openwhisk/action-golang-v1.20\n")), t.TempDir())
	require.NoError(t, err)

	pool, err := NewPool(context.Background(), Options{Path: path, ExecutionEnv: DefaultExecutionEnv}, 2)

	assert.Nil(t, pool)
	assert.ErrorIs(t, err, ErrExecEnv)
}

func TestUnzip(t *testing.T) {
	entry := func(name string, mode os.FileMode, data string) func(*zip.Writer) error {
		return func(zw *zip.Writer) error {
			h := &zip.FileHeader{Name: name}
			h.SetMode(mode)
			w, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			_, err = w.Write([]byte(data))
			return err
		}
	}
	cases := []struct {
		name    string
		entries []func(*zip.Writer) error
		wantErr string
		files   map[string]string
	}{
		{
			name:    "exec and exec.env",
			entries: []func(*zip.Writer) error{entry("exec", 0o644, "bin"), entry("exec.env", 0o644, "env\n"), entry("lib/", 0o755|os.ModeDir, ""), entry("lib/x", 0o600, "x")},
			files:   map[string]string{"exec": "bin", "exec.env": "env\n", "lib/x": "x"},
		},
		{name: "no exec", entries: []func(*zip.Writer) error{entry("exec.env", 0o644, "env")}, wantErr: "no exec at the zip root"},
		{name: "escaping name", entries: []func(*zip.Writer) error{entry("../exec", 0o755, "bin")}, wantErr: "leaves the action directory"},
		{name: "symlink", entries: []func(*zip.Writer) error{entry("exec", 0o777|os.ModeSymlink, "/bin/sh")}, wantErr: "not a regular file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for _, e := range tc.entries {
				require.NoError(t, e(zw))
			}
			require.NoError(t, zw.Close())
			dir := filepath.Join(t.TempDir(), "action")

			path, err := Unzip(buf.Bytes(), dir)

			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(dir, "exec"), path)
			for name, want := range tc.files {
				got, err := os.ReadFile(filepath.Join(dir, name))
				require.NoError(t, err)
				assert.Equal(t, want, string(got), name)
			}
			info, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o755), info.Mode().Perm(), "exec is made executable")
		})
	}

	_, err := Unzip([]byte("not a zip"), t.TempDir())
	assert.ErrorContains(t, err, "unzip action")
}
