package engine

import (
	"context"
	"errors"
	"math/bits"
	"runtime"
	"sync"
	"time"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/filter"
	"github.com/crmagg/crmagg/schema"
)

// blockSize is the number of rows a table run handles at a time: codes are
// widened into per-block buffers and the filter result is a bitmap of
// blockSize/64 words.
const blockSize = 1024

// ErrTableMismatch is returned when a plan runs on a table built for
// another schema, or with another time zone, exponent bound or digit
// bound.
var ErrTableMismatch = errors.New("engine: the table was built for another schema or with other read options than the plan")

// RunTable runs the plan over a prepared table. The result is the one Run
// returns for the same records in the same order. The rows are split
// among runtime.GOMAXPROCS goroutines; the record limit still takes the
// first matching rows in table order.
func (p *Plan) RunTable(ctx context.Context, t *Table) (*Result, error) {
	part, err := p.RunTablePartial(ctx, t)
	if err != nil {
		return nil, err
	}
	return part.Result(), nil
}

// RunTablePartial is RunTable without the final step: it returns the
// mergeable state of the run.
func (p *Plan) RunTablePartial(ctx context.Context, t *Table) (*Partial, error) {
	q := p.lastTable.Load()
	if q == nil || q.table != t {
		if t.schema != p.schema || t.options.MaxExponent != p.opts.MaxExponent || t.options.MaxDigits != p.opts.MaxDigits ||
			!sameZone(t.options.Location, p.opts.location()) {
			return nil, ErrTableMismatch
		}
		q = p.prepareTable(t)
		p.lastTable.Store(q)
	}
	return q.run(ctx, runtime.GOMAXPROCS(0))
}

// tableQuery is a plan bound to one table: per-code truth tables for the
// filter, key strides for the groups and number lookups for the
// aggregates. It is read-only once built and shared by the workers.
type tableQuery struct {
	plan  *Plan
	table *Table
	read  cellReader

	expr *tableExpr

	groups []tableGroup
	// radix is the product of the group cardinalities, or 0 when it does
	// not fit a uint64 and keys are kept as strings.
	radix uint64
	// singleGroups is true when no groupBy field is multiple, so each
	// record is in exactly one group and the overall state is the merge of
	// the groups.
	singleGroups bool

	aggs []tableAgg
	// columnar is set when every read column is single-value and the group
	// keys fit a dense index, so blocks are aggregated column by column.
	columnar bool
	// readCols are the columns grouping and aggregation read, for counting
	// invalid values once per field.
	readCols []*column
}

type tableGroup struct {
	col    *column
	card   uint64 // distinct keys including null
	stride uint64
	// keyTab[code] is the code's key index times stride, the code's share
	// of the packed group key.
	keyTab []uint64
}

type tableAgg struct {
	col     *column
	numeric bool
}

// tableExpr is a filter node bound to columns.
type tableExpr struct {
	kind     filter.ExprKind
	constant bool
	children []*tableExpr
	col      *column
	// truth[code] is the condition's result for a single-value column, or
	// whether one element with that code passes Test for a multiple one.
	truth   []uint8
	negated bool
	empty   bool
}

func (p *Plan) prepareTable(t *Table) *tableQuery {
	q := &tableQuery{
		plan:         p,
		table:        t,
		read:         cellReader{reader: p.reader, money: p.reader.Money},
		singleGroups: true,
	}
	if p.filter != nil {
		q.expr = q.bindExpr(p.filter.Expr(), p.filter.Reader())
	}

	q.radix = 1
	for _, g := range p.groups {
		col := t.cols[g.field.Index]
		card := uint64(len(col.keys) - 1) // codes 0 and 1 share the null key
		keyTab := make([]uint64, len(col.keys))
		for code := range keyTab {
			keyTab[code] = uint64(keyIndex(uint32(code))) * q.radix
		}
		q.groups = append(q.groups, tableGroup{col: col, card: card, stride: q.radix, keyTab: keyTab})
		if q.radix != 0 {
			hi, lo := bits.Mul64(q.radix, card)
			if hi != 0 {
				q.radix = 0
			} else {
				q.radix = lo
			}
		}
		if g.field.Multiple {
			q.singleGroups = false
		}
	}
	for _, a := range p.aggs {
		q.aggs = append(q.aggs, tableAgg{col: t.cols[a.field.Index], numeric: a.numeric})
	}
	for _, f := range p.readFields {
		q.readCols = append(q.readCols, t.cols[f.Index])
	}

	q.columnar = q.singleGroups && q.radix != 0 && q.radix <= denseGroups
	for _, a := range q.aggs {
		q.columnar = q.columnar && !a.col.field.Multiple
	}
	return q
}

