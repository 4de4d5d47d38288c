package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/objectstoragetest"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/reconcile"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// BenchmarkReconcile10k is one reconcile pass (a dry run, so every
// iteration does the same work) over a bucket of 10,000 uploads, 9,900 of
// which VOD Station received: the real Object Storage client lists the
// SigV4-checking test double (ListObjects V1, 10 pages), the real VOD
// Station client reads the emulator's status list (99 pages of 100), and
// the 100 missing uploads are found. Run:
//
//	go test ./pkg/reconcile -run '^$' -bench Reconcile10k -benchmem -benchtime 10x
func BenchmarkReconcile10k(b *testing.B) {
	const n, missing = 10000, 100
	ctx := context.Background()
	store, err := objectstoragetest.Start(objectstoragetest.Options{
		Credentials: map[string]string{testAccess: testSecret}, Buckets: []string{testBucket},
		Clock: func() time.Time { return time.Now().Add(-10 * time.Minute) }, MaxSkew: time.Hour,
	})
	require.NoError(b, err)
	defer store.Close()
	emu := vodstationtest.New(vodstationtest.Options{AccessKey: testAccess, SecretKey: testSecret, FFmpeg: "none", MaxCalls: 1 << 30})
	srv := httptest.NewServer(emu)
	defer func() { srv.Close(); emu.Close() }()
	vc, err := vodstation.New(srv.URL, signing.Credentials{AccessKey: testAccess, SecretKey: signing.NewSecret(testSecret)})
	require.NoError(b, err)
	c := emu.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out-bucket"})
	cat := vodstation.Category{ID: vodstation.ID(fmt.Sprint(c.ID)), Name: c.Name}

	oc, err := objectstorage.New(objectstorage.Config{Endpoint: store.URL, AccessKey: testAccess, SecretKey: signing.NewSecret(testSecret)})
	require.NoError(b, err)
	var batch []string
	for i := range n {
		key := fmt.Sprintf("uploads/%05d.mp4", i)
		_, err := oc.Upload(ctx, testBucket, key, bytes.NewReader([]byte("v")), 1, "video/mp4", nil)
		require.NoError(b, err)
		if i < n-missing {
			batch = append(batch, key)
		}
		if len(batch) == vodstation.MaxPathsPerRequest || (i == n-missing-1 && len(batch) > 0) {
			_, err := vc.AddFiles(ctx, string(cat.ID), vodstation.AddFilesRequest{BucketName: testBucket, Paths: batch})
			require.NoError(b, err)
			batch = nil
		}
	}
	lister, err := reconcile.StorageLister()(config.API{AccessKey: testAccess, SecretKey: signing.NewSecret(testSecret)},
		config.Storage{Endpoint: param.String(store.URL), Region: objectstoragetest.DefaultRegion})
	require.NoError(b, err)
	plan := reconcile.Plan{Bucket: testBucket, Category: cat, Filter: upload.NewFilter("", nil, nil), Window: 24 * time.Hour, MinAge: 5 * time.Minute,
		Max: 1000, ListPages: 20, StatusPages: 200, DryRun: true}
	lists0, status0 := store.Calls()["ListObjects"], len(emu.Calls())
	b.ResetTimer()
	for range b.N {
		res, err := reconcile.Run(ctx, plan, lister, vc, nil)
		if err != nil || res.Listed != n || len(res.WouldSubmit) != missing {
			b.Fatalf("listed %d, would submit %d, err %v", res.Listed, len(res.WouldSubmit), err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(store.Calls()["ListObjects"]-lists0)/float64(b.N), "list-calls/op")
	b.ReportMetric(float64(len(emu.Calls())-status0)/float64(b.N), "status-calls/op")
}
