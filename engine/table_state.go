package engine

import (
	"context"
	"math/bits"
	"slices"

	"github.com/shopspring/decimal"
)

// denseGroups is the largest key space indexed by a plain slice instead of
// a map.
const denseGroups = 1 << 16

// tableState is one worker's aggregation over one chunk: groups get dense
// ids in the order met, and each aggregate keeps its state as parallel
// slices indexed by group id.
type tableState struct {
	q *tableQuery

	// dense maps a packed key to its group id plus one when the key space
	// is small; index is used otherwise.
	dense    []int32
	index    map[uint64]int32
	strIndex map[string]int32
	// keyIdx holds each group's key index per groupBy field, flattened.
	keyIdx []uint32
	counts []int64

	aggs []aggSlices
	// overall is kept apart only when a record may fall in several groups.
	overall []aggSlices

	invalid   int64
	invalidAt *DataError
	// pendingInvalid is the first invalid value of the current block.
	pendingInvalid *DataError

	groupCodes [][]uint32
	aggCodes   [][]uint32
	readCodes  [][]uint32
	combo      []uint32
	keyBuf     []byte

	// distinct holds a row's distinct element codes per groupBy depth of a
	// multiple field; seenCodes is its scratch.
	distinct  [][]uint32
	seenCodes map[uint32]struct{}
	ctx       context.Context
	work      int
}

// aggSlices is the state of one aggregate for every group of a worker.
// Numbers are mantissas at the column's scale.
type aggSlices struct {
	records []int64
	values  []int64
	sum     []int128
	min     []int64
	max     []int64
	// exact holds, per group id, the values that do not fit the column's
	// scale.
	exact map[int32]*acc
}

func (a *aggSlices) grow() {
	a.records = append(a.records, 0)
	a.values = append(a.values, 0)
	a.sum = append(a.sum, int128{})
	a.min = append(a.min, 0)
	a.max = append(a.max, 0)
}

func (q *tableQuery) newState() *tableState {
	st := &tableState{
		q:          q,
		aggs:       make([]aggSlices, len(q.aggs)),
		groupCodes: make([][]uint32, len(q.groups)),
		aggCodes:   make([][]uint32, len(q.aggs)),
		readCodes:  make([][]uint32, len(q.readCols)),
		combo:      make([]uint32, len(q.groups)),
		distinct:   make([][]uint32, len(q.groups)),
		seenCodes:  make(map[uint32]struct{}),
	}
	switch {
	case q.radix != 0 && q.radix <= denseGroups:
		st.dense = make([]int32, q.radix)
	case q.radix != 0:
		st.index = make(map[uint64]int32)
	default:
		st.strIndex = make(map[string]int32)
	}
	if !q.singleGroups {
		st.overall = make([]aggSlices, len(q.aggs))
		for i := range st.overall {
			st.overall[i].grow()
		}
	}
	return st
}

// groupID returns the id of the group with the key indexes in st.combo,
// adding the group when new.
func (st *tableState) groupID() (int32, error) {
	q := st.q
	var packed uint64
	if q.radix != 0 {
		for i, g := range q.groups {
			packed += uint64(st.combo[i]) * g.stride
		}
		if st.dense != nil {
			if id := st.dense[packed]; id != 0 {
				return id - 1, nil
			}
		} else if id, ok := st.index[packed]; ok {
			return id, nil
		}
	} else {
		st.keyBuf = st.keyBuf[:0]
		for _, idx := range st.combo {
			st.keyBuf = append(st.keyBuf, byte(idx>>24), byte(idx>>16), byte(idx>>8), byte(idx))
		}
		if id, ok := st.strIndex[string(st.keyBuf)]; ok {
			return id, nil
		}
	}

	id := int32(len(st.counts))
	if max := q.plan.opts.maxGroups(); max >= 0 && int(id) >= max {
		return 0, tooManyGroups(max)
	}
	switch {
	case st.dense != nil:
		st.dense[packed] = id + 1
	case st.index != nil:
		st.index[packed] = id
	default:
		st.strIndex[string(st.keyBuf)] = id
	}
	st.keyIdx = append(st.keyIdx, st.combo...)
	st.counts = append(st.counts, 0)
	for i := range st.aggs {
		st.aggs[i].grow()
	}
	return id, nil
}

// keyIndex maps a code to its group key index: 0 for the null key (empty
// and invalid values), code-1 otherwise.
func keyIndex(code uint32) uint32 {
	if code < firstCode {
		return 0
	}
	return code - 1
}

