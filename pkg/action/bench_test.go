package action_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/vodflow/vodflow/pkg/action"
)

// BenchmarkServe is the plumbing's cost per activation: read the line,
// export __OW_* variables, decode, run a trivial handler, write the
// result and the log line.
func BenchmarkServe(b *testing.B) {
	line := `{"value":{"name":"a","NCLOUD_SECRET_KEY":"SK-secret-value-123"},"activation_id":"x1","deadline":"4102444800000"}` + "\n"
	input := strings.Repeat(line, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	err := action.Serve(context.Background(), action.Options{In: strings.NewReader(input), Out: io.Discard, Log: io.Discard}, action.Simple(greet))
	if err != nil {
		b.Fatal(err)
	}
}
