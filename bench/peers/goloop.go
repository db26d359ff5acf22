package peers

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// Loop is the target query written by hand for Columns: one goroutine,
// lookup tables for the filter, a fixed array of groups indexed by the two
// key codes and int64 sums in cents. It is the floor a general engine is
// measured against.
type Loop struct {
	// member and keepType are 1 for the assignee and type codes the
	// filter keeps.
	member   [256]uint8
	keepType [256]uint8
	shift    uint
	accs     []loopAcc
}

type loopAcc struct {
	count, values, sum, min, max int64
}

// NewLoop prepares the query for c: assignees in ids, type not excluded.
func NewLoop(c *Columns, ids []int, excludedType string) *Loop {
	q := &Loop{}
	wanted := map[int]bool{}
	for _, id := range ids {
		wanted[id] = true
	}
	for code := 1; code < len(c.Assignees); code++ {
		if wanted[c.Assignees[code]] {
			q.member[code] = 1
		}
	}
	for code, name := range c.TypeNames {
		if name != excludedType {
			q.keepType[code] = 1 // the null type (code 0) passes a negation
		}
	}
	q.shift = uint(bits.Len(uint(len(c.SourceNames) - 1)))
	q.accs = make([]loopAcc, len(c.TypeNames)<<q.shift)
	return q
}

func (q *Loop) reset() {
	for i := range q.accs {
		q.accs[i] = loopAcc{min: math.MaxInt64, max: math.MinInt64}
	}
}

// Run answers the query over c, the Columns the Loop was made for. A Loop
// is not safe for concurrent use.
func (q *Loop) Run(c *Columns) []Group {
	q.reset()
	n := c.Len
	typ, src, who, cents := c.Type[:n], c.Source[:n], c.Assignee[:n], c.Cents[:n]
	accs := q.accs
	for base := 0; base < n; base += 64 {
		end := min(base+64, n)
		// A mask of the block's matching rows first, with no branch per
		// row, then one pass over its set bits.
		var keep uint64
		bt, ba := typ[base:end], who[base:end]
		for j := range ba {
			keep |= uint64(q.member[ba[j]]&q.keepType[bt[j]]) << uint(j)
		}
		withAmount := keep & c.Valid[base>>6]
		for m := keep; m != 0; m &= m - 1 {
			i := base + bits.TrailingZeros64(m)
			accs[int(typ[i])<<q.shift|int(src[i])].count++
		}
		for m := withAmount; m != 0; m &= m - 1 {
			i := base + bits.TrailingZeros64(m)
			a := &accs[int(typ[i])<<q.shift|int(src[i])]
			v := cents[i]
			a.values++
			a.sum += v
			a.min = min(a.min, v)
			a.max = max(a.max, v)
		}
	}
	return q.groups(c)
}

// RunSimple is Run with one branch per row instead of block masks; the
// tests check it agrees and the benchmarks show which is faster.
func (q *Loop) RunSimple(c *Columns) []Group {
	q.reset()
	n := c.Len
	typ, src, who, cents := c.Type[:n], c.Source[:n], c.Assignee[:n], c.Cents[:n]
	accs := q.accs
	for i := range n {
		if q.member[who[i]]&q.keepType[typ[i]] == 0 {
			continue
		}
		a := &accs[int(typ[i])<<q.shift|int(src[i])]
		a.count++
		if c.Valid[i>>6]>>(uint(i)&63)&1 != 0 {
			v := cents[i]
			a.values++
			a.sum += v
			a.min = min(a.min, v)
			a.max = max(a.max, v)
		}
	}
	return q.groups(c)
}

func (q *Loop) groups(c *Columns) []Group {
	var out []Group
	for t, name := range c.TypeNames {
		for s, source := range c.SourceNames {
			a := &q.accs[t<<q.shift|s]
			if a.count == 0 {
				continue
			}
			g := Group{TypeID: name, SourceID: source, Count: a.count}
			if a.values > 0 {
				g.HasValues = true
				g.Sum, g.Min, g.Max = a.sum, a.min, a.max
				g.Avg = decimal.NewFromFloat(float64(a.sum) / (100 * float64(a.values)))
			}
			out = append(out, g)
		}
	}
	return out
}
