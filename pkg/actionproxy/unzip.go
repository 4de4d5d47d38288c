package actionproxy

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Unzip extracts an action zip into dir the way the runtime proxy's /init
// does (openwhisk/zip.go): every directory and regular file, with its mode,
// so that exec.env lands beside exec. It makes dir/exec executable and
// returns its path, the Options.Path that runs the action. Entries whose
// name would leave dir, and symbolic links, are refused.
func Unzip(zipBytes []byte, dir string) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return "", fmt.Errorf("unzip action: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("unzip action: %w", err)
	}
	for _, f := range zr.File {
		if err := extract(f, dir); err != nil {
			return "", fmt.Errorf("unzip action: %s: %w", f.Name, err)
		}
	}
	exe := filepath.Join(dir, "exec")
	if err := os.Chmod(exe, 0o755); err != nil { // as the runtime proxy does
		return "", fmt.Errorf("unzip action: no exec at the zip root: %w", err)
	}
	return exe, nil
}

// extract writes one zip entry under dir.
func extract(f *zip.File, dir string) error {
	path := filepath.Join(dir, f.Name)
	if rel, err := filepath.Rel(dir, path); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("name leaves the action directory")
	}
	mode := f.Mode()
	switch {
	case mode.IsDir():
		return os.MkdirAll(path, 0o755)
	case !mode.IsRegular():
		return fmt.Errorf("not a regular file (%v)", mode)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode.Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rc); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
