// Package money reads the amounts and money values that Bitrix24 stores in
// CRM records and writes them back in canonical form.
//
// A money value is an amount optionally followed by "|" and a currency code:
// "1500|RUB", "2300.50|USD", "1000", "700|". The amount grammar is:
//
//	[spaces] [+|-] (digits [. [digits]] | . digits) [(e|E) [+|-] digits] [spaces]
//
// so ".5", "5.", "+100" and "1.0E+25" (the form PHP writes large floats in)
// are amounts, while "1500,50", "1 500", "NaN" and "Infinity" are not. The
// currency is the rest of the text after the first "|", trimmed, compared
// exactly; it may be empty and may not contain another "|". Amounts are read
// exactly into a decimal.Decimal with no float64 detour.
//
// An exponent whose written value lies beyond ±MaxExponent (1000 by default)
// is rejected with ErrRange, so that a ten-character string cannot ask for a
// number with a billion digits. An amount with more than MaxDigits
// significant digits (1000 by default) is rejected with ErrDigits, because
// converting a long digit string to a decimal costs time quadratic in its
// length.
//
// Every failure is a *ParseError that keeps the raw input and wraps one of
// ErrEmpty, ErrSyntax, ErrRange or ErrDigits.
package money

import (
	"errors"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// DefaultMaxExponent is the bound on a written exponent when Parser.MaxExponent is zero.
const DefaultMaxExponent = 1000

// DefaultMaxDigits is the bound on significant digits when Parser.MaxDigits
// is zero.
const DefaultMaxDigits = 1000

// Sentinel errors wrapped by *ParseError.
var (
	// ErrEmpty means the value has no amount: "", spaces only, or "|RUB".
	// The engine treats such a money value as empty, not invalid.
	ErrEmpty = errors.New("no amount")
	// ErrSyntax means the text does not follow the amount grammar.
	ErrSyntax = errors.New("invalid syntax")
	// ErrRange means the written exponent is beyond the parser's bound.
	ErrRange = errors.New("exponent out of range")
	// ErrDigits means the amount has more significant digits than the
	// parser's bound.
	ErrDigits = errors.New("too many digits")
)

// ParseError records a failed parse. Input is the raw text as given.
type ParseError struct {
	Input string
	Err   error
}

func (e *ParseError) Error() string {
	return "money: parsing " + strconv.Quote(e.Input) + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Money is an exact amount with its currency code; Currency is "" when the
// value names none.
type Money struct {
	Amount   decimal.Decimal
	Currency string
}

// String returns the canonical form: the amount in plain notation with no
// trailing fractional zeros, "|", and the currency ("1500.5|RUB", "1000|").
func (m Money) String() string {
	return FormatAmount(m.Amount) + "|" + m.Currency
}

// FormatAmount writes an amount in plain notation with no exponent and no
// trailing fractional zeros; negative zero is written "0".
func FormatAmount(d decimal.Decimal) string {
	return d.String()
}

// Parser parses amounts and money values with a configurable exponent
// bound. The zero Parser uses DefaultMaxExponent. A Parser is safe for
// concurrent use.
type Parser struct {
	// MaxExponent bounds the absolute value of a written exponent; 0 means
	// DefaultMaxExponent.
	MaxExponent int
	// MaxDigits bounds the significant digits of an amount, leading zeros
	// not counted; 0 means DefaultMaxDigits.
	MaxDigits int
}

// Parse parses s with the default Parser.
func Parse(s string) (Money, error) { return Parser{}.Parse(s) }

// ParseAmount parses s with the default Parser.
func ParseAmount(s string) (decimal.Decimal, error) { return Parser{}.ParseAmount(s) }

// Parse parses a money value. It fails with ErrEmpty when there is no
// amount (including "" and "|RUB"), and with ErrSyntax when the amount does
// not follow the grammar or the currency contains another "|". It fails
// with ErrRange when the exponent is out of bounds and with ErrDigits when
// the amount has too many significant digits.
func (p Parser) Parse(s string) (Money, error) {
	amountText, currency, hasBar := strings.Cut(s, "|")
	if hasBar {
		if strings.IndexByte(currency, '|') >= 0 {
			return Money{}, &ParseError{Input: s, Err: ErrSyntax}
		}
		currency = trimSpaces(currency)
	}

	amountText = trimSpaces(amountText)
	if amountText == "" {
		return Money{}, &ParseError{Input: s, Err: ErrEmpty}
	}

	d, err := p.parseTrimmed(amountText)
	if err != nil {
		return Money{}, &ParseError{Input: s, Err: err}
	}
	return Money{Amount: d, Currency: currency}, nil
}

// ParseAmount parses a bare amount (no currency). Unlike Parse, an empty or
// all-space text is ErrSyntax: a number field has no "empty amount".
func (p Parser) ParseAmount(s string) (decimal.Decimal, error) {
	d, err := p.parseTrimmed(trimSpaces(s))
	if err != nil {
		return decimal.Decimal{}, &ParseError{Input: s, Err: err}
	}
	return d, nil
}

func (p Parser) maxExponent() int64 {
	if p.MaxExponent > 0 {
		return int64(p.MaxExponent)
	}
	return DefaultMaxExponent
}

// parseTrimmed parses an amount with no surrounding spaces and returns a bare
// sentinel error.
func (p Parser) parseTrimmed(s string) (decimal.Decimal, error) {
	i := 0
	negative := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		negative = s[i] == '-'
		i++
	}

	// The significant digits are collected without the point; fracDigits
	// counts those after it.
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intDigits := s[intStart:i]
	fracDigits := ""
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracDigits = s[fracStart:i]
	}
	if intDigits == "" && fracDigits == "" {
		return decimal.Decimal{}, ErrSyntax
	}

	var exponent int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNegative := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNegative = s[i] == '-'
			i++
		}
		expStart := i
		limit := p.maxExponent()
		for i < len(s) && isDigit(s[i]) {
			// NOTE: digits past the bound are still scanned so that a
			// trailing syntax error wins over ErrRange consistently.
			if exponent <= limit {
				exponent = exponent*10 + int64(s[i]-'0')
			}
			i++
		}
		if i == expStart {
			return decimal.Decimal{}, ErrSyntax
		}
		if i == len(s) && exponent > limit {
			return decimal.Decimal{}, ErrRange
		}
		if expNegative {
			exponent = -exponent
		}
	}
	if i != len(s) {
		return decimal.Decimal{}, ErrSyntax
	}

	digits, scale := significantDigits(intDigits, fracDigits, exponent)
	if len(digits) > p.maxDigits() {
		return decimal.Decimal{}, ErrDigits
	}
	return buildDecimal(negative, digits, scale), nil
}

