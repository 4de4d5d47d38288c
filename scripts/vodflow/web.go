package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// exampleDir is the example page's folder, under the module root.
const exampleDir = "examples/web"

// uploadURLPrefix is the gateway path of the upload-url web action.
const uploadURLPrefix = "/upload-url"

// The gateway path of the playback-url web action.
const playbackURLPrefix = "/playback-url"

// demoUploadToken and demoPlaybackURLToken are the UPLOAD_TOKEN and
// PLAYBACK_URL_TOKEN of the local site. Like the other demo values they
// open nothing but local test doubles; the page never sees them.
const (
	demoUploadToken      = "vodflow-demo-upload-token"
	demoPlaybackURLToken = "vodflow-demo-playback-url-token"
)

// maxSiteBody bounds what the site's endpoints read of a request.
const maxSiteBody = 64 << 10

// site is the example page's web server under `vodflow local --web`: the
// page's files, and the two endpoints a real site's server has.
//
//	POST /api/uploads  the page's {filename, content_type, size}: the site
//	                   adds its UPLOAD_TOKEN and asks upload-url; the
//	                   action's answer goes back as is
//	GET  /api/events   ?upload_id=…&key=…: the webhook events of that
//	                   upload (those the site's webhook endpoint verified),
//	                   as server-sent events {"event": {…}, "play": URL}
//	GET  /api/playback ?file_id=…: the site asks playback-url, with its
//	                   PLAYBACK_URL_TOKEN, for the file's adaptive URL signed
//	                   for this viewer: {"play": URL, "expires_at"}
type site struct {
	dir           string                // the page's files
	uploadURL     string                // the upload-url web action
	token         string                // UPLOAD_TOKEN, sent to uploadURL only
	playbackURL   string                // the playback-url web action
	playbackToken string                // PLAYBACK_URL_TOKEN, sent to playbackURL only
	receiver      *webhooktest.Receiver // the site's webhook endpoint
	edge          string                // where playback URLs are served ("" keeps them)
	client        *http.Client
}

func (s *site) handler() http.Handler {
	mux := http.NewServeMux()
	files := http.FileServer(http.Dir(s.dir))
	mux.Handle("GET /", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache") // edits to the page show on reload
		files.ServeHTTP(w, r)
	}))
	mux.HandleFunc("POST /api/uploads", s.uploads)
	mux.HandleFunc("GET /api/events", s.events)
	mux.HandleFunc("GET /api/playback", s.playback)
	return mux
}

