// Package deploy owns what the deploy targets share: a deployment as an
// ordered list of steps (one per resource: package, action, sequence,
// trigger, link or rule), printing them as a plan with secrets masked,
// applying them with one progress line per step, and the StepError that
// names the failed resource and what was already applied.
//
// The targets themselves live in pkg/ncpfunctions (NAVER Cloud Functions
// REST API v2.1) and pkg/owdeploy (Apache OpenWhisk through
// openwhisk-client-go).
package deploy
