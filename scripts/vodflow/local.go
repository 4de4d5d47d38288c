package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/paramcheck"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/sequence"
)

// defaultEvent is a sample upload, shaped like the Object Storage trigger's
// parameters (object_name, as in NCP's own example).
const defaultEvent = `{"object_name":"uploads/sample video.mp4"}`

// output is how a command that runs actions prints: the human report on
// stdout, or with --result the result JSON alone, or with --json one JSON
// report, the human report going to stderr then.
type output struct {
	resultOnly, asJSON bool
}

func (o *output) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.resultOnly, "result", false, "print only the result JSON on stdout (for scripts; the report goes to stderr)")
	fs.BoolVar(&o.asJSON, "json", false, "print the report as one JSON object on stdout (the human report goes to stderr)")
}

func (o *output) check(cmd string) error {
	if o.resultOnly && o.asJSON {
		return usagef(cmd, "--result and --json exclude each other")
	}
	return nil
}

// report is where the human report goes.
func (o *output) report(e *env) io.Writer {
	if o.resultOnly || o.asJSON {
		return e.stderr
	}
	return e.stdout
}

// finish prints the machine output, if asked for, and returns the exit
// status of the outcome.
func (o *output) finish(e *env, rep *runReport) error {
	switch {
	case o.resultOnly:
		if err := writeJSON(e.stdout, rep.Result); err != nil {
			return err
		}
	case o.asJSON:
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
	}
	if rep.failed {
		return exitCode(1)
	}
	return nil
}

// runReport is what local and invoke report with --json.
type runReport struct {
	Target       string          `json:"target"`
	Action       string          `json:"action"`
	Event        map[string]any  `json:"event"`
	ActivationID string          `json:"activation_id,omitempty"`
	Steps        []stepReport    `json:"steps,omitempty"`
	Result       map[string]any  `json:"result"`
	Outcome      string          `json:"outcome"`
	Summary      string          `json:"summary"`
	MS           float64         `json:"ms"`
	Webhooks     []webhookReport `json:"webhooks,omitempty"`
	Playable     []string        `json:"playable,omitempty"`
	PlayLocal    []string        `json:"play_local,omitempty"`
	failed       bool
}

// stepReport is one activation of a sequence.
type stepReport struct {
	Action string         `json:"action"`
	MS     float64        `json:"ms"`
	Result map[string]any `json:"result"`
}