// uploads asks upload-url for an upload on the page's behalf.
func (s *site) uploads(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSiteBody+1))
	if err != nil || len(body) > maxSiteBody {
		siteError(w, http.StatusRequestEntityTooLarge, "the request body is over 64 KiB")
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, s.uploadURL, strings.NewReader(string(body)))
	if err != nil {
		siteError(w, http.StatusInternalServerError, err.Error())
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		siteError(w, http.StatusBadGateway, "the site could not reach upload-url")
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		siteError(w, http.StatusBadGateway, "the site could not read upload-url's answer")
		return
	}
	if !json.Valid(answer) {
		siteError(w, http.StatusBadGateway, fmt.Sprintf("upload-url answered HTTP %d without JSON", resp.StatusCode))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// playback asks playback-url for the file's adaptive URL, signed for
// this viewer, and answers it on the edge the page reaches.
func (s *site) playback(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("file_id")
	if id == "" {
		siteError(w, http.StatusBadRequest, "name the file: file_id")
		return
	}
	if s.playbackURL == "" {
		siteError(w, http.StatusNotFound, "this site does not sign playback URLs: play the event's URL")
		return
	}
	q := url.Values{"file_id": {id}}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, s.playbackURL+"?"+q.Encode(), nil)
	if err != nil {
		siteError(w, http.StatusInternalServerError, err.Error())
		return
	}
	req.Header.Set("Authorization", "Bearer "+s.playbackToken)
	resp, err := s.client.Do(req)
	if err != nil {
		siteError(w, http.StatusBadGateway, "the site could not reach playback-url")
		return
	}
	defer resp.Body.Close()
	var answer struct {
		Playback *webhook.Playback `json:"playback"`
		Expires  string            `json:"expires_at"`
		Error    json.RawMessage   `json:"error"`
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || json.Unmarshal(b, &answer) != nil {
		siteError(w, http.StatusBadGateway, fmt.Sprintf("playback-url answered HTTP %d without JSON", resp.StatusCode))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if resp.StatusCode != http.StatusOK || answer.Playback == nil || answer.Playback.HLS == "" {
		if resp.StatusCode == http.StatusOK {
			siteError(w, http.StatusBadGateway, "playback-url gave no HLS URL")
			return
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(b) // its refusal, as is
		return
	}
	out, _ := json.Marshal(map[string]string{"play": onEdge(s.edge, answer.Playback.HLS), "expires_at": answer.Expires})
	_, _ = w.Write(out)
}

// siteMessage is one event of /api/events.
type siteMessage struct {
	Event webhook.Event `json:"event"`
	Play  string        `json:"play,omitempty"`
}

// events streams the webhook events of one upload, from the first.
func (s *site) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, key := q.Get("upload_id"), q.Get("key")
	if id == "" && key == "" {
		siteError(w, http.StatusBadRequest, "name the upload: upload_id or key")
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		siteError(w, http.StatusInternalServerError, "streaming is not supported")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, ": following "+strings.Join(slices.DeleteFunc([]string{id, key}, func(s string) bool { return s == "" }), " ")+"\n\n")
	fl.Flush()
	sent := 0
	for {
		evs, err := s.receiver.Wait(r.Context(), func(evs []webhook.Event) bool { return len(evs) > sent })
		if err != nil {
			return
		}
		for _, ev := range evs[sent:] {
			if !ofUpload(ev, id, key) {
				continue
			}
			m := siteMessage{Event: ev}
			if ev.Playback != nil && ev.Playback.HLS != "" {
				m.Play = onEdge(s.edge, ev.Playback.HLS)
			}
			b, _ := json.Marshal(m)
			fmt.Fprintf(w, "event: message\nid: %s\ndata: %s\n\n", ev.ID, b)
		}
		sent = len(evs)
		fl.Flush()
	}
}

// ofUpload reports whether ev is about the upload with id (upload-url's
// upload_id, which every event naming its key carries) or key.
func ofUpload(ev webhook.Event, id, key string) bool {
	if id != "" && ev.UploadID == id {
		return true
	}
	if key == "" {
		return false
	}
	return ev.Key == key || slices.Contains(ev.NotSubmitted, key) || slices.Contains(ev.Uncertain, key)
}

// siteError answers an error as the page reads it: {"error": {"message"}}.
func siteError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg}})
	_, _ = w.Write(b)
}

// fireOnCreate is the bucket event rule of the emulated bucket: each
// object created runs the upload sequence through the real action
// binaries, as NCP's trigger does; report, when set, gets each outcome.
// The returned wait waits for the sequences running.
func (d *demoLoop) fireOnCreate(ctx context.Context, plat *localrun.Platform, bucket string, report func(event map[string]any, res map[string]any)) (wait func()) {
	var fired sync.WaitGroup
	d.storage.OnCreate(bucket, func(ev map[string]any) {
		fired.Add(1)
		go func() {
			defer fired.Done()
			out := plat.Fire(ctx, ev)
			if report != nil {
				report(ev, out.Result)
			}
		}()
	})
	return fired.Wait
}

// webServing, when set (by the tool's tests), gets the loop once the page
// is served, before its URL is printed: the emulators' records.
var webServing func(*demoLoop)

// webRun is what `vodflow local --web` adds to the emulators and the
// callback loop: the site server with the page, until ctx ends.
type webRun struct {
	ln   net.Listener
	page string // the page's URL
}

// listenWeb opens the page's listener on addr, so that its origin is
// known before the actions' parameters are set.
func listenWeb(addr string) (*webRun, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for the example page on %s: %w", addr, err)
	}
	return &webRun{ln: ln, page: "http://" + ln.Addr().String() + "/"}, nil
}

// origin is the page's origin, for ALLOWED_ORIGINS and the bucket's CORS.
func (wr *webRun) origin() string { return strings.TrimSuffix(wr.page, "/") }

