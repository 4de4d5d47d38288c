package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/vodflow/vodflow/pkg/bytesize"
	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

// uploadReport is what upload prints with --json.
type uploadReport struct {
	File      string  `json:"file"`
	Endpoint  string  `json:"endpoint"`
	Bucket    string  `json:"bucket"`
	Key       string  `json:"key"`
	Replaced  string  `json:"replaced,omitempty"`
	Size      int64   `json:"size"`
	ETag      string  `json:"etag"`
	Multipart bool    `json:"multipart"`
	MS        float64 `json:"ms"`
	MBps      float64 `json:"mb_per_s"`
	Emulator  bool    `json:"emulator"`
	// Submitted is, on the emulators with --wait, how many times VOD
	// Station accepted this bucket/key (from the emulator's own records).
	Submitted int         `json:"emulator_submissions,omitempty"`
	Wait      *waitReport `json:"wait,omitempty"`
}

func runUpload(ctx context.Context, e *env, args []string) error {
	fs := newFlags("upload")
	paramsPath := fs.String("params", "", "params file: Object Storage at OBJECT_STORAGE_ENDPOINT (default "+objectstorage.DefaultEndpoint+") and OBJECT_STORAGE_REGION, signed with NCLOUD_ACCESS_KEY/NCLOUD_SECRET_KEY; without it, the built-in emulators (test doubles)")
	bucket := fs.String("bucket", "", "the upload `BUCKET` (default BUCKET_NAME of params.json, or the emulator's "+demoBucket+")")
	key := fs.String("key", "", "the object `KEY` (default INPUT_PREFIX + the file's name); #, $ and ; are replaced by _, as VOD Station cannot play them")
	wait := fs.Bool("wait", false, "follow the file through VOD Station (status API, per rendition percent, on stderr) until it is playable, then print the playback URL")
	timeout := durationFlag(fs, "timeout", 30*time.Minute, "how long --wait waits, a positive `DURATION`")
	partSize := fs.Int64("part-size", objectstorage.PartSize, "multipart part size in `BYTES` (files above it are multipart; NCP wants at least 5 MiB)")
	progressMode := fs.String("progress", "auto", "progress on stderr: bar, lines, none, or auto (a bar on a terminal, else lines)")
	asJSON := fs.Bool("json", false, "print the report as one JSON object on stdout (the human report goes to stderr)")
	over := registerOverrides(fs, "over params.json")
	pos, err := parse(fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("upload", "want one FILE to upload, got %d arguments", len(pos))
	}
	switch *progressMode {
	case "auto", "bar", "lines", "none":
	default:
		return usagef("upload", "--progress %q: want bar, lines, none or auto", *progressMode)
	}
	if *partSize < 1 {
		return usagef("upload", "--part-size %d: want a positive number of bytes", *partSize)
	}
	file := pos[0]
	st, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("open the file to upload: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", file)
	}
	w := e.stdout
	if *asJSON {
		w = e.stderr
	}

	var t paramsTarget
	rep := uploadReport{File: file, Size: st.Size()}
	var demo *demoLoop
	prefix := "uploads"
	if *paramsPath != "" {
		p, err := paramsfile.Load(*paramsPath)
		if err != nil {
			return err
		}
		if len(*over) > 0 {
			root, err := moduleRoot()
			if err != nil {
				return err
			}
			mf, err := manifest.Load(filepath.Join(root, manifest.FileName))
			if err != nil {
				return err
			}
			if err := over.apply(p, mf.Bindings()); err != nil {
				return err
			}
		}
		t = paramsTarget{path: *paramsPath, p: p}
		w = p.Secrets().Writer(w)
		prefix = t.lookup("INPUT_PREFIX")
		if *bucket == "" {
			v, err := t.need("BUCKET_NAME")
			if err != nil {
				return fmt.Errorf("%w, or give --bucket", err)
			}
			*bucket = v["BUCKET_NAME"]
		}
	} else {
		if len(*over) > 0 {
			return usagef("upload", "-p sets parameters of --params; the emulator has its own")
		}
		done := begin(e.stderr, "starting the VOD Station and Object Storage emulators (test doubles)…")
		storage, err := startDemoStorage("", nil)
		if err != nil {
			return err
		}
		defer storage.Close()
		srv, _, err := startDemoEmulator("", nil, storage)
		if err != nil {
			return err
		}
		defer srv.Close()
		demo = startDemoLoop()
		defer demo.Close()
		p := demoParams(srv.URL)
		demo.bind(p, srv)
		demo.storage, demo.vod = storage, srv
		p.Package.Parameters["OBJECT_STORAGE_ENDPOINT"] = demo.storage.URL
		p.Package.Parameters["OBJECT_STORAGE_REGION"] = demoStorageRegion
		t = paramsTarget{path: "(the emulator's parameters)", p: p}
		rep.Emulator = true
		if *bucket == "" {
			*bucket = demoBucket
		}
		done("started the emulators")
	}
	if *key == "" {
		*key = defaultKey(prefix, file)
	}
	safe, replaced := playableKey(*key)
	if replaced != "" {
		fmt.Fprintf(e.stderr, "the key %q becomes %q: %s replaced by _ (VOD Station cannot play a file whose name has them)\n", *key, safe, replaced)
	}
	rep.Bucket, rep.Key, rep.Replaced = *bucket, safe, replaced
	if err := objectstorage.ValidateKey(safe); err != nil {
		return fmt.Errorf("key %q: %w", safe, err)
	}
	c, err := t.storage(objectstorage.WithPartSize(*partSize))
	if err != nil {
		return fmt.Errorf("%s: %w", t.path, err)
	}
	rep.Endpoint = c.Endpoint()
	rep.Multipart = st.Size() > c.MultipartThreshold()

	if demo != nil && *wait {
		// On the emulator the bucket event rule runs the upload sequence
		// through the real action binaries, as NCP's trigger does.
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		binDir, err := os.MkdirTemp("", "vodflow-upload")
		if err != nil {
			return err
		}
		defer os.RemoveAll(binDir)
		if _, err := buildBinaries(ctx, e.stderr, root, binDir, runtime.GOOS, runtime.GOARCH); err != nil {
			return err
		}
		plat := localrun.New(localrun.Config{BinDir: binDir, Params: t.p, Timeout: localrun.DefaultTimeout})
		defer plat.Close()
		demo.serve(plat)
		defer demo.fireOnCreate(ctx, plat, *bucket, nil)()
	}

	kind := "single PUT"
	if rep.Multipart {
		kind = fmt.Sprintf("multipart, %s parts", bytesize.MB(c.MultipartThreshold()))
	}
	done := begin(e.stderr, "uploading %s (%s, %s) to %s/%s at %s…", file, bytesize.MB(st.Size()), kind, *bucket, safe, c.Endpoint())
	bar := newUploadProgress(e.stderr, *progressMode, st.Size())
	start := time.Now()
	obj, err := uploadFile(ctx, c, *bucket, safe, file, bar.update)
	bar.finish()
	if err != nil {
		return uploadFailed(err, t, c.Endpoint(), *bucket, safe)
	}
	d := time.Since(start)
	rep.ETag, rep.MS = obj.ETag, ms(d)
	rep.MBps = float64(st.Size()) / 1e6 / max(d.Seconds(), 1e-9)
	done("uploaded %s at %.1f MB/s", bytesize.MB(st.Size()), rep.MBps)
	fmt.Fprintf(w, "uploaded %s to %s/%s (%s, ETag %s) at %s\n", file, *bucket, safe, bytesize.MB(st.Size()), obj.ETag, c.Endpoint())
	if demo != nil && !*wait {
		fmt.Fprintln(w, "the emulators stop with this command: add --wait to run the upload sequence from the bucket event and follow the encoding")
	}

	if *wait {
		vs, err := t.vodStation()
		if err != nil {
			return fmt.Errorf("%s: %w", t.path, err)
		}
		wctx, cancel := context.WithTimeoutCause(ctx, *timeout, fmt.Errorf("--timeout %s passed", *timeout))
		defer cancel()
		wdone := begin(e.stderr, "following %s/%s through VOD Station (up to %s)…", *bucket, safe, *timeout)
		wr, err := waitPlayable(wctx, vs, e.stderr, *bucket, safe, start.Add(-time.Minute))
		if demo != nil {
			rep.Submitted = demo.vod.SubmittedPaths()[*bucket+"/"+safe]
		}
		if err != nil {
			return err
		}
		pc, err := playbackOf(ctx, t, vs)
		if err != nil {
			return fmt.Errorf("%s/%s is encoded, but: %w", *bucket, safe, err)
		}
		if err := wr.addPlayback(pc); err != nil {
			return fmt.Errorf("%s/%s is encoded, but: %w", *bucket, safe, err)
		}
		wdone("%d rendition(s) complete", len(wr.Renditions))
		for _, r := range wr.Renditions {
			fmt.Fprintf(w, "rendition %-28s %s\n", r.OutputType, r.HLS)
		}
		if wr.Warning != "" {
			fmt.Fprintf(w, "warning: %s\n", wr.Warning)
		}
		fmt.Fprintf(w, "playable: %s\n", wr.Playback)
		if demo != nil {
			fmt.Fprintf(w, "(the emulator's Global Edge stand-in serves the same path at %s while it runs)\n", onEdge(demo.edge, wr.Playback))
		}
		rep.Wait = &wr
	}
	if *asJSON {
		return writeJSON(e.stdout, rep)
	}
	return nil
}

