package demo

import (
	"strconv"
	"strings"
)

// Amounts are int64 counts of hundredths of a currency unit (kopecks for
// roubles), so that no float rounding can change the output.

// amountText writes an amount given in hundredths: "1500" when it is whole,
// "2300.50" otherwise.
func amountText(cents int64) string {
	whole := strconv.FormatInt(cents/100, 10)
	if cents%100 == 0 {
		return whole
	}
	return whole + "." + twoDigits(cents%100)
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// money writes a money value as Bitrix stores it, "1500|RUB". About 6% are
// empty (`""`, "|RUB", null or a missing key), about 0.6% are malformed and
// about 0.1% use the exponent form PHP writes floats in.
func (g *generator) money(cents int64, currency string) string {
	switch r := g.intn(1000); {
	case r < 25:
		return emptyString
	case r < 45:
		return quote("|" + currency)
	case r < 55:
		return omitted
	case r < 60:
		return jsonNull
	case r < 66:
		return quote(g.malformedMoney(cents, currency))
	case r < 67:
		return quote(exponentAmount(cents/100) + "|" + currency)
	default:
		return quote(amountText(cents) + "|" + currency)
	}
}

// malformedMoney returns a money text that the amount grammar rejects: a
// thousands separator, a decimal comma, a word, or a second "|".
func (g *generator) malformedMoney(cents int64, currency string) string {
	switch g.intn(4) {
	case 0:
		return groupThousands(cents/100) + "|" + currency
	case 1:
		return strconv.FormatInt(cents/100, 10) + "," + twoDigits(cents%100) + "|" + currency
	case 2:
		return g.pick([]string{"abc", "n/a", "TBD"})
	default:
		return amountText(cents) + "|" + currency + "|X"
	}
}

// groupThousands writes n with a space between groups of three digits,
// "1 500", and at least one space, so the result is never a valid amount.
func groupThousands(n int64) string {
	n = max(n, 1000)
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// exponentAmount writes a whole amount the way PHP prints a large float:
// 150000 is "1.5E+5" and 100000 is "1.0E+5".
func exponentAmount(n int64) string {
	n = max(n, 10)
	digits := strconv.FormatInt(n, 10)
	mantissa := strings.TrimRight(digits[1:], "0")
	if mantissa == "" {
		mantissa = "0"
	}
	return digits[:1] + "." + mantissa + "E+" + strconv.Itoa(len(digits)-1)
}

// convertRoubles converts an amount in kopecks to hundredths of currency at
// fixed rough rates: 90 roubles to the dollar or the euro, 28 to the
// Belarusian rouble, and 5 tenge to the rouble.
func convertRoubles(kopecks int64, currency string) int64 {
	switch currency {
	case "USD", "EUR":
		return kopecks / 90
	case "BYN":
		return kopecks / 28
	case "KZT":
		return kopecks * 5
	default:
		return kopecks
	}
}

// shortAmountText writes an amount given in hundredths with no trailing
// fractional zeros: 150000 is "1500" and 230050 is "2300.5".
func shortAmountText(cents int64) string {
	text := amountText(cents)
	if cents%100 != 0 {
		text = strings.TrimSuffix(text, "0")
	}
	return text
}
