// Package ncpfunctionstest is a test double of the NAVER Cloud Functions
// management API v2.1 (/ncf/api/v2): an httptest server that checks the
// signature v2 of every request (recomputed with crypto/hmac, independent
// of pkg/signing), records every request, keeps packages, actions,
// triggers and links by name as PUT and link-action do, answers an
// existing link with NCP's DUPLICATED_RULE error, invokes through a
// hook, and fails chosen requests on demand.
//
// It is used by the tests of pkg/ncpfunctions and the vodflow tool only.
package ncpfunctionstest