// uploadFailed says what is wrong with an upload and that it may be run
// again: nothing was created, so nothing was submitted.
func uploadFailed(err error, t paramsTarget, endpoint, bucket, key string) error {
	var hint string
	switch {
	case errors.Is(err, objectstorage.ErrNoBucket):
		hint = fmt.Sprintf("the bucket %s does not exist at %s (or is in another region than OBJECT_STORAGE_REGION): create it or fix --bucket / BUCKET_NAME in %s", bucket, endpoint, t.path)
	case errors.Is(err, objectstorage.ErrAccessDenied):
		hint = fmt.Sprintf("Object Storage refused the keys (403): check NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY in %s, and that the key may write to bucket %s", t.path, bucket)
	case errors.Is(err, objectstorage.ErrUnreachable):
		hint = fmt.Sprintf("Object Storage at %s did not answer: check OBJECT_STORAGE_ENDPOINT in %s and the network", endpoint, t.path)
	case errors.Is(err, objectstorage.ErrSourceChanged):
		hint = "the file changed while it was read"
	}
	if hint != "" {
		return fmt.Errorf("upload %s/%s failed: %s; nothing was created or submitted, run the same command again: %w", bucket, key, hint, err)
	}
	return fmt.Errorf("upload %s/%s failed (nothing was submitted; run the same command again): %w", bucket, key, err)
}

