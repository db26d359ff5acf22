package money_test

// The exponent bound at its edges, inputs built to be expensive, and the
// parser against a plain model of the grammar over every combination of a
// set of pieces.

import (
	"errors"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmagg/crmagg/money"
)

func TestRobustExponentBound(t *testing.T) {
	for _, tt := range []struct {
		max        int
		ok, refuse []string
	}{
		{0, []string{"1e1000", "1E+1000", "1e-1000", "-1.5e1000", "1e0001000", ".5e-1000|RUB", "0e1000"},
			[]string{"1e1001", "1E+1001", "1e-1001", "0e1001", "1e99999999999999999999999999999", "1e-" + strings.Repeat("9", 10000)}},
		{5, []string{"1e5", "1e-5", "2E+5|USD"}, []string{"1e6", "1e-6", "1e1000"}},
		{1 << 20, []string{"1e1048576"}, []string{"1e1048577"}},
	} {
		p := money.Parser{MaxExponent: tt.max}
		for _, s := range tt.ok {
			if _, err := p.Parse(s); err != nil {
				t.Errorf("MaxExponent %d: Parse(%q) = %v, want success", tt.max, s, err)
			}
		}
		for _, s := range tt.refuse {
			if _, err := p.Parse(s); !errors.Is(err, money.ErrRange) {
				t.Errorf("MaxExponent %d: Parse(%.40q) = %v, want ErrRange", tt.max, s, err)
			}
		}
	}
}

func TestRobustExpensiveInputs(t *testing.T) {
	// Long mantissas and long exponents are read in time linear in their
	// length, and the exponent never builds a huge number.
	for _, s := range []string{
		"0." + strings.Repeat("0", 1<<20) + "1",
		"1e" + strings.Repeat("0", 1<<20) + "7",
		strings.Repeat(" ", 1<<20) + "5" + strings.Repeat(" ", 1<<20) + "|" + strings.Repeat(" ", 1<<20) + "RUB",
		"1e-" + strings.Repeat("9", 1<<20),
		strings.Repeat("9", 1<<20) + "x",
	} {
		start := time.Now()
		money.Parse(s)
		if d := time.Since(start); d > time.Second {
			t.Errorf("Parse of a %d-byte input took %v", len(s), d)
		}
	}
}

// An amount with a million digits fits a 1 MiB record, and converting it
// to a decimal is quadratic in its digits; the digit bound refuses it
// quickly instead.
func TestRobustLongMantissa(t *testing.T) {
	for _, s := range []string{"1" + strings.Repeat("0", 1000000), strings.Repeat("7", 1000000) + "|RUB"} {
		start := time.Now()
		money.Parse(s)
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("Parse of a %d-digit amount took %v", len(s), d)
		}
	}
}

var rlAmount = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?)([0-9]+))?$`)

// rlModel parses a money value with a plain regular expression and big.Rat.
// It returns the amount, the currency and an error class: "", "empty",
// "syntax" or "range".
func rlModel(s string, maxExp int) (*big.Rat, string, string) {
	amount, currency, hasBar := strings.Cut(s, "|")
	if hasBar && strings.Contains(currency, "|") {
		return nil, "", "syntax"
	}
	currency = strings.Trim(currency, " \t\r\n")
	amount = strings.Trim(amount, " \t\r\n")
	if amount == "" {
		return nil, "", "empty"
	}
	m := rlAmount.FindStringSubmatch(amount)
	if m == nil {
		return nil, "", "syntax"
	}
	mant, exp := amount, 0
	if i := strings.IndexAny(amount, "eE"); i >= 0 {
		mant = amount[:i]
		digits := strings.TrimLeft(m[2], "0")
		if len(digits) > 7 {
			return nil, "", "range"
		}
		exp, _ = strconv.Atoi("0" + digits)
		if exp > maxExp {
			return nil, "", "range"
		}
		if m[1] == "-" {
			exp = -exp
		}
	}
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(mant, "+") + "e" + strconv.Itoa(exp))
	if !ok {
		// big.Rat does not take every "5." or ".5" form, so spell them out.
		intPart, frac, _ := strings.Cut(strings.TrimLeft(mant, "+-"), ".")
		r, _ = new(big.Rat).SetString("0" + intPart + "." + frac + "0e" + strconv.Itoa(exp))
		if strings.HasPrefix(mant, "-") {
			r.Neg(r)
		}
	}
	return r, currency, ""
}

func TestRobustGrammarCombinations(t *testing.T) {
	pads := []string{"", " ", "\t", "\n "}
	signs := []string{"", "+", "-", "--", "+-"}
	mantissas := []string{"", "0", "5", "05", "12.50", "5.", ".5", ".", "1.2.3", "1,5", "1 5", "١", "NaN", "inf", "0x1", "9999999999999999999"}
	exps := []string{"", "e", "E5", "e+3", "e-2", "e1000", "e-1000", "e1001", "e--1", "e5.0", "e 1", "e0001000"}
	currencies := []string{"", "|", "|RUB", "| USD ", "|R|U", "|ｒｕｂ"}
	n := 0
	for _, pad := range pads {
		for _, sign := range signs {
			for _, mant := range mantissas {
				for _, exp := range exps {
					for _, cur := range currencies {
						s := pad + sign + mant + exp + pad + cur
						n++
						want, wantCur, wantErr := rlModel(s, 1000)
						got, err := money.Parse(s)
						var gotErr string
						switch {
						case err == nil:
						case errors.Is(err, money.ErrEmpty):
							gotErr = "empty"
						case errors.Is(err, money.ErrRange):
							gotErr = "range"
						case errors.Is(err, money.ErrSyntax):
							gotErr = "syntax"
						default:
							t.Fatalf("Parse(%q): error %v wraps no sentinel", s, err)
						}
						if gotErr != wantErr {
							t.Errorf("Parse(%q): error %q, model %q", s, gotErr, wantErr)
							continue
						}
						if wantErr == "" && (got.Amount.Rat().Cmp(want) != 0 || got.Currency != wantCur) {
							t.Errorf("Parse(%q) = %s|%s, model %s|%s", s, got.Amount, got.Currency, want.RatString(), wantCur)
						}
						if wantErr == "" {
							// The canonical text reads back as the same value.
							back, err := money.Parse(got.String())
							if err != nil || !back.Amount.Equal(got.Amount) || back.Currency != got.Currency {
								t.Errorf("Parse(%q).String() = %q reads back as %v, %v", s, got.String(), back, err)
							}
							if strings.ContainsAny(money.FormatAmount(got.Amount), "eE") {
								t.Errorf("FormatAmount of %q is not plain: %s", s, money.FormatAmount(got.Amount))
							}
						}
					}
				}
			}
		}
	}
	if n < 10000 {
		t.Fatalf("only %d combinations", n)
	}
}
