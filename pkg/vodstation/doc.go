// Package vodstation owns the NCP VOD Station API client: categories (list,
// find by name), add-files, and the typed errors the API and its gateway
// answer with.
// It also reads encoding status (status.go) and channel info (channels.go).
//
// Every request is signed with signature v2 by a pre-request hook that sees
// the final *http.Request, so the signed URI is the one on the request line
// and each retry attempt gets a fresh timestamp. Retries follow a per-call
// policy: reads retry on transport errors, 429 and 5xx; add-files retries
// only where nothing can have been accepted (429, connection refused), so a
// retry never makes VOD Station encode a file twice. No retry waits past the
// context's deadline.
//
// Reference: https://api.ncloud-docs.com/docs/en/vodstation
package vodstation
