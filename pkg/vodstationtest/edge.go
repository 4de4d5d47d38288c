package vodstationtest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vodflow/vodflow/pkg/edgetoken"
)

// The emulator also stands in for Global Edge: GET and HEAD requests for
// the playback paths it hands out are served by the same handler, without
// authentication, and are not recorded as API calls:
//
//	/hls/{encryptedBucket}/{key}/index.m3u8 (and its init.mp4, seg{n}.m4s)
//	/hls/{encryptedBucket}/{dir}/{prefix},{mid1},{mid2},…,{suffix}.smil/master.m3u8
//	/dash/{encryptedBucket}/{key}/manifest.mpd, …/{…}.smil/manifest.mpd
//	/{dir}/{basename}_01.jpg, the poster, when the category makes thumbnails
//
// {key} is the object key of a COMPLETE output in the channel's storage
// bucket. With ffmpeg (Options.FFmpeg) each rendition is encoded once, on
// first request, at its option's size and bitrates (from the uploaded file
// when PutSource gave it, else from the uploaded object's bytes when
// Options.OpenSource is set, else a test pattern of the source's duration),
// to fMP4 segments of 1 s. Without it the playlists are still valid and
// say so in a comment; their segments answer 404.

// EdgeNote is the comment the playlists carry when no media is encoded.
const EdgeNote = "# vodflow emulator: ffmpeg is not on the PATH, so no media was encoded; the segments below answer 404"

// isEdge reports whether r is for the emulator's Global Edge stand-in.
func (e *Emulator) isEdge(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	return strings.HasPrefix(p, "/hls/") || strings.HasPrefix(p, "/dash/") || strings.HasSuffix(p, ".jpg")
}

// PutSource makes the local file at localPath the content of the uploaded
// object bucket/key: the edge encodes its renditions from it (with ffmpeg,
// cut to the source's duration).
func (e *Emulator) PutSource(bucket, key, localPath string) {
	e.mediaMu.Lock()
	defer e.mediaMu.Unlock()
	if e.sources == nil {
		e.sources = map[string]string{}
	}
	e.sources[submittedKey(bucket, key)] = localPath
}

// ffmpegPath is the ffmpeg binary to encode with, "" for none.
func (e *Emulator) ffmpegPath() string {
	switch e.opts.FFmpeg {
	case "none":
		return ""
	case "":
		p, err := exec.LookPath("ffmpeg")
		if err != nil {
			return ""
		}
		return p
	}
	return e.opts.FFmpeg
}

// edgeOutput is a COMPLETE output the edge serves.
type edgeOutput struct {
	file   *file
	index  int
	key    string // object key of the encoded file
	option EncodingOption
}

// channelFor returns the storage bucket of the channel whose encrypted
// bucket name is enc.
func (e *Emulator) channelFor(enc string) (string, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, ch := range e.channels {
		if ch.EncryptedBucketName == enc {
			return ch.StorageBucketName, true
		}
	}
	return "", false
}

// outputByKey finds the COMPLETE output stored under key in bucket.
func (e *Emulator) outputByKey(bucket, key string) (edgeOutput, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, f := range e.fileOrder {
		for i, o := range f.outputs {
			if o.status != StatusComplete {
				continue
			}
			b, k, ok := linkKey(o.link)
			if ok && k == key && (bucket == "" || b == bucket) {
				return edgeOutput{file: f, index: i, key: k, option: o.option}, true
			}
		}
	}
	return edgeOutput{}, false
}

// linkKey splits an output link into bucket and decoded key.
func linkKey(link string) (bucket, key string, ok bool) {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return "", "", false
	}
	bucket, _, _ = strings.Cut(u.Host, ".")
	return bucket, strings.TrimPrefix(u.Path, "/"), true
}

