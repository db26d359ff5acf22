package schema_test

// FuzzReadValue reads any text, as a string and as a JSON number, with
// every field kind. Read must not panic, and a valid integer must be
// integral. Numbers must agree with a plain model of the amount grammar,
// and every valid value must read back unchanged from its canonical text.

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

var rvKinds = []schema.Kind{schema.KindString, schema.KindInteger, schema.KindDouble, schema.KindMoney,
	schema.KindBoolean, schema.KindDate, schema.KindDateTime, schema.KindEnumeration}

var rvJSONNumber = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`)

var rvAmount = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?)([0-9]+))?$`)

// rvParseAmount is a plain model of the amount grammar (optional spaces and
// sign, digits with an optional point, an optional exponent) with a bound
// on the exponent as written.
func rvParseAmount(s string, maxExp int) (*big.Rat, bool) {
	s = strings.Trim(s, " \t\r\n")
	m := rvAmount.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	mant := s
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		digits := strings.TrimLeft(m[2], "0")
		if len(digits) > 7 {
			return nil, false
		}
		exp, _ = strconv.Atoi("0" + digits)
		if exp > maxExp {
			return nil, false
		}
		if m[1] == "-" {
			exp = -exp
		}
	}
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimLeft(mant, "+-")
	intPart, frac, _ := strings.Cut(mant, ".")
	num, _ := new(big.Int).SetString("0"+intPart+frac, 10)
	if neg {
		num.Neg(num)
	}
	r := new(big.Rat).SetInt(num)
	scale := exp - len(frac)
	p := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(scale))), nil))
	if scale >= 0 {
		r.Mul(r, p)
	} else {
		r.Quo(r, p)
	}
	return r, true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// rvCanonical writes a valid value the way the engine writes a group key.
func rvCanonical(k schema.Kind, v schema.Value, loc *time.Location) string {
	switch k {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration:
		return v.Num.String()
	case schema.KindMoney:
		return v.Num.String() + "|" + v.Text
	case schema.KindBoolean:
		if v.Bool {
			return "Y"
		}
		return "N"
	case schema.KindDate:
		return schema.FormatDate(v.Time)
	case schema.KindDateTime:
		return schema.FormatDateTime(v.Time, loc)
	}
	return v.Text
}

func rvSame(k schema.Kind, a, b schema.Value) bool {
	if a.State != b.State {
		return false
	}
	if a.State != schema.Valid {
		return true
	}
	switch k {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration:
		return a.Num.Cmp(b.Num) == 0
	case schema.KindMoney:
		return a.Num.Cmp(b.Num) == 0 && a.Text == b.Text
	case schema.KindBoolean:
		return a.Bool == b.Bool
	case schema.KindDate, schema.KindDateTime:
		return a.Time.Equal(b.Time)
	}
	return a.Text == b.Text
}

var rvZones = []*time.Location{time.UTC, time.FixedZone("MSK", 3*3600), time.FixedZone("", -(9*3600 + 30*60))}

var rvSeeds = []string{
	"", " ", "0", "-0", "+0", "1", "42", " 42 ", "\t3\n", "01", "1.0", "1.50", "1.5", ".5", "5.", "+7", "-12.250",
	"1e1", "1E+1", "1e-1", "1e1000", "1e1001", "1e-1000", "1E-1001", "1e0001000", "1e99999999999999999999",
	"9007199254740993", "123456789012345678901234567890.5", "0.000000000000000000001", "NaN", "Infinity", "-Infinity",
	"inf", "0x10", "1,5", "1 500", "1500.50|RUB", "700|", "|RUB", " |USD", "-200|RUB", "+100|RUB", ".5|RUB", "5.|EUR",
	"1.0E+25|RUB", "1|2|3", "abc|RUB", " 2300.5 | USD ", "Y", "N", "true", "false", "yes", "2026-01-05",
	"2026-01-05T23:00:00-05:00", "2026-02-30", "2024-02-29", "2026-01-05T10:00:00+03:00", "2026-01-05T10:00:00",
	"2026-01-05T07:00:00.500Z", "2026-01-05T07:00:00.123456789123Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
	"9999-12-31T23:00:00-05:00", "0000-01-01T00:30:00+01:00", "2026-01-05T24:00:00", "2026-01-05T10:00:00+24:00",
	"05.01.2026", "Straße", "\xff\xfe", "79", "Gold",
}

