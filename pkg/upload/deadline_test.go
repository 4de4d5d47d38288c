package upload_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
)

// TestAddFilesDeadline: the activation's deadline, given as a number (as
// the runtime's ACTION.md documents) or as a string (as the invoker sends
// it), bounds add-files: against a VOD Station that holds add-files for
// 4 s, an activation with 1 s left ends with a timeout error result
// instead of waiting.
func TestAddFilesDeadline(t *testing.T) {
	for _, kind := range []string{"number", "string"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			vod, url := newFake(t)
			vod.addDelay = 4 * time.Second
			ms := time.Now().Add(time.Second).UnixMilli()
			var deadline any = ms
			if kind == "string" {
				deadline = strconv.FormatInt(ms, 10)
			}
			line := mustJSON(t, map[string]any{
				"value":         base(url, map[string]any{"category_id": "3", "file_name": "in/a.mp4"}),
				"activation_id": "deadline-" + kind,
				"deadline":      deadline,
			})
			require.Contains(t, string(line), fmt.Sprintf(`"deadline":%s`, mustJSON(t, deadline)))

			raw := serveLine(t, fast().AddFiles(), line)

			// The handler has returned; the fake must still be holding the
			// request (it got it, and its delay did not run out).
			select {
			case <-vod.delayed:
			default:
				t.Fatal("add-files never reached VOD Station")
			}
			select {
			case <-vod.delayEnded:
				t.Fatal("the handler waited for VOD Station's 4 s delay: the deadline was not applied")
			default:
			}
			var res action.ErrorResult
			require.NoError(t, json.Unmarshal(raw, &res), string(raw))
			assert.Equal(t, action.CodeTimeout, res.Error.Code, string(raw))
			assert.Equal(t, 504, res.Error.Status)
		})
	}
}
