package playback_test

import (
	"fmt"

	"github.com/vodflow/vodflow/pkg/playback"
)

func ExampleForLink() {
	cfg := playback.Config{
		Domain:          "https://example.edge.naverncp.com/",
		EncryptedBucket: "abcDEF123",
		Protocols:       []string{"hls", "dash"},
	}
	// The link of a COMPLETE callback: the encoded file in the channel's
	// storage bucket, its Korean name percent-encoded.
	link := "https://vodflow-out.kr.object.ncloudstorage.com/out/vodflow-demo/%EC%98%81%EC%83%81_AVC_HD_1Pass_30fps.mp4"
	urls, err := playback.ForLink(cfg, link)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(urls.HLS)
	fmt.Println(urls.DASH)
	fmt.Printf("warning: %q\n", urls.Warning)
	// Output:
	// https://example.edge.naverncp.com/hls/abcDEF123/out/vodflow-demo/%EC%98%81%EC%83%81_AVC_HD_1Pass_30fps.mp4/index.m3u8
	// https://example.edge.naverncp.com/dash/abcDEF123/out/vodflow-demo/%EC%98%81%EC%83%81_AVC_HD_1Pass_30fps.mp4/manifest.mpd
	// warning: ""
}
