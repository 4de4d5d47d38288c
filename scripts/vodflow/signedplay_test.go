package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// A Secure Token key (hex, as the console issues it) and a JWT secret:
// sentinels, never printed.
const (
	localTokenKey = "d00dfeedd00dfeedd00dfeed"
	localJWTKey   = "JWTLOCAL-SENTINEL-0b7e"
)

// signedTokenText matches a printed signed token (it may be shown).
var signedTokenText = regexp.MustCompile(`(token|vt|globaledgejwt)=[^\s"&]+`)

// assertNoKey checks that not even the key's first 6 characters are in
// the texts, once the signed tokens (whose HMAC digits could match by
// chance) are taken out.
func assertNoKey(t *testing.T, key string, texts ...string) {
	t.Helper()
	for _, text := range texts {
		assert.NotContains(t, signedTokenText.ReplaceAllString(text, "$1=…"), key[:6], "the key (or its first 6 characters) was printed")
	}
}

// lastPlay is the last "play: " URL of out.
func lastPlay(t *testing.T, out string) string {
	t.Helper()
	var u string
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "play: "); ok {
			u = strings.TrimSpace(rest)
		}
	}
	require.NotEmpty(t, u, "no play: line in\n%s", out)
	return u
}

// fetchStatus GETs u and returns the status and body.
func fetchStatus(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// playWithQuery fetches the master, each variant playlist and each
// variant's init segment and first media segment, each child with the
// master's query appended (what a player set up as README says does).
func playWithQuery(t *testing.T, master string) vodstationtest.Play {
	t.Helper()
	p, err := vodstationtest.PlayHLS(master, vodstationtest.PlayOptions{CarryQuery: true, MediaPerPlaylist: 1})
	require.NoError(t, err)
	return p
}

// TestLocalSignsPlayback: vodflow local -p PLAYBACK_TOKEN_KEY=… (the tool
// binary) says the emulator's edge checks tokens and prints signed
// playback URLs, the play: line included, and never the key.
func TestLocalSignsPlayback(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		args      []string
		says      string
		token     string
	}{
		{"Secure Token", localTokenKey, nil, "checks a securetoken token (token,", `\?token=exp=\d+~acl=/hls/[^~]+\*~hmac=[0-9a-f]{64}$`},
		{"JWT, named", localJWTKey, []string{"-p", "PLAYBACK_TOKEN_TYPE=jwt", "-p", "PLAYBACK_TOKEN_NAME=vt"}, "checks a jwt token (vt,",
			`\?vt=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := exe(t, "", append([]string{"local", "-p", "PLAYBACK_TOKEN_KEY=" + tc.key}, tc.args...)...)
			require.Equal(t, 0, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stdout, "the Global Edge stand-in "+tc.says)
			assert.Regexp(t, `^http://127\.0\.0\.1:\d+/hls/vodflowdemoenc0001/encoded/vodflow-demo/sample%20video_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,\.mp4\.smil/master\.m3u8`+tc.token,
				lastPlay(t, r.stdout))
			assert.Regexp(t, `webhook file_complete .* https://vodflow-demo\.edge\.naverncp\.com/hls/\S+`+strings.TrimSuffix(tc.token, "$"), r.stdout)
			assertNoKey(t, tc.key, r.stdout, r.stderr)
		})
	}

	t.Run("a Secure Token key that is not hex", func(t *testing.T) {
		r := exe(t, "", "local", "-p", "PLAYBACK_TOKEN_KEY="+localJWTKey)
		assert.NotEqual(t, 0, r.code)
		assert.Contains(t, r.stderr, "PLAYBACK_TOKEN_KEY")
		assertNoKey(t, localJWTKey, r.stdout, r.stderr)
	})
	t.Run("without a key nothing is signed", func(t *testing.T) {
		r := exe(t, "", "local")
		require.Equal(t, 0, r.code, r.stderr)
		assert.NotContains(t, r.stdout, "checks a")
		assert.NotContains(t, lastPlay(t, r.stdout), "?")
	})
}

