package vodstationtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"
)

// Signature v2 header names (ncp-api.md §1.1).
const (
	HeaderTimestamp = "x-ncp-apigw-timestamp"
	HeaderAccessKey = "x-ncp-iam-access-key"
	HeaderSignature = "x-ncp-apigw-signature-v2"
)

// TimestampWindow is how far x-ncp-apigw-timestamp may be from the
// emulator's clock. A difference of exactly TimestampWindow is rejected
// ("5 minutes or more", ncp-api.md §1.1).
const TimestampWindow = 5 * time.Minute

// signature returns Base64(HMAC-SHA256(secretKey, method + " " + requestURI +
// "\n" + timestamp + "\n" + accessKey)), the value the gateway expects in
// x-ncp-apigw-signature-v2. It is deliberately written here, independent of
// the project's signing package, and unexported so that no client signs
// with it.
func signature(secretKey, method, requestURI, timestamp, accessKey string) string {
	mac := hmac.New(sha256.New, []byte(secretKey))
	// hash.Hash.Write never returns an error.
	mac.Write([]byte(method))
	mac.Write([]byte{' '})
	mac.Write([]byte(requestURI))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(accessKey))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// authenticate checks the signature v2 headers of r as received: the string
// to sign uses r.Method and r.URL.RequestURI() (path plus "?query" only when
// the request line had one). It returns "" when r is authentic, else the
// details for the 401 body. The details never contain the expected
// signature or the secret.
func (e *Emulator) authenticate(r *http.Request) string {
	ts := r.Header.Get(HeaderTimestamp)
	ak := r.Header.Get(HeaderAccessKey)
	sig := r.Header.Get(HeaderSignature)
	switch {
	case ts == "":
		return "missing header " + HeaderTimestamp
	case ak == "":
		return "missing header " + HeaderAccessKey
	case sig == "":
		return "missing header " + HeaderSignature
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "timestamp is not a number of milliseconds; it is outside the 5-minute window"
	}
	diff := e.clock().UnixMilli() - ms
	if diff < 0 {
		diff = -diff
	}
	if diff >= TimestampWindow.Milliseconds() {
		return "timestamp is outside the 5-minute window"
	}
	// Compare the key in constant time too; it is not secret, but it costs
	// nothing.
	if e.opts.AccessKey == "" || !hmac.Equal([]byte(ak), []byte(e.opts.AccessKey)) {
		return "unknown access key"
	}
	want := signature(e.opts.SecretKey, r.Method, r.URL.RequestURI(), ts, ak)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "signature does not match the request (method, request URI, timestamp, access key)"
	}
	return ""
}
