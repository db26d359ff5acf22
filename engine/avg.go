package engine

import (
	"math/big"

	"github.com/shopspring/decimal"
)

var bigTen = big.NewInt(10)

// divRoundHalfEven returns sum/n rounded half to even to places fractional
// digits. The division is done on big integers so that the rounding
// decision sees the exact remainder; shopspring's DivRound rounds half
// away from zero, which the API does not.
func divRoundHalfEven(sum decimal.Decimal, n int64, places int32) decimal.Decimal {
	// sum = coef × 10^exp, so sum/n × 10^places = coef × 10^(exp+places) / n.
	num := new(big.Int).Set(sum.Coefficient())
	den := big.NewInt(n)
	shift := int64(sum.Exponent()) + int64(places)
	if shift >= 0 {
		num.Mul(num, new(big.Int).Exp(bigTen, big.NewInt(shift), nil))
	} else {
		den.Mul(den, new(big.Int).Exp(bigTen, big.NewInt(-shift), nil))
	}

	quo, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Sign() != 0 {
		// Compare 2|rem| with |den| to decide the rounding direction.
		twice := new(big.Int).Abs(rem)
		twice.Lsh(twice, 1)
		cmp := twice.Cmp(new(big.Int).Abs(den))
		if cmp > 0 || (cmp == 0 && quo.Bit(0) == 1) {
			if num.Sign()*den.Sign() < 0 {
				quo.Sub(quo, big.NewInt(1))
			} else {
				quo.Add(quo, big.NewInt(1))
			}
		}
	}
	return decimal.NewFromBigInt(quo, -places)
}