// serveTool starts the tool binary with args and returns its stdout lines
// as they come; the process is interrupted (as Ctrl-C does) at cleanup.
func serveTool(t *testing.T, args ...string) <-chan string {
	t.Helper()
	cmd := exec.Command(toolBinary, args...)
	cmd.Env = append(os.Environ(), "NCLOUD_ACCESS_KEY=", "NCLOUD_SECRET_KEY=", "WSK_CONFIG_FILE="+filepath.Join(t.TempDir(), "none"))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	lines := make(chan string, 1000)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Error("the tool did not stop on an interrupt")
		}
	})
	return lines
}

// waitLine returns the first line with prefix, and every line read.
func waitLine(t *testing.T, lines <-chan string, prefix string) (string, string) {
	t.Helper()
	var all strings.Builder
	timeout := time.After(3 * time.Minute)
	for {
		select {
		case l, ok := <-lines:
			require.True(t, ok, "the tool stopped before a %q line:\n%s", prefix, all.String())
			all.WriteString(l + "\n")
			if strings.HasPrefix(l, prefix) {
				return l, all.String()
			}
		case <-timeout:
			t.Fatalf("no %q line:\n%s", prefix, all.String())
		}
	}
}

// TestLocalServeSignedPlays: vodflow local --serve -p PLAYBACK_TOKEN_KEY=…
// keeps the emulator serving; its edge plays the printed signed URL (the
// master, each variant and its segments, the token carried) and refuses
// the same path unsigned, or with a tampered token.
func TestLocalServeSignedPlays(t *testing.T) {
	lines := serveTool(t, "local", "--serve", "-p", "PLAYBACK_TOKEN_KEY="+localTokenKey)
	_, out := waitLine(t, lines, "play: ")
	play := lastPlay(t, out)
	p := playWithQuery(t, play)
	assert.Empty(t, p.Refused, "the signed URL plays")
	assert.GreaterOrEqual(t, p.Fetched(), 1+2*3, "the master, 2 variants, their init and a segment")

	bare, _, _ := strings.Cut(play, "?")
	code, body := fetchStatus(t, bare)
	assert.Equal(t, http.StatusForbidden, code, body)
	assert.Contains(t, body, "no token token")
	tampered := strings.Replace(play, "~hmac=", "~hmac=0", 1) // one digit more at the front, one less at the end
	code, body = fetchStatus(t, tampered[:len(tampered)-1])
	assert.Equal(t, http.StatusForbidden, code, body)
	assertNoKey(t, localTokenKey, out)
}

// TestEmulatorChecksTokensWithP: vodflow emulator -p PLAYBACK_TOKEN_KEY=…
// says its edge checks tokens; -p takes nothing else.
func TestEmulatorChecksTokensWithP(t *testing.T) {
	lines := serveTool(t, "emulator", "--addr", "127.0.0.1:0", "--storage-addr", "127.0.0.1:0",
		"-p", "PLAYBACK_TOKEN_KEY="+localJWTKey, "-p", "PLAYBACK_TOKEN_TYPE=jwt")
	l, out := waitLine(t, lines, "  the Global Edge stand-in checks")
	assert.Contains(t, l, "a jwt token (globaledgejwt,")
	assertNoKey(t, localJWTKey, out)

	r := exe(t, "", "emulator", "--addr", "127.0.0.1:0", "--storage-addr", "127.0.0.1:0", "-p", "CHANNEL_ID=1")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "the emulator takes only PLAYBACK_TOKEN_KEY")
	r = exe(t, "", "emulator", "--addr", "127.0.0.1:0", "--storage-addr", "127.0.0.1:0", "-p", "PLAYBACK_TOKEN_KEY=nothex")
	assert.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "PLAYBACK_TOKEN_KEY")
	assert.NotContains(t, r.stderr, "nothex")
}
