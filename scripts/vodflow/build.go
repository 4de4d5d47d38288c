package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/vodflow/vodflow/pkg/actionzip"
)

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", stderr)
	out := fs.String("out", "dist", "output directory, relative to the repository")
	kind := fs.String("kind", actionzip.DefaultKind, "runtime kind; decides exec.env (NCP: go:1.19)")
	if err := fs.Parse(args); err != nil {
		return err
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
	built, err := actionzip.Build(ctx, root, dir, *kind, names)
	if err != nil {
		return err
	}
	for _, b := range built {
		rel, _ := filepath.Rel(root, b.Path)
		fmt.Fprintf(stdout, "%-28s %8.2f MB  (%d bytes, kind %s)\n", rel, float64(b.Size)/(1<<20), b.Size, *kind)
	}
	return nil
}