// serveWeb serves the page and the site's endpoints, runs the upload
// sequence on every object the page uploads, prints what happens, and
// returns when ctx ends (Ctrl-C).
func (d *demoLoop) serveWeb(ctx context.Context, w, progress io.Writer, wr *webRun, plat *localrun.Platform, root string) error {
	var mu sync.Mutex // one line at a time on w
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, format+"\n", args...)
	}
	wait := d.fireOnCreate(ctx, plat, demoBucket, func(ev, res map[string]any) {
		_, summary, _ := outcomeOf(res)
		say("upload %v: %s", ev["object_name"], summary)
	})
	defer wait()
	go func() {
		seen := 0
		for {
			evs, err := d.receiver.Wait(ctx, func(evs []webhook.Event) bool { return len(evs) > seen })
			if err != nil {
				return
			}
			for _, ev := range evs[seen:] {
				say("webhook %-18s %s file %s%s", ev.Type, ev.ID, ev.FileID, eventDetail(ev))
			}
			seen = len(evs)
		}
	}()
	s := &site{
		dir: filepath.Join(root, exampleDir), uploadURL: d.gateway.URL + uploadURLPrefix, token: demoUploadToken,
		receiver: d.receiver, edge: d.edge, client: &http.Client{Timeout: 30 * time.Second},
	}
	if d.signing {
		s.playbackURL, s.playbackToken = d.gateway.URL+playbackURLPrefix, demoPlaybackURLToken
	}
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }} // Ctrl-C ends the event streams too
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(wr.ln) }()
	if webServing != nil {
		webServing(d)
	}
	say("page: %s", wr.page)
	fmt.Fprintln(progress, "serving the example page, the emulators and the callback loop until Ctrl-C…")
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("the example page's server: %w", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx) // the event streams end with their requests
	_ = srv.Close()
	return nil
}

// shareSigning turns on playback-url when signing is on (-p
// PLAYBACK_TOKEN_KEY, which sets it in encoding-callback's section): the
// gateway routes it, with the site's PLAYBACK_URL_TOKEN and
// encoding-callback's channel and signing parameters, so that both sign
// alike. Without a key the page plays the events' URLs.
func (d *demoLoop) shareSigning(p *paramsfile.File) {
	cb := p.Actions["encoding-callback"].Parameters
	if k, _ := cb["PLAYBACK_TOKEN_KEY"].(string); k == "" {
		return
	}
	// Its CHANNEL_ID and PLAYBACK_TOKEN_* come from encoding-callback's
	// section by $VAR, as a deploy binds them (asDeployed).
	p.Actions["playback-url"] = paramsfile.Action{Parameters: map[string]any{"PLAYBACK_URL_TOKEN": demoPlaybackURLToken}}
	d.web = append(d.web, "playback-url")
	d.signing = true
}

// bindWeb adds what the page needs to the demo params: the upload-url
// web action on the gateway, with the site's UPLOAD_TOKEN, the page's
// origin, and the Object Storage emulator it presigns for; the bucket's
// CORS setting for the page.
func (d *demoLoop) bindWeb(p *paramsfile.File, wr *webRun) {
	d.web = append(d.web, "upload-url")
	p.Package.Parameters["OBJECT_STORAGE_ENDPOINT"] = d.storage.URL
	p.Package.Parameters["OBJECT_STORAGE_REGION"] = demoStorageRegion
	p.Package.Parameters["INPUT_PREFIX"] = "uploads/"
	p.Actions["upload-url"] = paramsfile.Action{Parameters: map[string]any{
		"UPLOAD_TOKEN": demoUploadToken, "ALLOWED_ORIGINS": wr.origin(),
	}}
	// The CORS setting README asks for on NCP: the page's origin may PUT
	// (and POST a multipart completion, DELETE an abort) and read ETag.
	d.storage.SetCORS(demoBucket, []objectstoragetest.CORSRule{{
		AllowedOrigins: []string{wr.origin()}, AllowedMethods: []string{"PUT", "POST", "DELETE", "GET", "HEAD"},
		AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: 3000,
	}})
}
