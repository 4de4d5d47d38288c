package callback_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// BenchmarkCompleteCallback times the last COMPLETE callback of a file
// (the one that sends file_complete) through a warm handler, against the
// emulator, and reports the VOD Station calls it makes.
func BenchmarkCompleteCallback(b *testing.B) {
	l := newLoop(b, vodstationtest.Options{})
	res := mustAddFiles(b, l, "in/bench.mp4", "")
	require.NoError(b, l.vod.WaitIdle(context.Background()))
	id := res.Files[0].FileID
	body, _ := json.Marshal(map[string]any{"categoryId": l.cat.ID, "categoryName": l.cat.Name, "fileId": id,
		"filePath": "in/bench.mp4", "encodingOptionId": 2, "outputType": "AVC_HD_1Pass_30fps", "status": "COMPLETE",
		"link": "https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/bench_AVC_HD_1Pass_30fps.mp4"})
	params := l.request("token="+cbToken, string(body), map[string]any{"WEBHOOK_URL": nil, "WEBHOOK_SECRET": nil})
	h := callback.New()
	code, _ := call(b, h, params) // warm: the channel is cached
	require.Equal(b, 200, code)
	l.vod.ResetCalls()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code, a := call(b, h, params); code != 200 || len(a.Events) < 3 {
			b.Fatalf("answer %d %+v", code, a)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(l.vod.CountCalls("", ""))/float64(b.N), "apicalls/op")
}
