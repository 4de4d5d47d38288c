package objectstoragetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	algorithm       = "AWS4-HMAC-SHA256"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	amzDateFormat   = "20060102T150405Z"
)

// authError is a refusal with its S3 error code and HTTP status.
type authError struct {
	status int
	code   string
	msg    string
}

func (e *authError) Error() string { return e.code + ": " + e.msg }

func denied(code, format string, args ...any) *authError {
	return &authError{status: http.StatusForbidden, code: code, msg: fmt.Sprintf(format, args...)}
}

// verify checks r's SigV4 signature, in the Authorization header or in a
// presigned query, with the keys of s. It returns the payload hash the
// signature covers.
func (s *Server) verify(r *http.Request) (payload string, err error) {
	q := r.URL.Query()
	var cred, signedHeaders, sig, date string
	presigned := q.Get("X-Amz-Algorithm") != ""
	if presigned {
		if q.Get("X-Amz-Algorithm") != algorithm {
			return "", &authError{http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Algorithm must be " + algorithm}
		}
		cred, signedHeaders, sig, date = q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature"), q.Get("X-Amz-Date")
		payload = unsignedPayload
	} else {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			return "", denied("AccessDenied", "anonymous access is not allowed: sign the request with SigV4")
		}
		rest, ok := strings.CutPrefix(auth, algorithm+" ")
		if !ok {
			return "", &authError{http.StatusBadRequest, "AuthorizationHeaderMalformed", "the Authorization header is not " + algorithm}
		}
		for _, part := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "Credential":
				cred = v
			case "SignedHeaders":
				signedHeaders = v
			case "Signature":
				sig = v
			}
		}
		date = r.Header.Get("X-Amz-Date")
		payload = r.Header.Get("X-Amz-Content-Sha256")
		if payload == "" {
			return "", &authError{http.StatusBadRequest, "InvalidRequest", "missing X-Amz-Content-Sha256"}
		}
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[3] != "s3" || scope[4] != "aws4_request" || sig == "" || signedHeaders == "" {
		return "", &authError{http.StatusBadRequest, "AuthorizationHeaderMalformed", "malformed credential scope or signature"}
	}
	secret, ok := s.opts.Credentials[scope[0]]
	if !ok {
		return "", denied("InvalidAccessKeyId", "the access key does not exist in our records")
	}
	if scope[2] != s.opts.Region {
		return "", &authError{http.StatusBadRequest, "AuthorizationHeaderMalformed", fmt.Sprintf("the region %q is wrong; expecting %q", scope[2], s.opts.Region)}
	}
	t, perr := time.Parse(amzDateFormat, date)
	if perr != nil || t.Format("20060102") != scope[1] {
		return "", denied("AccessDenied", "bad or missing X-Amz-Date")
	}
	now := s.opts.Clock()
	if presigned {
		exp, err := strconv.Atoi(q.Get("X-Amz-Expires"))
		if err != nil || exp < 1 || exp > 7*24*3600 {
			return "", &authError{http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires must be 1 to 604800 seconds"}
		}
		if now.After(t.Add(time.Duration(exp) * time.Second)) {
			return "", denied("AccessDenied", "Request has expired")
		}
		if t.After(now.Add(s.opts.MaxSkew)) {
			return "", denied("AccessDenied", "Request is not valid yet")
		}
	} else if d := now.Sub(t); d > s.opts.MaxSkew || d < -s.opts.MaxSkew {
		return "", denied("RequestTimeTooSkewed", "the difference between the request time and the server's time is too large")
	}
	canonical := canonicalRequest(r, signedHeaders, payload, presigned)
	h := sha256.Sum256([]byte(canonical))
	toSign := algorithm + "\n" + date + "\n" + strings.Join(scope[1:], "/") + "\n" + hex.EncodeToString(h[:])
	key := hmacSHA256([]byte("AWS4"+secret), scope[1])
	for _, p := range scope[2:] {
		key = hmacSHA256(key, p)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return "", denied("SignatureDoesNotMatch", "the request signature we calculated does not match the signature you provided: check your key and signing method")
	}
	return payload, nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalRequest is SigV4's canonical request of r for S3 (the path is
// encoded once, not twice).
func canonicalRequest(r *http.Request, signedHeaders, payload string, presigned bool) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(encodePath(r.URL.Path) + "\n")
	q := r.URL.Query()
	if presigned {
		q.Del("X-Amz-Signature")
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			pairs = append(pairs, encode(k, false)+"="+encode(v, false))
		}
	}
	b.WriteString(strings.Join(pairs, "&") + "\n")
	for _, name := range strings.Split(signedHeaders, ";") {
		var v string
		switch name {
		case "host":
			v = r.Host
		case "content-length":
			v = strconv.FormatInt(r.ContentLength, 10)
			if vs := r.Header.Values("Content-Length"); len(vs) > 0 {
				v = vs[0]
			}
		default:
			v = strings.Join(r.Header.Values(name), ",")
		}
		b.WriteString(name + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	b.WriteString("\n" + signedHeaders + "\n" + payload)
	return b.String()
}

func encodePath(p string) string {
	if p == "" {
		return "/"
	}
	return encode(p, true)
}

// encode is SigV4's URI encoding: every byte but A-Z a-z 0-9 - _ . ~ (and
// '/' in a path) as %XX.
func encode(s string, path bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || (path && c == '/') {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
