// Package action owns the edge of every vodflow action binary: the
// OpenWhisk actionloop protocol with the runtime's proxy, the one decode of
// each activation's parameters, the activation's deadline, the secrets it
// carries, and the translation of a handler's result or error into the one
// JSON line the platform reads.
//
// # Protocol
//
// (apache/openwhisk-runtime-go docs/ACTION.md) When __OW_WAIT_FOR_ACK is
// set, the action first writes {"ok":true} and a newline on file
// descriptor 3. Then, forever, it reads one JSON line from stdin —
// {"value": {...params}, "activation_id": "...", "deadline": "<epoch ms>", ...}
// — exports each string (or number) field but "value" as __OW_<FIELD>,
// runs the handler and writes exactly one JSON line (an object) on file
// descriptor 3. The deadline may be a string (what the invoker sends) or a
// number (what ACTION.md documents).
//
// # One decode, one rule for keys
//
// The value is decoded once into a map of raw values ([Params]) and split by
// key into three parts:
//   - configuration: keys of upper-case letters, digits and underscores that
//     start with a letter (NCLOUD_SECRET_KEY, CATEGORY_NAME): the parameters
//     bound to the action or package at deploy time;
//   - the web request: keys starting with "__ow_" (a web action's method,
//     headers, path, query and body);
//   - the payload: every other key (the upload event, or the previous
//     action's result in a sequence).
//
// Keys match exactly, case included, as they do on the platform. A
// [Handler]'s Decode turns the parts into typed configuration and typed
// input, validated, once; an error there names the field and is returned
// by the edge, never parked in the input for later.
//
// # Unknown parameters
//
// [Params.DecodeConfig] records the struct types it decodes into, so once
// Decode has returned the edge knows which configuration keys the handler
// reads. Any other UPPER_CASE key (a typo such as INPUT_PREFX) is warned
// about, with the closest name the handler reads: in the activation's log
// line ("parameter_warnings") and, for a JSON object result, in its
// top-level "warnings" list of strings (created, or appended to). A web
// action's answer ({statusCode, headers, body}) is left as it is; the log
// line still warns. Lower-case and __ow_ keys are never parameters, and a
// handler that decodes no configuration, or decodes it into a map, gets no
// warning. Nothing is decoded twice: the check is map lookups on the
// already-split configuration.
//
// # Results, errors and secrets
//
// A returned error becomes {"error": {"message", "code", "status"}}: the
// "error" key is what makes OpenWhisk stop a sequence, and a success never
// carries one. A panic becomes an error result and the loop keeps serving.
// A result over [MaxResultBytes] (the platform truncates it and records a
// failure) becomes an error result that says so; handlers keep their
// results bounded so this never happens to a success.
//
// Every secret of the activation (secret-named parameters, secrets inside
// URL parameters, the OpenWhisk API key) is collected into a redact.Set
// before the handler runs, put in the handler's context (redact.FromContext,
// for the clients and senders that write outputs of their own), and
// scrubbed from the result and the one structured log line each activation
// writes on stderr.
package action