// serveEdge answers a Global Edge request.
func (e *Emulator) serveEdge(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if strings.HasSuffix(p, ".jpg") && !strings.HasPrefix(p, "/hls/") && !strings.HasPrefix(p, "/dash/") {
		e.servePoster(w, r, strings.TrimPrefix(p, "/"))
		return
	}
	if err := e.checkToken(r); err != nil {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		http.Error(w, "403 Forbidden: "+err.Error(), http.StatusForbidden)
		return
	}
	proto, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	enc, rest, _ := strings.Cut(rest, "/")
	bucket, ok := e.channelFor(enc)
	if !ok {
		http.Error(w, "no channel has encrypted bucket name "+strconv.Quote(enc), http.StatusNotFound)
		return
	}
	if i := strings.Index(rest, ".smil/"); i >= 0 {
		e.serveMaster(w, r, proto, enc, bucket, rest[:i], rest[i+len(".smil/"):])
		return
	}
	i := strings.LastIndex(rest, "/")
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	key, asset := rest[:i], rest[i+1:]
	out, ok := e.outputByKey(bucket, key)
	if !ok {
		http.Error(w, "no COMPLETE output "+strconv.Quote(key)+" in bucket "+strconv.Quote(bucket), http.StatusNotFound)
		return
	}
	m, err := e.media(out)
	if err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	switch {
	case proto == "hls" && asset == "index.m3u8":
		serveBytes(w, r, "application/vnd.apple.mpegurl", []byte(m.playlist))
	case proto == "dash" && asset == "manifest.mpd":
		serveBytes(w, r, "application/dash+xml", []byte(mpd([]edgeOutput{out}, []*media{m}, func(int) string { return "" })))
	case m.dir != "" && (asset == "init.mp4" || (strings.HasPrefix(asset, "seg") && strings.HasSuffix(asset, ".m4s"))):
		ct := "video/mp4"
		if strings.HasSuffix(asset, ".m4s") {
			ct = "video/iso.segment"
		}
		b, err := os.ReadFile(filepath.Join(m.dir, asset))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		serveBytes(w, r, ct, b)
	case m.dir == "":
		http.Error(w, strings.TrimPrefix(EdgeNote, "# "), http.StatusNotFound)
	default:
		http.NotFound(w, r)
	}
}

// checkToken checks the request's playback token when Options.EdgeToken
// is set: the query parameter first, else the cookie, as sent; the path
// as sent (percent-encoded); the client's address from the connection.
func (e *Emulator) checkToken(r *http.Request) error {
	sg := e.edgeToken.Load()
	if sg == nil {
		return nil
	}
	tok := edgetoken.FromRequest(sg.Name, r.URL.RawQuery, r.Header.Get("Cookie"))
	if tok == "" {
		return fmt.Errorf("no %s token in the query or a cookie (signed playback is on)", sg.Name)
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	if err := sg.Verify(tok, edgetoken.Request{Path: r.URL.EscapedPath(), ClientIP: ip, Now: e.clock()}); err != nil {
		return err
	}
	return nil
}

// serveMaster answers …/{list}.smil/{master.m3u8|manifest.mpd}: the
// comma list names files prefix+mid+suffix in dir.
func (e *Emulator) serveMaster(w http.ResponseWriter, r *http.Request, proto, enc, bucket, list, manifest string) {
	dir, name := path.Split(list)
	parts := strings.Split(name, ",")
	if len(parts) < 3 {
		http.Error(w, "a .smil list needs prefix,name,…,suffix", http.StatusNotFound)
		return
	}
	pre, suf, mids := parts[0], parts[len(parts)-1], parts[1:len(parts)-1]
	var outs []edgeOutput
	for _, mid := range mids {
		if mid == "" {
			continue
		}
		out, ok := e.outputByKey(bucket, dir+pre+mid+suf)
		if !ok {
			http.Error(w, "no COMPLETE output "+strconv.Quote(dir+pre+mid+suf)+" in bucket "+strconv.Quote(bucket), http.StatusNotFound)
			return
		}
		outs = append(outs, out)
	}
	slices.SortStableFunc(outs, func(a, b edgeOutput) int { return bandwidth(a.option) - bandwidth(b.option) })
	ms := make([]*media, len(outs))
	for i, o := range outs {
		m, err := e.media(o)
		if err != nil {
			http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
			return
		}
		ms[i] = m
	}
	base := func(i int) string { return "/" + proto + "/" + enc + "/" + escapeKey(outs[i].key) + "/" }
	switch {
	case proto == "hls" && manifest == "master.m3u8":
		serveBytes(w, r, "application/vnd.apple.mpegurl", []byte(masterPlaylist(outs, ms, base)))
	case proto == "dash" && manifest == "manifest.mpd":
		serveBytes(w, r, "application/dash+xml", []byte(mpd(outs, ms, base)))
	default:
		http.NotFound(w, r)
	}
}

// bandwidth is an option's BANDWIDTH in bits per second.
func bandwidth(o EncodingOption) int { return (o.VideoBitrateKbps + o.AudioBitrateKbps) * 1000 }

// codecs is the CODECS attribute of what the edge encodes: H.264
// constrained baseline level 3.1 and AAC-LC.
const codecs = "avc1.42e01f,mp4a.40.2"

// masterPlaylist is an HLS master playlist (RFC 8216 §4.3.4) with one
// variant per output, lowest bandwidth first.
func masterPlaylist(outs []edgeOutput, ms []*media, base func(int) string) string {
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	if ms[0].dir == "" {
		b.WriteString(EdgeNote + "\n")
	}
	for i, o := range outs {
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,RESOLUTION=%dx%d,CODECS=\"%s\",FRAME-RATE=30.000\n",
			bandwidth(o.option), bandwidth(o.option), o.option.Width, o.option.Height, codecs)
		b.WriteString(base(i) + "index.m3u8\n")
	}
	return b.String()
}