// aggregate processes the first c.quota selected rows of the chunk.
func (st *tableState) aggregate(ctx context.Context, c *chunk, selection []uint64) error {
	st.ctx = ctx
	if st.q.columnar {
		return st.aggregateColumnar(ctx, c, selection)
	}
	left := c.quota
	for bs := c.start; bs < c.end && left > 0; bs += blockSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		be := min(bs+blockSize, c.end)
		st.gather(bs, be)
		words := selection[bs/64 : (be+63)/64]
		for w, word := range words {
			for word != 0 && left > 0 {
				j := w*64 + bits.TrailingZeros64(word)
				word &= word - 1
				left--
				if !st.checkInvalid(bs, j) {
					return nil
				}
				if err := st.addRow(bs+j, j); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// gather widens the codes of the single-value columns the run reads.
func (st *tableState) gather(bs, be int) {
	q := st.q
	for i, g := range q.groups {
		if !g.col.field.Multiple {
			st.groupCodes[i] = g.col.codes.gather(bs, be, st.groupCodes[i])
		}
	}
	for i, a := range q.aggs {
		if !a.col.field.Multiple {
			st.aggCodes[i] = a.col.codes.gather(bs, be, st.aggCodes[i])
		}
	}
	for i, col := range q.readCols {
		if !col.field.Multiple {
			st.readCodes[i] = col.codes.gather(bs, be, st.readCodes[i])
		}
	}
}

// checkInvalid counts the invalid values of a processed row. In strict mode
// it records the first one and reports false to stop the chunk.
func (st *tableState) checkInvalid(bs, j int) bool {
	q := st.q
	row := int32(bs + j)
	for i, col := range q.readCols {
		var invalid int64
		if col.field.Multiple {
			if col.invalidElems != nil {
				invalid = int64(col.invalidElems[row])
			}
		} else if st.readCodes[i][j] == codeInvalid {
			invalid = 1
		}
		if invalid == 0 {
			continue
		}
		if q.plan.opts.Strict {
			st.invalidAt = &DataError{Position: int64(row), Field: col.field.Name, Type: col.field.Type, Value: col.invalidRaw[row]}
			return false
		}
		st.invalid += invalid
	}
	return true
}

func (st *tableState) addRow(row, j int) error {
	q := st.q
	if q.singleGroups {
		for i := range q.groups {
			st.combo[i] = keyIndex(st.groupCodes[i][j])
		}
		id, err := st.groupID()
		if err != nil {
			return err
		}
		st.counts[id]++
		st.addAggregates(st.aggs, id, row, j)
		return nil
	}

	st.addAggregates(st.overall, 0, row, j)
	for depth, g := range q.groups {
		if g.col.field.Multiple {
			st.distinct[depth] = st.distinctCodes(g.col, row, st.distinct[depth][:0])
		}
	}
	return st.addCombos(0, row, j)
}

// distinctCodes appends the distinct element codes of a row, in order. A
// map keeps this linear for rows with many elements.
func (st *tableState) distinctCodes(col *column, row int, dst []uint32) []uint32 {
	from, to := int(col.offsets[row]), int(col.offsets[row+1])
	if to-from <= 16 {
		for k := from; k < to; k++ {
			code := col.elems.at(k)
			if !slices.Contains(dst, code) {
				dst = append(dst, code)
			}
		}
		return dst
	}
	clear(st.seenCodes)
	for k := from; k < to; k++ {
		code := col.elems.at(k)
		if _, dup := st.seenCodes[code]; !dup {
			st.seenCodes[code] = struct{}{}
			dst = append(dst, code)
		}
	}
	return dst
}

// addCombos adds the row to every group of the product of its distinct
// key indexes, as the map path does for multiple fields.
func (st *tableState) addCombos(depth, row, j int) error {
	q := st.q
	if depth == len(q.groups) {
		// One row may fall in many groups, so the context is also checked
		// as groups are added.
		st.work++
		if st.work%cancelCheckEvery == 0 {
			if err := st.ctx.Err(); err != nil {
				return err
			}
		}
		id, err := st.groupID()
		if err != nil {
			return err
		}
		st.counts[id]++
		st.addAggregates(st.aggs, id, row, j)
		return nil
	}
	g := q.groups[depth]
	if !g.col.field.Multiple {
		st.combo[depth] = keyIndex(st.groupCodes[depth][j])
		return st.addCombos(depth+1, row, j)
	}
	codes := st.distinct[depth]
	if len(codes) == 0 {
		st.combo[depth] = 0
		return st.addCombos(depth+1, row, j)
	}
	for _, code := range codes {
		st.combo[depth] = keyIndex(code)
		if err := st.addCombos(depth+1, row, j); err != nil {
			return err
		}
	}
	return nil
}

func (st *tableState) addAggregates(states []aggSlices, id int32, row, j int) {
	q := st.q
	for i, a := range q.aggs {
		s := &states[i]
		if !a.col.field.Multiple {
			code := st.aggCodes[i][j]
			if code < firstCode {
				continue
			}
			s.records[id]++
			if a.numeric {
				st.addNumber(s, a.col, id, code)
			}
			continue
		}
		from, to := int(a.col.offsets[row]), int(a.col.offsets[row+1])
		if from == to {
			continue
		}
		s.records[id]++
		if a.numeric {
			for k := from; k < to; k++ {
				st.addNumber(s, a.col, id, a.col.elems.at(k))
			}
		}
	}
}

func (st *tableState) addNumber(s *aggSlices, col *column, id int32, code uint32) {
	num := col.num
	if num.exact[code] {
		if s.exact == nil {
			s.exact = make(map[int32]*acc)
		}
		e := s.exact[id]
		if e == nil {
			e = &acc{}
			s.exact[id] = e
		}
		e.addDecimal(st.exactValue(col, code))
		return
	}
	v := num.mant[code]
	if s.values[id] == 0 {
		s.min[id], s.max[id] = v, v
	} else {
		if v < s.min[id] {
			s.min[id] = v
		}
		if v > s.max[id] {
			s.max[id] = v
		}
	}
	s.values[id]++
	s.sum[id] = s.sum[id].addInt64(v)
}

// exactValue returns the number of a code that takes the exact path.
func (st *tableState) exactValue(col *column, code uint32) decimal.Decimal {
	if d, ok := col.num.big[code]; ok {
		return d
	}
	c := st.q.read.read(col.field, col.keys[code])
	return c.decimal()
}

// toAcc converts one group's slice state to an acc.
func (s *aggSlices) toAcc(id int32, scale int8) acc {
	a := acc{records: s.records[id], values: s.values[id], sum: s.sum[id], scale: scale}
	if a.values > 0 {
		a.min = bound{f: fixed{m: s.min[id], scale: scale}}
		a.max = bound{f: fixed{m: s.max[id], scale: scale}}
	}
	if e := s.exact[id]; e != nil {
		a.merge(e)
	}
	return a
}

func (st *tableState) accsOf(states []aggSlices, id int32) []acc {
	q := st.q
	out := make([]acc, len(q.aggs))
	for i, a := range q.aggs {
		var scale int8
		if a.col.num != nil {
			scale = a.col.num.scale
		}
		out[i] = states[i].toAcc(id, scale)
	}
	return out
}

// mergeInto adds the worker's groups and counts to part.
func (st *tableState) mergeInto(part *Partial) error {
	q := st.q
	part.invalid += st.invalid

	if len(q.groups) == 0 {
		if len(st.counts) > 0 {
			accs := st.accsOf(st.aggs, 0)
			for i := range part.overall {
				part.overall[i].merge(&accs[i])
			}
		}
		return nil
	}
	if !q.singleGroups {
		accs := st.accsOf(st.overall, 0)
		for i := range part.overall {
			part.overall[i].merge(&accs[i])
		}
	}

	cells := make([]cell, len(q.groups))
	for id := range st.counts {
		part.keyBuf = part.keyBuf[:0]
		for i, g := range q.groups {
			idx := st.keyIdx[id*len(q.groups)+i]
			cells[i] = cell{}
			if idx != 0 {
				cells[i] = q.read.read(g.col.field, g.col.keys[idx+1])
			}
			part.keyBuf = appendCellKey(part.keyBuf, g.col.field.Kind, &cells[i])
		}
		g, err := part.groupByKey(string(part.keyBuf), append([]cell(nil), cells...))
		if err != nil {
			return err
		}
		g.count += st.counts[id]
		accs := st.accsOf(st.aggs, int32(id))
		for i := range g.aggs {
			g.aggs[i].merge(&accs[i])
			if q.singleGroups {
				part.overall[i].merge(&accs[i])
			}
		}
	}
	return nil
}

// aggregateColumnar is aggregate for the common case: single-value columns
// and a dense group index. Each block is handled one column at a time over
// the list of its selected rows, which keeps every inner loop small and
// free of calls.
func (st *tableState) aggregateColumnar(ctx context.Context, c *chunk, selection []uint64) error {
	q := st.q
	sel := make([]uint16, 0, blockSize)
	packed := make([]uint64, blockSize)
	ids := make([]int32, blockSize)
	left := c.quota

	for bs := c.start; bs < c.end && left > 0; bs += blockSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		be := min(bs+blockSize, c.end)

		// The selected rows of the block, up to what is left of the quota.
		sel = sel[:0]
		for w, word := range selection[bs/64 : (be+63)/64] {
			for word != 0 && int64(len(sel)) < left {
				sel = append(sel, uint16(w*64+bits.TrailingZeros64(word)))
				word &= word - 1
			}
		}
		left -= int64(len(sel))
		if len(sel) == 0 {
			continue
		}

		// In strict mode the rows before the first invalid one are still
		// grouped, so that a group cap they pass is reported first, as a
		// run over the records in order would.
		stop := st.countInvalid(bs, sel)
		if stop >= 0 {
			sel = sel[:stop]
		}

		keys := packed[:len(sel)]
		clear(keys)
		for _, g := range q.groups {
			g.col.codes.addKeys(bs, sel, g.keyTab, keys)
		}
		blockIDs := ids[:len(sel)]
		for k, key := range keys {
			id := st.dense[key] - 1
			if id < 0 {
				var err error
				if id, err = st.newDenseGroup(key); err != nil {
					return err
				}
			}
			blockIDs[k] = id
			st.counts[id]++
		}

		for i, a := range q.aggs {
			switch v := &a.col.codes; {
			case v.u32 != nil:
				addColumn(st, &st.aggs[i], a, v.u32[bs:], sel, blockIDs)
			case v.u16 != nil:
				addColumn(st, &st.aggs[i], a, v.u16[bs:], sel, blockIDs)
			default:
				addColumn(st, &st.aggs[i], a, v.u8[bs:], sel, blockIDs)
			}
		}
		if stop >= 0 {
			st.invalidAt = st.pendingInvalid
			return nil
		}
	}
	return nil
}

// countInvalid counts the invalid values of the selected rows, skipping
// columns that hold none. In strict mode it returns the index in sel of
// the first row holding one, with st.pendingInvalid describing it, and -1
// when there is none.
func (st *tableState) countInvalid(bs int, sel []uint16) int {
	q := st.q
	first := -1
	var firstCol *column
	for _, col := range q.readCols {
		if len(col.invalidRaw) == 0 {
			continue
		}
		count, at := col.codes.countCode(bs, sel, codeInvalid)
		if count == 0 {
			continue
		}
		if !q.plan.opts.Strict {
			st.invalid += int64(count)
			continue
		}
		if first < 0 || at < first {
			first, firstCol = at, col
		}
	}
	if first < 0 {
		return -1
	}
	row := int32(bs + int(sel[first]))
	st.pendingInvalid = &DataError{Position: int64(row), Field: firstCol.field.Name, Type: firstCol.field.Type, Value: firstCol.invalidRaw[row]}
	return first
}

// newDenseGroup adds the group of a packed key met for the first time.
func (st *tableState) newDenseGroup(key uint64) (int32, error) {
	for i, g := range st.q.groups {
		st.combo[i] = uint32(key / g.stride % g.card)
	}
	return st.groupID()
}

// addColumn adds one aggregate's values for the selected rows of a block;
// codes starts at the block's first row.
func addColumn[T uint8 | uint16 | uint32](st *tableState, s *aggSlices, a tableAgg, codes []T, sel []uint16, ids []int32) {
	records := s.records
	if !a.numeric {
		for k, j := range sel {
			if codes[j] >= firstCode {
				records[ids[k]]++
			}
		}
		return
	}

	num := a.col.num
	mant, exact := num.mant, num.exact
	values, sums, mins, maxs := s.values, s.sum, s.min, s.max
	for k, j := range sel {
		code := uint32(codes[j])
		if code < firstCode {
			continue
		}
		id := ids[k]
		records[id]++
		if exact[code] {
			st.addNumber(s, a.col, id, code)
			continue
		}
		v := mant[code]
		if values[id] == 0 {
			mins[id], maxs[id] = v, v
		} else {
			mins[id] = min(mins[id], v)
			maxs[id] = max(maxs[id], v)
		}
		values[id]++
		sums[id] = sums[id].addInt64(v)
	}
}
