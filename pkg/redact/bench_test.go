package redact_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/redact"
)

// benchResult is a 2 KB action result, shaped like add-files' answer.
func benchResult(tb testing.TB) string {
	files := make([]map[string]any, 0, 16)
	for i := range 16 {
		files = append(files, map[string]any{"id": 1000 + i, "path": fmt.Sprintf("uploads/2024/07/lecture-%02d.mp4", i), "status": "submitted"})
	}
	b, err := json.Marshal(map[string]any{"ok": true, "category_id": 4242, "notification": "https://gw.example/vodflow/v1/callback", "files": files})
	require.NoError(tb, err)
	for len(b) < 2048 {
		b = append(b[:len(b)-1], `,"pad":"lorem ipsum dolor sit amet"}`...)
	}
	return string(b[:2048])
}

// BenchmarkString scrubs a 2 KB result with 4 known secrets and no match:
// the warm action path on every result and log line.
func BenchmarkString(b *testing.B) {
	s := redact.New("SNTBEN-ncloud-secret-key-0123456789", "SNTBEN-callback-token-abcdef", "SNTBEN-webhook-secret-xyz", "SNTBEN-playback-token-key")
	text := benchResult(b)
	require.Equal(b, text, s.String(text), "precondition: nothing matches")
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = s.String(text)
	}
}

// BenchmarkStringMatch is BenchmarkString with one secret in the text.
func BenchmarkStringMatch(b *testing.B) {
	s := redact.New("SNTBEN-ncloud-secret-key-0123456789", "SNTBEN-callback-token-abcdef", "SNTBEN-webhook-secret-xyz", "SNTBEN-playback-token-key")
	text := benchResult(b)
	text = text[:1000] + "SNTBEN-callback-token-abcdef" + text[1000:]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = s.String(text)
	}
}
