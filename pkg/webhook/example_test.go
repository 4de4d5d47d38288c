package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// A receiver verifies the raw body before decoding it, and drops events it
// has already seen: delivery is at least once.
func ExampleVerify() {
	const secret = "whsec_example"

	var (
		mu   sync.Mutex
		seen = map[string]bool{}
	)
	receive := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, 5*time.Minute); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev webhook.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		mu.Lock()
		dup := seen[ev.ID]
		seen[ev.ID] = true
		mu.Unlock()
		if dup {
			fmt.Println("duplicate dropped:", ev.ID)
		} else {
			fmt.Println("received:", ev.Type, ev.ID, ev.Playback.HLS)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(receive)
	defer srv.Close()

	ev := webhook.Event{
		ID:       webhook.NewID(webhook.TypeFileComplete, "file-42"),
		Type:     webhook.TypeFileComplete,
		FileID:   "file-42",
		Playback: &webhook.Playback{HLS: "https://cdn.example/42/index.m3u8"},
	}
	ctx := context.Background()

	sender, err := webhook.NewSender(srv.URL+"/vodflow", signing.NewSecret(secret))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sender.Send(ctx, ev)) // delivered
	fmt.Println(sender.Send(ctx, ev)) // the same event again

	forger, err := webhook.NewSender(srv.URL+"/vodflow", signing.NewSecret("not-the-secret"))
	if err != nil {
		fmt.Println(err)
		return
	}
	var de *webhook.DeliveryError
	if errors.As(forger.Send(ctx, ev), &de) {
		fmt.Println("forged event refused:", de.StatusCode, "after", de.Attempts, "attempt")
	}
	// Output:
	// received: file_complete evt_44a09d655f5e0bf45dee078a1031d4ef https://cdn.example/42/index.m3u8
	// <nil>
	// duplicate dropped: evt_44a09d655f5e0bf45dee078a1031d4ef
	// <nil>
	// forged event refused: 401 after 1 attempt
}
