package ncpfunctionstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// BasePath is the API v2.1 base path the server serves.
const BasePath = "/ncf/api/v2"

// Request is one request as received.
type Request struct {
	Method     string
	RequestURI string // as on the request line
	Path       string // under BasePath, e.g. /packages/vodflow
	Query      url.Values
	Header     http.Header
	Body       []byte
	// SignatureOK reports whether the signature v2 headers matched.
	SignatureOK bool
}

// JSON decodes the body into v.
func (r Request) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// InvokeFunc answers an invoke of pkg/action with params.
type InvokeFunc func(pkg, action string, params map[string]any) map[string]any

// Server is the fake API. It stores what PUT and POST create and removes
// what DELETE names, with the platform's ordering rules: a package
// holding actions and an action still linked to a trigger are refused.
type Server struct {
	*httptest.Server
	accessKey, secretKey string

	mu       sync.Mutex
	requests []Request
	packages map[string][]byte
	actions  map[string][]byte // "pkg/action" → body
	types    map[string]string // "pkg/action" or trigger → type query
	triggers map[string][]byte
	links    map[string]bool // "trigger → pkg/action"
	faults   map[string]fault
	invoke   InvokeFunc
}

type fault struct {
	status int
	body   string
}

// New starts a server accepting requests signed with the key pair.
func New(accessKey, secretKey string) *Server {
	s := &Server{accessKey: accessKey, secretKey: secretKey,
		packages: map[string][]byte{}, actions: map[string][]byte{}, types: map[string]string{},
		triggers: map[string][]byte{}, links: map[string]bool{}, faults: map[string]fault{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// FailOn makes every request "METHOD path" (path under BasePath) answer
// status with body.
func (s *Server) FailOn(method, path string, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method+" "+path] = fault{status, body}
}

// OnInvoke sets how invokes answer (default: echo the parameters).
func (s *Server) OnInvoke(f InvokeFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invoke = f
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Names lists the stored resources: "package p", "action p/a" (with its
// type), "trigger t", "link t → p/a", sorted.
func (s *Server) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.packages {
		out = append(out, "package "+k)
	}
	for k := range s.actions {
		out = append(out, "action "+k+" ("+s.types[k]+")")
	}
	for k := range s.triggers {
		out = append(out, "trigger "+k+" ("+s.types["trigger "+k]+")")
	}
	for k := range s.links {
		out = append(out, "link "+k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) verify(r *http.Request) bool {
	ts := r.Header.Get("x-ncp-apigw-timestamp")
	ak := r.Header.Get("x-ncp-iam-access-key")
	got := r.Header.Get("x-ncp-apigw-signature-v2")
	mac := hmac.New(sha256.New, []byte(s.secretKey))
	mac.Write([]byte(r.Method + " " + r.RequestURI + "\n" + ts + "\n" + ak))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return ts != "" && ak == s.accessKey && hmac.Equal([]byte(got), []byte(want))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"errorCode": code, "message": msg}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, RequestURI: r.RequestURI, Path: strings.TrimPrefix(r.URL.Path, BasePath),
		Query: r.URL.Query(), Header: r.Header.Clone(), Body: body, SignatureOK: s.verify(r)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	if !req.SignatureOK {
		apiError(w, http.StatusUnauthorized, "200", "Authentication Failed")
		return
	}
	if !strings.HasPrefix(r.URL.Path, BasePath+"/") {
		apiError(w, http.StatusNotFound, "300", "Not Found Exception")
		return
	}
	if f, ok := s.faults[r.Method+" "+req.Path]; ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, f.body)
		return
	}
	if p := req.Query.Get("platform"); p != "vpc" && p != "classic" {
		apiError(w, http.StatusBadRequest, "80001", "invalid platform")
		return
	}
	if len(body) > 0 && !json.Valid(body) {
		apiError(w, http.StatusBadRequest, "100", "Bad Request Exception")
		return
	}
	parts := strings.Split(strings.Trim(req.Path, "/"), "/")
	switch {
	case r.Method == http.MethodPut && len(parts) == 2 && parts[0] == "packages":
		s.packages[parts[1]] = body
		writeJSON(w, http.StatusOK, map[string]any{"content": map[string]any{"name": parts[1]}})
	case r.Method == http.MethodPut && len(parts) == 4 && parts[0] == "packages" && parts[2] == "actions":
		if _, ok := s.packages[parts[1]]; !ok {
			apiError(w, http.StatusNotFound, "80101", "PACKAGE_NOT_FOUND")
			return
		}
		key := parts[1] + "/" + parts[3]
		typ := req.Query.Get("type")
		if prev, ok := s.types[key]; ok && prev != typ {
			apiError(w, http.StatusBadRequest, "80305", "ACTION_TYPE_CANNOT_BE_CHANGED")
			return
		}
		s.actions[key], s.types[key] = body, typ
		writeJSON(w, http.StatusOK, map[string]any{"content": map[string]any{"name": parts[3]}})
	case r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "packages" && parts[2] == "actions":
		if _, ok := s.actions[parts[1]+"/"+parts[3]]; !ok {
			apiError(w, http.StatusNotFound, "80301", "ACTION_NOT_FOUND")
			return
		}
		var params map[string]any
		_ = json.Unmarshal(body, &params)
		result := params
		if s.invoke != nil {
			result = s.invoke(parts[1], parts[3], params)
		}
		_, isErr := result["error"]
		writeJSON(w, http.StatusOK, map[string]any{"content": map[string]any{
			"activationId": "act-1", "duration": 12,
			"response": map[string]any{"result": result, "status": map[bool]string{false: "success", true: "application error"}[isErr], "success": !isErr},
		}})
	case r.Method == http.MethodPut && len(parts) == 2 && parts[0] == "triggers":
		s.triggers[parts[1]], s.types["trigger "+parts[1]] = body, req.Query.Get("type")
		writeJSON(w, http.StatusOK, map[string]any{"content": map[string]any{"name": parts[1]}})
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "triggers" && parts[2] == "link-action":
		var link struct{ Action, Package string }
		_ = json.Unmarshal(body, &link)
		if _, ok := s.triggers[parts[1]]; !ok {
			apiError(w, http.StatusNotFound, "80501", "TRIGGER_NOT_FOUND")
			return
		}
		if _, ok := s.actions[link.Package+"/"+link.Action]; !ok {
			apiError(w, http.StatusNotFound, "80301", "ACTION_NOT_FOUND")
			return
		}
		key := parts[1] + " → " + link.Package + "/" + link.Action
		if s.links[key] {
			apiError(w, http.StatusConflict, "80901", "DUPLICATED_RULE")
			return
		}
		s.links[key] = true
		writeJSON(w, http.StatusOK, map[string]any{"content": map[string]any{}})
	case r.Method == http.MethodDelete:
		s.delete(w, parts, body)
	default:
		apiError(w, http.StatusNotFound, "300", "Not Found Exception")
	}
}

// delete serves the DELETE calls: a package (refused while it holds
// actions), an action, a trigger (with its links), a link. What is not
// there answers 404 with NCP's not-found code. The refusals' codes
// (80102, 80306) are the fake's own: NCP documents none.
func (s *Server) delete(w http.ResponseWriter, parts []string, body []byte) {
	deleted := func() { writeJSON(w, http.StatusOK, map[string]any{"content": map[string]any{}}) }
	switch {
	case len(parts) == 2 && parts[0] == "packages":
		if _, ok := s.packages[parts[1]]; !ok {
			apiError(w, http.StatusNotFound, "80101", "PACKAGE_NOT_FOUND")
			return
		}
		for k := range s.actions {
			if strings.HasPrefix(k, parts[1]+"/") {
				apiError(w, http.StatusConflict, "80102", "PACKAGE_NOT_EMPTY")
				return
			}
		}
		delete(s.packages, parts[1])
		deleted()
	case len(parts) == 4 && parts[0] == "packages" && parts[2] == "actions":
		key := parts[1] + "/" + parts[3]
		if _, ok := s.actions[key]; !ok {
			apiError(w, http.StatusNotFound, "80301", "ACTION_NOT_FOUND")
			return
		}
		for link := range s.links {
			if strings.HasSuffix(link, " → "+key) {
				apiError(w, http.StatusConflict, "80306", "ACTION_IS_LINKED")
				return
			}
		}
		delete(s.actions, key)
		delete(s.types, key)
		deleted()
	case len(parts) == 2 && parts[0] == "triggers":
		if _, ok := s.triggers[parts[1]]; !ok {
			apiError(w, http.StatusNotFound, "80501", "TRIGGER_NOT_FOUND")
			return
		}
		for link := range s.links {
			if strings.HasPrefix(link, parts[1]+" → ") {
				delete(s.links, link)
			}
		}
		delete(s.triggers, parts[1])
		delete(s.types, "trigger "+parts[1])
		deleted()
	case len(parts) == 3 && parts[0] == "triggers" && parts[2] == "link-action":
		var link struct{ Action, Package string }
		_ = json.Unmarshal(body, &link)
		if _, ok := s.triggers[parts[1]]; !ok {
			apiError(w, http.StatusNotFound, "80501", "TRIGGER_NOT_FOUND")
			return
		}
		key := parts[1] + " → " + link.Package + "/" + link.Action
		if !s.links[key] {
			apiError(w, http.StatusNotFound, "80902", "RULE_NOT_FOUND")
			return
		}
		delete(s.links, key)
		deleted()
	default:
		apiError(w, http.StatusNotFound, "300", "Not Found Exception")
	}
}
