package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/bytesize"
)

// builtZip is one line of build's report.
type builtZip struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
	Size  string `json:"size"`
	Kind  string `json:"kind"`
}

func runBuild(ctx context.Context, e *env, args []string) error {
	fs := newFlags("build")
	out := fs.String("out", "dist", "output directory, relative to the repository")
	kind := fs.String("kind", actionzip.DefaultKind, "runtime kind; decides exec.env (NCP: go:1.19, Apache OpenWhisk: go:1.22)")
	asJSON := fs.Bool("json", false, "print the built zips as a JSON list instead of a table")
	pos, err := parse(fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("build", "unexpected arguments: %q", pos)
	}
	if _, err := actionzip.ExecEnv(*kind); err != nil {
		return usagef("build", "--kind %q: want a Go kind such as go:1.19", *kind)
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	names, err := actionzip.Actions(root)
	if err != nil {
		return err
	}
	dir := *out
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	done := begin(e.stderr, "building %d action zips for linux/amd64, kind %s (the first build also downloads the modules)…", len(names), *kind)
	var report []builtZip
	for i, name := range names {
		start := time.Now()
		stop := ticking(e.stderr, "building "+name)
		built, err := actionzip.Build(ctx, root, dir, *kind, []string{name})
		stop()
		if err != nil {
			return err
		}
		b := built[0]
		rel, _ := filepath.Rel(root, b.Path)
		fmt.Fprintf(e.stderr, "  [%d/%d] %-20s %s\n", i+1, len(names), name, took(time.Since(start)))
		report = append(report, builtZip{Path: rel, Bytes: b.Size, Size: bytesize.MB(b.Size), Kind: *kind})
	}
	done("built %d zips", len(names))
	if *asJSON {
		return writeJSON(e.stdout, report)
	}
	for _, b := range report {
		fmt.Fprintf(e.stdout, "%-28s %8s  (%d bytes, kind %s)\n", b.Path, b.Size, b.Bytes, b.Kind)
	}
	return nil
}
