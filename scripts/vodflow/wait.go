package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// pollEvery is how often --wait and --watch read the status list.
var pollEvery = time.Second

// waitReport is what --wait found: the file's renditions and where it plays.
type waitReport struct {
	FileID     string       `json:"file_id,omitempty"`
	CategoryID string       `json:"category_id,omitempty"`
	Renditions []renditionR `json:"renditions"`
	Playback   string       `json:"playback,omitempty"`
	DASH       string       `json:"dash,omitempty"`
	Warning    string       `json:"warning,omitempty"`
}

type renditionR struct {
	OutputType string  `json:"output_type"`
	Status     string  `json:"status"`
	Percent    float64 `json:"percent"`
	Link       string  `json:"link,omitempty"`
	HLS        string  `json:"hls,omitempty"`
}

// waitPlayable follows bucket/key through VOD Station's status list (rows
// whose work started since since) until every rendition is COMPLETE, saying
// each change of a rendition's status or percent on progress. A FAILURE or
// CANCELED rendition, or ctx's end, is an error naming the file.
func waitPlayable(ctx context.Context, vs *vodstation.Client, progress io.Writer, bucket, key string, since time.Time) (waitReport, error) {
	seen := map[string]string{}
	announced := false
	for {
		rows, err := vs.RecentStatus(ctx, since, 10)
		if err != nil {
			return waitReport{}, fmt.Errorf("follow %s/%s through VOD Station: %w", bucket, key, err)
		}
		mine := rowsOf(rows, bucket, key)
		if len(mine) == 0 && !announced {
			fmt.Fprintf(progress, "  waiting for VOD Station to receive %s (the bucket trigger runs the upload sequence)…\n", key)
			announced = true
		}
		complete := len(mine) > 0
		for _, r := range mine {
			line := fmt.Sprintf("%s %.0f%%", r.Status, r.Percent)
			if seen[r.OutputType] != line {
				seen[r.OutputType] = line
				fmt.Fprintf(progress, "  %-28s %-9s %3.0f%%\n", r.OutputType, r.Status, r.Percent)
			}
			switch strings.ToUpper(r.Status) {
			case "COMPLETE":
			case "FAILURE", "CANCELED":
				see := ""
				if r.FileID != "" {
					see = fmt.Sprintf("; see 'vodflow status --file %s'", r.FileID)
				}
				return reportOf(mine), fmt.Errorf("VOD Station reports %s for rendition %s of %s/%s: the file will not play%s",
					r.Status, r.OutputType, bucket, key, see)
			default:
				complete = false
			}
		}
		if complete {
			return reportOf(mine), nil
		}
		t := time.NewTimer(pollEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			if len(mine) == 0 {
				return waitReport{}, fmt.Errorf("VOD Station never received %s/%s: is the bucket trigger (or the reconcile schedule) deployed? %w", bucket, key, context.Cause(ctx))
			}
			return reportOf(mine), fmt.Errorf("%s/%s was not playable in time: %w", bucket, key, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// rowsOf are the rows of bucket/key, the newest per rendition.
func rowsOf(rows []vodstation.StatusRow, bucket, key string) []vodstation.StatusRow {
	by := map[string]vodstation.StatusRow{}
	for _, r := range rows {
		if strings.TrimPrefix(r.FilePath, "/") != key || (r.BucketName != "" && r.BucketName != bucket) {
			continue
		}
		if old, ok := by[r.OutputType]; !ok || r.LastWorkTime >= old.LastWorkTime {
			by[r.OutputType] = r
		}
	}
	out := make([]vodstation.StatusRow, 0, len(by))
	for _, r := range by {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OutputType < out[j].OutputType })
	return out
}

func reportOf(rows []vodstation.StatusRow) waitReport {
	var rep waitReport
	for _, r := range rows {
		if rep.FileID == "" {
			rep.FileID, rep.CategoryID = string(r.FileID), string(r.CategoryID)
		}
		rep.Renditions = append(rep.Renditions, renditionR{OutputType: r.OutputType, Status: r.Status, Percent: r.Percent, Link: r.Link})
	}
	return rep
}

// errNoPlayback says --wait cannot tell the playback URL.
var errNoPlayback = errors.New("no playback domain: set PLAYBACK_DOMAIN and ENCRYPTED_BUCKET_NAME (or CHANNEL_ID) in params.json")

// addPlayback fills in the per-rendition HLS URLs and the adaptive one
// (the highest rendition's when no adaptive form applies).
func (rep *waitReport) addPlayback(c playback.Config) error {
	var rs []playback.Rendition
	for i, r := range rep.Renditions {
		u, err := playback.ForLink(c, r.Link)
		if err != nil {
			return fmt.Errorf("playback URL of %s: %w", r.OutputType, err)
		}
		rep.Renditions[i].HLS = u.HLS
		if u.Warning != "" {
			rep.Warning = u.Warning
		}
		rs = append(rs, playback.Rendition{OutputType: r.OutputType, Link: r.Link})
	}
	if u, err := playback.Adaptive(c, "smil", rs); err == nil && u.HLS != "" {
		rep.Playback, rep.DASH = u.HLS, u.DASH
		return nil
	}
	ordered, _ := playback.Order(rs)
	if len(ordered) == 0 {
		return errors.New("no rendition to play")
	}
	u, err := playback.ForLink(c, ordered[len(ordered)-1].Link)
	if err != nil {
		return err
	}
	rep.Playback, rep.DASH = u.HLS, u.DASH
	return nil
}

// playbackOf is where files play: PLAYBACK_DOMAIN and ENCRYPTED_BUCKET_NAME,
// else the channel CHANNEL_ID names.
func playbackOf(ctx context.Context, t paramsTarget, vs *vodstation.Client) (playback.Config, error) {
	if c, ok := t.playbackConfig(); ok {
		return c, nil
	}
	id := t.lookup("CHANNEL_ID")
	if id == "" {
		return playback.Config{}, errNoPlayback
	}
	ch, err := vs.GetChannel(ctx, id)
	if err != nil {
		return playback.Config{}, fmt.Errorf("read channel %s for the playback domain: %w", id, err)
	}
	return playback.Config{Domain: ch.CDNDomain, EncryptedBucket: ch.EncryptedBucketName, Bucket: ch.StorageBucketName, Protocols: ch.ProtocolList}, nil
}
