package filter

import (
	"strings"
	"time"

	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

// node is one compiled piece of a filter. Nodes are immutable after
// compilation, so a tree may be matched from many goroutines at once.
type node interface {
	match(r *schema.Reader, values []any) bool
	// expr returns the node's public view; see Filter.Expr.
	expr() *Expr
}

// constant is a node that needs no record value: an empty group, or a
// group that simplified to one.
type constant bool

func (c constant) match(*schema.Reader, []any) bool { return bool(c) }

// group joins its children with AND, or with OR when or is set. It always
// has at least two children: compileObject folds smaller groups away.
type group struct {
	or       bool
	children []node
}

func (g *group) match(r *schema.Reader, values []any) bool {
	for _, child := range g.children {
		if child.match(r, values) == g.or {
			return g.or
		}
	}
	return !g.or
}

// condition tests one field. The field's value matches when any of its valid
// elements satisfies pred (a single-value field has at most one). A value
// with no valid element (missing, null, "", [], or invalid) is empty and
// matches exactly when matchEmpty is set. negate inverts the result, so a
// negated condition matches empty values unless its positive form does.
type condition struct {
	field *schema.Field
	// pred tests one valid element; nil means no element satisfies it,
	// as in {"f": null}.
	pred       predicate
	matchEmpty bool
	negate     bool
}

func (c *condition) match(r *schema.Reader, values []any) bool {
	var raw any
	if i := c.field.Index; i < len(values) {
		raw = values[i]
	}
	matched, present := c.test(r, raw)
	if !present {
		matched = c.matchEmpty
	}
	return matched != c.negate
}

// test reports whether some valid element satisfies pred, and whether the
// value has any valid element at all. It reads the elements of a multiple
// field one by one instead of through Reader.ReadElements, so matching does
// not allocate a slice per record. Both skip the same elements.
func (c *condition) test(r *schema.Reader, raw any) (matched, present bool) {
	if items, isArray := raw.([]any); isArray && c.field.Multiple {
		for _, item := range items {
			v := r.Read(c.field, item)
			if v.State != schema.Valid {
				continue
			}
			present = true
			if c.pred != nil && c.pred.test(v) {
				return true, true
			}
		}
		return false, present
	}

	if fast, ok := c.pred.(rawPredicate); ok {
		if matched, handled := fast.testRaw(c.field, raw); handled {
			return matched, true
		}
	}
	v := r.Read(c.field, raw)
	if v.State != schema.Valid {
		return false, false
	}
	return c.pred != nil && c.pred.test(v), true
}

// predicate tests one valid element of a field. Each implementation serves
// the field kinds whose values carry the member it reads.
type predicate interface {
	test(v schema.Value) bool
}

// compareOp is an equality or ordered comparison.
type compareOp uint8

const (
	opEq compareOp = iota
	opLt
	opLte
	opGt
	opGte
)

// holds reports whether a three-way comparison result c (value against
// bound) satisfies the operator.
func (op compareOp) holds(c int) bool {
	switch op {
	case opLt:
		return c < 0
	case opLte:
		return c <= 0
	case opGt:
		return c > 0
	case opGte:
		return c >= 0
	default:
		return c == 0
	}
}

// numberCompare compares integers, doubles and enumeration ids.
type numberCompare struct {
	op    compareOp
	bound decimal.Decimal
}

func (p numberCompare) test(v schema.Value) bool { return p.op.holds(v.Num.Cmp(p.bound)) }

// moneyCompare compares money amounts. A bound with a currency only matches
// values in that currency; a bound without one ignores the currency.
type moneyCompare struct {
	op       compareOp
	bound    decimal.Decimal
	currency string
}

func (p moneyCompare) test(v schema.Value) bool {
	if p.currency != "" && v.Text != p.currency {
		return false
	}
	return p.op.holds(v.Num.Cmp(p.bound))
}

// textCompare compares strings by code point (byte order of UTF-8).
type textCompare struct {
	op    compareOp
	bound string
}

func (p textCompare) test(v schema.Value) bool { return p.op.holds(strings.Compare(v.Text, p.bound)) }

// timeCompare compares dates (midnight UTC of the date as written) and
// datetime instants.
type timeCompare struct {
	op    compareOp
	bound time.Time
}

func (p timeCompare) test(v schema.Value) bool { return p.op.holds(v.Time.Compare(p.bound)) }

// boolEqual matches one boolean value; booleans have no order.
type boolEqual bool

func (p boolEqual) test(v schema.Value) bool { return v.Bool == bool(p) }

// between matches an element that satisfies both bounds, so a multiple
// field needs one element inside the range, not one above low and another
// below high.
type between struct {
	low, high predicate
}

func (p between) test(v schema.Value) bool { return p.low.test(v) && p.high.test(v) }

// numberSet is an "$in" list of numbers keyed by canonical decimal text, so
// 1, 1.0 and 1E+0 are one key.
type numberSet map[string]struct{}

func (p numberSet) test(v schema.Value) bool {
	_, ok := p[numberKey(v.Num)]
	return ok
}

// numberKey is the canonical text of a number: plain notation without
// trailing fractional zeros, "0" for any zero.
//
// NOTE: String allocates once per lookup. A key built from an int64
// coefficient and exponent would avoid that for most CRM numbers.
func numberKey(d decimal.Decimal) string { return d.String() }

// moneySet is an "$in" list of money values: amounts listed without a
// currency match in any currency, amounts listed with one match only in it.
type moneySet struct {
	amounts map[string]struct{}
	pairs   map[moneyKey]struct{}
}

type moneyKey struct {
	amount, currency string
}

func (p moneySet) test(v schema.Value) bool {
	amount := numberKey(v.Num)
	if _, ok := p.amounts[amount]; ok {
		return true
	}
	if v.Text == "" {
		return false
	}
	_, ok := p.pairs[moneyKey{amount, v.Text}]
	return ok
}

// textSet is an "$in" list of strings compared exactly.
type textSet map[string]struct{}

func (p textSet) test(v schema.Value) bool {
	_, ok := p[v.Text]
	return ok
}

// timeSet is an "$in" list of dates or instants keyed by instant, so two
// spellings of one instant are one key.
type timeSet map[timeKey]struct{}

type timeKey struct {
	seconds int64
	nanos   int
}

func keyOfTime(t time.Time) timeKey { return timeKey{t.Unix(), t.Nanosecond()} }

func (p timeSet) test(v schema.Value) bool {
	_, ok := p[keyOfTime(v.Time)]
	return ok
}

// boolSet is an "$in" list of booleans.
type boolSet struct {
	hasTrue, hasFalse bool
}

func (p boolSet) test(v schema.Value) bool {
	if v.Bool {
		return p.hasTrue
	}
	return p.hasFalse
}

// containsText matches a string that contains the pattern under simple case
// folding.
type containsText struct {
	folded []rune
	next   []int // the KMP table of folded
}

func newContainsText(pattern string) containsText {
	folded := foldText(pattern)
	return containsText{folded: folded, next: kmpTable(folded)}
}

func (p containsText) test(v schema.Value) bool {
	return containsFoldedKMP(v.Text, p.folded, p.next)
}

// likeText matches a whole string against a LIKE pattern under simple case
// folding.
type likeText struct {
	pattern []likeToken
	matcher likeMatcher
}

func newLikeText(pattern string) likeText {
	tokens := compileLike(pattern)
	return likeText{pattern: tokens, matcher: newLikeMatcher(tokens)}
}

func (p likeText) test(v schema.Value) bool { return p.matcher.match(v.Text) }
