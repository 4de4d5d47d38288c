// Package owdeploy owns deploying vodflow to Apache OpenWhisk through
// github.com/apache/openwhisk-client-go: the API host and auth key (from
// flags or ~/.wskprops, read as the wsk CLI reads it), and the steps
// that create or update (overwrite=true) the package, the actions (zips
// with exec + exec.env for the chosen Go kind), the sequence, the
// trigger and the rule, set active. It also invokes an action or
// sequence, blocking, for its result.
//
// Reference: https://github.com/apache/openwhisk/blob/master/docs/rest_api.md
package owdeploy
