package actionzip

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// DefaultKind is NCP Cloud Functions' only Go runtime kind.
const DefaultKind = "go:1.19"

// zipTime is the fixed modification time of every zip entry.
var zipTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

var kindRE = regexp.MustCompile(`^go:(1\.\d+)$`)

// ExecEnv returns the exec.env content the runtime image of a Go kind
// requires: "go:1.19" → "openwhisk/action-golang-v1.19".
func ExecEnv(kind string) (string, error) {
	m := kindRE.FindStringSubmatch(kind)
	if m == nil {
		return "", fmt.Errorf("actionzip: kind %q is not a Go kind like go:1.19", kind)
	}
	return "openwhisk/action-golang-v" + m[1], nil
}

// Actions lists the actions of the module at root: every directory under
// actions/ holding a main.go, by name, sorted.
func Actions(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "actions"))
	if err != nil {
		return nil, fmt.Errorf("actionzip: list actions: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(root, "actions", e.Name(), "main.go")); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	return names, nil
}

// BuildBinary compiles actions/<name> of the module at root into out, as a
// static binary for goos/goarch, reproducibly.
func BuildBinary(ctx context.Context, root, name, out, goos, goarch string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false",
		"-ldflags", "-s -w -buildid=", "-o", out, "./actions/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("actionzip: build %s: %w\n%s", name, err, stderr.String())
	}
	return nil
}

// Zip writes the action zip: exec (mode 0755) and exec.env, in that order,
// with fixed times, so equal inputs give equal bytes.
func Zip(w io.Writer, binary []byte, execEnv string) error {
	zw := zip.NewWriter(w)
	files := []struct {
		name string
		mode os.FileMode
		data []byte
	}{
		{"exec", 0o755, binary},
		{"exec.env", 0o644, []byte(execEnv + "\n")},
	}
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: zipTime}
		h.SetMode(f.mode)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("actionzip: zip %s: %w", f.name, err)
		}
		if _, err := fw.Write(f.data); err != nil {
			return fmt.Errorf("actionzip: zip %s: %w", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("actionzip: zip: %w", err)
	}
	return nil
}

// Built is one built action zip.
type Built struct {
	Name string
	Path string
	Size int64
}

// Build compiles each named action for linux/amd64 and writes
// outDir/<name>.zip with the exec.env for kind.
func Build(ctx context.Context, root, outDir, kind string, names []string) ([]Built, error) {
	env, err := ExecEnv(kind)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("actionzip: %w", err)
	}
	tmp, err := os.MkdirTemp("", "vodflow-build")
	if err != nil {
		return nil, fmt.Errorf("actionzip: %w", err)
	}
	defer os.RemoveAll(tmp)
	var out []Built
	for _, name := range names {
		bin := filepath.Join(tmp, name)
		if err := BuildBinary(ctx, root, name, bin, "linux", "amd64"); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return nil, fmt.Errorf("actionzip: %w", err)
		}
		var buf bytes.Buffer
		if err := Zip(&buf, data, env); err != nil {
			return nil, err
		}
		path := filepath.Join(outDir, name+".zip")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return nil, fmt.Errorf("actionzip: %w", err)
		}
		out = append(out, Built{Name: name, Path: path, Size: int64(buf.Len())})
	}
	return out, nil
}

// Info describes a checked action zip.
type Info struct {
	// ExecEnv is the content of exec.env, trimmed.
	ExecEnv string
	// Binary is the exec file.
	Binary []byte
}

// Check verifies an action zip as the runtime would need it: exec at the
// root, an ELF executable for linux/amd64, statically linked, and a
// non-empty exec.env.
func Check(zipBytes []byte) (Info, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return Info{}, fmt.Errorf("actionzip: check: not a zip: %w", err)
	}
	var info Info
	for _, f := range zr.File {
		if f.Name != "exec" && f.Name != "exec.env" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return Info{}, fmt.Errorf("actionzip: check: %w", err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return Info{}, fmt.Errorf("actionzip: check: %w", err)
		}
		if f.Name == "exec" {
			if f.Mode()&0o111 == 0 {
				return Info{}, fmt.Errorf("actionzip: check: exec is not executable (mode %v)", f.Mode())
			}
			info.Binary = data
		} else {
			info.ExecEnv = strings.TrimSpace(string(data))
		}
	}
	if info.Binary == nil {
		return Info{}, fmt.Errorf("actionzip: check: no exec at the zip root")
	}
	if info.ExecEnv == "" {
		return Info{}, fmt.Errorf("actionzip: check: no exec.env at the zip root")
	}
	ef, err := elf.NewFile(bytes.NewReader(info.Binary))
	if err != nil {
		return Info{}, fmt.Errorf("actionzip: check: exec is not an ELF binary: %w", err)
	}
	defer ef.Close()
	if ef.Machine != elf.EM_X86_64 || ef.Class != elf.ELFCLASS64 {
		return Info{}, fmt.Errorf("actionzip: check: exec is %v %v, want linux/amd64", ef.Class, ef.Machine)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			return Info{}, fmt.Errorf("actionzip: check: exec is dynamically linked; build with CGO_ENABLED=0")
		}
	}
	if ef.Type != elf.ET_EXEC && ef.Type != elf.ET_DYN {
		return Info{}, fmt.Errorf("actionzip: check: exec is %v, want an executable", ef.Type)
	}
	return info, nil
}
