package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// Demo values for the callback loop on the emulator. Like the demo
// credentials, they open nothing but local test doubles.
const (
	demoCallbackToken = "vodflow-demo-callback-token"
	demoWebhookSecret = "vodflow-demo-webhook-secret"
	demoCDNDomain     = "vodflow-demo.edge.naverncp.com"
	demoEncrypted     = "vodflowdemoenc0001"
	demoOutputBucket  = "vodflow-demo-output"
	callbackPrefix    = "/callback"
)

// demoLoop closes the loop locally: the emulator's callbacks reach the
// encoding-callback action through a loopback "API Gateway", and its
// signed events reach a webhook receiver.
type demoLoop struct {
	gateway  *httptest.Server
	receiver *webhooktest.Receiver
	handler  atomic.Value              // http.Handler, set once the platform exists
	web      []string                  // the web actions the gateway also routes, at /{name}
	signing  bool                      // playback is signed (with --web: playback-url is on)
	edge     string                    // the emulator's base URL: its Global Edge stand-in
	storage  *objectstoragetest.Server // the Object Storage emulator, with --file
	vod      *vodstationtest.Server    // the VOD Station emulator, with --file
	emulator *vodstationtest.Server    // the VOD Station emulator, its edge included
	report   *redact.Set               // the report's scrubber, with signed playback on (signedplay.go)
}

// uploadForEvent uploads file to the emulated bucket, under uploads/, and
// returns the bucket event its rule received: what runs the sequence.
func (d *demoLoop) uploadForEvent(ctx context.Context, w, progress io.Writer, file string) (map[string]any, error) {
	key, replaced := playableKey(defaultKey("uploads", file))
	if replaced != "" {
		fmt.Fprintf(progress, "the key %s replaces %s with _: VOD Station cannot play those\n", key, replaced)
	}
	evs := make(chan map[string]any, 1)
	d.storage.OnCreate(demoBucket, func(ev map[string]any) {
		select {
		case evs <- ev:
		default:
		}
	})
	c, err := demoStorageClient(d.storage.URL)
	if err != nil {
		return nil, err
	}
	done := begin(progress, "uploading %s to %s/%s on the Object Storage emulator…", file, demoBucket, key)
	obj, err := uploadFile(ctx, c, demoBucket, key, file, nil)
	if err != nil {
		return nil, err
	}
	done("uploaded %d bytes (ETag %s)", obj.Size, obj.ETag)
	fmt.Fprintf(w, "uploaded %s to %s/%s (%d bytes); the bucket event rule fires the sequence\n", file, demoBucket, key, obj.Size)
	return waitEvent(ctx, evs, 10*time.Second)
}

func startDemoLoop() *demoLoop {
	d := &demoLoop{receiver: webhooktest.NewReceiver(demoWebhookSecret)}
	d.gateway = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, _ := d.handler.Load().(http.Handler)
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	return d
}

// bind adds the loop's parameters to the demo params and a channel for
// playback URLs to the emulator.
func (d *demoLoop) bind(p *paramsfile.File, srv *vodstationtest.Server) {
	ch := srv.AddChannel(vodstationtest.Channel{
		Name: "vodflow-demo", StorageBucketName: demoOutputBucket, EncryptedBucketName: demoEncrypted,
		CDNDomain: demoCDNDomain, ProtocolList: []string{"HLS", "DASH"},
	})
	d.edge, d.emulator = srv.URL, srv
	p.Package.Parameters["WEBHOOK_URL"] = d.receiver.URL + "/vodflow"
	p.Package.Parameters["WEBHOOK_SECRET"] = demoWebhookSecret
	if p.Actions == nil {
		p.Actions = map[string]paramsfile.Action{}
	}
	p.Actions["add-files"] = paramsfile.Action{Parameters: map[string]any{
		"NOTIFICATION_URL": d.gateway.URL + callbackPrefix + "?token=" + demoCallbackToken,
	}}
	p.Actions["encoding-callback"] = paramsfile.Action{Parameters: map[string]any{
		"CALLBACK_TOKEN": demoCallbackToken, "CHANNEL_ID": ch.ID,
	}}
}

// serve routes the gateway to the platform's web actions:
// encoding-callback at callbackPrefix, and each of d.web at /{name}.
func (d *demoLoop) serve(plat *localrun.Platform) {
	mux := http.NewServeMux()
	cb := plat.WebHandler("encoding-callback", callbackPrefix)
	mux.Handle(callbackPrefix, cb)
	mux.Handle(callbackPrefix+"/", cb)
	for _, name := range d.web {
		h := plat.WebHandler(name, "/"+name)
		mux.Handle("/"+name, h)
		mux.Handle("/"+name+"/", h)
	}
	d.handler.Store(http.Handler(mux))
}

