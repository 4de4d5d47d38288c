// Package bench owns `vodflow bench`: measuring how close vodflow's actions
// are to the cost floor of NAVER Cloud Functions (memory × time per
// activation, cold starts) and of VOD Station (API calls per upload).
//
// [Run] builds the actions (the binaries for this machine, and the release
// zips for linux/amd64 exactly as `vodflow build` makes them), starts the
// VOD Station emulator (package vodstationtest) on loopback behind a
// middleware that times every request inside the emulator, and drives the
// real binaries over the actionloop protocol (package actionproxy), the
// upload sequence with the platform's parameter merge (package sequence).
// It measures, per action:
//
//   - cold start: process start → ack, and → first result;
//   - warm activation time, median and p99: the activation's wall time
//     through the actionloop minus the emulator's service time of the API
//     calls made during it;
//   - API calls per upload, for a cold and for warm containers, from the
//     emulator's own call records;
//   - peak RSS (VmHWM) of every action process it ran, and RSS growth and
//     CPU time per activation of one warm process between activation 1,000
//     and the last;
//   - the size of each release zip;
//
// and, with a burst ([Config.Burst], or [RunBurst] alone), the throughput
// of many concurrent uploads through pools of warm processes, optionally
// with a fraction of add-files answers throttled (429), and the burst's
// integrity from the emulator's records: submitted, duplicates, lost.
//
// The result is a [Report] (JSON-tagged, so `vodflow bench --json` is its
// encoding) whose [Report.Checks] put each figure next to its target.
// Speed is reported, never asserted: tests of this package assert counts.
package bench
