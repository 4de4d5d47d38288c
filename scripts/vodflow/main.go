// Command vodflow builds, runs locally, benchmarks and deploys vodflow's
// actions. Run it from the repository with `go run ./scripts/vodflow`.
//
//	vodflow build      build dist/<action>.zip for NCP Cloud Functions
//	vodflow local      run the upload sequence on one event, locally
//	vodflow emulator   serve the VOD Station emulator (a test double)
//	vodflow deploy     deploy sequence.yaml to NCP Cloud Functions or OpenWhisk
//	vodflow invoke     run the deployed sequence (or one action) on an event
//	vodflow bench      measure the actions against the emulator, with targets
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
)

const usage = `vodflow — upload-to-streaming automation for NAVER Cloud Platform

Usage: go run ./scripts/vodflow <command> [flags]

Commands:
  build      build dist/<action>.zip (static linux/amd64 exec + exec.env)
  local      run the upload sequence on one event through the real action
             binaries; on the built-in VOD Station emulator unless --params
  emulator   serve the VOD Station emulator (a test double) on --addr
  deploy     deploy sequence.yaml with params.json: --target ncp (NAVER Cloud
             Functions API v2.1) or --target openwhisk; --dry-run prints the plan
  invoke     run the deployed sequence (or --action) on an --event and print
             the result, on --target ncp or openwhisk
  bench      measure the actions against the emulator (cold start, warm
             time, API calls per upload, RSS, zip sizes; --burst N uploads
             over --procs warm processes, --throttle P) next to the targets

Run 'go run ./scripts/vodflow <command> -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	var exit exitCode
	switch {
	case err == nil:
	case errors.As(err, &exit):
		os.Exit(int(exit))
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "vodflow:", err)
		os.Exit(1)
	}
}

// exitCode ends the program with a status and no further message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "build":
		return runBuild(ctx, rest, stdout, stderr)
	case "local":
		return runLocal(ctx, rest, stdout, stderr)
	case "emulator":
		return runEmulator(ctx, rest, stdout, stderr)
	case "deploy":
		return runDeploy(ctx, rest, stdout, stderr)
	case "invoke":
		return runInvoke(ctx, rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// newFlags returns a flag set that reports to stderr.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("vodflow "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// moduleRoot finds the repository root: the nearest directory upward from
// the working directory whose go.mod declares vodflow's module.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/vodflow/vodflow\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run vodflow inside the vodflow repository (no go.mod for github.com/vodflow/vodflow found above the working directory)")
		}
		dir = parent
	}
}