// bindExpr binds a filter tree to the table's columns, testing each
// distinct value of a column once.
func (q *tableQuery) bindExpr(e *filter.Expr, reader *schema.Reader) *tableExpr {
	te := &tableExpr{kind: e.Kind, constant: e.Const}
	for _, child := range e.Children {
		te.children = append(te.children, q.bindExpr(child, reader))
	}
	if e.Kind != filter.ExprCondition {
		return te
	}

	cond := e.Condition
	col := q.table.cols[cond.Field().Index]
	dict := col.dictValues(reader)

	te.col = col
	te.negated = cond.Negated()
	te.empty = cond.MatchesEmpty()
	te.truth = make([]uint8, len(col.keys))
	for code := range te.truth {
		var result bool
		switch {
		case code < firstCode:
			result = te.empty
		case col.field.Multiple:
			result = cond.Test(dict[code])
		default:
			result = cond.Test(dict[code]) != te.negated
		}
		if result {
			te.truth[code] = 1
		}
	}
	return te
}

// chunk is a range of rows handled by one worker, aligned to blocks.
type chunk struct {
	start, end int
	matched    int64
	quota      int64
}

func (q *tableQuery) run(ctx context.Context, workers int) (*Partial, error) {
	n := q.table.n
	chunkRows := max(blockSize, (n/(workers*4)+blockSize-1)/blockSize*blockSize)
	var chunks []chunk
	for start := 0; start < n; start += chunkRows {
		chunks = append(chunks, chunk{start: start, end: min(start+chunkRows, n)})
	}
	selection := make([]uint64, (n+63)/64)

	// Phase 1: the filter, in parallel; each chunk counts its matches.
	err := parallel(ctx, workers, len(chunks), func(ctx context.Context, i int) error {
		s := newExprScratch()
		c := &chunks[i]
		for bs := c.start; bs < c.end; bs += blockSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			be := min(bs+blockSize, c.end)
			words := selection[bs/64 : (be+63)/64]
			q.evalBlock(q.expr, bs, be, words, s, 0)
			for _, w := range words {
				c.matched += int64(bits.OnesCount64(w))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	part := q.plan.NewPartial()
	for _, c := range chunks {
		part.total += c.matched
	}
	if q.plan.countOnly {
		return part, nil
	}

	// Phase 2: the record limit takes the first matching rows in table
	// order, so each chunk gets what is left after the chunks before it.
	remaining := q.plan.opts.recordLimit()
	for i := range chunks {
		c := &chunks[i]
		c.quota = c.matched
		if remaining >= 0 {
			c.quota = min(c.matched, remaining)
			remaining -= c.quota
		}
		part.processed += c.quota
	}
	part.truncated = part.processed < part.total

	// Phase 3: aggregation of each chunk's quota, in parallel. Workers
	// that each see a part of the rows cannot tell which failure comes
	// first in row order. So when the run fails, with an invalid value in
	// strict mode or past the group cap, the chunks run again in order on
	// one state.
	err = q.aggregateChunks(ctx, workers, chunks, selection, part)
	if err != nil && workers > 1 && ctx.Err() == nil && isRunFailure(err) {
		part = q.plan.NewPartial()
		part.total, part.processed = 0, 0
		for _, c := range chunks {
			part.total += c.matched
			part.processed += c.quota
		}
		part.truncated = part.processed < part.total
		err = q.aggregateChunks(ctx, 1, chunks, selection, part)
	}
	if err != nil {
		return nil, err
	}
	return part, nil
}

// isRunFailure reports whether err is a strict-mode invalid value or the
// group cap.
func isRunFailure(err error) bool {
	var de *DataError
	if errors.As(err, &de) {
		return true
	}
	e := apierr.As(err)
	return e != nil && e.Code == apierr.TooManyGroups
}

// aggregateChunks aggregates every chunk into part: on workers goroutines
// with a state per chunk, or, with one worker, in order on a single state
// that stops at the first failure.
func (q *tableQuery) aggregateChunks(ctx context.Context, workers int, chunks []chunk, selection []uint64, part *Partial) error {
	if workers <= 1 {
		st := q.newState()
		for i := range chunks {
			if err := st.aggregate(ctx, &chunks[i], selection); err != nil {
				return err
			}
			if st.invalidAt != nil {
				return st.invalidAt
			}
		}
		return st.mergeInto(part)
	}

	states := make([]*tableState, len(chunks))
	err := parallel(ctx, workers, len(chunks), func(ctx context.Context, i int) error {
		st := q.newState()
		states[i] = st
		if err := st.aggregate(ctx, &chunks[i], selection); err != nil {
			return err
		}
		if st.invalidAt != nil {
			return st.invalidAt
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, st := range states {
		if err := st.mergeInto(part); err != nil {
			return err
		}
	}
	return nil
}

// parallel calls fn for tasks 0..count-1 on up to workers goroutines and
// returns the first error.
func parallel(ctx context.Context, workers, count int, fn func(ctx context.Context, i int) error) error {
	if workers <= 1 || count <= 1 {
		for i := 0; i < count; i++ {
			if err := fn(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		next     int
		firstErr error
	)
	for w := 0; w < min(workers, count); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := firstErr != nil
				mu.Unlock()
				if i >= count || stop {
					return
				}
				if err := fn(ctx, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// exprScratch holds one bitmap per tree depth for filter evaluation.
type exprScratch struct {
	words [][]uint64
}

func newExprScratch() *exprScratch {
	return &exprScratch{}
}

func (s *exprScratch) wordsAt(depth int) []uint64 {
	for len(s.words) <= depth {
		s.words = append(s.words, make([]uint64, blockSize/64))
	}
	return s.words[depth]
}

// evalBlock writes the filter result for rows [bs, be) into words, one bit
// per row, bit 0 of words[0] being row bs. bs is a multiple of 64.
func (q *tableQuery) evalBlock(e *tableExpr, bs, be int, words []uint64, s *exprScratch, depth int) {
	rows := be - bs
	if e == nil || e.kind == filter.ExprConst {
		fill := e == nil || e.constant
		for i := range words {
			words[i] = 0
			if fill {
				words[i] = ^uint64(0)
			}
		}
		if fill && rows%64 != 0 {
			words[len(words)-1] = 1<<(rows%64) - 1
		}
		return
	}

	switch e.kind {
	case filter.ExprCondition:
		if e.col.field.Multiple {
			q.evalMultiple(e, bs, be, words)
			return
		}
		e.col.codes.truthWords(bs, be, e.truth, words)
	case filter.ExprAnd, filter.ExprOr:
		q.evalBlock(e.children[0], bs, be, words, s, depth+1)
		tmp := s.wordsAt(depth)[:len(words)]
		for _, child := range e.children[1:] {
			q.evalBlock(child, bs, be, tmp, s, depth+1)
			if e.kind == filter.ExprAnd {
				for i := range words {
					words[i] &= tmp[i]
				}
			} else {
				for i := range words {
					words[i] |= tmp[i]
				}
			}
		}
	}
}

func (q *tableQuery) evalMultiple(e *tableExpr, bs, be int, words []uint64) {
	col := e.col
	clear(words)
	for r := bs; r < be; r++ {
		from, to := col.offsets[r], col.offsets[r+1]
		var result bool
		if from == to {
			result = e.empty
		} else {
			any := false
			for k := from; k < to && !any; k++ {
				any = e.truth[col.elems.at(int(k))] == 1
			}
			result = any != e.negated
		}
		if result {
			j := r - bs
			words[j/64] |= 1 << (j % 64)
		}
	}
}

// sameZone reports whether two locations read wall clocks alike: the same
// name and the same offsets at the start and middle of every year from
// 1900 to 2100. Locations loaded twice from the zone database are equal by
// this test; two fixed zones of one name and different offsets are not.
func sameZone(a, b *time.Location) bool {
	if a == b {
		return true
	}
	if a.String() != b.String() {
		return false
	}
	for year := 1900; year <= 2100; year++ {
		for _, month := range []time.Month{time.January, time.July} {
			at := time.Date(year, month, 1, 12, 0, 0, 0, time.UTC)
			_, offsetA := at.In(a).Zone()
			_, offsetB := at.In(b).Zone()
			if offsetA != offsetB {
				return false
			}
		}
	}
	return true
}
