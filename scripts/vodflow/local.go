package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/sequence"
)

// defaultEvent is a sample upload, shaped like the Object Storage trigger's
// parameters (object_name, as in NCP's own example).
const defaultEvent = `{"object_name":"uploads/sample video.mp4"}`

func runLocal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("local", stderr)
	paramsPath := fs.String("params", "", "params file (like params.example.json); without it, the built-in VOD Station emulator is used")
	eventArg := fs.String("event", defaultEvent, "the upload event: inline JSON or a file")
	actionName := fs.String("action", "", "run this action alone (a manual invoke), with the event as its parameters")
	timeout := fs.Duration("timeout", localrun.DefaultTimeout, "per-activation timeout")
	verbose := fs.Bool("v", false, "print the actions' log lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	event, err := readEvent(*eventArg)
	if err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}

	var params *paramsfile.File
	var demo *demoLoop // the callback loop, on the emulator only
	if *paramsPath != "" {
		if params, err = paramsfile.Load(*paramsPath); err != nil {
			return err
		}
		stdout = params.Secrets().Writer(stdout)
		if ph := params.Placeholders(); len(ph) > 0 {
			return fmt.Errorf("%s still has placeholder values: %s", *paramsPath, strings.Join(ph, ", "))
		}
		fmt.Fprintf(stdout, "API_URL %v (from %s)\n", apiURL(params), *paramsPath)
	} else {
		srv, cat, err := startDemoEmulator("", nil)
		if err != nil {
			return err
		}
		defer srv.Close()
		demo = startDemoLoop()
		defer demo.Close()
		params = demoParams(srv.URL)
		demo.bind(params, srv)
		fmt.Fprintf(stdout, "VOD Station emulator (test double) at %s, category %q id %d\n", srv.URL, cat.Name, cat.ID)
		fmt.Fprintf(stdout, "encoding-callback web action at %s, webhook receiver at %s\n", demo.gateway.URL+callbackPrefix, demo.receiver.URL)
	}

	binDir, err := os.MkdirTemp("", "vodflow-local")
	if err != nil {
		return err
	}
	defer os.RemoveAll(binDir)
	start := time.Now()
	if _, err := localrun.BuildBinaries(ctx, root, binDir, runtime.GOOS, runtime.GOARCH); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "built the actions in %s\n", time.Since(start).Round(time.Millisecond))

	var logs io.Writer
	if *verbose {
		logs = stderr
	}
	plat := localrun.New(localrun.Config{BinDir: binDir, Params: params, Timeout: *timeout, Logs: logs})
	defer plat.Close()
	if demo != nil {
		demo.serve(plat)
	}

	eventJSON, _ := json.Marshal(event)
	fmt.Fprintf(stdout, "event %s\n", eventJSON)
	if *actionName != "" {
		t0 := time.Now()
		res, err := plat.RunAction(ctx, *actionName, event)
		if err != nil {
			return err
		}
		printStep(stdout, 1, 1, *actionName, time.Since(t0), res)
		return summarize(stdout, res, time.Since(t0))
	}
	t0 := time.Now()
	out := plat.Fire(ctx, event)
	for i, s := range out.Steps {
		res := s.Result
		if s.Err != nil {
			res = map[string]any{"error": map[string]any{"message": s.Err.Error()}}
		}
		printStep(stdout, i+1, len(localrun.UploadSequence), s.Action, s.Duration, res)
	}
	err = summarize(stdout, out.Result, time.Since(t0))
	if demo != nil {
		if werr := demo.follow(ctx, stdout, out.Result, *timeout); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

func readEvent(arg string) (map[string]any, error) {
	raw := []byte(strings.TrimSpace(arg))
	if len(raw) == 0 || raw[0] != '{' {
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, fmt.Errorf("--event: not inline JSON, and %w", err)
		}
		raw = b
	}
	var event map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&event); err != nil {
		return nil, fmt.Errorf("--event: not a JSON object: %w", err)
	}
	return event, nil
}

// demoParams are the defaults of the quick start, against the emulator.
func demoParams(url string) *paramsfile.File {
	return &paramsfile.File{
		Package: paramsfile.Package{Name: paramsfile.DefaultPackageName, Parameters: map[string]any{
			"NCLOUD_ACCESS_KEY": demoAccessKey, "NCLOUD_SECRET_KEY": demoSecretKey, "API_URL": url, "REGION": "KR",
		}},
		Actions: map[string]paramsfile.Action{
			"lookup-category": {Parameters: map[string]any{"CATEGORY_NAME": demoCategoryName, "BUCKET_NAME": demoBucket}},
		},
		Trigger: paramsfile.Trigger{Name: "vodflow-upload", BucketName: demoBucket},
	}
}

func apiURL(p *paramsfile.File) any {
	if u, ok := p.Package.Parameters["API_URL"]; ok {
		return u
	}
	return "https://vodstation.apigw.ntruss.com (default)"
}

func printStep(w io.Writer, i, n int, name string, d time.Duration, res map[string]any) {
	b, _ := json.Marshal(res)
	fmt.Fprintf(w, "[%d/%d] %-16s %8.1f ms  %s\n", i, n, name, float64(d.Microseconds())/1000, b)
}

// summarize prints the one-line summary and returns exit status 1 when the
// run ended in an error.
func summarize(w io.Writer, res map[string]any, d time.Duration) error {
	took := fmt.Sprintf("(%.1f ms)", float64(d.Microseconds())/1000)
	if sequence.IsError(res) {
		e, _ := res["error"].(map[string]any)
		fmt.Fprintf(w, "FAILED %v: %v %s\n", e["code"], e["message"], took)
		return exitCode(1)
	}
	if skipped, _ := res["skipped"].(bool); skipped {
		fmt.Fprintf(w, "skipped %v: %v %s\n", res["file_name"], res["reason"], took)
		return nil
	}
	files, _ := res["files"].([]any)
	if len(files) == 0 {
		b, _ := json.Marshal(res)
		fmt.Fprintf(w, "done %s %s\n", b, took)
		return nil
	}
	var ids []string
	for _, f := range files {
		m, _ := f.(map[string]any)
		ids = append(ids, fmt.Sprintf("%v → file_id %v", m["path"], m["file_id"]))
	}
	fmt.Fprintf(w, "submitted %d file(s) to category %v in bucket %v: %s %s\n",
		len(files), res["category_id"], res["bucket_name"], strings.Join(ids, ", "), took)
	return nil
}
