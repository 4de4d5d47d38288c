package callback_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// TestCallbackAnswerStatus: the action's Answer turns every failure into
// an HTTP answer with the status it deserves, whatever the error's type:
// the loop's own failures (413, 504, 500), a configuration parameter at
// fault (500), a refusal (its status, naming the callback), anything else
// (400, the caller's).
func TestCallbackAnswerStatus(t *testing.T) {
	answerOf := callback.New().Action().Answer
	require.NotNil(t, answerOf)
	for _, tt := range []struct {
		name       string
		err        error
		status     int
		fileID, cb string
	}{
		{"a plain error", errors.New("something odd"), http.StatusBadRequest, "", ""},
		{"a plain wrapped error", fmt.Errorf("decode: %w", errors.New("something odd")), http.StatusBadRequest, "", ""},
		{"too large", &action.Error{Code: action.CodeTooLarge, Message: "too large"}, http.StatusRequestEntityTooLarge, "", ""},
		{"timeout", &action.Error{Code: action.CodeTimeout, Message: "out of time"}, http.StatusGatewayTimeout, "", ""},
		{"internal", &action.Error{Code: action.CodeInternal, Message: "panicked"}, http.StatusInternalServerError, "", ""},
		{"invalid activation", &action.Error{Code: action.CodeInvalidActivation, Message: "not an object"}, http.StatusBadRequest, "", ""},
		{"configuration", action.Missing("NCLOUD_ACCESS_KEY"), http.StatusInternalServerError, "", ""},
		{"configuration, wrapped", fmt.Errorf("VERIFY_STATUS needs the VOD Station API: %w", action.Missing("NCLOUD_SECRET_KEY")), http.StatusInternalServerError, "", ""},
		{"a request field", action.Invalid("fileId", "not a number"), http.StatusBadRequest, "", ""},
		{"a request field in capitals but not a parameter name", action.Invalid("_1", "odd"), http.StatusBadRequest, "", ""},
		{"a refusal", &callback.Refusal{Status: http.StatusConflict, Message: "not confirmed", FileID: "42", CallbackStatus: "COMPLETE"}, http.StatusConflict, "42", "COMPLETE"},
		{"a wrapped refusal", fmt.Errorf("verify: %w", &callback.Refusal{Status: http.StatusBadGateway, Message: "no API"}), http.StatusBadGateway, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var resp = answerOf(context.Background(), tt.err)
			assert.Equal(t, tt.status, resp.StatusCode)
			var a answer
			require.NoError(t, json.Unmarshal([]byte(resp.Body), &a), resp.Body)
			assert.False(t, a.OK)
			assert.Equal(t, tt.err.Error(), a.Error)
			assert.Equal(t, tt.fileID, a.FileID)
			assert.Equal(t, tt.cb, a.Status)
		})
	}
}

// TestCallbackTooLarge: an activation over NCP's 1 MB is answered 413
// through the loop, and nothing is sent.
func TestCallbackTooLarge(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	big := `{"fileId":1,"status":"RUNNING","filePath":"` + strings.Repeat("a", action.MaxParamsBytes) + `"}`
	resp, logs := respond(t, callback.New(), l.request("token="+cbToken, big, nil))
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, resp.Body)
	assert.Contains(t, logs, `"status_code":413`)
	assert.Empty(t, l.receiver.Deliveries())
}
