package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock, in either direction, when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// Errors returned by [Verify] and [VerifyAt], wrapped with context; match
// them with errors.Is. None of their texts contains the secret or the
// signature.
var (
	// ErrNoSecret reports an empty secret. An empty secret never verifies
	// anything; [NewSender] refuses it too.
	ErrNoSecret = errors.New("secret is empty")
	// ErrNoSignature reports an empty signature header.
	ErrNoSignature = errors.New("no signature")
	// ErrMalformedHeader reports a signature header without t=, with a t
	// that is not a non-negative integer or appears twice, without v1=, or
	// with a v1 that is not hex.
	ErrMalformedHeader = errors.New("malformed signature header")
	// ErrTimestamp reports a signature timestamp outside the tolerance.
	ErrTimestamp = errors.New("signature timestamp outside tolerance")
	// ErrSignatureMismatch reports that no v1 signature matches the body.
	ErrSignatureMismatch = errors.New("signature mismatch")
)

// Sign returns the [SignatureHeader] value for body signed at t with secret:
// "t=<unix seconds>,v1=<lowercase hex HMAC-SHA256(secret, t + "." + body)>".
// The timestamp is t truncated to whole seconds.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// mac computes HMAC-SHA256(secret, ts + "." + body).
func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks header, a [SignatureHeader] value, against the raw body
// with secret, at the current time. It returns nil when one v1 signature
// matches and the timestamp is within tolerance of now (tolerance <= 0 means
// [DefaultTolerance]). See [VerifyAt] for the rules.
func Verify(secret, header string, body []byte, tolerance time.Duration) error {
	return VerifyAt(secret, header, body, tolerance, time.Now())
}

// VerifyAt is [Verify] with an explicit clock, for tests and replays.
//
// The header is a comma-separated list of key=value items in any order:
// exactly one t (decimal Unix seconds, digits only) and one or more v1 (hex
// HMAC-SHA256, either case); several v1 let a sender sign with an old and a
// new secret while the secret is rotated. Spaces and tabs around items, keys
// and values are ignored, as are empty items, items without "=" and unknown
// keys (room for future schemes). The signed string is the t value exactly as
// received, ".", and the body.
//
// Errors, in the order they are checked: [ErrNoSecret], [ErrNoSignature],
// [ErrMalformedHeader], [ErrSignatureMismatch] (the comparison is constant
// time, with hmac.Equal), then [ErrTimestamp]. The signature is checked
// before the timestamp, so ErrTimestamp means an authentic but stale (or
// future-dated) event, typically a replay. The timestamp check works in whole
// seconds: |now - t| <= tolerance passes.
func VerifyAt(secret, header string, body []byte, tolerance time.Duration, now time.Time) error {
	if secret == "" {
		return fmt.Errorf("webhook: verify: %w", ErrNoSecret)
	}
	if strings.TrimSpace(header) == "" {
		return fmt.Errorf("webhook: verify: %w", ErrNoSignature)
	}
	ts, unix, sigs, err := parseHeader(header)
	if err != nil {
		return fmt.Errorf("webhook: verify: %w", err)
	}
	want := mac(secret, ts, body)
	ok := false
	for _, s := range sigs {
		// Check every candidate so the time taken does not depend on
		// which one matched.
		if hmac.Equal(want, s) {
			ok = true
		}
	}
	if !ok {
		return fmt.Errorf("webhook: verify: %w", ErrSignatureMismatch)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	// unix >= 0 and now.Unix() is a real clock, so the difference cannot
	// overflow; compare in whole seconds.
	diff := now.Unix() - unix
	dir := "old"
	if diff < 0 {
		diff, dir = -diff, "in the future"
	}
	if limit := int64(tolerance / time.Second); diff > limit {
		return fmt.Errorf("webhook: verify: %w: signed %ds %s, %ds beyond the tolerance of %s",
			ErrTimestamp, diff, dir, diff-limit, tolerance)
	}
	return nil
}

// parseHeader splits a signature header into the raw t value, its integer
// value and the decoded v1 signatures. Its errors never quote the header.
func parseHeader(header string) (ts string, unix int64, sigs [][]byte, err error) {
	seenT := false
	for _, item := range strings.Split(header, ",") {
		k, v, found := strings.Cut(item, "=")
		if !found {
			continue
		}
		k, v = strings.Trim(k, " \t"), strings.Trim(v, " \t")
		switch k {
		case "t":
			if seenT {
				return "", 0, nil, fmt.Errorf("%w: more than one t", ErrMalformedHeader)
			}
			seenT = true
			if v == "" || strings.Trim(v, "0123456789") != "" {
				return "", 0, nil, fmt.Errorf("%w: t is not a non-negative integer", ErrMalformedHeader)
			}
			n, perr := strconv.ParseInt(v, 10, 64)
			if perr != nil {
				return "", 0, nil, fmt.Errorf("%w: t is out of range", ErrMalformedHeader)
			}
			ts, unix = v, n
		case "v1":
			b, derr := hex.DecodeString(v)
			if derr != nil || len(b) == 0 {
				return "", 0, nil, fmt.Errorf("%w: v1 is not hex", ErrMalformedHeader)
			}
			sigs = append(sigs, b)
		}
	}
	if !seenT {
		return "", 0, nil, fmt.Errorf("%w: no t", ErrMalformedHeader)
	}
	if len(sigs) == 0 {
		return "", 0, nil, fmt.Errorf("%w: no v1", ErrMalformedHeader)
	}
	return ts, unix, sigs, nil
}
