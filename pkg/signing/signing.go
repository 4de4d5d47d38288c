package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names used by signature v2.
const (
	HeaderTimestamp = "x-ncp-apigw-timestamp"
	HeaderAccessKey = "x-ncp-iam-access-key"
	HeaderSignature = "x-ncp-apigw-signature-v2"
)

// ErrMissingCredentials reports an access key or secret key that is empty.
var ErrMissingCredentials = errors.New("signing: access key and secret key are required")

// Credentials is an NCP API key pair. Its Secret never prints.
type Credentials struct {
	AccessKey string
	SecretKey Secret
}

// Valid reports ErrMissingCredentials when either half of the pair is empty.
func (c Credentials) Valid() error {
	if c.AccessKey == "" || c.SecretKey.Empty() {
		return ErrMissingCredentials
	}
	return nil
}

// StringToSign builds the signature v2 string to sign. requestURI is the path
// (with the service base path) plus "?query" when there is a query.
func StringToSign(method, requestURI string, timestamp time.Time, accessKey string) string {
	return method + " " + requestURI + "\n" + Timestamp(timestamp) + "\n" + accessKey
}

// Timestamp formats t as the decimal Unix time in milliseconds that NCP expects.
func Timestamp(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// Sign returns Base64(HMAC-SHA256(secret, stringToSign)).
func Sign(stringToSign string, secret Secret) string {
	mac := hmac.New(sha256.New, []byte(secret.value))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignRequest sets the three signature v2 headers on req, signing
// req.Method and req.URL.RequestURI() — the URI Go puts on the request line —
// at time now. The same timestamp goes into the header and the signature.
func SignRequest(req *http.Request, creds Credentials, now time.Time) error {
	if err := creds.Valid(); err != nil {
		return err
	}
	sig := Sign(StringToSign(req.Method, req.URL.RequestURI(), now, creds.AccessKey), creds.SecretKey)
	req.Header.Set(HeaderTimestamp, Timestamp(now))
	req.Header.Set(HeaderAccessKey, creds.AccessKey)
	req.Header.Set(HeaderSignature, sig)
	return nil
}

// RedactedHeader returns a copy of h that is safe to show: the signature is
// replaced by a placeholder. (The secret key is never in a header.)
func RedactedHeader(h http.Header) http.Header {
	out := h.Clone()
	for k := range out {
		if strings.EqualFold(k, HeaderSignature) {
			out[k] = []string{redacted}
		}
	}
	return out
}
