// Package sequence owns the OpenWhisk parameter and sequence semantics that
// vodflow reproduces locally: how default parameters are layered under an
// invocation's payload, and how a sequence feeds each component's result to
// the next component and stops at the first failure.
//
// Parameter precedence (highest first) is the one OpenWhisk and NAVER Cloud
// Functions document: parameters given at invocation, then the linked
// trigger's defaults, then the action's own defaults, then the package's
// defaults. Merging is a shallow key override ([Merge]).
//
// In a sequence ([Sequence.Run]) only the first component sees the payload
// (and the trigger defaults). Every later component sees only the previous
// component's result, with its own defaults and the package defaults merged
// underneath. A result object that has an "error" key, or a failure of the
// [Invoker] itself (crash, timeout), stops the sequence; that error becomes
// the sequence's result.
//
// The package does not run actions itself: an [Invoker] does, for example one
// backed by pkg/actionproxy.
//
// References: https://github.com/apache/openwhisk/blob/master/docs/actions.md
// ("Creating action sequences") and
// https://api.ncloud-docs.com/docs/en/compute-cloudfunctions-v2-putaction.
package sequence
