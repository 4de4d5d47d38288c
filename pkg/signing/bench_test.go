package signing_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/vodflow/vodflow/pkg/signing"
)

func BenchmarkSignRequest(b *testing.B) {
	creds := signing.Credentials{AccessKey: "AK_TEST", SecretKey: signing.NewSecret("SK_TEST")}
	req, _ := http.NewRequest("GET", "https://vodstation.apigw.ntruss.com/api/v2/category?pageNo=1&pageSizeNo=20", nil)
	now := time.UnixMilli(1700000000000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := signing.SignRequest(req, creds, now); err != nil {
			b.Fatal(err)
		}
	}
}
