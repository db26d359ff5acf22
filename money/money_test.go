package money

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in       string
		amount   string
		currency string
		err      error
	}{
		{in: "1500|RUB", amount: "1500", currency: "RUB"},
		{in: "2300.50|USD", amount: "2300.5", currency: "USD"},
		{in: "1000", amount: "1000"},
		{in: "700|", amount: "700"},
		{in: "-200|RUB", amount: "-200", currency: "RUB"},
		{in: "+100|RUB", amount: "100", currency: "RUB"},
		{in: ".5|RUB", amount: "0.5", currency: "RUB"},
		{in: "5.|RUB", amount: "5", currency: "RUB"},
		{in: "  42.10  |  EUR ", amount: "42.1", currency: "EUR"},
		{in: "1.0E+25|RUB", amount: "10000000000000000000000000", currency: "RUB"},
		{in: "1e-3|RUB", amount: "0.001", currency: "RUB"},
		{in: "-0|RUB", amount: "0", currency: "RUB"},
		{in: "123456789012345678901234567890.5", amount: "123456789012345678901234567890.5"},
		{in: "1e1000", amount: "1" + zeros(1000)},
		{in: "", err: ErrEmpty},
		{in: "   ", err: ErrEmpty},
		{in: "|RUB", err: ErrEmpty},
		{in: " |RUB", err: ErrEmpty},
		{in: "1500,50|RUB", err: ErrSyntax},
		{in: "1 500|RUB", err: ErrSyntax},
		{in: "12|RUB|X", err: ErrSyntax},
		{in: "NaN", err: ErrSyntax},
		{in: "Infinity|RUB", err: ErrSyntax},
		{in: "abc", err: ErrSyntax},
		{in: ".", err: ErrSyntax},
		{in: "+", err: ErrSyntax},
		{in: "1e", err: ErrSyntax},
		{in: "1e+", err: ErrSyntax},
		{in: "--1", err: ErrSyntax},
		{in: "0x10", err: ErrSyntax},
		{in: "1e1001", err: ErrRange},
		{in: "1e-1001|RUB", err: ErrRange},
		{in: "1e99999999999999999999", err: ErrRange},
		{in: "1e99999999999999999999x", err: ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Input != tt.in {
					t.Errorf("Parse(%q) error %v does not keep the input", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.in, err)
			}
			if got.Amount.String() != tt.amount || got.Currency != tt.currency {
				t.Errorf("Parse(%q) = %s|%s, want %s|%s", tt.in, got.Amount, got.Currency, tt.amount, tt.currency)
			}
		})
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestParseAmountRejectsEmpty(t *testing.T) {
	for _, in := range []string{"", "  ", "|RUB", "5|RUB"} {
		if _, err := ParseAmount(in); !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseAmount(%q) error = %v, want ErrSyntax", in, err)
		}
	}
}

func TestParserMaxExponent(t *testing.T) {
	p := Parser{MaxExponent: 5}
	if _, err := p.ParseAmount("1e5"); err != nil {
		t.Errorf("1e5 at bound 5: %v", err)
	}
	if _, err := p.ParseAmount("1e6"); !errors.Is(err, ErrRange) {
		t.Errorf("1e6 past bound 5: error = %v, want ErrRange", err)
	}
	if _, err := p.ParseAmount("1e-6"); !errors.Is(err, ErrRange) {
		t.Errorf("1e-6 past bound 5: error = %v, want ErrRange", err)
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1500.00|RUB", "1500|RUB"},
		{"1000", "1000|"},
		{"1.50E+2|USD", "150|USD"},
		{"-0.0|EUR", "0|EUR"},
	}
	for _, tt := range tests {
		m, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if got := m.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParse checks that Parse never panics, that a parsed value survives a
// format-and-parse round trip, and that the amount agrees with
// shopspring's own parser wherever the grammars overlap.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"1500|RUB", "2300.50|USD", ".5", "5.", "1.0E+25|RUB", "-0", "1e1001", "|RUB", "1 500", "12|A|B", "  7  |  X "} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Input != s {
				t.Fatalf("Parse(%q) error %v is not a *ParseError with the input", s, err)
			}
			return
		}
		back, err := Parse(m.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which does not parse back: %v", s, m, err)
		}
		if !back.Amount.Equal(m.Amount) || back.Currency != m.Currency {
			t.Fatalf("round trip of %q: %s became %s", s, m, back)
		}
		if len(s) < 40 {
			amountText, _, _ := cutBar(s)
			if ref, err := decimal.NewFromString(trimSpaces(amountText)); err == nil && !ref.Equal(m.Amount) {
				t.Fatalf("Parse(%q) amount = %s, shopspring reads %s", s, m.Amount, ref)
			}
		}
	})
}

func cutBar(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '|' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
