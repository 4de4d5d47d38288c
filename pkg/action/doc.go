// Package action owns the OpenWhisk actionloop plumbing that every vodflow
// action binary runs: the protocol with the runtime's proxy, decoding of the
// activation's parameters into a typed input, the activation's deadline, and
// the translation of a handler's result or error into the one JSON line the
// platform reads.
//
// The protocol (apache/openwhisk-runtime-go docs/ACTION.md): when
// __OW_WAIT_FOR_ACK is set, the action first writes {"ok":true} and a newline
// on file descriptor 3. Then, forever, it reads one JSON line from stdin —
// {"value": {...params}, "activation_id": "...", "deadline": "<epoch ms>", ...}
// — exports each string field but "value" as __OW_<FIELD> in its
// environment, runs the handler on "value" and writes exactly one JSON line
// (an object) on file descriptor 3.
//
// A returned error becomes {"error": {"message", "code", "status"}}: the
// "error" key is what makes OpenWhisk stop a sequence, and a success result
// never carries one. A panic becomes an error result and the loop keeps
// serving. Each activation logs one structured JSON line on stderr with its
// activation id — never its parameters — and values of secret-named
// parameters are scrubbed from that line and from the result.
package action
