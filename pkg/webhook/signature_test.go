package webhook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/webhook"
)

const testSecret = "whsec_test"

var (
	testBody = []byte(`{"id":"evt_1"}`)
	testTime = time.Unix(1700000000, 0)
)

// Known answer computed outside Go with
// printf '%s' '1700000000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac 'whsec_test'
func TestSignKnownAnswer(t *testing.T) {
	got := webhook.Sign(testSecret, testTime, testBody)
	assert.Equal(t, "t=1700000000,v1=c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925", got)
}

func TestSignTruncatesToSeconds(t *testing.T) {
	got := webhook.Sign(testSecret, testTime.Add(999*time.Millisecond), testBody)
	assert.Equal(t, webhook.Sign(testSecret, testTime, testBody), got)
}

func TestVerify(t *testing.T) {
	header := webhook.Sign(testSecret, testTime, testBody)
	tol := 5 * time.Minute
	tests := []struct {
		name      string
		secret    string
		header    string
		body      []byte
		tolerance time.Duration
		now       time.Time
		want      error // nil: passes
	}{
		{"round trip", testSecret, header, testBody, tol, testTime, nil},
		{"round trip, sub-second clock", testSecret, header, testBody, tol, testTime.Add(900 * time.Millisecond), nil},
		{"tampered body", testSecret, header, []byte(`{"id":"evt_2"}`), tol, testTime, webhook.ErrSignatureMismatch},
		{"appended body", testSecret, header, append(append([]byte{}, testBody...), ' '), tol, testTime, webhook.ErrSignatureMismatch},
		{"tampered timestamp", testSecret, strings.Replace(header, "t=1700000000", "t=1700000001", 1), testBody, tol, testTime, webhook.ErrSignatureMismatch},
		{"wrong secret", "whsec_other", header, testBody, tol, testTime, webhook.ErrSignatureMismatch},
		{"empty secret", "", header, testBody, tol, testTime, webhook.ErrNoSecret},
		{"stale: in the past", testSecret, header, testBody, tol, testTime.Add(time.Hour), webhook.ErrTimestamp},
		{"stale: in the future", testSecret, header, testBody, tol, testTime.Add(-time.Hour), webhook.ErrTimestamp},
		{"exactly at tolerance, past", testSecret, header, testBody, tol, testTime.Add(tol), nil},
		{"exactly at tolerance, future", testSecret, header, testBody, tol, testTime.Add(-tol), nil},
		{"one second beyond, past", testSecret, header, testBody, tol, testTime.Add(tol + time.Second), webhook.ErrTimestamp},
		{"one second beyond, future", testSecret, header, testBody, tol, testTime.Add(-tol - time.Second), webhook.ErrTimestamp},
		{"zero tolerance means default: inside", testSecret, header, testBody, 0, testTime.Add(webhook.DefaultTolerance), nil},
		{"zero tolerance means default: beyond", testSecret, header, testBody, 0, testTime.Add(webhook.DefaultTolerance + time.Second), webhook.ErrTimestamp},
		{"negative tolerance means default", testSecret, header, testBody, -time.Second, testTime.Add(time.Minute), nil},
		{"custom tolerance", testSecret, header, testBody, 10 * time.Second, testTime.Add(11 * time.Second), webhook.ErrTimestamp},
		{"stale and forged: mismatch first", "whsec_other", header, testBody, tol, testTime.Add(time.Hour), webhook.ErrSignatureMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.VerifyAt(tt.secret, tt.header, tt.body, tt.tolerance, tt.now)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "webhook: verify: "), err.Error())
		})
	}
}

func TestVerifyUsesCurrentTime(t *testing.T) {
	now := time.Now()
	assert.NoError(t, webhook.Verify(testSecret, webhook.Sign(testSecret, now, testBody), testBody, 0))
	err := webhook.Verify(testSecret, webhook.Sign(testSecret, now.Add(-time.Hour), testBody), testBody, 0)
	assert.ErrorIs(t, err, webhook.ErrTimestamp)
}

func TestVerifyTimestampErrorSaysByHowMuch(t *testing.T) {
	header := webhook.Sign(testSecret, testTime, testBody)
	err := webhook.VerifyAt(testSecret, header, testBody, 5*time.Minute, testTime.Add(6*time.Minute))
	require.ErrorIs(t, err, webhook.ErrTimestamp)
	assert.Equal(t, "webhook: verify: signature timestamp outside tolerance: signed 360s old, 60s beyond the tolerance of 5m0s", err.Error())

	err = webhook.VerifyAt(testSecret, header, testBody, 5*time.Minute, testTime.Add(-301*time.Second))
	require.ErrorIs(t, err, webhook.ErrTimestamp)
	assert.Contains(t, err.Error(), "signed 301s in the future, 1s beyond")
}

func TestVerifyRotation(t *testing.T) {
	oldSig := webhook.Sign("whsec_old", testTime, testBody)
	newSig := webhook.Sign("whsec_new", testTime, testBody)
	v1 := func(h string) string { return h[strings.Index(h, "v1="):] }
	header := oldSig + "," + v1(newSig) // t=...,v1=<old>,v1=<new>

	for _, secret := range []string{"whsec_old", "whsec_new"} {
		assert.NoError(t, webhook.VerifyAt(secret, header, testBody, 0, testTime), secret)
	}
	assert.ErrorIs(t, webhook.VerifyAt("whsec_other", header, testBody, 0, testTime), webhook.ErrSignatureMismatch)
}

