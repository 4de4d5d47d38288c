package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"time"

	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/localrun"
)

// stillEvery is how often a long step says it is still running.
var stillEvery = 5 * time.Second

// begin says on w (stderr) what is starting, and returns a function that
// says what was done and how long it took: "built 3 actions in 4.2 s".
func begin(w io.Writer, format string, args ...any) (done func(format string, args ...any)) {
	fmt.Fprintf(w, format+"\n", args...)
	start := time.Now()
	return func(format string, args ...any) {
		fmt.Fprintf(w, "%s in %s\n", fmt.Sprintf(format, args...), took(time.Since(start)))
	}
}

// took writes a duration for a progress line: "350 ms", "4.2 s".
func took(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// ticking writes "  still <what>… 10 s" on w every stillEvery until the
// returned stop is called.
func ticking(w io.Writer, what string) (stop func()) {
	start := time.Now()
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(stillEvery)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				fmt.Fprintf(w, "  still %s… %s\n", what, took(time.Since(start)))
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// buildBinaries compiles every action for goos/goarch into dir, one
// progress line per action on w, and returns the action names.
func buildBinaries(ctx context.Context, w io.Writer, root, dir, goos, goarch string) ([]string, error) {
	names, err := actionzip.Actions(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	done := begin(w, "building %d actions for %s/%s (the first build also downloads the modules)…", len(names), goos, goarch)
	for i, name := range names {
		start := time.Now()
		stop := ticking(w, "building "+name)
		err := localrun.BuildBinary(ctx, root, dir, name, goos, goarch)
		stop()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "  [%d/%d] %-20s %s\n", i+1, len(names), name, took(time.Since(start)))
	}
	done("built %d actions", len(names))
	return names, nil
}
