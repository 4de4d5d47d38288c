// Command echoaction is a test action for package actionproxy. It speaks the
// actionloop protocol itself and answers each activation with what it saw:
//
//	{"value": <params>, "env": {"__OW_*": ...}, "environ": [...], "path_set": bool, "pid": N}
//
// The params choose extra behaviours, applied in this order:
//
//	{"log": "text"}        writes text and a newline to stderr
//	{"stdout": "text"}     writes text and a newline to stdout
//	{"sleep_ms": N}        sleeps N milliseconds before answering
//	{"exit": N}            exits with status N without answering
//	{"orphan": true}       starts a copy of itself that sleeps while holding
//	                       stdout, stderr and fd 3, prints its pid to stderr
//	                       as "orphan pid N", then exits with status 7
//	{"garbage": true}      answers with a line that is not JSON
//	{"extra": true}        answers, then writes a second line
//	{"array": true}        answers with a JSON array
//	{"error": X}           answers {"error": X}
//	{"big": N}             adds a string of N bytes under "big"
//
// Environment switches (init env): ECHO_NO_ACK=1 never acks (but still
// serves), ECHO_BAD_ACK=1 acks with {"ok":false}, ECHO_EXIT_AT_START=N
// exits with status N before acking.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "orphan-sleep" {
		time.Sleep(10 * time.Minute)
		return
	}
	out := os.NewFile(3, "results")
	if code := os.Getenv("ECHO_EXIT_AT_START"); code != "" {
		n, _ := strconv.Atoi(code)
		fmt.Fprintln(os.Stderr, "echoaction: exiting at start")
		os.Exit(n)
	}
	if os.Getenv("__OW_WAIT_FOR_ACK") != "" {
		switch {
		case os.Getenv("ECHO_NO_ACK") != "":
		case os.Getenv("ECHO_BAD_ACK") != "":
			fmt.Fprintln(out, `{"ok":false}`)
		default:
			fmt.Fprintln(out, `{"ok":true}`)
		}
	}
	in := bufio.NewReader(os.Stdin)
	for {
		line, err := in.ReadBytes('\n')
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "echoaction: read stdin:", err)
			os.Exit(2)
		}
		result := handle(line)
		if _, err := out.Write(result); err != nil {
			fmt.Fprintln(os.Stderr, "echoaction: write result:", err)
			os.Exit(2)
		}
	}
}

// handle processes one activation line and returns the result line.
func handle(line []byte) []byte {
	var msg map[string]any
	if err := json.Unmarshal(line, &msg); err != nil {
		return encode(map[string]any{"error": "bad input: " + err.Error()})
	}
	// Like the runtime's launcher: every string field except value becomes
	// __OW_<FIELD>.
	for k, v := range msg {
		if s, ok := v.(string); ok && k != "value" {
			os.Setenv("__OW_"+strings.ToUpper(k), s)
		}
	}
	value, _ := msg["value"].(map[string]any)

	if s, ok := value["log"].(string); ok {
		fmt.Fprintln(os.Stderr, s)
	}
	if s, ok := value["stdout"].(string); ok {
		fmt.Fprintln(os.Stdout, s)
	}
	if ms, ok := value["sleep_ms"].(float64); ok {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	if code, ok := value["exit"].(float64); ok {
		os.Exit(int(code))
	}
	if value["orphan"] == true {
		orphan()
	}
	if value["garbage"] == true {
		return []byte("this is not json\n")
	}
	if value["array"] == true {
		return encode([]any{"echo", value})
	}
	if e, ok := value["error"]; ok {
		return encode(map[string]any{"error": e})
	}

	env := map[string]string{}
	var environ []string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		environ = append(environ, k)
		if strings.HasPrefix(k, "__OW_") {
			env[k] = v
		}
	}
	_, pathSet := os.LookupEnv("PATH")
	res := map[string]any{
		"value":    msg["value"],
		"env":      env,
		"environ":  environ,
		"path_set": pathSet,
		"pid":      os.Getpid(),
	}
	if n, ok := value["big"].(float64); ok {
		res["big"] = strings.Repeat("x", int(n))
	}
	b := encode(res)
	if value["extra"] == true {
		b = append(b, encode(map[string]any{"extra": true})...)
	}
	return b
}

// orphan starts a copy of this program that holds the output pipes and
// exits this one.
func orphan() {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "echoaction: executable:", err)
		os.Exit(2)
	}
	cmd := exec.Command(self, "orphan-sleep")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{os.NewFile(3, "results")}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "echoaction: start orphan:", err)
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "orphan pid %d\n", cmd.Process.Pid)
	os.Exit(7)
}

// encode returns v as one JSON line.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"error":"encode result"}`)
	}
	return append(b, '\n')
}
