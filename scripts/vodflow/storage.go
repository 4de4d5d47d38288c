package main

import (
	"context"
	"fmt"
	"mime"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/signing"
)

// demoStorageRegion is the region the emulated Object Storage signs for,
// NCP's Korean one.
const demoStorageRegion = objectstorage.DefaultRegion

// startDemoStorage starts the Object Storage emulator (a test double) with
// the demo keys and the demo upload bucket, on addr ("" for a free port).
func startDemoStorage(addr string, logf func(string, ...any)) (*objectstoragetest.Server, error) {
	opts := objectstoragetest.Options{
		Credentials: map[string]string{demoAccessKey: demoSecretKey},
		Region:      demoStorageRegion, Buckets: []string{demoBucket}, Logf: logf,
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s, err := objectstoragetest.Listen(addr, opts)
	if err != nil {
		return nil, fmt.Errorf("start the Object Storage emulator: %w", err)
	}
	return s, nil
}

// demoStorageClient is a client of the emulated Object Storage at url.
func demoStorageClient(url string) (*objectstorage.Client, error) {
	return objectstorage.New(objectstorage.Config{Endpoint: url, Region: demoStorageRegion, AccessKey: demoAccessKey, SecretKey: signing.NewSecret(demoSecretKey)})
}

// unplayable are the characters VOD Station cannot play in a key.
const unplayable = "#$;"

// playableKey returns key with each of # $ ; replaced by _, and which
// characters it replaced ("" when none).
func playableKey(key string) (safe, replaced string) {
	var seen []string
	safe = strings.Map(func(r rune) rune {
		if strings.ContainsRune(unplayable, r) {
			if !containsStr(seen, string(r)) {
				seen = append(seen, string(r))
			}
			return '_'
		}
		return r
	}, key)
	return safe, strings.Join(seen, " ")
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// contentType guesses a video's Content-Type from its extension.
func contentType(name string) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return t
	}
	return "application/octet-stream"
}

// uploadFile uploads the local file at p to bucket/key with c. It checks
// after the upload that the file did not change while it was read.
func uploadFile(ctx context.Context, c *objectstorage.Client, bucket, key, p string, progress func(done, size int64)) (objectstorage.Object, error) {
	f, err := os.Open(p)
	if err != nil {
		return objectstorage.Object{}, fmt.Errorf("open the file to upload: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return objectstorage.Object{}, err
	}
	if !st.Mode().IsRegular() {
		return objectstorage.Object{}, fmt.Errorf("%s is not a regular file", p)
	}
	size := st.Size()
	var cb func(int64)
	if progress != nil {
		cb = func(done int64) { progress(done, size) }
	}
	obj, err := c.Upload(ctx, bucket, key, f, size, contentType(p), cb)
	if err != nil {
		return obj, err
	}
	if now, serr := os.Stat(p); serr != nil || now.Size() != size || !now.ModTime().Equal(st.ModTime()) {
		return obj, fmt.Errorf("%s changed or vanished while it was uploaded (the object %s may hold a mix of old and new bytes): upload it again", p, key)
	}
	return obj, nil
}

// defaultKey is the key a file uploads to: prefix + its base name.
func defaultKey(prefix, file string) string {
	return path.Join(prefix, filepath.Base(file))
}

// waitEvent waits for the first bucket event on ch, up to d.
func waitEvent(ctx context.Context, ch <-chan map[string]any, d time.Duration) (map[string]any, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case ev := <-ch:
		return ev, nil
	case <-t.C:
		return nil, fmt.Errorf("no bucket event within %s after the upload", d)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