// Close stops the gateway and the receiver.
func (d *demoLoop) Close() {
	d.gateway.Close()
	d.receiver.Close()
}

// follow waits until every submitted file has its file_complete (or an
// encoding_failed) event, prints the events and the playback URLs.
// The events and URLs also go into rep; a wait is said on progress.
func (d *demoLoop) follow(ctx context.Context, w, progress io.Writer, res map[string]any, timeout time.Duration, rep *runReport) error {
	files, _ := res["files"].([]any)
	want := map[string]bool{}
	for _, f := range files {
		m, _ := f.(map[string]any)
		if id := fmt.Sprint(m["file_id"]); id != "" {
			want[id] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := begin(progress, "waiting for the emulator's encoding callbacks of %d file(s) (up to %s)…", len(want), timeout)
	evs, err := d.receiver.Wait(ctx, func(evs []webhook.Event) bool {
		done := 0
		for id := range want {
			for _, ev := range evs {
				if ev.FileID == id && (ev.Type == webhook.TypeFileComplete || ev.Type == webhook.TypeEncodingFailed) {
					done++
					break
				}
			}
		}
		return done == len(want)
	})
	d.allowTokens(evs)
	for _, ev := range evs {
		fmt.Fprintf(w, "webhook %-18s %s file %s%s\n", ev.Type, ev.ID, ev.FileID, eventDetail(ev))
		rep.Webhooks = append(rep.Webhooks, webhookReport{Type: ev.Type, ID: ev.ID, FileID: ev.FileID, Detail: strings.TrimSpace(eventDetail(ev))})
	}
	if err != nil {
		return fmt.Errorf("the callback loop did not finish within %s: %w", timeout, err)
	}
	done("got %d webhook events", len(evs))
	var local []string
	for _, ev := range evs {
		if ev.Type == webhook.TypeFileComplete && ev.Playback != nil {
			fmt.Fprintf(w, "playable: file %s (%s) HLS %s\n", ev.FileID, ev.Key, ev.Playback.HLS)
			if ev.Poster != "" {
				fmt.Fprintf(w, "poster:   file %s %s\n", ev.FileID, ev.Poster)
			}
			rep.Playable = append(rep.Playable, ev.Playback.HLS)
			local = append(local, onEdge(d.edge, ev.Playback.HLS))
		}
	}
	if len(local) > 0 {
		note := "the emulator encodes each rendition with ffmpeg on first play"
		if _, err := exec.LookPath("ffmpeg"); err != nil {
			note = "ffmpeg is not on the PATH: the emulator serves the playlists without media"
		}
		fmt.Fprintf(w, "the same path on the emulator's stand-in for Global Edge (%s; it stops with this command unless --serve):\n", note)
		for _, u := range local {
			fmt.Fprintf(w, "play: %s\n", u)
		}
		rep.PlayLocal = local
	}
	for _, dl := range d.receiver.Deliveries() {
		if !dl.Verified {
			return fmt.Errorf("the webhook receiver got a delivery that did not verify: %v", dl.Err)
		}
	}
	return nil
}

// onEdge is u with its scheme and host replaced by the emulator's: the
// emulator serves the Global Edge paths it hands out.
func onEdge(edge, u string) string {
	p, err := url.Parse(u)
	if err != nil || edge == "" {
		return u
	}
	out := edge + p.EscapedPath()
	if p.RawQuery != "" {
		out += "?" + p.RawQuery // a signed URL keeps its token
	}
	return out
}

func eventDetail(ev webhook.Event) string {
	switch {
	case ev.Type == webhook.TypeSubmitted:
		return " " + ev.Key
	case ev.Type == webhook.TypeFileComplete && ev.Playback != nil:
		return fmt.Sprintf(" %d renditions %s", len(ev.Renditions), ev.Playback.HLS)
	case ev.Rendition != nil && ev.Rendition.Playback != nil:
		return " " + ev.Rendition.OutputType + " " + ev.Rendition.Playback.HLS
	case ev.Rendition != nil:
		return " " + ev.Rendition.OutputType + " " + ev.Rendition.Status
	case ev.Type == webhook.TypeFileComplete:
		return fmt.Sprintf(" %d renditions", len(ev.Renditions))
	case ev.Error != nil:
		return " " + ev.Error.Message
	}
	return ""
}
