package engine

import (
	"testing"

	"github.com/crmagg/crmagg/money"
	"github.com/shopspring/decimal"
)

func TestParseFixedFast(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want string
	}{
		{"1500", true, "1500"},
		{"  1500.50 ", true, "1500.5"},
		{"-0.001", true, "-0.001"},
		{"+7.", true, "7"},
		{".5", true, "0.5"},
		{"0", true, "0"},
		{"000000000000000000000001", true, "1"},
		{"123456789012345678", true, "123456789012345678"},
		{"1234567890123456789", false, ""},
		{"1e5", false, ""},
		{"1,5", false, ""},
		{"", false, ""},
		{".", false, ""},
		{"-", false, ""},
		{"1.2.3", false, ""},
		{"0.0000000000000000001", false, ""},
	}
	for _, tt := range tests {
		f, ok := parseFixedFast(tt.in)
		if ok != tt.ok {
			t.Errorf("parseFixedFast(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if ok && string(f.appendText(nil)) != tt.want {
			t.Errorf("parseFixedFast(%q) = %s, want %s", tt.in, f.appendText(nil), tt.want)
		}
	}
}

// FuzzFixedAgainstDecimal checks the fixed-point fast path against the
// exact decimal path: whatever the fast parser accepts, package money
// accepts with the same value, and the text and comparison agree.
func FuzzFixedAgainstDecimal(f *testing.F) {
	for _, seed := range []string{"1500", "-0.5", "123456789012345678", ".5", "7.", "  42  ", "1e3", "0.000"} {
		f.Add(seed, "1.25")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		fa, okA := parseFixedFast(a)
		if !okA {
			return
		}
		da, err := money.ParseAmount(a)
		if err != nil {
			t.Fatalf("fast path accepted %q, money rejects it: %v", a, err)
		}
		if !fa.decimal().Equal(da) {
			t.Fatalf("fast path reads %q as %s, money as %s", a, fa.decimal(), da)
		}
		if got := string(fa.appendText(nil)); got != da.String() {
			t.Fatalf("text of %q = %s, want %s", a, got, da.String())
		}
		back, ok := fixedFromDecimal(da)
		if !ok || compareFixed(back, fa) != 0 {
			t.Fatalf("fixedFromDecimal(%s) = %v, %v", da, back, ok)
		}
		fb, okB := parseFixedFast(b)
		if okB {
			db, _ := money.ParseAmount(b)
			if compareFixed(fa, fb) != da.Cmp(db) {
				t.Fatalf("compare(%q, %q) disagrees with decimal", a, b)
			}
		}
	})
}

func TestInt128(t *testing.T) {
	var sum int128
	for i := 0; i < 4; i++ {
		sum = sum.addInt64(1<<62 + 1)
	}
	sum = sum.addInt64(-5)
	if got := sum.bigInt().String(); got != "18446744073709551615" {
		t.Errorf("sum = %s", got)
	}
	r, ok := sum.mulPow10(18)
	if !ok || r.bigInt().String() != "18446744073709551615000000000000000000" {
		t.Errorf("mulPow10 = %s, %v", r.bigInt(), ok)
	}
	neg := sum.neg()
	if neg.bigInt().String() != "-18446744073709551615" || neg.cmp(sum) != -1 {
		t.Errorf("neg = %s", neg.bigInt())
	}
	huge := int128{hi: 1 << 61}
	if _, ok := huge.mulPow10(2); ok {
		t.Errorf("mulPow10 overflow not reported")
	}
	if d := decimal.NewFromBigInt(sum.bigInt(), -2); d.String() != "184467440737095516.15" {
		t.Errorf("decimal = %s", d)
	}
}
