// Package webaction owns the shape of an OpenWhisk web action as vodflow
// sees it on NAVER Cloud Functions (behind an API Gateway HTTP trigger) and
// on Apache OpenWhisk: the request the platform passes as parameters
// (__ow_method, __ow_headers, __ow_path, __ow_query, __ow_body, raw or
// base64, or the body's fields merged into the parameters) and the answer
// an action returns (statusCode, headers, body).
//
// It also builds those parameters from an http.Request, which is how the
// local runner puts an action behind a loopback HTTP server.
package webaction
