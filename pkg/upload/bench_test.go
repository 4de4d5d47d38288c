package upload_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
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

// activations returns n activation lines carrying params, as the runtime's
// proxy writes them.
func activations(b *testing.B, params []byte, n int) *strings.Reader {
	line, err := json.Marshal(map[string]any{"value": json.RawMessage(params), "activation_id": "0123456789abcdef0123456789abcdef",
		"action_name": "/ns/vodflow/x", "namespace": "ns", "transaction_id": "t", "deadline": "4102444800000"})
	if err != nil {
		b.Fatal(err)
	}
	return strings.NewReader(strings.Repeat(string(line)+"\n", n))
}

// BenchmarkLookupActivation is one whole warm lookup-category activation
// through the action loop: the line read, the one decode, the secrets
// collected, the handler (category cached), the result and the log line.
func BenchmarkLookupActivation(b *testing.B) {
	_, url := newFake(b, map[string]any{"id": 11, "name": "vod"})
	h := upload.New().Lookup()
	params, _ := json.Marshal(base(url, map[string]any{"object_name": "uploads/clip.mp4"}))
	_ = action.Serve(context.Background(), action.Options{In: activations(b, params, 1), Out: io.Discard}, h) // warm the cache
	in := activations(b, params, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	if err := action.Serve(context.Background(), loopOptions(in), h); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAddFilesActivation is one whole add-files activation through the
// action loop, against an in-process server over loopback.
func BenchmarkAddFilesActivation(b *testing.B) {
	_, url := newFake(b)
	h := upload.New().AddFiles()
	params, _ := json.Marshal(base(url, map[string]any{"category_id": "11", "bucket_name": "uploads", "file_name": "uploads/clip.mp4", "DEDUP_WINDOW": 0}))
	in := activations(b, params, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	if err := action.Serve(context.Background(), loopOptions(in), h); err != nil {
		b.Fatal(err)
	}
}

// loopOptions are the loop's options with an environment of their own, as
// the binary has (the envelope's deadline and id reach the handler).
func loopOptions(in io.Reader) action.Options {
	env := map[string]string{}
	return action.Options{In: in, Out: io.Discard, Log: io.Discard,
		Getenv: func(k string) string { return env[k] }, Setenv: func(k, v string) error { env[k] = v; return nil }}
}
