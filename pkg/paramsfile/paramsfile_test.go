package paramsfile_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/paramsfile"
)

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func TestExampleFileParsesAndHoldsOnlyPlaceholders(t *testing.T) {
	f, err := paramsfile.Load(filepath.Join(repoRoot(t), "params.example.json"))
	require.NoError(t, err)
	assert.Equal(t, "vodflow", f.Package.Name)
	assert.Contains(t, f.Placeholders(), "package.NCLOUD_ACCESS_KEY")
	assert.Contains(t, f.Placeholders(), "package.NCLOUD_SECRET_KEY")
	assert.Contains(t, f.Actions, "lookup-category")
	assert.Contains(t, f.Actions, "add-files")
	assert.NotEmpty(t, f.Trigger.BucketName)
}

func TestParseIsStrict(t *testing.T) {
	_, err := paramsfile.Parse([]byte(`{"pakage":{}}`))
	assert.ErrorContains(t, err, `unknown field "pakage"`)
	_, err = paramsfile.Parse([]byte(`{"trigger":{"bucket":"x"}}`))
	assert.ErrorContains(t, err, `unknown field "bucket"`)
}

func TestDefaults(t *testing.T) {
	f, err := paramsfile.Parse([]byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, "vodflow", f.Package.Name)
	assert.Equal(t, "vodflow-upload", f.Trigger.Name)
	assert.NotNil(t, f.ActionParameters("nope"))
}

func TestMasked(t *testing.T) {
	in := map[string]any{"NCLOUD_SECRET_KEY": "s3cr3t", "NCLOUD_ACCESS_KEY": "AK", "WEBHOOK_SECRET": "", "N": 3}
	out := paramsfile.Masked(in)
	assert.Equal(t, map[string]any{"NCLOUD_SECRET_KEY": "****", "NCLOUD_ACCESS_KEY": "AK", "WEBHOOK_SECRET": "", "N": 3}, out)
	assert.Equal(t, "s3cr3t", in["NCLOUD_SECRET_KEY"], "input untouched")
}

func TestLoadMissingFile(t *testing.T) {
	_, err := paramsfile.Load(filepath.Join(t.TempDir(), "params.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
