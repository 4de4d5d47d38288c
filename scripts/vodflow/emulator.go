package main

import (
	"context"
	"fmt"

	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// Demo credentials and names the emulator accepts. They are not secrets:
// they open nothing but the local test double.
const (
	demoAccessKey    = "vodflow-emulator-access-key"
	demoSecretKey    = "vodflow-emulator-secret-key"
	demoCategoryName = "vodflow-demo"
	demoBucket       = "vodflow-demo-uploads"
	demoOutputPath   = "encoded"
)

// startDemoEmulator starts the emulator and seeds the demo category. With
// storage, the edge encodes each file from the object's bytes in that
// Object Storage emulator, as VOD Station reads the uploaded object. Its
// Global Edge stand-in checks playback tokens once checkEdgeTokens turns
// that on.
func startDemoEmulator(addr string, logf func(string, ...any), storage *objectstoragetest.Server) (*vodstationtest.Server, vodstationtest.Category, error) {
	opts := vodstationtest.Options{AccessKey: demoAccessKey, SecretKey: demoSecretKey, Logf: logf}
	if storage != nil {
		opts.OpenSource = storage.Open
	}
	var srv *vodstationtest.Server
	var err error
	if addr == "" {
		srv, err = vodstationtest.NewServer(opts)
	} else {
		srv, err = vodstationtest.Listen(addr, opts)
	}
	if err != nil {
		return nil, vodstationtest.Category{}, fmt.Errorf("start the VOD Station emulator: %w", err)
	}
	cat := srv.AddCategory(vodstationtest.Category{Name: demoCategoryName, OutputBucket: demoOutputBucket, OutputPath: demoOutputPath, Thumbnail: true})
	return srv, cat, nil
}

func runEmulator(ctx context.Context, e *env, args []string) error {
	fs := newFlags("emulator")
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	storageAddr := fs.String("storage-addr", "127.0.0.1:8091", "listen address of the Object Storage emulator (S3, SigV4), with bucket "+demoBucket)
	over := registerOverrides(fs, "for the emulator: PLAYBACK_TOKEN_KEY (with PLAYBACK_TOKEN_NAME, PLAYBACK_TOKEN_TYPE) turns its Global Edge stand-in's token check on")
	pos, err := parse(fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("emulator", "unexpected arguments: %q", pos)
	}
	signed, err := emulatorSigning(*over)
	if err != nil {
		return err
	}
	stdout, stderr := e.stdout, e.stderr
	storage, err := startDemoStorage(*storageAddr, func(f string, a ...any) { fmt.Fprintf(stderr, f+"\n", a...) })
	if err != nil {
		return err
	}
	defer storage.Close()
	srv, cat, err := startDemoEmulator(*addr, func(f string, a ...any) { fmt.Fprintf(stderr, f+"\n", a...) }, storage)
	if err != nil {
		return err
	}
	defer srv.Close()
	edgeLine, err := checkEdgeTokens(srv, signed)
	if err != nil {
		return fmt.Errorf("signed playback: %w", err)
	}
	fmt.Fprintf(stdout, "VOD Station emulator (a test double, not NCP) at %s\n", srv.URL)
	fmt.Fprintf(stdout, "  API_URL=%s NCLOUD_ACCESS_KEY=%s NCLOUD_SECRET_KEY=%s\n", srv.URL, demoAccessKey, demoSecretKey)
	fmt.Fprintf(stdout, "Object Storage emulator (a test double, S3 with SigV4) at %s, bucket %s\n", storage.URL, demoBucket)
	fmt.Fprintf(stdout, "  OBJECT_STORAGE_ENDPOINT=%s OBJECT_STORAGE_REGION=%s (same keys)\n", storage.URL, demoStorageRegion)
	if edgeLine != "" {
		fmt.Fprintf(stdout, "  %s\n", edgeLine)
	}
	fmt.Fprintf(stdout, "  category %q has id %d; Ctrl-C stops\n", cat.Name, cat.ID)
	<-ctx.Done()
	return nil
}
