package vodstationtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// PlayOptions says how PlayHLS fetches a stream: as a player set up one
// way or another would.
type PlayOptions struct {
	// CarryQuery gives each child URL without a query of its own the
	// master URL's query: hls.js with an xhrSetup that appends it, as
	// README shows for signed playback.
	CarryQuery bool
	// Cookie, when set, is sent with every request (a player given the
	// token as a cookie).
	Cookie string
	// MediaPerPlaylist bounds the media segments fetched from each media
	// playlist; 0 fetches every one. Init segments (#EXT-X-MAP) are
	// always fetched.
	MediaPerPlaylist int
	// Client sends the requests; nil is http.DefaultClient.
	Client *http.Client
}

// Play is what PlayHLS fetched.
type Play struct {
	// Served counts the requests answered 200.
	Served int
	// NoMedia lists the paths answered with the emulator's 404 for media
	// it did not encode (ffmpeg is not on the PATH): the edge's token
	// check passed, there is simply no segment.
	NoMedia []string
	// Refused lists every other answer, in order, as "STATUS PATH: BODY".
	Refused []string
}

// Fetched counts every request PlayHLS sent.
func (p Play) Fetched() int { return p.Served + len(p.NoMedia) + len(p.Refused) }

// maxPlaylistDepth bounds how deep PlayHLS follows playlists: a master,
// its variants, their segments.
const maxPlaylistDepth = 2

// PlayHLS fetches an HLS stream as a player does: the master playlist,
// each playlist it names, and each init segment (#EXT-X-MAP) and media
// segment those name, every child URL resolved against its playlist's.
// A refused playlist is not followed; the walk goes on with its siblings.
// The error is for a URL that cannot be parsed or a request that cannot
// be sent, never for an answer.
func PlayHLS(master string, o PlayOptions) (Play, error) {
	var p Play
	mu, err := url.Parse(master)
	if err != nil {
		return p, fmt.Errorf("vodstationtest: play: the master URL: %w", errors.Unwrap(err))
	}
	client := o.Client
	if client == nil {
		client = http.DefaultClient
	}
	var visit func(u *url.URL, depth int) error
	visit = func(u *url.URL, depth int) error {
		if o.CarryQuery && u.RawQuery == "" {
			u.RawQuery = mu.RawQuery
		}
		code, body, err := playGet(client, u.String(), o.Cookie)
		if err != nil {
			return err
		}
		switch {
		case code == http.StatusOK:
			p.Served++
		case code == http.StatusNotFound && strings.TrimSpace(body) == strings.TrimPrefix(EdgeNote, "# "):
			p.NoMedia = append(p.NoMedia, u.EscapedPath())
			return nil
		default:
			p.Refused = append(p.Refused, fmt.Sprintf("%d %s: %s", code, u.EscapedPath(), strings.TrimSpace(body)))
			return nil
		}
		if !strings.HasSuffix(u.Path, ".m3u8") || depth >= maxPlaylistDepth {
			return nil
		}
		media := 0
		sc := bufio.NewScanner(strings.NewReader(body))
		for sc.Scan() {
			ref := strings.TrimSpace(sc.Text())
			switch {
			case strings.HasPrefix(ref, `#EXT-X-MAP:URI="`):
				ref = strings.TrimSuffix(strings.TrimPrefix(ref, `#EXT-X-MAP:URI="`), `"`)
			case ref == "" || strings.HasPrefix(ref, "#"):
				continue
			case !strings.HasSuffix(strings.SplitN(ref, "?", 2)[0], ".m3u8"):
				if media++; o.MediaPerPlaylist > 0 && media > o.MediaPerPlaylist {
					continue
				}
			}
			child, err := u.Parse(ref)
			if err != nil {
				return fmt.Errorf("vodstationtest: play: %s names a URL that does not parse: %w", u.EscapedPath(), errors.Unwrap(err))
			}
			if err := visit(child, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	err = visit(mu, 0)
	return p, err
}

// playGet GETs u, with the cookie when set, and returns the status and body.
func playGet(client *http.Client, u, cookie string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, "", fmt.Errorf("vodstationtest: play: %w", err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := client.Do(req)
	if err != nil {
		// Not the *url.Error itself: its text quotes the URL, the token
		// in its query with it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, "", fmt.Errorf("vodstationtest: play: GET %s: %w", req.URL.EscapedPath(), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", fmt.Errorf("vodstationtest: play: %s: %w", req.URL.EscapedPath(), err)
	}
	return resp.StatusCode, string(b), nil
}