// mpd is a static DASH manifest with one representation per output (video
// and audio muxed), over the same fMP4 segments as HLS.
func mpd(outs []edgeOutput, ms []*media, base func(int) string) string {
	dur := ms[0].duration
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-main:2011" type="static" mediaPresentationDuration="PT%.3fS" minBufferTime="PT1S">
`, dur)
	if ms[0].dir == "" {
		b.WriteString("<!-- " + strings.TrimPrefix(EdgeNote, "# ") + " -->\n")
	}
	b.WriteString(`<Period id="0" start="PT0S"><AdaptationSet mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">` + "\n")
	for i, o := range outs {
		fmt.Fprintf(&b, `<Representation id="%d" bandwidth="%d" width="%d" height="%d" codecs="%s" frameRate="30">`+"\n",
			i, bandwidth(o.option), o.option.Width, o.option.Height, codecs)
		fmt.Fprintf(&b, `<SegmentList timescale="1000" duration="1000"><Initialization sourceURL="%sinit.mp4"/>`, base(i))
		for n := range ms[i].segments {
			fmt.Fprintf(&b, `<SegmentURL media="%sseg%d.m4s"/>`, base(i), n)
		}
		b.WriteString("</SegmentList></Representation>\n")
	}
	b.WriteString("</AdaptationSet></Period></MPD>\n")
	return b.String()
}

// escapeKey percent-encodes each segment of an object key.
func escapeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func serveBytes(w http.ResponseWriter, r *http.Request, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

// media is one rendition's encoded media: dir holds index.m3u8, init.mp4
// and seg{n}.m4s ("" when no media was encoded: playlist is then
// generated).
type media struct {
	once     sync.Once
	err      error
	dir      string
	playlist string
	segments []float64 // durations
	duration float64
}

// media returns out's media, encoding it on first use.
func (e *Emulator) media(out edgeOutput) (*media, error) {
	id := strconv.FormatInt(out.file.id, 10) + "/" + strconv.Itoa(out.index)
	e.mediaMu.Lock()
	if e.medias == nil {
		e.medias = map[string]*media{}
	}
	m, ok := e.medias[id]
	if !ok {
		m = &media{}
		e.medias[id] = m
	}
	src := e.sources[submittedKey(out.file.bucketName, out.file.filePath)]
	e.mediaMu.Unlock()
	m.once.Do(func() {
		if src == "" && e.opts.OpenSource != nil {
			if src, m.err = e.fetchSource(out.file.bucketName, out.file.filePath); m.err != nil {
				return
			}
		}
		m.err = e.encode(m, id, out, src)
	})
	return m, m.err
}

// fetchedSource is an uploaded object copied into the media folder.
type fetchedSource struct {
	once sync.Once
	path string
	err  error
}

// fetchSource copies the object bucket/key, through Options.OpenSource,
// into the media folder once, and returns the copy's path.
func (e *Emulator) fetchSource(bucket, key string) (string, error) {
	e.mediaMu.Lock()
	if e.fetched == nil {
		e.fetched = map[string]*fetchedSource{}
	}
	k := submittedKey(bucket, key)
	f, ok := e.fetched[k]
	if !ok {
		f = &fetchedSource{}
		e.fetched[k] = f
	}
	n := len(e.fetched)
	e.mediaMu.Unlock()
	f.once.Do(func() { f.path, f.err = e.copySource(bucket, key, n) })
	return f.path, f.err
}

func (e *Emulator) copySource(bucket, key string, n int) (string, error) {
	root, err := e.mediaRoot()
	if err != nil {
		return "", err
	}
	rc, err := e.opts.OpenSource(bucket, key)
	if err != nil {
		return "", fmt.Errorf("open the uploaded object %s/%s: %w", bucket, key, err)
	}
	defer rc.Close()
	p := filepath.Join(root, "source-"+strconv.Itoa(n)+path.Ext(key))
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return "", fmt.Errorf("read the uploaded object %s/%s: %w", bucket, key, err)
	}
	return p, f.Close()
}

