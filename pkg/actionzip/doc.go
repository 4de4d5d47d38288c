// Package actionzip owns the packaging of vodflow's actions: building each
// action as a static linux/amd64 binary and zipping it the way NCP Cloud
// Functions and Apache OpenWhisk accept a precompiled Go action — the
// binary as "exec" at the zip root, beside "exec.env" naming the runtime
// image (openwhisk/action-golang-v1.19 for NCP's go:1.19 kind).
//
// Builds are reproducible: the same sources give byte-identical zips
// (-trimpath, no build id, fixed file times and order).
package actionzip
