package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// TestUploadWaitWithParamsFollowsTheDeployedTrigger is `vodflow upload
// --params params.json --wait` the way it runs against NCP: the tool
// uploads to the bucket params.json names, something it does not run (here
// the bucket's event rule, standing in for the deployed trigger, submits
// the key to VOD Station with the real client) submits it, and the tool
// follows it on VOD Station's status list to its playback URL, built from
// the channel CHANNEL_ID names. The tool itself submits nothing.
func TestUploadWaitWithParamsFollowsTheDeployedTrigger(t *testing.T) {
	s, err := startDemoStorage("", nil)
	require.NoError(t, err)
	defer s.Close()
	vod, cat, err := startDemoEmulator("", nil, nil)
	require.NoError(t, err)
	defer vod.Close()
	ch := vod.AddChannel(vodstationtest.Channel{
		Name: "deployed", StorageBucketName: demoOutputBucket, EncryptedBucketName: "deployedenc01",
		CDNDomain: "deployed.edge.naverncp.com", ProtocolList: []string{"HLS"},
	})
	vs, err := vodstation.New(vod.URL, signing.Credentials{AccessKey: demoAccessKey, SecretKey: signing.NewSecret(demoSecretKey)})
	require.NoError(t, err)
	var fired atomic.Int32
	s.OnCreate(demoBucket, func(ev map[string]any) {
		fired.Add(1)
		_, err := vs.AddFiles(context.Background(), fmt.Sprint(cat.ID), vodstation.AddFilesRequest{
			BucketName: demoBucket, Paths: []string{ev["object_name"].(string)},
		})
		assert.NoError(t, err, "the stand-in trigger's submission")
	})

	p := filepath.Join(t.TempDir(), "params.json")
	b, err := json.Marshal(map[string]any{
		"package": map[string]any{"name": "vodflow", "parameters": map[string]any{
			"NCLOUD_ACCESS_KEY": demoAccessKey, "NCLOUD_SECRET_KEY": demoSecretKey, "BUCKET_NAME": demoBucket,
			"API_URL": vod.URL, "OBJECT_STORAGE_ENDPOINT": s.URL, "OBJECT_STORAGE_REGION": demoStorageRegion,
		}},
		"actions": map[string]any{
			"lookup-category":   map[string]any{"parameters": map[string]any{"INPUT_PREFIX": "in/"}},
			"encoding-callback": map[string]any{"parameters": map[string]any{"CHANNEL_ID": ch.ID}},
		},
	})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b, 0o600))
	file := writeFile(t, t.TempDir(), "deployed clip.mp4", 120_000)

	r := exe(t, "", "upload", "--params", p, "--wait", "--json", "--part-size", "50000", "--timeout", "60s", file)
	require.Equal(t, 0, r.code, r.stderr)
	var rep uploadReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
	assert.False(t, rep.Emulator, "params.json names the endpoints")
	assert.True(t, rep.Multipart, "120 kB in 50 kB parts")
	assert.Equal(t, "in/deployed clip.mp4", rep.Key)
	require.NotNil(t, rep.Wait)
	require.NotEmpty(t, rep.Wait.Renditions)
	for _, rd := range rep.Wait.Renditions {
		assert.Equal(t, "COMPLETE", rd.Status)
	}
	assert.Contains(t, rep.Wait.Playback, "https://deployed.edge.naverncp.com/hls/deployedenc01/")
	assert.Contains(t, r.stderr, "COMPLETE  100%")
	assert.Equal(t, int32(1), fired.Load(), "one bucket event")
	assert.Len(t, vod.Submissions(), 1, "submitted once, by the trigger; the tool only watched")
	assert.NotContains(t, r.stdout+r.stderr, demoSecretKey)
}
