// Package vodstationtest provides an in-memory emulator of the NAVER Cloud
// Platform VOD Station API and of the API gateway in front of it.
//
// It is a TEST DOUBLE. It is used by the project's tests and by the quick
// start (`vodflow emulator --addr 127.0.0.1:8090`) and must never be a
// default endpoint for code that talks to real NCP. Nothing in it is
// encrypted, persisted or rate limited unless a test asks for it.
//
// The package owns:
//
//   - gateway behaviour: signature v2 verification (written here with
//     crypto/hmac on purpose, independent of the project's signing package,
//     so that one bug cannot hide behind the same bug), the 5-minute
//     timestamp window, the 2 MiB body cap and the gateway error bodies
//     `{"error":{"errorCode","message","details"}}`;
//   - the VOD Station endpoints the project uses: list/get category,
//     add-files, the status APIs and channel info;
//   - a simulated encoding for every accepted file that POSTs the
//     documented callbacks (WAITING → RUNNING → COMPLETE or FAILURE) to the
//     notification URL;
//   - a stand-in for Global Edge (edge.go) on the same address: the
//     per-rendition and adaptive (.smil) HLS playlists, DASH manifests and
//     posters of encoded files, with real media encoded by ffmpeg when it
//     is on the PATH, and valid playlists with a note when it is not;
//   - fault injection (status/body, latency, dropped connections, with or
//     without processing the request first) and observation of every call
//     and every accepted submission.
//
// An [Emulator] is an [net/http.Handler]; [NewServer] and [Listen] wrap it
// in a real HTTP/1.1 server. All methods are safe for concurrent use.
//
// Where the NCP documentation is silent (add-files response elements, the
// output array of the status-info API, error codes for some cases) the
// emulator picks a plausible shape and says so next to the code.
//
// NCP docs: https://api.ncloud-docs.com/docs/en/vodstation
package vodstationtest
