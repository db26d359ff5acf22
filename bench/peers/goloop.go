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
	// accs is indexed by type code << 4 | source code.
	accs [256]loopAcc
}

type loopAcc struct {
	count, values, sum, min, max int64
}

// NewLoop prepares the query for c: assignees in ids, type not excluded.
// It panics if c has more than 16 type or source codes, as the group
// index has four bits for each.
func NewLoop(c *Columns, ids []int, excludedType string) *Loop {
	if len(c.TypeNames) > 16 || len(c.SourceNames) > 16 {
		panic("peers: Loop takes at most 16 type and 16 source codes")
	}
	q := &Loop{}
	inList := map[int]bool{}
	for _, id := range ids {
		inList[id] = true
	}
	for code := 1; code < len(c.Assignees); code++ {
		if inList[c.Assignees[code]] {
			q.member[code] = 1
		}
	}
	for code, name := range c.TypeNames {
		if name != excludedType {
			q.keepType[code] = 1 // the null type (code 0) passes a negation
		}
	}
	return q
}

func (q *Loop) reset() {
	for i := range q.accs {
		q.accs[i] = loopAcc{min: math.MaxInt64, max: math.MinInt64}
	}
}

// Run runs the query over c, the Columns the Loop was made for. A Loop
// is not safe for concurrent use.
//
// Each block of 64 records is read twice: once to make a mask of the
// matching records with no branch per record, then over the mask's set
// bits. An absent amount is 0 in Cents, so it is added to the sum as it
// is. For min and max, a mask made from its validity bit swaps it for the
// neutral value. The tail shorter than a block goes through the simple
// loop.
func (q *Loop) Run(c *Columns) []Group {
	q.reset()
	n := c.Len
	full := n &^ 63
	for base := 0; base < full; base += 64 {
		typ := (*[64]uint8)(c.Type[base:])
		src := (*[64]uint8)(c.Source[base:])
		assignee := (*[64]uint8)(c.Assignee[base:])
		cents := (*[64]int64)(c.Cents[base:])
		var keep uint64
		for j := range 64 {
			keep |= uint64(q.member[assignee[j]]&q.keepType[typ[j]]) << j
		}
		valid := c.Valid[base>>6]
		for m := keep; m != 0; m &= m - 1 {
			j := bits.TrailingZeros64(m) & 63
			a := &q.accs[typ[j]<<4|src[j]]
			v := cents[j]
			has := int64(valid >> j & 1)
			absent := has - 1 // all ones when there is no amount
			a.count++
			a.values += has
			a.sum += v
			a.min = min(a.min, v^((v^math.MaxInt64)&absent))
			a.max = max(a.max, v^((v^math.MinInt64)&absent))
		}
	}
	q.add(c, full, n)
	return q.groups(c)
}

// RunSimple is Run with one branch per record instead of block masks. The
// tests check that it agrees, and the benchmarks show which is faster.
func (q *Loop) RunSimple(c *Columns) []Group {
	q.reset()
	q.add(c, 0, c.Len)
	return q.groups(c)
}

// add adds records [start, end) one at a time.
func (q *Loop) add(c *Columns, start, end int) {
	typ, src, assignee, cents := c.Type[:end], c.Source[:end], c.Assignee[:end], c.Cents[:end]
	for i := start; i < end; i++ {
		t := typ[i]
		if q.member[assignee[i]]&q.keepType[t] == 0 {
			continue
		}
		a := &q.accs[t<<4|src[i]]
		a.count++
		if c.Valid[i>>6]>>(uint(i)&63)&1 != 0 {
			v := cents[i]
			a.values++
			a.sum += v
			a.min = min(a.min, v)
			a.max = max(a.max, v)
		}
	}
}

func (q *Loop) groups(c *Columns) []Group {
	var out []Group
	for t, name := range c.TypeNames {
		for s, source := range c.SourceNames {
			a := &q.accs[t<<4|s]
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
