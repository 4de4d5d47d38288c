package vodstation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vodflow/vodflow/pkg/signing"
)

// answer200 is an in-memory transport that answers every request with
// HTTP 200 and its body, so AddFiles runs without a network.
type answer200 []byte

func (b answer200) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)),
		Request:       r,
	}, nil
}

// FuzzDecodeAddedFiles feeds decodeAddedFiles arbitrary add-files 2xx
// bodies for 1 to MaxPathsPerRequest non-empty paths (given as one string,
// one path a line) and checks that it never panics and that:
//
//   - on success it returns exactly one file per path, in order, each
//     named by its path and with a non-empty ID, and it gives every element
//     of the answer's content to exactly one path (no id is lost or handed
//     to two files);
//   - AddFiles, given the same body in a 200 answer, returns the same files
//     or, when the decoder fails, an error that matches ErrOutcomeUnknown:
//     a 2xx whose ids cannot be read means the files may have been accepted.
func FuzzDecodeAddedFiles(f *testing.F) {
	for _, s := range []struct{ body, paths string }{
		{`{"content":[{"id":1001,"filePath":"in/a.mp4"}]}`, "in/a.mp4"},
		{`{"content":[{"id":3,"filePath":"c.mp4"},{"id":1,"filePath":"a.mp4"},{"id":"2","filePath":"b.mp4"}]}`, "a.mp4\nb.mp4\nc.mp4"},
		{`{"content":[{"id":1},{"id":2},{"id":3}]}`, "a.mp4\nb.mp4\nc.mp4"},
		{`{"content":[{"id":"x-1","filePath":"uploads/한글 영상.mp4","extra":true}],"total":1}`, "uploads/한글 영상.mp4"},
		{`{"content":[{"id":1`, "a.mp4"},
		{``, "a.mp4"},
		{`{"content":[{"filePath":"a.mp4"}]}`, "a.mp4"},
		{`{"content":[{"id":null}]}`, "a.mp4"},
		{`{"content":[{"id":true}]}`, "a.mp4"},
		{`{"content":[]}`, "a.mp4"},
		{`{"content":null}`, "a.mp4"},
		{`OK`, "a.mp4"},
	} {
		f.Add([]byte(s.body), s.paths)
	}
	f.Fuzz(func(t *testing.T, body []byte, pathList string) {
		paths := strings.Split(pathList, "\n")
		if len(paths) > MaxPathsPerRequest || slices.Contains(paths, "") {
			return // AddFiles refuses these before sending
		}
		files, err := decodeAddedFiles(body, paths)
		if err == nil {
			checkAddedFiles(t, body, paths, files)
		} else if err.Error() == "" {
			t.Fatalf("empty error text")
		}

		c, cerr := New("https://vodstation.test", signing.Credentials{AccessKey: "AK", SecretKey: signing.NewSecret("SK")},
			WithHTTPClient(&http.Client{Transport: answer200(body)}), WithRetry(RetryPolicy{MaxAttempts: 1}))
		if cerr != nil {
			t.Fatal(cerr)
		}
		added, addErr := c.AddFiles(context.Background(), "1", AddFilesRequest{BucketName: "b", Paths: paths})
		switch {
		case err == nil && (addErr != nil || !reflect.DeepEqual(added, files)):
			t.Fatalf("AddFiles gave %+v, %v; the decoder %+v", added, addErr, files)
		case err != nil && !errors.Is(addErr, ErrOutcomeUnknown):
			t.Fatalf("decoder failed (%v) but AddFiles' error %v does not match ErrOutcomeUnknown", err, addErr)
		case err != nil && added != nil:
			t.Fatalf("AddFiles returned files %+v with error %v", added, addErr)
		}
	})
}

// checkAddedFiles checks a successful decode of body for paths.
func checkAddedFiles(t *testing.T, body []byte, paths []string, files []AddedFile) {
	t.Helper()
	if len(files) != len(paths) {
		t.Fatalf("%d files for %d paths", len(files), len(paths))
	}
	for i, f := range files {
		if f.ID == "" || f.FilePath != paths[i] {
			t.Fatalf("file %d is %+v, want a non-empty id and path %q", i, f, paths[i])
		}
	}
	var wire struct {
		Content []AddedFile `json:"content"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		t.Fatalf("decoded a body that does not unmarshal: %v", err)
	}
	var want, got []string
	for _, f := range wire.Content {
		want = append(want, string(f.ID))
	}
	for _, f := range files {
		got = append(got, string(f.ID))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Fatalf("the answer's ids %q were handed out as %q (paths %q)", want, got, paths)
	}
}
