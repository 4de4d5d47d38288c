// Package ncpfunctions owns vodflow's use of the NAVER Cloud Functions
// management REST API v2.1 (base path /ncf/api/v2, signed with signature
// v2 by pkg/signing): creating or updating (PUT, idempotent) the package,
// the actions, the sequence and the Object Storage trigger, linking the
// trigger to the sequence, and invoking an action or sequence.
//
// [Steps] turns a resolved manifest (pkg/manifest) into the deployment's
// steps (pkg/deploy). Every request goes out with ?platform=vpc|classic.
//
// Reference: https://api.ncloud-docs.com/docs/compute-cloudfunctions
package ncpfunctions
