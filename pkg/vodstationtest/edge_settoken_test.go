package vodstationtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/edgetoken"
)

// TestSetEdgeTokenTurnsTheCheckOnAndOff: an emulator started without
// EdgeToken serves unsigned URLs until SetEdgeToken, then only signed
// ones; SetEdgeToken(nil) turns the check off again. A change to the
// signer given does not change the check.
func TestSetEdgeTokenTurnsTheCheckOnAndOff(t *testing.T) {
	fx := newEdgeFixture(t, Options{FFmpeg: "none"})
	sg, err := edgetoken.NewSigner(edgetoken.TypeSecureToken, "0a1b2c3d4e5f", "vt", time.Hour)
	require.NoError(t, err)
	signed, _ := signPlayback(t, sg, fx.master, "", fixedNow)

	code, body := fetch(t, fx.master, "")
	assert.Equal(t, http.StatusOK, code, body)
	fx.s.SetEdgeToken(&sg)
	sg.Key = []byte("changed after")
	code, body = fetch(t, fx.master, "")
	assert.Equal(t, http.StatusForbidden, code, body)
	assert.Contains(t, body, "no vt token")
	code, body = fetch(t, signed, "")
	assert.Equal(t, http.StatusOK, code, body)
	fx.s.SetEdgeToken(nil)
	code, body = fetch(t, fx.master, "")
	assert.Equal(t, http.StatusOK, code, body)
}
