package filter

import (
	"encoding/json"
	"strconv"

	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

// rawPredicate is implemented by predicates that can test the common
// shapes of a raw value without reading it into a schema.Value, which
// allocates for numbers. testRaw reports handled false for any other
// shape, and the caller then takes the general path; a handled value is
// always a valid, non-empty one.
type rawPredicate interface {
	testRaw(f *schema.Field, raw any) (matched, handled bool)
}

// testRaw handles plain integer texts and Go integers in number fields. The
// canonical key of such a value is its digits, so the set lookup needs no
// decimal and no allocation.
func (p numberSet) testRaw(f *schema.Field, raw any) (bool, bool) {
	if f.Kind != schema.KindInteger && f.Kind != schema.KindDouble && f.Kind != schema.KindEnumeration {
		return false, false
	}
	var text string
	switch v := raw.(type) {
	case json.Number:
		text = string(v)
	case string:
		text = v
	case int:
		var buf [20]byte
		_, ok := p[string(strconv.AppendInt(buf[:0], int64(v), 10))]
		return ok, true
	case int64:
		var buf [20]byte
		_, ok := p[string(strconv.AppendInt(buf[:0], v, 10))]
		return ok, true
	default:
		return false, false
	}
	if !isCanonicalInteger(text) {
		return false, false
	}
	_, ok := p[text]
	return ok, true
}

// isCanonicalInteger reports whether s is an integer written the way
// decimal.String writes it: an optional minus, then digits with no leading
// zero, at most 18 of them so the exponent bound cannot apply.
func isCanonicalInteger(s string) bool {
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || (digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// smallIntLimit bounds the members of a smallIntSet: ids of users, stages
// and enumeration items are small, and a bitmap of this size is 8 KiB.
const smallIntLimit = 1 << 16

// smallIntSet is an "$in" list whose members are all integers in
// [0, smallIntLimit): a bitmap answers a raw integer in a few
// instructions, and keys serves every other value.
type smallIntSet struct {
	bits []uint64
	keys numberSet
}

func newSmallIntSet(keys numberSet, values []schema.Value) (smallIntSet, bool) {
	set := smallIntSet{bits: make([]uint64, smallIntLimit/64), keys: keys}
	for _, v := range values {
		if !v.Num.IsInteger() || v.Num.Sign() < 0 || v.Num.Cmp(smallIntMax) >= 0 {
			return smallIntSet{}, false
		}
		n := v.Num.IntPart()
		set.bits[n/64] |= 1 << (n % 64)
	}
	return set, true
}

var smallIntMax = decimal.NewFromInt(smallIntLimit)

func (p smallIntSet) test(v schema.Value) bool { return p.keys.test(v) }

func (p smallIntSet) testRaw(f *schema.Field, raw any) (bool, bool) {
	if f.Kind != schema.KindInteger && f.Kind != schema.KindDouble && f.Kind != schema.KindEnumeration {
		return false, false
	}
	var n int64
	switch v := raw.(type) {
	case json.Number:
		if !isCanonicalInteger(string(v)) {
			return false, false
		}
		n = parseDigits(string(v))
	case string:
		if !isCanonicalInteger(v) {
			return false, false
		}
		n = parseDigits(v)
	case int:
		n = int64(v)
	case int64:
		n = v
	default:
		return false, false
	}
	if n < 0 || n >= smallIntLimit {
		return false, true
	}
	return p.bits[n/64]&(1<<(n%64)) != 0, true
}

// parseDigits reads a canonical integer text of at most 18 digits; a
// negative one returns -1, which no smallIntSet holds.
func parseDigits(s string) int64 {
	if s[0] == '-' {
		return -1
	}
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n
}
