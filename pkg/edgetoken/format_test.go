package edgetoken

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignerNeverPrintsItsKey: no fmt verb shows a Signer's key, alone or
// inside a struct (as callback.Sign holds one).
func TestSignerNeverPrintsItsKey(t *testing.T) {
	for _, typ := range []string{TypeSecureToken, TypeJWT} {
		key := "5ec7e75ec7e75ec7"
		sg, err := NewSigner(typ, key, "", time.Hour)
		require.NoError(t, err)
		holder := struct {
			Signer Signer
			At     time.Time
		}{sg, time.Unix(0, 0)}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			for _, v := range []any{sg, &sg, holder, &holder} {
				out := fmt.Sprintf(verb, v)
				assert.NotContains(t, out, key, "%s of %T", verb, v)
				assert.NotContains(t, out, fmt.Sprint(sg.Key), "%s of %T: the key's bytes", verb, v)
				assert.NotContains(t, out, fmt.Sprintf("%x", sg.Key), "%s of %T: the key in hex", verb, v)
			}
		}
		assert.Equal(t, "edgetoken.Signer{"+typ+" "+DefaultName(typ)+" ttl 1h0m0s, key [redacted]}", sg.String())
	}
}
