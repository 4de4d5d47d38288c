// Package redact owns the one rule for secrets in vodflow's outputs: no
// secret value leaves the program in a log line, a result, an error text, a
// webhook event body, a deploy plan or a progress line.
//
// A [Set] knows the secret values of one activation or one deployment. It
// is filled from parameters ([Set.AddParam]: a secret-named parameter, see
// [IsSecretName], and the secrets inside any URL-valued parameter) and from
// values known otherwise ([Set.Add], [Set.AddURL]). [Set.String],
// [Set.Bytes] and [Set.Err] replace every known value, in each form it may
// take in an output (as is, JSON-escaped with or without HTML escaping,
// Go-quoted, query- and path-escaped), by [Placeholder]. They also always
// redact what looks like a secret whatever the Set knows: the password of a
// URL's userinfo (scheme://user:PASSWORD@), the values of secret-named query
// parameters (?token=, &sig=, #access_token=, ..., whatever the name's
// length), and the values of echoed request headers
// that carry credentials (Authorization, Cookie, X-Callback-Token, ...).
// The zero Set and a nil *Set do only that structural part.
//
// The rule: scrub before clip. Text is scrubbed whole and only then
// shortened with [Clip]; clipping first can cut a secret in two, and the
// part left before the cut no longer matches while it still leaks a prefix
// of the secret.
//
// Values shorter than [MinLen] are never scrubbed: they would match
// everywhere, and no real secret is that short.
//
// The package uses only the standard library and compiles no regular
// expression, so that it stays cheap in the action binaries; scrubbing text
// that holds no secret allocates nothing.
package redact
