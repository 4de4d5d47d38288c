package callback_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/playback"
)

// TestDecideSignsADASHOnlyChannel: with PLAYBACK_PROTOCOLS=DASH there is
// no HLS URL to sign first; the DASH URL is still signed, never sent bare.
func TestDecideSignsADASHOnlyChannel(t *testing.T) {
	sg, err := edgetoken.NewSigner(edgetoken.TypeSecureToken, signKey, "", time.Hour)
	require.NoError(t, err)
	d := callback.Decide(callback.Facts{
		Callback: callback.Callback{FileID: "5", EncodingOptionID: "1", OutputType: "AVC_SD_1Pass_30fps",
			Status: callback.StatusComplete, Link: signLink},
		Playback: &playback.Config{Domain: cbEdge, EncryptedBucket: cbEncrypt, Protocols: []string{"DASH"}},
		Sign:     &callback.Sign{Signer: sg, At: time.Unix(1700000000, 0)},
	})
	require.NotNil(t, d.Playback)
	assert.Empty(t, d.Playback.HLS)
	require.NotEmpty(t, d.Playback.DASH)
	assert.Contains(t, d.Playback.DASH, "?"+sg.Name+"=", "the DASH URL carries its token")
	assert.Len(t, d.Public, 1)
	assert.Empty(t, d.Warnings)
}
