package pipeline_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/vodflow/vodflow/pkg/pipeline"
)

// BenchmarkLookupWarm is one warm lookup-category activation's own work:
// decoding its parameters and the event, the filter, and the cached
// category id (no API call).
func BenchmarkLookupWarm(b *testing.B) {
	vod, url := newFake(b, map[string]any{"id": 11, "name": "vod"})
	p := pipeline.New()
	params, _ := json.Marshal(base(url, map[string]any{"object_name": "uploads/clip.mp4"}))
	warm := func() {
		var in pipeline.LookupInput
		if err := json.Unmarshal(params, &in); err != nil {
			b.Fatal(err)
		}
		if _, err := p.LookupCategory(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	warm()
	lists := vod.lists
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		warm()
	}
	b.StopTimer()
	if vod.lists != lists {
		b.Fatalf("warm lookups listed categories %d more times", vod.lists-lists)
	}
}

// BenchmarkAddFiles is one add-files activation against an in-process
// server over loopback, with the warm client's kept-alive connection.
func BenchmarkAddFiles(b *testing.B) {
	_, url := newFake(b)
	p := pipeline.New()
	params, _ := json.Marshal(base(url, map[string]any{"category_id": "11", "bucket_name": "uploads", "file_name": "uploads/clip.mp4"}))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var in pipeline.AddFilesInput
		if err := json.Unmarshal(params, &in); err != nil {
			b.Fatal(err)
		}
		if _, err := p.AddFiles(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
