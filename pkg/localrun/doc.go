// Package localrun owns running vodflow on a laptop the way NAVER Cloud
// Functions runs it: each action is its real binary, started and driven
// over the actionloop protocol (package actionproxy) in a warm process that
// serves activation after activation, and the upload sequence merges
// parameters and stops on an error result as the platform does (package
// sequence), with the defaults of a params file (package paramsfile).
//
// `vodflow local`, the end-to-end tests and `vodflow bench` all use it.
package localrun
