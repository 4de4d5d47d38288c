package openwhisktest

import (
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

// Prefix is the path prefix of the default namespace.
const Prefix = "/api/v1/namespaces/_/"

// SystemPrefix is the path prefix of the system namespace's actions (the
// feeds, such as /whisk.system/alarms/alarm), which the fake accepts.
const SystemPrefix = "/api/v1/namespaces/whisk.system/actions/"

// Request is one request as received.
type Request struct {
	Method string
	// Path is under Prefix, e.g. "actions/vodflow/add-files".
	Path  string
	Query url.Values
	// AuthOK reports whether Basic auth carried the expected key.
	AuthOK bool
	Body   []byte
}

// JSON decodes the body into v.
func (r Request) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// InvokeFunc answers an invoke of name ("pkg/action") with params.
type InvokeFunc func(name string, params map[string]any) map[string]any

// Server is the fake controller. PUT stores an entity, DELETE removes it
// (404 when it is not there; 409 for a package that still holds actions).
type Server struct {
	*httptest.Server
	auth string

	mu       sync.Mutex
	requests []Request
	entities map[string][]byte // "actions/p/a" → last body
	status   map[string]string // rule name → status
	faults   map[string]int
	invoke   InvokeFunc
}

// New starts a server expecting auth ("uuid:key") as Basic auth.
func New(auth string) *Server {
	s := &Server{auth: auth, entities: map[string][]byte{}, status: map[string]string{}, faults: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// FailOn makes "METHOD path" (path under Prefix) answer status.
func (s *Server) FailOn(method, path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method+" "+path] = status
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

// Names lists the stored entities ("rules/r" with its status), sorted.
func (s *Server) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.entities {
		if st, ok := s.status[strings.TrimPrefix(k, "rules/")]; ok && strings.HasPrefix(k, "rules/") {
			k += " (" + st + ")"
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.auth))
	req := Request{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, Prefix), Query: r.URL.Query(),
		AuthOK: r.Header.Get("Authorization") == want, Body: body}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	if !req.AuthOK {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "The supplied authentication is invalid.", "code": "x1"})
		return
	}
	if code, ok := s.faults[r.Method+" "+req.Path]; ok {
		writeJSON(w, code, map[string]any{"error": "injected failure", "code": "x2"})
		return
	}
	kind, _, _ := strings.Cut(req.Path, "/")
	switch {
	case r.Method == http.MethodPut:
		if _, exists := s.entities[req.Path]; exists && req.Query.Get("overwrite") != "true" {
			writeJSON(w, http.StatusConflict, map[string]any{"error": "resource already exists", "code": "x3"})
			return
		}
		if kind == "actions" && strings.Count(req.Path, "/") == 2 {
			pkg := strings.Split(req.Path, "/")[1]
			if _, ok := s.entities["packages/"+pkg]; !ok {
				writeJSON(w, http.StatusNotFound, map[string]any{"error": "package not found", "code": "x4"})
				return
			}
		}
		s.entities[req.Path] = body
		if kind == "rules" {
			s.status[strings.TrimPrefix(req.Path, "rules/")] = "active"
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	case r.Method == http.MethodPost && kind == "rules":
		name := strings.TrimPrefix(req.Path, "rules/")
		var st struct{ Status string }
		_ = json.Unmarshal(body, &st)
		if _, ok := s.entities[req.Path]; !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "rule not found", "code": "x5"})
			return
		}
		s.status[name] = st.Status
		writeJSON(w, http.StatusOK, map[string]any{})
	case r.Method == http.MethodPost && kind == "actions":
		if _, ok := s.entities[req.Path]; !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "The requested resource does not exist.", "code": "x6"})
			return
		}
		var params map[string]any
		_ = json.Unmarshal(body, &params)
		result := params
		if s.invoke != nil {
			result = s.invoke(strings.TrimPrefix(req.Path, "actions/"), params)
		}
		status := http.StatusOK
		if _, isErr := result["error"]; isErr {
			status = http.StatusBadGateway
		}
		writeJSON(w, status, result)
	case r.Method == http.MethodDelete:
		s.delete(w, kind, req.Path)
	case r.Method == http.MethodPost && strings.HasPrefix(req.Path, SystemPrefix):
		// A system feed (the alarms feed): accepted, recorded in Requests.
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "not found", "code": "x7"})
	}
}

// delete removes an entity: 404 when it is not there, and 409 for a
// package that still holds actions, as the controller answers.
func (s *Server) delete(w http.ResponseWriter, kind, path string) {
	body, ok := s.entities[path]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "The requested resource does not exist.", "code": "x8"})
		return
	}
	if kind == "packages" {
		pkg := strings.TrimPrefix(path, "packages/")
		for k := range s.entities {
			if strings.HasPrefix(k, "actions/"+pkg+"/") {
				writeJSON(w, http.StatusConflict, map[string]any{"error": "Package not empty.", "code": "x9"})
				return
			}
		}
	}
	delete(s.entities, path)
	if kind == "rules" {
		delete(s.status, strings.TrimPrefix(path, "rules/"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