// encode fills m, with ffmpeg when there is one.
func (e *Emulator) encode(m *media, id string, out edgeOutput, src string) error {
	dur := e.source().DurationS
	if dur <= 0 {
		dur = DefaultSource.DurationS
	}
	m.duration = dur
	ffmpeg := e.ffmpegPath()
	if ffmpeg == "" {
		n := int(math.Ceil(dur))
		var b strings.Builder
		b.WriteString("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n")
		b.WriteString(EdgeNote + "\n#EXT-X-MAP:URI=\"init.mp4\"\n")
		for i := 0; i < n; i++ {
			d := math.Min(1, dur-float64(i))
			m.segments = append(m.segments, d)
			fmt.Fprintf(&b, "#EXTINF:%.3f,\nseg%d.m4s\n", d, i)
		}
		b.WriteString("#EXT-X-ENDLIST\n")
		m.playlist = b.String()
		return nil
	}
	root, err := e.mediaRoot()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, strings.ReplaceAll(id, "/", "-"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	o := out.option
	d := strconv.FormatFloat(dur, 'f', 3, 64)
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}
	if src != "" {
		args = append(args, "-t", d, "-i", src, "-vf", fmt.Sprintf("scale=%d:%d", o.Width, o.Height), "-r", "30", "-ac", "2", "-ar", "48000")
	} else {
		args = append(args,
			"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=30:duration=%s", o.Width, o.Height, d),
			"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:sample_rate=48000:duration=%s", d))
	}
	args = append(args,
		"-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline", "-level", "3.1", "-pix_fmt", "yuv420p",
		"-g", "30", "-keyint_min", "30", "-sc_threshold", "0",
		"-b:v", strconv.Itoa(o.VideoBitrateKbps)+"k", "-maxrate", strconv.Itoa(o.VideoBitrateKbps)+"k", "-bufsize", strconv.Itoa(2*o.VideoBitrateKbps)+"k",
		"-c:a", "aac", "-b:a", strconv.Itoa(o.AudioBitrateKbps)+"k",
		"-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
		"-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", filepath.Join(dir, "seg%d.m4s"),
		filepath.Join(dir, "index.m3u8"))
	cmd := exec.CommandContext(e.ctx, ffmpeg, args...)
	if outb, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg for %s: %v: %s", out.key, err, bytes.TrimSpace(outb))
	}
	pl, err := os.ReadFile(filepath.Join(dir, "index.m3u8"))
	if err != nil {
		return err
	}
	m.dir, m.playlist = dir, string(pl)
	for _, line := range strings.Split(m.playlist, "\n") {
		if v, ok := strings.CutPrefix(line, "#EXTINF:"); ok {
			f, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), ","), 64)
			m.segments = append(m.segments, f)
		}
	}
	return nil
}

// mediaRoot is the emulator's temporary media folder, made on first use
// and removed by Close.
func (e *Emulator) mediaRoot() (string, error) {
	e.mediaMu.Lock()
	defer e.mediaMu.Unlock()
	if e.mediaDir == "" {
		d, err := os.MkdirTemp("", "vodstationtest-edge-")
		if err != nil {
			return "", err
		}
		e.mediaDir = d
	}
	return e.mediaDir, nil
}

// removeMedia deletes the media folder.
func (e *Emulator) removeMedia() {
	e.mediaMu.Lock()
	defer e.mediaMu.Unlock()
	if e.mediaDir != "" {
		_ = os.RemoveAll(e.mediaDir)
		e.mediaDir = ""
	}
}

// servePoster answers {dir}/{basename}_01.jpg for a file whose category
// makes thumbnails and that has a COMPLETE output in dir.
func (e *Emulator) servePoster(w http.ResponseWriter, r *http.Request, key string) {
	dir, name := path.Split(key)
	base, ok := strings.CutSuffix(name, "_01.jpg")
	found := false
	if ok {
		e.mu.RLock()
		for _, f := range e.fileOrder {
			if !f.thumbnail {
				continue
			}
			for _, o := range f.outputs {
				_, k, ok := linkKey(o.link)
				if ok && o.status == StatusComplete && strings.HasPrefix(k, dir+base+"_") && !strings.Contains(k[len(dir):], "/") {
					found = true
				}
			}
		}
		e.mu.RUnlock()
	}
	if !found {
		http.NotFound(w, r)
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, 320, 180))
	for y := 0; y < 180; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / 320), G: uint8(y * 255 / 180), B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	serveBytes(w, r, "image/jpeg", b.Bytes())
}