func (p Parser) maxDigits() int {
	if p.MaxDigits > 0 {
		return p.MaxDigits
	}
	return DefaultMaxDigits
}

// significantDigits returns the digits of intDigits.fracDigits×10^exponent
// without leading and trailing zeros, and the power of ten they scale by.
// "1" followed by a million zeros is one digit, so only digits that carry
// information count against the bound.
func significantDigits(intDigits, fracDigits string, exponent int64) (string, int64) {
	scale := exponent - int64(len(fracDigits))
	digits := strings.TrimLeft(intDigits+fracDigits, "0")
	trimmed := strings.TrimRight(digits, "0")
	scale += int64(len(digits) - len(trimmed))
	return trimmed, scale
}

// buildDecimal returns ±digits×10^scale. Up to 18 digits fit an int64 and
// avoid big.Int parsing, the common case for CRM amounts.
func buildDecimal(negative bool, digits string, scale int64) decimal.Decimal {
	if digits == "" {
		return decimal.Zero
	}
	if len(digits) <= 18 {
		v, _ := strconv.ParseInt(digits, 10, 64) // cannot fail: at most 18 ASCII digits
		if negative {
			v = -v
		}
		return decimal.New(v, int32(scale))
	}

	var b big.Int
	b.SetString(digits, 10)
	if negative {
		b.Neg(&b)
	}
	return decimal.NewFromBigInt(&b, int32(scale))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// trimSpaces removes ASCII spaces, tabs and line breaks from both ends.
func trimSpaces(s string) string {
	return strings.Trim(s, " \t\r\n")
}
