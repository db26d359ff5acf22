package schema

import "strings"

// Compare orders two Valid values of a field of kind k: numbers and
// enumeration ids numerically, money by amount and then currency, strings by
// code point, false before true, dates and datetimes in time order. It
// returns -1, 0 or +1.
func Compare(k Kind, a, b Value) int {
	switch k {
	case KindInteger, KindDouble, KindEnumeration:
		return a.Num.Cmp(b.Num)
	case KindMoney:
		if c := a.Num.Cmp(b.Num); c != 0 {
			return c
		}
		return strings.Compare(a.Text, b.Text)
	case KindBoolean:
		switch {
		case a.Bool == b.Bool:
			return 0
		case b.Bool:
			return -1
		default:
			return 1
		}
	case KindDate, KindDateTime:
		return a.Time.Compare(b.Time)
	default:
		return strings.Compare(a.Text, b.Text)
	}
}
