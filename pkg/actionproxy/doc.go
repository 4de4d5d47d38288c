// Package actionproxy runs an OpenWhisk action binary the way the Go
// runtime's action proxy does, without a container: it owns the process, the
// "actionloop" protocol spoken with it and the capture of its logs. It is used
// by tests, by "vodflow local" and by "vodflow bench".
//
// The protocol, seen from the proxy (openwhisk-runtime-go, docs/ACTION.md and
// openwhisk/executor.go):
//
//   - The binary starts with stdin connected to a pipe, stdout and stderr
//     captured as logs, and file descriptor 3 set to the write end of a
//     result pipe.
//   - Its environment holds only __OW_* variables (no PATH, no HOME):
//     __OW_PROXY_VERSION, __OW_EXECUTION_ENV, __OW_WAIT_FOR_ACK, every
//     __OW_* variable of the proxy's own environment (such as __OW_API_HOST,
//     which the invoker sets on the container; [Options.ProxyEnviron]), plus
//     the init environment ([Options.Env]).
//   - The runtime image names its execution environment (OW_EXECUTION_ENV,
//     "openwhisk/action-golang-v1.19" in NCP's go:1.19 image), and the
//     proxy starts only an action whose exec.env, beside exec, holds exactly
//     that ([Options.ExecutionEnv]); otherwise /init answers 502 {"error":
//     "Cannot start action. Check logs for details."} and the logs say
//     "Expected exec.env should start with …". [Start] refuses such an
//     action with an [*ExecEnvError] carrying those texts; [Unzip] lays out
//     an action zip as /init does.
//   - With __OW_WAIT_FOR_ACK set, the action first writes {"ok":true} and a
//     newline on fd 3; [Start] waits for it.
//   - Each activation ([Process.Run]) is one JSON line on stdin,
//     {"value": params, "namespace", "action_name", "action_version",
//     "activation_id", "transaction_id", "deadline"}, where the deadline is
//     epoch milliseconds as a string, answered by one line on fd 3 that must
//     be a JSON object or array.
//
// As on the platform, an activation that runs past its deadline gets its
// process killed ([ErrTimeout]); later activations report that the process
// has exited ([ErrExited]). One [Process] serves one activation at a time; a
// [Pool] spreads concurrent activations over several processes of the same
// binary.
//
// Reference: https://github.com/apache/openwhisk-runtime-go/blob/master/docs/ACTION.md
package actionproxy
