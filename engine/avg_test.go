package engine

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestDivRoundHalfEven(t *testing.T) {
	tests := []struct {
		sum    string
		n      int64
		places int32
		want   string
	}{
		{"10", 4, 10, "2.5"},
		{"1", 3, 10, "0.3333333333"},
		{"2", 3, 10, "0.6666666667"},
		{"-2", 3, 10, "-0.6666666667"},
		// Exact halves at the last kept digit go to the even neighbour.
		{"0.00000000005", 1, 10, "0"},
		{"0.00000000015", 1, 10, "0.0000000002"},
		{"0.00000000025", 1, 10, "0.0000000002"},
		{"-0.00000000025", 1, 10, "-0.0000000002"},
		{"-0.00000000035", 1, 10, "-0.0000000004"},
		{"5", 2, 0, "2"},
		{"7", 2, 0, "4"},
		{"-5", 2, 0, "-2"},
		{"1E+30", 3, 2, "333333333333333333333333333333.33"},
		{"123.45", 1, 1, "123.4"},
	}
	for _, tt := range tests {
		sum := decimal.RequireFromString(tt.sum)
		got := divRoundHalfEven(sum, tt.n, tt.places)
		if got.String() != tt.want {
			t.Errorf("divRoundHalfEven(%s, %d, %d) = %s, want %s", tt.sum, tt.n, tt.places, got, tt.want)
		}
	}
}