// uploadProgress shows an upload's progress on stderr: a progress bar on
// a terminal, else a line per tenth.
type uploadProgress struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	w     io.Writer
	size  int64
	step  int64 // the last tenth said, lines mode
	start time.Time
}

func newUploadProgress(w io.Writer, mode string, size int64) *uploadProgress {
	p := &uploadProgress{w: w, size: size, start: time.Now()}
	if mode == "auto" {
		mode = "lines"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "bar"
		}
	}
	switch mode {
	case "bar":
		p.bar = progressbar.NewOptions64(size, progressbar.OptionSetWriter(w), progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionShowCount(),
			progressbar.OptionSetDescription("  uploading"), progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
	case "none":
		p.w = nil
	}
	return p
}

func (p *uploadProgress) update(done, size int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.bar != nil:
		_ = p.bar.Set64(done)
	case p.w != nil && size > 0:
		if tenth := done * 10 / size; tenth > p.step {
			p.step = tenth
			mbps := float64(done) / 1e6 / max(time.Since(p.start).Seconds(), 1e-9)
			fmt.Fprintf(p.w, "  sent %s of %s (%d%%, %.1f MB/s)\n", bytesize.MB(done), bytesize.MB(size), tenth*10, mbps)
		}
	}
}

func (p *uploadProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Exit()
	}
}
