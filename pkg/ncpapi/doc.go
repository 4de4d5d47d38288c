// Package ncpapi owns what every NCP API Gateway client of vodflow shares:
// a resty client that signs every request with signature v2 at the moment
// it is sent, and the two failures such a call can end in — the gateway's
// or service's error answer ([APIError], parsed tolerantly from JSON, HTML
// or plain text) and no answer at all ([TransportError]).
//
// The VOD Station client (package vodstation) and the Cloud Functions
// management client (package ncpfunctions) are built on it.
//
// Reference: https://api.ncloud-docs.com/docs/en/common-ncpapi
package ncpapi
