package callback_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// TestDecideSigns: with a signer every playback URL of every event (per
// rendition, ready, file_complete's adaptive URL, HLS and DASH) carries a
// token that covers its stream, the poster is left as is, the ids are
// those of the unsigned decision, and the time is a fact (two decisions
// at the same time are equal).
func TestDecideSigns(t *testing.T) {
	const sd, hd = "AVC_SD_1Pass_30fps", "AVC_HD_1Pass_30fps"
	dir := "https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/"
	yes := true
	at := time.Unix(1700000000, 0)
	for _, typ := range []string{edgetoken.TypeSecureToken, edgetoken.TypeJWT} {
		t.Run(typ, func(t *testing.T) {
			sg, err := edgetoken.NewSigner(typ, "52a152a152a152a1", "", 2*time.Hour)
			require.NoError(t, err)
			facts := func(sign *callback.Sign) callback.Facts {
				return callback.Facts{
					Callback: callback.Callback{CategoryID: "7", FileID: "42", FilePath: "in/a b.mp4", EncodingOptionID: "2", OutputType: hd,
						Status: callback.StatusComplete, Link: dir + "a b_" + hd + ".mp4"},
					RenditionsKnown: true, ABR: playback.ABRSmil, Poster: callback.PosterAuto,
					Renditions: []vodstation.OutputStatus{
						{EncodingOptionID: "1", OutputType: sd, Status: "COMPLETE", Link: dir + "a b_" + sd + ".mp4"},
						{EncodingOptionID: "2", OutputType: hd, Status: "COMPLETE", Link: dir + "a b_" + hd + ".mp4"},
					},
					Playback: &playback.Config{Domain: cbEdge, EncryptedBucket: cbEncrypt, Protocols: []string{"HLS", "DASH"}},
					Status:   &vodstation.FileStatus{FileID: "42", FilePath: "in/a b.mp4", BucketName: "in-bucket", Thumbnail: &yes},
					Sign:     sign,
				}
			}
			plain := callback.Decide(facts(nil))
			signed := callback.Decide(facts(&callback.Sign{Signer: sg, At: at}))
			assert.Equal(t, signed, callback.Decide(facts(&callback.Sign{Signer: sg, At: at})), "pure")
			require.Len(t, signed.Events, 3)
			assert.Empty(t, signed.Warnings)
			assert.Equal(t, at.Add(2*time.Hour), signed.ExpiresAt)
			assert.Empty(t, plain.Public)
			var urls []string
			for i, ev := range signed.Events {
				assert.Equal(t, plain.Events[i].ID, ev.ID, "ids do not depend on the token")
				assert.Equal(t, plain.Events[i].Poster, ev.Poster, "the poster is not signed")
				for _, p := range []*webhook.Playback{ev.Playback, rendPlayback(ev)} {
					if p != nil {
						urls = append(urls, p.HLS, p.DASH)
					}
				}
				for _, r := range ev.Renditions {
					urls = append(urls, r.Playback.HLS, r.Playback.DASH)
				}
			}
			assert.NotEmpty(t, signed.Events[2].Poster)
			require.Len(t, urls, 12)
			for _, u := range urls {
				pu, err := url.Parse(u)
				require.NoError(t, err, u)
				tok := edgetoken.FromRequest(sg.Name, pu.RawQuery, "")
				require.NotEmpty(t, tok, u)
				assert.Contains(t, signed.Public, tok)
				unsignedURL := strings.TrimSuffix(u, "?"+sg.Name+"="+tok)
				assert.NotEqual(t, u, unsignedURL)
				// The manifest and a segment below it are covered.
				req := edgetoken.Request{Path: pu.EscapedPath(), Now: at.Add(time.Hour)}
				assert.NoError(t, sg.Verify(tok, req), u)
				req.Path = pu.EscapedPath()[:strings.LastIndex(pu.EscapedPath(), "/")] + "/seg0.m4s"
				assert.NoError(t, sg.Verify(tok, req), u)
				req.Now = at.Add(2 * time.Hour)
				assert.ErrorIs(t, sg.Verify(tok, req), edgetoken.ErrExpired)
			}
			assert.Equal(t, strings.Split(plain.Events[2].Playback.HLS, "?")[0], strings.Split(signed.Events[2].Playback.HLS, "?")[0])
		})
	}
}

func rendPlayback(ev webhook.Event) *webhook.Playback {
	if ev.Rendition == nil {
		return nil
	}
	return ev.Rendition.Playback
}
