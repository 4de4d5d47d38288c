// Package manifest owns sequence.yaml: vodflow's deployment described in
// the wskdeploy manifest grammar (packages with inputs, actions,
// sequences, triggers and rules), its $VAR interpolation, and the
// resolved Deployment that `vodflow deploy` sends to NCP Cloud Functions
// or Apache OpenWhisk.
//
// The package reads the subset of the grammar vodflow uses and rejects
// any other key, so a manifest entry is never silently dropped. Values
// for $VAR and ${VAR} come from params.json (see [VarsFromParams]), not
// from the environment: a whole-value "$VAR" that is not set leaves the
// input unbound, so the action's own default applies; a name or an
// embedded ${VAR} that is not set is an error.
//
// Grammar: https://github.com/apache/openwhisk-wskdeploy/tree/master/specification
package manifest