func TestVerifyHeaderSyntax(t *testing.T) {
	sig := webhook.Sign(testSecret, testTime, testBody)
	hexSig := sig[strings.Index(sig, "v1=")+3:]
	otherHex := strings.Repeat("ab", 32)
	tests := []struct {
		name   string
		header string
		want   error // nil: passes
	}{
		{"as signed", sig, nil},
		{"order-independent", "v1=" + hexSig + ",t=1700000000", nil},
		{"unknown keys ignored", "t=1700000000,v0=zz,scheme=x,v1=" + hexSig, nil},
		{"spaces around items tolerated", " t=1700000000 , v1=" + hexSig + " ", nil},
		{"spaces around = tolerated", "t = 1700000000,v1 =\t" + hexSig, nil},
		{"empty items ignored", ",t=1700000000,,v1=" + hexSig + ",", nil},
		{"item without = ignored", "garbage,t=1700000000,v1=" + hexSig, nil},
		{"uppercase hex accepted", "t=1700000000,v1=" + strings.ToUpper(hexSig), nil},
		{"first of two v1 matches", "t=1700000000,v1=" + hexSig + ",v1=" + otherHex, nil},
		{"second of two v1 matches", "t=1700000000,v1=" + otherHex + ",v1=" + hexSig, nil},
		{"leading zeros in t are signed as sent", "t=01700000000,v1=" + hexSig, webhook.ErrSignatureMismatch},

		{"empty", "", webhook.ErrNoSignature},
		{"blank", "  ", webhook.ErrNoSignature},
		{"no t", "v1=" + hexSig, webhook.ErrMalformedHeader},
		{"no v1", "t=1700000000", webhook.ErrMalformedHeader},
		{"only unknown keys", "a=b,c=d", webhook.ErrMalformedHeader},
		{"t empty", "t=,v1=" + hexSig, webhook.ErrMalformedHeader},
		{"t not numeric", "t=abc,v1=" + hexSig, webhook.ErrMalformedHeader},
		{"t negative", "t=-1700000000,v1=" + hexSig, webhook.ErrMalformedHeader},
		{"t with sign", "t=+1700000000,v1=" + hexSig, webhook.ErrMalformedHeader},
		{"t fractional", "t=1700000000.5,v1=" + hexSig, webhook.ErrMalformedHeader},
		{"t out of range", "t=99999999999999999999,v1=" + hexSig, webhook.ErrMalformedHeader},
		{"t twice", "t=1700000000,t=1700000000,v1=" + hexSig, webhook.ErrMalformedHeader},
		{"v1 not hex", "t=1700000000,v1=not-hex", webhook.ErrMalformedHeader},
		{"v1 odd length", "t=1700000000,v1=abc", webhook.ErrMalformedHeader},
		{"v1 empty", "t=1700000000,v1=", webhook.ErrMalformedHeader},
		{"one bad v1 among good", "t=1700000000,v1=" + hexSig + ",v1=xyz", webhook.ErrMalformedHeader},
		{"v1 hex but wrong", "t=1700000000,v1=" + otherHex, webhook.ErrSignatureMismatch},
		{"v1 hex but short", "t=1700000000,v1=" + hexSig[:10], webhook.ErrSignatureMismatch},
		{"base64 instead of hex", "t=1700000000,v1=yJIUtbXagz3a1vC4xbtr1YzqkCK9gMzHgjDzlC1jKSU=", webhook.ErrMalformedHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.VerifyAt(testSecret, tt.header, testBody, 0, testTime)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			// A malformed header is never reported as anything else.
			for _, other := range []error{webhook.ErrNoSignature, webhook.ErrMalformedHeader, webhook.ErrSignatureMismatch, webhook.ErrTimestamp} {
				if other != tt.want {
					assert.NotErrorIs(t, err, other)
				}
			}
		})
	}
}

func TestVerifyErrorsNeverShowSecretOrSignature(t *testing.T) {
	const secret = "whsec_SUPER_SECRET_VALUE"
	sig := webhook.Sign(secret, testTime, testBody)
	hexSig := sig[strings.Index(sig, "v1=")+3:]
	headers := []string{
		"", "t=1", "v1=" + hexSig, "t=x,v1=" + hexSig, "t=1700000000,v1=" + hexSig + "zz",
		webhook.Sign("whsec_other", testTime, testBody), sig,
	}
	for _, h := range headers {
		for _, now := range []time.Time{testTime, testTime.Add(time.Hour)} {
			err := webhook.VerifyAt(secret, h, []byte("tampered"), 0, now)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, err.Error(), hexSig)
		}
	}
	err := webhook.VerifyAt(secret, sig, testBody, 0, testTime.Add(time.Hour))
	require.ErrorIs(t, err, webhook.ErrTimestamp)
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, err.Error(), hexSig)
}
