package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// defaultEmulatorURL is where `vodflow emulator` serves VOD Station.
const defaultEmulatorURL = "http://127.0.0.1:8090"

// statusRow is one line of the status table: one rendition of one file.
type statusRow struct {
	FileID     string  `json:"file_id"`
	CategoryID string  `json:"category_id"`
	Category   string  `json:"category,omitempty"`
	Bucket     string  `json:"bucket,omitempty"`
	Path       string  `json:"path"`
	Rendition  string  `json:"rendition"`
	Status     string  `json:"status"`
	Percent    float64 `json:"percent"`
	Time       string  `json:"time"`
	Link       string  `json:"link,omitempty"`
}

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlags("status")
	paramsPath := fs.String("params", "", "params file: VOD Station at API_URL signed with NCLOUD_ACCESS_KEY/NCLOUD_SECRET_KEY; without it, the emulator of 'vodflow emulator' (see --emulator)")
	emu := fs.String("emulator", defaultEmulatorURL, "the VOD Station emulator's `URL`, without --params")
	since := durationFlag(fs, "since", 24*time.Hour, "list the jobs whose work started within this `DURATION`")
	category := fs.String("category", "", "only this category (`ID` or name)")
	fileID := fs.String("file", "", "only this file (`ID`): its renditions")
	watch := fs.Bool("watch", false, "refresh the list until interrupted (Ctrl-C)")
	every := durationFlag(fs, "every", 2*time.Second, "with --watch, refresh every `DURATION`")
	times := fs.Int("n", 0, "with --watch, stop after `N` refreshes (0: until interrupted)")
	pages := fs.Int("max-pages", 10, "read at most `N` pages of 100 rows")
	asJSON := fs.Bool("json", false, "print the rows as JSON on stdout (with --watch, one JSON array a line per refresh)")
	pos, err := parse(fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("status", "unexpected arguments: %q", pos)
	}
	if *pages < 1 {
		return usagef("status", "--max-pages %d: want at least 1", *pages)
	}
	if *times < 0 || (*times > 0 && !*watch) {
		return usagef("status", "-n counts the refreshes of --watch (a positive number)")
	}
	var vs *vodstation.Client
	where := ""
	w := e.stdout
	if *paramsPath != "" {
		p, err := paramsfile.Load(*paramsPath)
		if err != nil {
			return err
		}
		t := paramsTarget{path: *paramsPath, p: p}
		if vs, err = t.vodStation(); err != nil {
			return fmt.Errorf("%s: %w", *paramsPath, err)
		}
		w = p.Secrets().Writer(w)
		where = t.lookup("API_URL")
	} else {
		if vs, err = vodstation.New(*emu, signing.Credentials{AccessKey: demoAccessKey, SecretKey: signing.NewSecret(demoSecretKey)},
			vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 1})); err != nil {
			return err
		}
		where = *emu + " (the emulator, a test double)"
	}
	for n := 1; ; n++ {
		rows, err := statusRows(ctx, vs, time.Now().Add(-*since), *pages, *category, *fileID)
		if err != nil && *watch && n > 1 && ctx.Err() != nil {
			return nil // interrupted mid-refresh: --watch ends as on Ctrl-C between refreshes
		}
		if err != nil {
			var te *vodstation.TransportError
			if *paramsPath == "" && errors.As(err, &te) {
				return fmt.Errorf("no VOD Station emulator answers at %s: start 'vodflow emulator', or give --params for NCP: %w", *emu, err)
			}
			return err
		}
		if *watch && !*asJSON {
			fmt.Fprintf(w, "— %s, %s: %d row(s) since %s\n", time.Now().Format("15:04:05"), where, len(rows), *since)
		}
		if err := printStatus(w, rows, *asJSON, *watch); err != nil {
			return err
		}
		if !*watch || (*times > 0 && n >= *times) {
			return nil
		}
		t := time.NewTimer(*every)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// statusRows reads the status list since from and keeps category's (an ID
// or a name) and fileID's rows, newest first. A file whose rows the list
// does not name is read by GET /api/v2/status/{fileId}.
func statusRows(ctx context.Context, vs *vodstation.Client, from time.Time, pages int, category, fileID string) ([]statusRow, error) {
	list, err := vs.RecentStatus(ctx, from, pages)
	if err != nil {
		return nil, fmt.Errorf("list VOD Station's jobs: %w", err)
	}
	var out []statusRow
	for _, r := range list {
		if category != "" && string(r.CategoryID) != category && r.CategoryName != category {
			continue
		}
		if fileID != "" && string(r.FileID) != fileID {
			continue
		}
		out = append(out, statusRow{FileID: string(r.FileID), CategoryID: string(r.CategoryID), Category: r.CategoryName, Bucket: r.BucketName,
			Path: r.FilePath, Rendition: r.OutputType, Status: r.Status, Percent: r.Percent, Time: r.LastWorkTime, Link: r.Link})
	}
	if fileID != "" && len(out) == 0 {
		fst, err := vs.GetFileStatus(ctx, fileID)
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", fileID, err)
		}
		for _, o := range fst.Outputs {
			pct := 0.0
			if strings.EqualFold(o.Status, "COMPLETE") {
				pct = 100
			}
			out = append(out, statusRow{FileID: fileID, CategoryID: string(fst.CategoryID), Category: fst.CategoryName, Bucket: fst.BucketName,
				Path: fst.FilePath, Rendition: o.OutputType, Status: o.Status, Percent: pct, Link: o.Link})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Time != out[j].Time {
			return out[i].Time > out[j].Time
		}
		if out[i].FileID != out[j].FileID {
			return out[i].FileID > out[j].FileID
		}
		return out[i].Rendition < out[j].Rendition
	})
	return out, nil
}

// printStatus writes rows as a table, or as JSON (one line when compact).
func printStatus(w io.Writer, rows []statusRow, asJSON, compact bool) error {
	if rows == nil {
		rows = []statusRow{}
	}
	if asJSON {
		if compact {
			b, err := json.Marshal(rows)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(w, "%s\n", b)
			return err
		}
		return writeJSON(w, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "no encoding jobs in that window")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE ID\tCATEGORY\tPATH\tRENDITION\tSTATUS\t%\tTIME")
	for _, r := range rows {
		cat := r.CategoryID
		if r.Category != "" {
			cat += " " + r.Category
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.0f\t%s\n", dash(r.FileID), cat, r.Path, r.Rendition, r.Status, r.Percent, dash(r.Time))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
