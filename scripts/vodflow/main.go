// Command vodflow builds, runs locally, benchmarks and deploys vodflow's
// actions. Run it from the repository with `go run ./scripts/vodflow`.
//
//	vodflow build      build dist/<action>.zip for NCP Cloud Functions
//	vodflow local      run the upload sequence on one event, locally
//	vodflow emulator   serve the VOD Station emulator (a test double)
//	vodflow upload     upload a video to the bucket, --wait for its playback URL
//	vodflow status     list recent VOD Station encoding jobs
//	vodflow check      check params.json against sequence.yaml, sending nothing
//	vodflow deploy     deploy sequence.yaml to NCP Cloud Functions or OpenWhisk
//	vodflow undeploy   remove what deploy created
//	vodflow invoke     run the deployed sequence (or one action) on an event
//	vodflow reconcile  submit the uploads VOD Station never received, by hand
//	vodflow bench      measure the actions against the emulator, with targets
//
// Conventions: `vodflow help <command>` and `<command> -h` print a
// command's purpose, flags and an example, and exit 0. A usage error is
// printed once and exits 2; a failed run exits 1. Progress and timings go
// to stderr, so stdout stays clean for --result and --json.
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

	"github.com/vodflow/vodflow/pkg/manifest"
)

// command is one subcommand: its name, one line of purpose, its usage
// line and an example, for `vodflow help <name>`.
type command struct {
	name, purpose, usage, example string
	run                           func(ctx context.Context, e *env, args []string) error
}

// commands lists the subcommands in the order the usage shows them (set
// in init: their help refers back to this list).
var commands []command

func init() {
	commands = []command{
		{name: "build", purpose: "build dist/<action>.zip (static linux/amd64 exec + exec.env) for each action",
			usage: "vodflow build [--out DIR] [--kind KIND] [--json]", example: "go run ./scripts/vodflow build --kind go:1.22",
			run: runBuild},
		{name: "local", purpose: "run the upload sequence (or one action) on one event through the real action binaries, on the built-in VOD Station emulator unless --params",
			usage:   "vodflow local [flags] [EVENT_FILE]",
			example: "go run ./scripts/vodflow local testdata/events/korean-raw.json\n  go run ./scripts/vodflow local --file clip.mp4\n  go run ./scripts/vodflow local --web   # the example page: upload from a browser, follow, play\n  echo '{\"object_name\":\"a.mp4\"}' | go run ./scripts/vodflow local --event - --result",
			run:     runLocal},
		{name: "emulator", purpose: "serve the VOD Station and Object Storage emulators (test doubles, not NCP) until Ctrl-C",
			usage: "vodflow emulator [--addr HOST:PORT] [--storage-addr HOST:PORT]", example: "go run ./scripts/vodflow emulator --addr 127.0.0.1:8090",
			run: runEmulator},
		{name: "upload", purpose: "upload a video to the bucket (multipart, with progress; a key safe to play) and with --wait follow it through VOD Station to its playback URL; on the emulators unless --params",
			usage:   "vodflow upload FILE [--bucket B] [--key K] [--params FILE] [--wait] [--json]",
			example: "go run ./scripts/vodflow upload --params params.json --wait clip.mp4\n  go run ./scripts/vodflow upload --wait clip.mp4",
			run:     runUpload},
		{name: "status", purpose: "list recent VOD Station encoding jobs (file id, category, path, rendition, status, percent, time), like wsk activation list; on the emulator unless --params",
			usage:   "vodflow status [--since DUR] [--category ID] [--file ID] [--watch] [--json] [--params FILE]",
			example: "go run ./scripts/vodflow status --params params.json --since 2h --watch",
			run:     runStatus},
		{name: "check", purpose: "check params.json against sequence.yaml (placeholders, unknown names, unbound inputs, values), sending nothing",
			usage: "vodflow check [--params FILE] [--manifest FILE] [-p KEY=VALUE]... [--json]", example: "go run ./scripts/vodflow check --params params.json",
			run: runCheck},
		{name: "deploy", purpose: "deploy sequence.yaml with params.json to NAVER Cloud Functions (API v2.1) or Apache OpenWhisk",
			usage: "vodflow deploy --target ncp|openwhisk [flags]", example: "go run ./scripts/vodflow deploy --target ncp --dry-run",
			run: runDeploy},
		{name: "undeploy", purpose: "remove what deploy created (link or rule, trigger, sequence, actions, package), in reverse order",
			usage: "vodflow undeploy --target ncp|openwhisk [flags]", example: "go run ./scripts/vodflow undeploy --target ncp --dry-run",
			run: runUndeploy},
		{name: "invoke", purpose: "run the deployed sequence (or --action) on an event and print the result",
			usage:   "vodflow invoke --target ncp|openwhisk [flags] [EVENT_FILE]",
			example: "go run ./scripts/vodflow invoke --target ncp --event '{\"object_name\":\"uploads/my video.mp4\"}'",
			run:     runInvoke},
		{name: "reconcile", purpose: "submit, once, each upload of the bucket VOD Station never received (the reconcile action, run by hand), on the built-in emulators unless --params",
			usage: "vodflow reconcile [--dry-run] [--params FILE] [--marker KEY] [--json]", example: "go run ./scripts/vodflow reconcile --dry-run\n  go run ./scripts/vodflow reconcile --params params.json --dry-run",
			run: runReconcile},
		{name: "bench", purpose: "measure the actions against the emulator (cold start, warm time, API calls, RSS, zip sizes, bursts) next to their targets",
			usage: "vodflow bench [flags]", example: "go run ./scripts/vodflow bench --burst 1000 --throttle 0.2",
			run: runBench},
	}
}

