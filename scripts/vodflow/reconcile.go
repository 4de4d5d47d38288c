package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

// demoUploads are the uploads the emulated bucket holds for `vodflow
// reconcile` without --params: written storageAge ago, with no bucket
// event, so VOD Station never received them.
var demoUploads = []string{"uploads/never-triggered-1.mp4", "uploads/never-triggered-2.mp4", "uploads/never-triggered-3.mov"}

// demoStorageAge is how far behind the emulated bucket's clock runs, so
// its objects are past RECONCILE_MIN_AGE at once.
const demoStorageAge = 10 * time.Minute

func runReconcile(ctx context.Context, e *env, args []string) error {
	fs := newFlags("reconcile")
	paramsPath := fs.String("params", "", "params file (like params.example.json): reconcile the real bucket against real VOD Station; without it, the built-in emulators (test doubles) are used")
	dryRun := fs.Bool("dry-run", false, "list what would be submitted, submit nothing")
	marker := fs.String("marker", "", "start the listing after this `KEY` (a previous run's next_marker)")
	asJSON := fs.Bool("json", false, "print the reconcile action's result as JSON on stdout (the report goes to stderr)")
	timeout := durationFlag(fs, "timeout", 5*time.Minute, "the activation's timeout, a positive `DURATION`")
	verbose := fs.Bool("v", false, "print the action's log lines (on stderr)")
	pos, err := parse(fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("reconcile", "unexpected argument %q: reconcile takes flags only", pos[0])
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	w := e.stdout
	if *asJSON {
		w = e.stderr
	}
	var params *paramsfile.File
	if *paramsPath != "" {
		if params, err = paramsfile.Load(*paramsPath); err != nil {
			return err
		}
	} else {
		done := begin(e.stderr, "starting the VOD Station and Object Storage emulators (test doubles)…")
		srv, _, err := startDemoEmulator("", nil, nil)
		if err != nil {
			return err
		}
		defer srv.Close()
		store, err := objectstoragetest.Start(objectstoragetest.Options{
			Credentials: map[string]string{demoAccessKey: demoSecretKey}, Region: demoStorageRegion, Buckets: []string{demoBucket},
			Clock: func() time.Time { return time.Now().Add(-demoStorageAge) }, MaxSkew: time.Hour,
		})
		if err != nil {
			return fmt.Errorf("start the Object Storage emulator: %w", err)
		}
		defer store.Close()
		c, err := demoStorageClient(store.URL)
		if err != nil {
			return err
		}
		for _, k := range demoUploads {
			body := []byte("sample " + k)
			if _, err := c.Upload(ctx, demoBucket, k, bytes.NewReader(body), int64(len(body)), contentType(k), nil); err != nil {
				return err
			}
		}
		done("started the emulators")
		fmt.Fprintf(w, "emulated bucket %s at %s holds %d uploads no trigger delivered (written %s ago)\n", demoBucket, store.URL, len(demoUploads), demoStorageAge)
		params = demoParams(srv.URL)
		params.Actions["reconcile"] = paramsfile.Action{Parameters: map[string]any{
			"CATEGORY_NAME": demoCategoryName, "EXCLUDE_PREFIXES": demoOutputPath + "/",
			"OBJECT_STORAGE_ENDPOINT": store.URL, "OBJECT_STORAGE_REGION": demoStorageRegion, "RECONCILE_MIN_AGE": 120,
		}}
	}
	w = params.Secrets().Writer(w)
	stderr := params.Secrets().Writer(e.stderr)

	binDir, err := os.MkdirTemp("", "vodflow-reconcile")
	if err != nil {
		return err
	}
	defer os.RemoveAll(binDir)
	done := begin(stderr, "building the reconcile action for %s/%s…", runtime.GOOS, runtime.GOARCH)
	if err := localrun.BuildBinary(ctx, root, binDir, "reconcile", runtime.GOOS, runtime.GOARCH); err != nil {
		return err
	}
	done("built reconcile")
	var logs io.Writer
	if *verbose {
		logs = stderr
	}
	plat := localrun.New(localrun.Config{BinDir: binDir, Params: params, Timeout: *timeout, Logs: logs})
	defer plat.Close()
	payload := map[string]any{}
	if *dryRun {
		payload["dry_run"] = true
	}
	if *marker != "" {
		payload["marker"] = *marker
	}
	done = begin(stderr, "running reconcile%s…", map[bool]string{true: " (dry run: nothing is submitted)"}[*dryRun])
	res, err := plat.RunAction(ctx, "reconcile", payload)
	if err != nil {
		return err
	}
	done("reconcile ran")
	if *asJSON {
		if err := writeJSON(params.Secrets().Writer(e.stdout), res); err != nil {
			return err
		}
	}
	if errBody, ok := res["error"].(map[string]any); ok {
		return fmt.Errorf("reconcile failed: %v (%v)", errBody["message"], errBody["code"])
	}
	printReconcile(w, res)
	return nil
}

// printReconcile is the human report of a reconcile result.
func printReconcile(w io.Writer, res map[string]any) {
	fmt.Fprintf(w, "bucket %v, category %v: listed %v objects in %v pages, %v uploads in the window, %v received by VOD Station\n",
		res["bucket_name"], res["category_id"], num(res["listed"]), num(res["pages"]), num(res["candidates"]), num(res["received"]))
	if n := num(res["too_young"]); n != 0 {
		fmt.Fprintf(w, "%v younger than RECONCILE_MIN_AGE, left to the live trigger\n", n)
	}
	for _, f := range list(res["submitted"]) {
		m, _ := f.(map[string]any)
		fmt.Fprintf(w, "submitted %v (file id %v)\n", m["path"], m["file_id"])
	}
	for _, k := range list(res["would_submit"]) {
		fmt.Fprintf(w, "would submit %v\n", k)
	}
	for _, k := range list(res["raced"]) {
		fmt.Fprintf(w, "raced %v: submitted meanwhile by someone else, not again\n", k)
	}
	var parts []string
	switch {
	case len(list(res["would_submit"])) > 0:
		parts = append(parts, fmt.Sprintf("%d would be submitted (dry run)", len(list(res["would_submit"]))))
	case len(list(res["submitted"])) > 0:
		parts = append(parts, fmt.Sprintf("%d submitted", len(list(res["submitted"]))))
	default:
		parts = append(parts, "nothing to submit: VOD Station has every upload")
	}
	if left, ok := res["left"].(map[string]any); ok {
		parts = append(parts, fmt.Sprintf("left for the next run (%v): %v", left["reason"], left["message"]))
		if m := left["next_marker"]; m != nil {
			parts = append(parts, fmt.Sprintf("go on with --marker %q", m))
		}
	}
	fmt.Fprintln(w, strings.Join(parts, "; "))
}

func num(v any) any {
	if v == nil {
		return 0
	}
	return v
}

func list(v any) []any { l, _ := v.([]any); return l }