func FuzzReadValue(f *testing.F) {
	for i, s := range rvSeeds {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, text string, sel uint8) {
		loc := rvZones[int(sel)%len(rvZones)]
		maxExp := []int{0, 5, 30}[int(sel/4)%3]
		r := &schema.Reader{Location: loc}
		r.Money.MaxExponent = maxExp
		bound := maxExp
		if bound == 0 {
			bound = 1000
		}
		isJSONNumber := rvJSONNumber.MatchString(text)
		var elems []schema.Value

		for _, k := range rvKinds {
			f := &schema.Field{Name: "f", Kind: k}
			v := r.Read(f, text)
			raws := []any{text, []any{text}, map[string]any{"x": text}}
			if isJSONNumber {
				raws = append(raws, json.Number(text))
			}
			for _, raw := range raws {
				r.Read(f, raw) // must not panic
				mf := &schema.Field{Name: "m", Kind: k, Multiple: true}
				elems, _ = r.ReadElements(mf, raw, elems[:0])
			}

			if text == "" && v.State != schema.Empty {
				t.Fatalf("kind %s: \"\" is %d, want empty", k, v.State)
			}
			if v.State != schema.Valid {
				continue
			}

			switch k {
			case schema.KindInteger, schema.KindDouble, schema.KindEnumeration:
				want, ok := rvParseAmount(text, bound)
				if !ok {
					t.Fatalf("kind %s: %q read as %s, but the amount grammar rejects it", k, text, v.Num)
				}
				if v.Num.Rat().Cmp(want) != 0 {
					t.Fatalf("kind %s: %q read as %s, want %s", k, text, v.Num, want.RatString())
				}
				if k != schema.KindDouble && !v.Num.Rat().IsInt() {
					t.Fatalf("kind %s: %q is valid but not integral: %s", k, text, v.Num)
				}
			case schema.KindString:
				if v.Text != text {
					t.Fatalf("string %q read as %q", text, v.Text)
				}
			}

			canon := rvCanonical(k, v, loc)
			if (k == schema.KindInteger || k == schema.KindDouble || k == schema.KindEnumeration || k == schema.KindMoney) &&
				strings.ContainsAny(v.Num.String(), "eE") {
				t.Fatalf("kind %s: canonical text %q of %q is not plain notation", k, canon, text)
			}
			back := r.Read(f, canon)
			if !rvSame(k, v, back) {
				t.Fatalf("kind %s: %q reads as %+v, its canonical text %q reads back as %+v", k, text, v, canon, back)
			}
			if isJSONNumber && (k == schema.KindInteger || k == schema.KindDouble || k == schema.KindEnumeration || k == schema.KindMoney) {
				if n := r.Read(f, json.Number(text)); !rvSame(k, v, n) {
					t.Fatalf("kind %s: %q as a string reads %+v, as a JSON number %+v", k, text, v, n)
				}
			}
		}

		// A float64 is read as its shortest decimal text.
		if x, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
			f := &schema.Field{Name: "f", Kind: schema.KindDouble}
			v := r.Read(f, x)
			short := strconv.FormatFloat(x, 'g', -1, 64)
			want, ok := rvParseAmount(short, bound)
			if ok != (v.State == schema.Valid) || (ok && v.Num.Rat().Cmp(want) != 0) {
				t.Fatalf("float64 %v (%s) read as %+v", x, short, v)
			}
		}
	})
}

func TestReadValueGoIntegers(t *testing.T) {
	var r schema.Reader
	f := &schema.Field{Name: "f", Kind: schema.KindInteger}
	for _, raw := range []any{int8(-128), int16(-32768), int32(math.MinInt32), int64(math.MinInt64), int(math.MaxInt64),
		uint8(255), uint16(65535), uint32(math.MaxUint32), uint64(math.MaxUint64), uint(math.MaxUint64)} {
		v := r.Read(f, raw)
		want, _ := decimal.NewFromString(fmtInt(raw))
		if v.State != schema.Valid || !v.Num.Equal(want) {
			t.Errorf("Read(%T %v) = %+v, want %s", raw, raw, v, want)
		}
	}
}

func fmtInt(v any) string {
	switch x := v.(type) {
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.FormatInt(int64(x), 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint:
		return strconv.FormatUint(uint64(x), 10)
	}
	panic("not an integer")
}
