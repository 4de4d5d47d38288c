package objectstoragetest

import (
	"encoding/xml"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// CORSRule is one rule of a bucket's CORS configuration, as S3's
// PutBucketCors takes it (CORSConfiguration/CORSRule).
type CORSRule struct {
	// AllowedOrigins are the origins allowed (exact, "*", or with one "*"
	// wildcard such as https://*.example.com).
	AllowedOrigins []string `xml:"AllowedOrigin"`
	// AllowedMethods are the methods allowed: GET, PUT, POST, DELETE, HEAD.
	AllowedMethods []string `xml:"AllowedMethod"`
	// AllowedHeaders are the request headers a preflight may ask for
	// (any case, "*" wildcards).
	AllowedHeaders []string `xml:"AllowedHeader"`
	// ExposeHeaders are the response headers a browser may read (ETag,
	// for a multipart upload's parts).
	ExposeHeaders []string `xml:"ExposeHeader"`
	// MaxAgeSeconds is how long a browser may cache the preflight.
	MaxAgeSeconds int `xml:"MaxAgeSeconds,omitempty"`
}

// corsConfiguration is PutBucketCors' and GetBucketCors' XML body.
type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Rules   []CORSRule `xml:"CORSRule"`
}

// SetCORS sets bucket's CORS configuration (nil removes it), as
// PutBucketCors does.
func (s *Server) SetCORS(bucket string, rules []CORSRule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rules == nil {
		delete(s.cors, bucket)
		return
	}
	s.cors[bucket] = append([]CORSRule(nil), rules...)
}

// CORS returns bucket's CORS configuration.
func (s *Server) CORS(bucket string) []CORSRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CORSRule(nil), s.cors[bucket]...)
}

// matchWild matches s against a pattern with at most one "*".
func matchWild(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	before, after, wild := strings.Cut(pattern, "*")
	if !wild {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

// match returns the first rule of bucket that allows origin and method
// and every header of headers; nil when none does.
func (s *Server) corsMatch(bucket, origin, method string, headers []string) *CORSRule {
	for _, r := range s.CORS(bucket) {
		if !anyMatch(r.AllowedOrigins, origin, false) || !anyMatch(r.AllowedMethods, method, false) {
			continue
		}
		ok := true
		for _, h := range headers {
			if h != "" && !anyMatch(r.AllowedHeaders, h, true) {
				ok = false
				break
			}
		}
		if ok {
			return &r
		}
	}
	return nil
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if matchWild(p, s, fold) {
			return true
		}
	}
	return false
}

func bucketOf(path string) string {
	b, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return b
}

// preflight answers an OPTIONS request as S3 does: 200 with the CORS
// headers when a rule of the bucket allows the origin, the method and the
// headers asked for; 403 otherwise (400 without Origin or
// Access-Control-Request-Method).
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	origin, method := r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method")
	if origin == "" || method == "" {
		writeError(w, r, http.StatusBadRequest, "BadRequest", "Insufficient information. Origin request header needed.")
		return
	}
	var headers []string
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			headers = append(headers, h)
		}
	}
	rule := s.corsMatch(bucketOf(r.URL.Path), origin, method, headers)
	if rule == nil {
		s.logf("objectstoragetest: refused preflight %s %s from %s", method, r.URL.Path, origin)
		writeError(w, r, http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAgeSeconds))
	}
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	w.WriteHeader(http.StatusOK)
}

// corsWriter replaces, when the answer's headers are written, the CORS
// headers gofakes3 sets on everything (Access-Control-Allow-Origin: *) by
// the bucket's: Access-Control-Allow-Origin and -Expose-Headers when a
// rule allows the request's Origin and method, none otherwise.
type corsWriter struct {
	http.ResponseWriter
	s       *Server
	r       *http.Request
	written bool
}

func (c *corsWriter) set() {
	if c.written {
		return
	}
	c.written = true
	h := c.Header()
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			delete(h, k)
		}
	}
	origin := c.r.Header.Get("Origin")
	if origin == "" {
		return
	}
	h.Add("Vary", "Origin")
	if rule := c.s.corsMatch(bucketOf(c.r.URL.Path), origin, c.r.Method, nil); rule != nil {
		h.Set("Access-Control-Allow-Origin", origin)
		if len(rule.ExposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
		}
	}
}

func (c *corsWriter) WriteHeader(code int) {
	c.set()
	c.ResponseWriter.WriteHeader(code)
}

func (c *corsWriter) Write(b []byte) (int, error) {
	c.set()
	return c.ResponseWriter.Write(b)
}

// bucketCORS serves PutBucketCors, GetBucketCors and DeleteBucketCors
// (?cors on the bucket), signature already checked.
func (s *Server) bucketCORS(w http.ResponseWriter, r *http.Request) {
	bucket := bucketOf(r.URL.Path)
	if ok, _ := s.backend.BucketExists(bucket); !ok {
		writeError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	switch r.Method {
	case http.MethodPut:
		var cfg corsConfiguration
		b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil || xml.Unmarshal(b, &cfg) != nil || len(cfg.Rules) == 0 {
			writeError(w, r, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
			return
		}
		for _, rule := range cfg.Rules {
			if len(rule.AllowedOrigins) == 0 || len(rule.AllowedMethods) == 0 {
				writeError(w, r, http.StatusBadRequest, "MalformedXML", "each CORSRule needs an AllowedOrigin and an AllowedMethod")
				return
			}
		}
		s.SetCORS(bucket, cfg.Rules)
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		rules := s.CORS(bucket)
		if len(rules) == 0 {
			writeError(w, r, http.StatusNotFound, "NoSuchCORSConfiguration", "The CORS configuration does not exist")
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write([]byte(xml.Header))
		_ = xml.NewEncoder(w).Encode(corsConfiguration{Rules: rules})
	case http.MethodDelete:
		s.SetCORS(bucket, nil)
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource")
	}
}

// partsTooSmall reports whether a part of uploadID other than the last is
// smaller than MinPartSize (S3's EntityTooSmall).
func (s *Server) partsTooSmall(uploadID string) bool {
	if s.opts.MinPartSize <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := s.parts[uploadID]
	nums := make([]int, 0, len(parts))
	for n := range parts {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums[:max(len(nums)-1, 0)] {
		if parts[n] < s.opts.MinPartSize {
			return true
		}
	}
	return false
}
