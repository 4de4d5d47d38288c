package events_test

import (
	"os"
	"testing"

	"github.com/vodflow/vodflow/pkg/events"
)

func BenchmarkDecodeFlat(b *testing.B) {
	params := []byte(`{"object_name":"uploads/%ED%95%9C%EA%B8%80%20clip.mp4","NCLOUD_ACCESS_KEY":"AK","NCLOUD_SECRET_KEY":"SK","API_URL":"https://vodstation.apigw.ntruss.com","REGION":"KR","CATEGORY_NAME":"vod","BUCKET_NAME":"uploads"}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := events.Decode(params, events.DecodeAuto); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeS3Records(b *testing.B) {
	params, err := os.ReadFile("testdata/s3-put.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := events.Decode(params, events.DecodeAuto); err != nil {
			b.Fatal(err)
		}
	}
}