// env is what a command reads and writes besides its arguments.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(report(os.Stderr, err))
}

// report prints err once and returns the exit status: 0 for success, 2
// for a usage error, the status of an exitCode, else 1.
func report(stderr io.Writer, err error) int {
	var exit exitCode
	var usage *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return int(exit)
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "%s\n", usage.Error())
		if usage.cmd != "" {
			fmt.Fprintf(stderr, "Run 'vodflow help %s' for usage.\n", usage.cmd)
		} else {
			fmt.Fprintln(stderr, "Run 'vodflow help' for usage.")
		}
		return 2
	default:
		fmt.Fprintln(stderr, "vodflow:", err)
		return 1
	}
}

// exitCode ends the program with a status and no further message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is a command line the tool cannot run (exit status 2).
type usageError struct {
	cmd string // the subcommand, if known
	err error
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return "vodflow: " + e.err.Error()
	}
	return "vodflow " + e.cmd + ": " + e.err.Error()
}

func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usage error of the command cmd.
func usagef(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, err: fmt.Errorf(format, args...)}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stdout)
		return nil
	}
	switch args[0] {
	case "-h", "-help", "--help":
		printUsage(stdout)
		return nil
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, versionLine(readBuildInfo()))
		return nil
	case "help":
		if len(args) == 1 {
			printUsage(stdout)
			return nil
		}
		if len(args) > 2 {
			return usagef("", "help takes one command, got %q", strings.Join(args[1:], " "))
		}
		c, ok := lookupCommand(args[1])
		if !ok {
			return unknownCommand(args[1])
		}
		return helpIsDone(c.run(ctx, e, []string{"-h"}))
	}
	c, ok := lookupCommand(args[0])
	if !ok {
		return unknownCommand(args[0])
	}
	return helpIsDone(c.run(ctx, e, args[1:]))
}

// helpIsDone turns errHelpShown into success.
func helpIsDone(err error) error {
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func unknownCommand(name string) error {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	if s := manifest.Suggest(name, names); s != "" {
		return usagef("", "unknown command %q; did you mean %s?", name, s)
	}
	return usagef("", "unknown command %q", name)
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "vodflow — upload-to-streaming automation for NAVER Cloud Platform\n\n")
	fmt.Fprint(w, "Usage: go run ./scripts/vodflow <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s  %s\n", c.name, c.purpose)
	}
	fmt.Fprint(w, "\nRun 'vodflow help <command>' (or '<command> -h') for its flags and an example;\n'vodflow --version' for the version. Exit status: 0 done, 1 failed, 2 usage error.\n")
}

// newFlags returns the flag set of a command. It prints nothing itself:
// parse reports errors once, and -h as the command's help.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("vodflow "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// errHelpShown reports that -h printed the help: the command is done.
var errHelpShown = errors.New("help shown")

// parse parses a command's arguments, flags and positional arguments in
// any order ("--" ends the flags), and returns the positional ones. -h
// prints the command's help on stdout and returns errHelpShown, which run
// turns into exit status 0; a bad flag is a usage error.
func parse(fs *flag.FlagSet, e *env, args []string) ([]string, error) {
	name := strings.TrimPrefix(fs.Name(), "vodflow ")
	var pos, rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			printHelp(e.stdout, fs)
			return nil, errHelpShown
		}
		if err != nil {
			return nil, &usageError{cmd: name, err: err}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return append(pos, rest...), nil
}

// printHelp writes a command's purpose, usage, flags and example.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	c, _ := lookupCommand(strings.TrimPrefix(fs.Name(), "vodflow "))
	fmt.Fprintf(w, "%s\n\nUsage: %s\n\nFlags:\n", c.purpose, c.usage)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	fmt.Fprintf(w, "\nExample:\n  %s\n", c.example)
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
