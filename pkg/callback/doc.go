// Package callback owns the encoding-callback web action: it receives VOD
// Station's encoding callbacks (behind an NCP API Gateway HTTP trigger, or
// as an OpenWhisk raw web action), authenticates them by CALLBACK_TOKEN,
// and turns each into the signed webhook events it implies, with playback
// URLs: per rendition, and on file_complete one adaptive URL over every
// rendition, the poster and the source's facts.
//
// The work is split in three: [Handler.Decode] refuses what must not be
// served (a request that is not raw, a wrong token, a bad body); the run
// gathers what the decision needs (the file's status, its renditions, the
// channel's playback settings, read through per-container caches); and
// [Decide], a pure function, turns those facts into events. Every outcome
// is an HTTP answer, never an error result.
package callback
