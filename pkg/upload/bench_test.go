package upload_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/upload"
)

// runOnce is one activation's own work, without the loop's plumbing:
// the one decode of the parameters, the handler's Decode and its Run.
func runOnce[C, In, Out any](ctx context.Context, h action.Handler[C, In, Out], params []byte) (Out, error) {
	var zero Out
	p, err := action.ParseParams(params)
	if err != nil {
		return zero, err
	}
	cfg, in, err := h.Decode(p)
	if err != nil {
		return zero, err
	}
	return h.Run(ctx, cfg, in)
}

// BenchmarkLookupWarm is one warm lookup-category activation's own work:
// decoding its parameters and the event, the filter, and the cached
// category id (no API call).
func BenchmarkLookupWarm(b *testing.B) {
	vod, url := newFake(b, map[string]any{"id": 11, "name": "vod"})
	h := upload.New().Lookup()
	params, _ := json.Marshal(base(url, map[string]any{"object_name": "uploads/clip.mp4"}))
	warm := func() {
		if _, err := runOnce(context.Background(), h, params); err != nil {
			b.Fatal(err)
		}
	}
	warm()
	lists := vod.listCalls()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		warm()
	}
	b.StopTimer()
	if n := vod.listCalls(); n != lists {
		b.Fatalf("warm lookups listed categories %d more times", n-lists)
	}
}

// BenchmarkAddFiles is one add-files activation against an in-process
// server over loopback, with the warm client's kept-alive connection.
func BenchmarkAddFiles(b *testing.B) {
	_, url := newFake(b)
	h := upload.New().AddFiles()
	// DEDUP_WINDOW 0: every iteration submits (the same file would
	// otherwise be skipped as a duplicate after the first).
	params, _ := json.Marshal(base(url, map[string]any{"category_id": "11", "bucket_name": "uploads", "file_name": "uploads/clip.mp4", "DEDUP_WINDOW": 0}))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := runOnce(context.Background(), h, params); err != nil {
			b.Fatal(err)
		}
	}
}
