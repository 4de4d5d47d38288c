package bytesize_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vodflow/vodflow/pkg/bytesize"
)

func TestMB(t *testing.T) {
	tests := []struct {
		name   string
		n      int64
		want   string
		signed string
	}{
		{name: "the issue's zip", n: 3_115_717, want: "3.12 MB", signed: "+3.12 MB"},
		{name: "one decimal megabyte", n: 1_000_000, want: "1.00 MB", signed: "+1.00 MB"},
		{name: "one mebibyte is not one MB", n: 1 << 20, want: "1.05 MB", signed: "+1.05 MB"},
		{name: "zero", n: 0, want: "0.00 MB", signed: "+0.00 MB"},
		{name: "shrink", n: -250_000, want: "-0.25 MB", signed: "-0.25 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, bytesize.MB(tt.n))
			assert.Equal(t, tt.signed, bytesize.SignedMB(tt.n))
		})
	}
}
