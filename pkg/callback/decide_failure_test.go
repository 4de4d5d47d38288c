package callback_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// TestDecideFailureMessage: encoding_failed's message says what VOD Station
// reported for which rendition of which file, then its reason: the
// message when it gives one, else the code; nothing more without either.
func TestDecideFailureMessage(t *testing.T) {
	const head = "VOD Station reported FAILURE for rendition AVC_HD_1Pass_30fps of file 42"
	for _, tt := range []struct {
		name    string
		failure vodstation.Failure
		want    string
	}{
		{"a code and a message", vodstation.Failure{Code: "TRANSCODING_ERROR", Message: "bad frame at 00:01"}, head + ": bad frame at 00:01"},
		{"a code only", vodstation.Failure{Code: "WRONG_INPUT_FILE"}, head + ": WRONG_INPUT_FILE"},
		{"a message only", vodstation.Failure{Message: "no video track"}, head + ": no video track"},
		{"neither", vodstation.Failure{}, head},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := callback.Decide(callback.Facts{
				Callback: callback.Callback{FileID: "42", EncodingOptionID: "2", OutputType: "AVC_HD_1Pass_30fps", Status: callback.StatusFailure},
				Status:   &vodstation.FileStatus{Failure: tt.failure},
			})
			require.Len(t, d.Events, 1)
			require.NotNil(t, d.Events[0].Error)
			assert.Equal(t, tt.want, d.Events[0].Error.Message)
			assert.Equal(t, tt.failure.Code, d.Events[0].Error.Reason)
		})
	}
}