// webhookReport is one event the local receiver got.
type webhookReport struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	FileID string `json:"file_id"`
	Detail string `json:"detail,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func runLocal(ctx context.Context, e *env, args []string) error {
	fs := newFlags("local")
	paramsPath := fs.String("params", "", "params file (like params.example.json); without it, the built-in VOD Station emulator is used")
	src := registerEvent(fs, "the upload event")
	actionName := fs.String("action", "", "run this action alone (a manual invoke), with the event as its parameters")
	timeout := durationFlag(fs, "timeout", localrun.DefaultTimeout, "per-activation timeout, a positive `DURATION`")
	verbose := fs.Bool("v", false, "print the actions' log lines (on stderr)")
	file := fs.String("file", "", "upload this video `FILE` to the emulated Object Storage bucket (signed, through pkg/objectstorage) and run the sequence from its bucket event (emulator only)")
	serve := fs.Bool("serve", false, "on the emulator, keep it (and its stand-in for Global Edge) serving after the run, until Ctrl-C, so the printed URL plays")
	web := fs.Bool("web", false, "serve the example page ("+exampleDir+") on the emulators until Ctrl-C: upload a video from the browser through upload-url, follow its encoding, play it (emulator only)")
	addr := fs.String("addr", "127.0.0.1:8080", "with --web, the page's listen `ADDRESS`")
	over := registerOverrides(fs, "over params.json (or over the demo's defaults), in the section that has it or whose input binds $KEY")
	var o output
	o.register(fs)
	pos, err := parse(fs, e, args)
	if err != nil {
		return err
	}
	if err := o.check("local"); err != nil {
		return err
	}
	if *file != "" && (*paramsPath != "" || src.set || len(pos) > 0 || *actionName != "") {
		return usagef("local", "--file runs on the emulator from the bucket event: it excludes --params, --event, an event file and --action (to upload to a real bucket, use vodflow upload)")
	}
	if *web && (*file != "" || *paramsPath != "" || src.set || len(pos) > 0 || *actionName != "" || *serve || o.resultOnly || o.asJSON) {
		return usagef("local", "--web serves the example page on the emulator until Ctrl-C: it excludes --file, --params, --event, an event file, --action, --serve, --result and --json")
	}
	if *file != "" {
		if _, err := os.Stat(*file); err != nil {
			return fmt.Errorf("open the file to upload: %w", err)
		}
	}
	event, err := src.resolve("local", pos, e.stdin)
	if err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	w := o.report(e)

	var params *paramsfile.File
	var demo *demoLoop // the callback loop, on the emulator only
	var wr *webRun     // the example page, with --web
	if *paramsPath != "" {
		if params, err = paramsfile.Load(*paramsPath); err != nil {
			return err
		}
	} else {
		done := begin(e.stderr, "starting the VOD Station emulator (a test double) and the callback loop…")
		var storage *objectstoragetest.Server
		if *file != "" || *web {
			if storage, err = startDemoStorage("", nil); err != nil {
				return err
			}
			defer storage.Close()
		}
		srv, cat, err := startDemoEmulator("", nil, storage)
		if err != nil {
			return err
		}
		defer srv.Close()
		demo = startDemoLoop()
		defer demo.Close()
		params = demoParams(srv.URL)
		demo.bind(params, srv)
		demo.storage, demo.vod = storage, srv
		if *web {
			if wr, err = listenWeb(*addr); err != nil {
				return err
			}
			defer wr.ln.Close()
			demo.bindWeb(params, wr)
		}
		done("started the emulator")
		fmt.Fprintf(w, "VOD Station emulator (test double) at %s, category %q id %d\n", srv.URL, cat.Name, cat.ID)
		if demo.storage != nil {
			fmt.Fprintf(w, "Object Storage emulator (test double) at %s, bucket %s (SigV4, region %s)\n", demo.storage.URL, demoBucket, demoStorageRegion)
		}
		fmt.Fprintf(w, "encoding-callback web action at %s, webhook receiver at %s\n", demo.gateway.URL+callbackPrefix, demo.receiver.URL)
	}
	mf, err := manifest.Load(filepath.Join(root, manifest.FileName))
	if err != nil {
		return err
	}
	if err := over.apply(params, mf.Bindings()); err != nil {
		return err
	}
	if wr != nil {
		demo.shareSigning(params)
	}
	secrets := params.Secrets()
	w = secrets.Writer(w) // nothing printed shows a secret of params.json
	if demo != nil {
		if err := demo.checkEdgeTokens(w, params, secrets); err != nil {
			return err
		}
	}
	if *paramsPath != "" {
		if err := paramcheck.UnknownError(*paramsPath, paramcheck.UnknownNames(params, mf)); err != nil {
			return err
		}
		use := paramcheck.For(paramcheck.Command{Name: "local", Action: *actionName}, mf)
		if err := paramcheck.Refusal(*paramsPath, use, paramcheck.Placeholders(params, use)); err != nil {
			return err
		}
		fmt.Fprintf(w, "API_URL %v (from %s)\n", apiURL(params), *paramsPath)
	}
	if err := asDeployed(params, mf.Bindings()); err != nil { // each action gets what its inputs bind, as deployed
		return err
	}

	binDir, err := os.MkdirTemp("", "vodflow-local")
	if err != nil {
		return err
	}
	defer os.RemoveAll(binDir)
	if _, err := buildBinaries(ctx, e.stderr, root, binDir, runtime.GOOS, runtime.GOARCH); err != nil {
		return err
	}

	var logs io.Writer
	if *verbose {
		logs = e.stderr
	}
	plat := localrun.New(localrun.Config{BinDir: binDir, Params: params, Timeout: *timeout, Logs: logs})
	defer plat.Close()
	if demo != nil {
		demo.serve(plat)
	}
	if wr != nil {
		return demo.serveWeb(ctx, w, e.stderr, wr, plat, root)
	}

	if *file != "" {
		if event, err = demo.uploadForEvent(ctx, w, e.stderr, *file); err != nil {
			return err
		}
	}
	eventJSON, _ := json.Marshal(event)
	fmt.Fprintf(w, "event %s\n", eventJSON)
	rep := &runReport{Target: "local", Event: event}
	t0 := time.Now()
	if *actionName != "" {
		rep.Action = *actionName
		res, err := plat.RunAction(ctx, *actionName, event)
		if err != nil {
			return err
		}
		d := time.Since(t0)
		printStep(w, 1, 1, *actionName, d, res)
		rep.Steps = []stepReport{{Action: *actionName, MS: ms(d), Result: res}}
		rep.summarize(w, res, d)
		return o.finish(e, rep)
	}
	rep.Action = strings.Join(localrun.UploadSequence, " → ")
	out := plat.Fire(ctx, event)
	for i, s := range out.Steps {
		res := s.Result
		if s.Err != nil {
			res = map[string]any{"error": map[string]any{"message": s.Err.Error()}}
		}
		printStep(w, i+1, len(localrun.UploadSequence), s.Action, s.Duration, res)
		rep.Steps = append(rep.Steps, stepReport{Action: s.Action, MS: ms(s.Duration), Result: res})
	}
	rep.summarize(w, out.Result, time.Since(t0))
	if demo != nil {
		if werr := demo.follow(ctx, w, e.stderr, out.Result, *timeout, rep); werr != nil {
			rep.failed = true
			if !o.asJSON && !o.resultOnly {
				return werr
			}
			fmt.Fprintln(e.stderr, "vodflow:", werr)
		}
		if *serve && !rep.failed {
			if err := o.finish(e, rep); err != nil {
				return err
			}
			fmt.Fprintln(e.stderr, "serving the emulator until Ctrl-C…")
			<-ctx.Done()
			return nil
		}
	}
	return o.finish(e, rep)
}

// demoParams are the defaults of the quick start, against the emulator.
// EXCLUDE_PREFIXES keeps the category's own outputs (encoded/…, as in
// testdata/events/excluded-prefix.json) from being submitted again.
func demoParams(url string) *paramsfile.File {
	return &paramsfile.File{
		Package: paramsfile.Package{Name: paramsfile.DefaultPackageName, Parameters: map[string]any{
			"NCLOUD_ACCESS_KEY": demoAccessKey, "NCLOUD_SECRET_KEY": demoSecretKey, "API_URL": url, "REGION": "KR",
			"BUCKET_NAME": demoBucket,
		}},
		Actions: map[string]paramsfile.Action{
			"lookup-category": {Parameters: map[string]any{
				"CATEGORY_NAME": demoCategoryName, "EXCLUDE_PREFIXES": demoOutputPath + "/",
			}},
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
	fmt.Fprintf(w, "[%d/%d] %-16s %8.1f ms  %s\n", i, n, name, ms(d), b)
}

// summarize prints the one-line summary of a result and records the
// outcome: an error result, or a web action's 4xx or 5xx answer, is a
// failure (exit status 1).
func (rep *runReport) summarize(w io.Writer, res map[string]any, d time.Duration) {
	rep.Result, rep.MS = res, ms(d)
	rep.Outcome, rep.Summary, rep.failed = outcomeOf(res)
	fmt.Fprintf(w, "%s (%.1f ms)\n", rep.Summary, ms(d))
}

// outcomeOf judges a result: failed, skipped, answered (a web action),
// submitted or done, with its summary line.
func outcomeOf(res map[string]any) (outcome, summary string, failed bool) {
	if sequence.IsError(res) {
		e, _ := res["error"].(map[string]any)
		if e == nil {
			return "failed", fmt.Sprintf("FAILED: %v", res["error"]), true
		}
		return "failed", fmt.Sprintf("FAILED %v: %v", e["code"], e["message"]), true
	}
	if status, ok := webStatus(res); ok {
		if status >= 400 {
			return "failed", fmt.Sprintf("FAILED: the web action answered HTTP %d: %s", status, webBody(res)), true
		}
		return "answered", fmt.Sprintf("answered HTTP %d: %s", status, webBody(res)), false
	}
	if skipped, _ := res["skipped"].(bool); skipped {
		return "skipped", fmt.Sprintf("skipped %v: %v", res["file_name"], res["reason"]), false
	}
	files, _ := res["files"].([]any)
	if len(files) == 0 {
		b, _ := json.Marshal(res)
		return "done", fmt.Sprintf("done %s", b), false
	}
	var ids []string
	for _, f := range files {
		m, _ := f.(map[string]any)
		ids = append(ids, fmt.Sprintf("%v → file_id %v", m["path"], m["file_id"]))
	}
	return "submitted", fmt.Sprintf("submitted %d file(s) to category %v in bucket %v: %s",
		len(files), res["category_id"], res["bucket_name"], strings.Join(ids, ", ")), false
}

// webStatus reads a web action's statusCode (a JSON number, or a numeric
// string).
func webStatus(res map[string]any) (int, bool) {
	var n int
	switch v := res["statusCode"].(type) {
	case float64:
		n = int(v)
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return 0, false
		}
		n = int(i)
	case string:
		if _, err := fmt.Sscanf(v, "%d", &n); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return n, n >= 100 && n <= 599
}

// webBody is a web action's body for a summary line.
func webBody(res map[string]any) string {
	switch b := res["body"].(type) {
	case nil:
		return "(no body)"
	case string:
		return b
	default:
		j, _ := json.Marshal(b)
		return string(j)
	}
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
