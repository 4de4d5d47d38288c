// Package signing owns NCP API Gateway signature v2: the string to sign, the
// HMAC-SHA256 signature, the headers that carry them, and the Secret type that
// keeps a secret key out of logs, results and error texts.
//
// Every NCP "Ncloud API" call (VOD Station, the Cloud Functions management API)
// is signed the same way:
//
//	StringToSign = METHOD + " " + REQUEST_URI + "\n" + TIMESTAMP_MS + "\n" + ACCESS_KEY
//	Signature    = Base64(HMAC-SHA256(SECRET_KEY, StringToSign))
//
// REQUEST_URI is exactly what goes on the request line: the path including the
// service base path, plus "?" and the query only when there is a query. Sign
// requests with [SignRequest] after they are fully built, so that the signed
// URI is the one that is sent.
//
// The package imports only the standard library.
//
// Reference: https://api.ncloud-docs.com/docs/en/common-ncpapi
package signing
