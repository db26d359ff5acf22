package filter

import (
	"encoding/json"
	"strconv"

	"github.com/crmagg/crmagg/schema"
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
