// Package edgetoken owns the tokens NCP Global Edge checks before it
// serves protected content, making them and verifying them:
//
//   - the Secure Token (SecureToken, VerifySecureToken), compatible with
//     Akamai EdgeAuth (Auth Token 2.0): fields separated by '~', "st=" (start,
//     optional), "exp=" (expiry), "acl=" (one or more path patterns with '*'
//     wildcards, separated by '!') or a URL signed alone, optional "ip=",
//     "id=" and "data=", and "hmac=", the hex HMAC (SHA-256 by default) of
//     the fields before it, keyed by the hex-decoded key. NCP lists Akamai's
//     EdgeAuth SDKs as its reference (guide.ncloud-docs.com/docs/en/globaledge-signedurl);
//     the rules here are theirs (akamai/EdgeAuth-Token-Python), escape_early
//     included;
//   - the JWT (JWT, VerifyJWT) NCP documents (guide.ncloud-docs.com/docs/en/globaledge-jwt):
//     HS256 over the claims "path" (required, '*' allowed), "exp", "nbf"
//     and "cip" (a client IP or CIDR);
//   - Signer, which signs a URL for a path pattern with either, as a query
//     parameter of the configured name.
//
// It uses the standard library only and makes no network call.
package edgetoken
