// Package openwhisktest is a test double of the Apache OpenWhisk REST API
// subset vodflow deploys with (/api/v1/namespaces/_/{packages,actions,
// triggers,rules}): an httptest server that checks Basic auth, records
// every request, stores entities by name as PUT ?overwrite=true does,
// sets rule state, invokes through a hook (502 for a result with an
// "error" key, as the controller answers a blocking invoke), and fails
// chosen requests on demand.
//
// It is used by the tests of pkg/owdeploy and the vodflow tool only.
package openwhisktest
