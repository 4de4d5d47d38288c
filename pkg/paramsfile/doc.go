// Package paramsfile owns params.json: the one file of deployment values
// that `vodflow local` and `vodflow deploy` both read — the package's
// default parameters (API keys, endpoint), each action's default
// parameters, the upload trigger's settings, and the optional deploy
// section (NCP platform, region or API URL, VPC and subnet numbers).
//
// params.json holds real keys and is git-ignored; params.example.json has
// the same shape with placeholders.
package paramsfile
