// Package webhook owns vodflow's outgoing notifications: the JSON [Event]
// that tells a receiver an upload was submitted to VOD Station, failed to be
// submitted, started encoding, finished a rendition or a whole file, or
// failed; the stable event id ([NewID]); the HMAC-SHA256 signature that
// proves an event came from vodflow ([Sign], [Verify]); and the [Sender] that
// delivers events to one URL with bounded retries.
//
// # Wire format
//
// An event is POSTed as a JSON object with Content-Type application/json and
// three headers:
//
//	Vodflow-Event-Id:   evt_<32 hex>        the event's stable id
//	Vodflow-Event-Type: file_complete       the event's type
//	Vodflow-Signature:  t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
//
// The signature covers the exact body bytes and the timestamp, so a receiver
// must verify the raw body before decoding it, and reject old timestamps to
// stop replays. [Verify] does both. Several v1 values may be present (one per
// secret while a secret is being rotated); one match is enough.
//
// # Delivery
//
// Delivery is at least once: a receiver may see the same event more than
// once (a retry after a lost answer, a re-run action) and should drop
// duplicates by id. Ids are derived from the event's content by [NewID], so a
// re-run produces the same id.
//
// # Secrets
//
// The webhook secret is held as a [signing.Secret] and never appears in an
// error text, a log line or a String output. [Sender.Target] and
// [DeliveryError] show the URL without userinfo or query, so that a token
// carried in the URL is not logged either; the path is kept, so do not put a
// secret in the path.
//
// The package imports only the standard library and package signing.
package webhook
