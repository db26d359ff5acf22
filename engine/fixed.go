package engine

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// Numbers on the hot paths are fixed-point: a mantissa m and a scale s
// stand for m × 10^-s. CRM amounts have a handful of fractional digits and
// fit an int64 at scales up to 18, so sums and comparisons are integer
// operations that allocate nothing. A value that does not fit (more than 18
// significant digits, a large exponent) takes the exact decimal fallback.

// maxScale is the largest scale a fixed value carries; 10^18 still fits an
// int64.
const maxScale = 18

var pow10 = [maxScale + 1]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
}

// int128 is a two's complement 128-bit integer. Sums of int64 mantissas
// accumulate in it: 2^64 values of 2^63 each cannot overflow it, so the
// add needs no check.
type int128 struct {
	hi int64
	lo uint64
}

func (a int128) add(b int128) int128 {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	return int128{hi: a.hi + b.hi + int64(carry), lo: lo}
}

func (a int128) addInt64(v int64) int128 {
	lo, carry := bits.Add64(a.lo, uint64(v), 0)
	return int128{hi: a.hi + (v >> 63) + int64(carry), lo: lo}
}

func (a int128) negative() bool { return a.hi < 0 }

func (a int128) neg() int128 {
	lo, borrow := bits.Sub64(0, a.lo, 0)
	return int128{hi: -a.hi - int64(borrow), lo: lo}
}

// mulPow10 multiplies by 10^k (k ≤ maxScale) and reports false when the
// product does not fit in 127 bits plus sign.
func (a int128) mulPow10(k int) (int128, bool) {
	if k == 0 {
		return a, true
	}
	negative := a.negative()
	if negative {
		a = a.neg()
	}
	p := pow10[k]
	hiHi, hiLo := bits.Mul64(uint64(a.hi), p)
	loHi, loLo := bits.Mul64(a.lo, p)
	hi, carry := bits.Add64(hiLo, loHi, 0)
	if hiHi != 0 || carry != 0 || hi>>63 != 0 {
		return int128{}, false
	}
	r := int128{hi: int64(hi), lo: loLo}
	if negative {
		r = r.neg()
	}
	return r, true
}

func (a int128) cmp(b int128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a int128) bigInt() *big.Int {
	negative := a.negative()
	if negative {
		a = a.neg()
	}
	b := new(big.Int).SetUint64(uint64(a.hi))
	b.Lsh(b, 64)
	b.Or(b, new(big.Int).SetUint64(a.lo))
	if negative {
		b.Neg(b)
	}
	return b
}

// fixed is an exact number m × 10^-scale.
type fixed struct {
	m     int64
	scale int8
}

func (f fixed) decimal() decimal.Decimal {
	return decimal.New(f.m, -int32(f.scale))
}

// wide returns the mantissa of f at a larger or equal scale as an int128.
func (f fixed) wide(scale int8) int128 {
	v := int128{hi: f.m >> 63, lo: uint64(f.m)}
	r, _ := v.mulPow10(int(scale - f.scale)) // int64 × 10^18 always fits 127 bits
	return r
}

// compareFixed orders two fixed values of any scales.
func compareFixed(a, b fixed) int {
	if a.scale == b.scale {
		switch {
		case a.m < b.m:
			return -1
		case a.m > b.m:
			return 1
		}
		return 0
	}
	scale := max(a.scale, b.scale)
	return a.wide(scale).cmp(b.wide(scale))
}

// fixedFromDecimal converts d when it fits a fixed value exactly.
func fixedFromDecimal(d decimal.Decimal) (fixed, bool) {
	exp := d.Exponent()
	coef := d.Coefficient()
	if !coef.IsInt64() {
		return fixed{}, false
	}
	m := coef.Int64()
	switch {
	case exp <= 0 && exp >= -maxScale:
		return fixed{m: m, scale: int8(-exp)}, true
	case exp > 0 && exp <= maxScale:
		p := pow10[exp]
		hi, lo := bits.Mul64(uint64(absInt64(m)), p)
		if hi != 0 || lo > math.MaxInt64 {
			return fixed{}, false
		}
		if m < 0 {
			return fixed{m: -int64(lo)}, true
		}
		return fixed{m: int64(lo)}, true
	}
	// A negative exponent past maxScale may still hold trailing zeros.
	if exp < -maxScale && m != 0 {
		trimmed := d.Truncate(maxScale)
		if trimmed.Equal(d) {
			return fixedFromDecimal(trimmed)
		}
	}
	if m == 0 {
		return fixed{}, true
	}
	return fixed{}, false
}

func absInt64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// parseFixedFast reads the common shape of an amount, optional spaces, an
// optional sign, digits with an optional point and at most 18 digits in
// all, with no exponent, straight into a fixed value. It reports false for
// any other text, which the caller then parses with package money so that
// every rule of the amount grammar applies.
func parseFixedFast(s string) (fixed, bool) {
	i, n := 0, len(s)
	for i < n && s[i] == ' ' {
		i++
	}
	for n > i && s[n-1] == ' ' {
		n--
	}
	negative := false
	if i < n && (s[i] == '-' || s[i] == '+') {
		negative = s[i] == '-'
		i++
	}
	var m uint64
	digits, scale := 0, -1
	for ; i < n; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == maxScale {
				return fixed{}, false
			}
			m = m*10 + uint64(c-'0')
			if m != 0 {
				digits++
			}
			if scale >= 0 {
				scale++
			}
		case c == '.' && scale < 0:
			scale = 0
		default:
			return fixed{}, false
		}
	}
	if scale < 0 {
		scale = 0
	}
	if scale > maxScale || (m == 0 && !hasDigit(s)) {
		return fixed{}, false
	}
	v := int64(m)
	if negative {
		v = -v
	}
	return fixed{m: v, scale: int8(scale)}, true
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// normalize drops trailing fractional zeros, so 1.50 and 1.5 compare and
// hash alike as group keys.
func (f fixed) normalize() fixed {
	for f.scale > 0 && f.m%10 == 0 {
		f.m /= 10
		f.scale--
	}
	return f
}

// appendText appends the plain-notation text of f without trailing
// fractional zeros.
func (f fixed) appendText(dst []byte) []byte {
	f = f.normalize()
	u := uint64(f.m)
	if f.m < 0 {
		dst = append(dst, '-')
		u = uint64(-f.m)
	}
	var buf [24]byte
	i := len(buf)
	for digit := 0; u > 0 || digit <= int(f.scale); digit++ {
		if digit == int(f.scale) && f.scale > 0 {
			i--
			buf[i] = '.'
		}
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	return append(dst, buf[i:]...)
}
