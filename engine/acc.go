package engine

import (
	"github.com/shopspring/decimal"
)

// acc is the running state of one field's functions in one group or
// overall. Sums accumulate in an int128 at the largest scale seen; a value
// that does not fit a fixed value, or a rescale that would overflow, moves
// into the exact decimal part extra. acc values merge, so partial states
// from shards combine into the state of one run.
type acc struct {
	// records counts records with at least one valid value (count).
	records int64
	// values counts the values sum, avg, min and max read; a multiple field
	// adds one per element.
	values int64

	sum      int128
	scale    int8
	extra    decimal.Decimal
	hasExtra bool

	min, max bound
}

// bound is a min or max: a fixed value unless big is set.
type bound struct {
	f   fixed
	big bool
	d   decimal.Decimal
}

func (b bound) decimal() decimal.Decimal {
	if b.big {
		return b.d
	}
	return b.f.decimal()
}

func compareBounds(a, b bound) int {
	if !a.big && !b.big {
		return compareFixed(a.f, b.f)
	}
	return a.decimal().Cmp(b.decimal())
}

func (a *acc) addCell(c *cell) {
	if c.big {
		a.addDecimal(c.dec)
		return
	}
	a.addFixed(c.num)
}

func (a *acc) addFixed(f fixed) {
	if f.scale > a.scale {
		a.rescale(f.scale)
	}
	a.sum = a.sum.add(f.wide(a.scale))

	// NOTE: the common case, fixed bounds of the same scale, is compared
	// inline; track handles the rest.
	if a.values > 0 && !a.min.big && !a.max.big && a.min.f.scale == f.scale && a.max.f.scale == f.scale {
		if f.m < a.min.f.m {
			a.min.f = f
		} else if f.m > a.max.f.m {
			a.max.f = f
		}
		a.values++
		return
	}
	a.track(bound{f: f})
}

func (a *acc) addDecimal(d decimal.Decimal) {
	a.addExtra(d)
	a.track(bound{big: true, d: d})
}

func (a *acc) addExtra(d decimal.Decimal) {
	if a.hasExtra {
		a.extra = a.extra.Add(d)
	} else {
		a.extra, a.hasExtra = d, true
	}
}

// rescale raises the scale of the int128 sum, moving it into the exact part
// when the larger mantissa would not fit.
func (a *acc) rescale(scale int8) {
	if r, ok := a.sum.mulPow10(int(scale - a.scale)); ok {
		a.sum = r
	} else {
		a.addExtra(decimal.NewFromBigInt(a.sum.bigInt(), -int32(a.scale)))
		a.sum = int128{}
	}
	a.scale = scale
}

func (a *acc) track(b bound) {
	if a.values == 0 {
		a.min, a.max = b, b
	} else {
		if compareBounds(b, a.min) < 0 {
			a.min = b
		}
		if compareBounds(b, a.max) > 0 {
			a.max = b
		}
	}
	a.values++
}

// merge adds the state of b, as if b's values had been added to a.
func (a *acc) merge(b *acc) {
	if b.values == 0 {
		a.records += b.records
		return
	}
	if b.scale > a.scale {
		a.rescale(b.scale)
	}
	bsum := b.sum
	if b.scale < a.scale {
		if r, ok := bsum.mulPow10(int(a.scale - b.scale)); ok {
			bsum = r
		} else {
			a.addExtra(decimal.NewFromBigInt(bsum.bigInt(), -int32(b.scale)))
			bsum = int128{}
		}
	}
	a.sum = a.sum.add(bsum)
	if b.hasExtra {
		a.addExtra(b.extra)
	}

	if a.values == 0 {
		a.min, a.max = b.min, b.max
	} else {
		if compareBounds(b.min, a.min) < 0 {
			a.min = b.min
		}
		if compareBounds(b.max, a.max) > 0 {
			a.max = b.max
		}
	}
	a.records += b.records
	a.values += b.values
}

// total returns the exact sum.
func (a *acc) total() decimal.Decimal {
	s := decimal.NewFromBigInt(a.sum.bigInt(), -int32(a.scale))
	if a.hasExtra {
		s = s.Add(a.extra)
	}
	return s
}
