package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/schema"
)

// ErrInvalidValue is wrapped by *DataError.
var ErrInvalidValue = errors.New("invalid value")

// DataError is the failure of a strict run on an invalid value.
type DataError struct {
	// Position is the record's 0-based position in the source.
	Position int64
	// Field is the schema name of the field and Type its declared type.
	Field string
	Type  string
	// Value is the raw value as the record holds it.
	Value any
}

func (e *DataError) Error() string {
	return fmt.Sprintf("record %d: invalid value %s in field '%s' of type %s",
		e.Position, describeRaw(e.Value), e.Field, e.Type)
}

func (e *DataError) Unwrap() error { return ErrInvalidValue }

// cancelCheckEvery is how many records pass between two context checks.
const cancelCheckEvery = 1024

// Run aggregates the records of src and returns the result. It checks ctx
// before every record and every 1024 groups a record is added to, and
// returns ctx.Err() once it is done. It fails with
// the source's error (such as an *InputError), a *DataError in strict
// mode, or an *apierr.Error with code TOO_MANY_GROUPS when the run passes
// the group cap.
func (p *Plan) Run(ctx context.Context, src Source) (*Result, error) {
	part, err := p.RunPartial(ctx, src)
	if err != nil {
		return nil, err
	}
	return part.Result(), nil
}

// RunPartial is Run without the final step: it returns the mergeable state
// of the run.
func (p *Plan) RunPartial(ctx context.Context, src Source) (*Partial, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := newMapRun(ctx, p)
	if js, ok := src.(*JSONSource); ok && js.scanner == nil {
		return r.runJSON(js)
	}

	for position := int64(0); ; position++ {
		// A receive that does not block costs a few nanoseconds, so the
		// context is checked before every record, however heavy.
		select {
		case <-r.done:
			return nil, ctx.Err()
		default:
		}
		rec, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}

		// The filter's fields are read first; the others only for records
		// that are aggregated.
		r.load(rec, r.filterFields)
		if err := r.process(position, rec); err != nil {
			return nil, err
		}
	}
	return r.part, nil
}

// runJSON reads a JSON stream with the scanner, decoding only the members
// the plan needs straight into r.raw.
func (r *mapRun) runJSON(js *JSONSource) (*Partial, error) {
	slots := newFieldSlots(r.plan.schema, r.plan.needed)
	r.raw = slots.raw
	sc := js.start(r.ctx)
	for position := int64(0); ; position++ {
		select {
		case <-r.done:
			return nil, r.ctx.Err()
		default:
		}
		slots.reset()
		err := sc.Next(slots.want, slots.set)
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctxErr := r.ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, inputError(err)
		}
		if err := r.process(position, nil); err != nil {
			return nil, err
		}
	}
	return r.part, nil
}

// process counts a record whose filter fields are in r.raw and aggregates
// it unless the plan counts only or the record limit is reached. rec is
// the map record whose other fields are still to be loaded, or nil when
// r.raw already holds them.
func (r *mapRun) process(position int64, rec map[string]any) error {
	p := r.plan
	if p.filter != nil && !p.filter.Match(r.raw) {
		return nil
	}
	r.part.total++
	if p.countOnly {
		return nil
	}
	if limit := p.opts.recordLimit(); limit >= 0 && r.part.processed >= limit {
		r.part.truncated = true
		return nil
	}
	r.part.processed++
	if rec != nil {
		r.load(rec, r.readOnlyFields)
	}
	return r.aggregate(position)
}

// mapRun is the state of one run over map records.
type mapRun struct {
	plan *Plan
	part *Partial
	read cellReader

	// spellings lists, per needed field, the record keys seen for it: the
	// schema name first, then other UF spellings in the order met.
	spellings [][]string
	// filterFields are the indexes of the fields the filter reads, and
	// readOnlyFields those that only grouping and aggregation read.
	filterFields, readOnlyFields []int
	// raw holds the current record's value per schema field.
	raw []any
	// cells holds the current record's valid values per read field.
	cells [][]cell
	combo []*cell
	noKey cell

	// distinct holds, per groupBy depth of a multiple field, the positions
	// of the record's distinct values; seen and keyBuf are its scratch.
	multipleGroups bool
	distinct       [][]int
	seen           map[string]struct{}
	keyBuf         []byte

	ctx  context.Context
	done <-chan struct{}
	// work counts groups added, for context checks inside one record.
	work int
}

func newMapRun(ctx context.Context, p *Plan) *mapRun {
	r := &mapRun{
		ctx:       ctx,
		done:      ctx.Done(),
		distinct:  make([][]int, len(p.groups)),
		seen:      make(map[string]struct{}),
		plan:      p,
		part:      p.NewPartial(),
		read:      cellReader{reader: p.reader, money: p.reader.Money},
		spellings: make([][]string, len(p.schema.Fields)),
		raw:       make([]any, len(p.schema.Fields)),
		cells:     make([][]cell, len(p.readFields)),
		combo:     make([]*cell, len(p.groups)),
	}
	for i, f := range p.schema.Fields {
		if p.needed[i] {
			r.spellings[i] = []string{f.Name}
		}
	}
	for _, g := range p.groups {
		r.multipleGroups = r.multipleGroups || g.field.Multiple
	}
	inFilter := make([]bool, len(p.schema.Fields))
	if p.filter != nil {
		for _, i := range p.filter.Fields() {
			inFilter[i] = true
			r.filterFields = append(r.filterFields, i)
		}
	}
	for _, f := range p.readFields {
		if !inFilter[f.Index] {
			r.readOnlyFields = append(r.readOnlyFields, f.Index)
		}
	}
	return r
}

// load fills r.raw with the values of the given fields. A field is looked
// up by the spellings met so far. Only when a UF is not found that way are
// the record's keys scanned for a new spelling. The exact schema name wins
// over other spellings, and of two other spellings the one that sorts
// first wins.
func (r *mapRun) load(rec map[string]any, fields []int) {
	p := r.plan
	scanned := false
	for _, i := range fields {
		r.raw[i] = nil
		// A UF missing under the known spellings makes one scan of the
		// record's keys for new ones. NOTE: a record found under a known
		// other spelling is not scanned. When it also contains a new one
		// that sorts first, the known spelling is used, while the table
		// builder, which reads every key, would use the new one.
		if r.lookup(rec, i) >= 0 || !p.schema.Fields[i].UF || scanned {
			continue
		}
		scanned = true
		r.learnSpellings(rec)
		r.lookup(rec, i)
	}
}

// lookup sets r.raw[i] from the first spelling of field i that rec holds
// and returns that spelling's position in r.spellings[i], or -1.
func (r *mapRun) lookup(rec map[string]any, i int) int {
	for at, name := range r.spellings[i] {
		if v, ok := rec[name]; ok {
			r.raw[i] = v
			return at
		}
	}
	return -1
}

// learnSpellings adds every key of rec that resolves to a needed field
// under another spelling.
func (r *mapRun) learnSpellings(rec map[string]any) {
	for key := range rec {
		f, err := r.plan.schema.Lookup(key)
		if err != nil || r.spellings[f.Index] == nil || key == f.Name {
			continue
		}
		known := false
		for _, name := range r.spellings[f.Index] {
			known = known || name == key
		}
		if !known {
			// Other spellings stay sorted after the schema name, so that of
			// two present the smaller wins whatever the map order.
			names := append(r.spellings[f.Index], key)
			slices.Sort(names[1:])
			r.spellings[f.Index] = names
		}
	}
}

// aggregate adds the current record to the overall state and its groups.
func (r *mapRun) aggregate(position int64) error {
	p := r.plan
	for slot, f := range p.readFields {
		raw := r.raw[f.Index]
		var invalid int
		if f.Multiple {
			r.cells[slot], invalid = r.read.readElements(f, raw, r.cells[slot][:0])
		} else {
			c := r.read.read(f, raw)
			r.cells[slot] = r.cells[slot][:0]
			switch c.state {
			case schema.Valid:
				r.cells[slot] = append(r.cells[slot], c)
			case schema.Invalid:
				invalid = 1
			}
		}
		if invalid > 0 {
			if p.opts.Strict {
				return &DataError{Position: position, Field: f.Name, Type: f.Type, Value: raw}
			}
			r.part.invalid += int64(invalid)
		}
	}

	r.addAggregates(r.part.overall)
	if len(p.groups) == 0 {
		return nil
	}
	if r.multipleGroups {
		r.findDistinct()
	}
	return r.addGroups(0)
}

func (r *mapRun) addAggregates(states []acc) {
	p := r.plan
	for i, a := range p.aggs {
		cells := r.cells[p.slotOf[a.field.Index]]
		if len(cells) == 0 {
			continue
		}
		s := &states[i]
		s.records++
		if !a.numeric {
			continue
		}
		for j := range cells {
			s.addCell(&cells[j])
		}
	}
}

// addGroups walks the product of the distinct values of each groupBy
// field, adding the record to every group it belongs to. A field with no
// valid value contributes the null key.
func (r *mapRun) addGroups(depth int) error {
	p := r.plan
	if depth == len(p.groups) {
		return r.addToGroup()
	}

	g := p.groups[depth]
	cells := r.cells[p.slotOf[g.field.Index]]
	if len(cells) == 0 {
		r.combo[depth] = &r.noKey
		return r.addGroups(depth + 1)
	}
	if !g.field.Multiple {
		r.combo[depth] = &cells[0]
		return r.addGroups(depth + 1)
	}
	for _, i := range r.distinct[depth] {
		r.combo[depth] = &cells[i]
		if err := r.addGroups(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

// findDistinct lists, for each multiple groupBy field, the positions of
// its distinct values in the current record. A map keeps this linear in
// the number of elements.
func (r *mapRun) findDistinct() {
	p := r.plan
	for depth, g := range p.groups {
		if !g.field.Multiple {
			continue
		}
		cells := r.cells[p.slotOf[g.field.Index]]
		r.distinct[depth] = r.distinct[depth][:0]
		clear(r.seen)
		for i := range cells {
			r.keyBuf = appendCellKey(r.keyBuf[:0], g.field.Kind, &cells[i])
			if _, dup := r.seen[string(r.keyBuf)]; dup {
				continue
			}
			r.seen[string(r.keyBuf)] = struct{}{}
			r.distinct[depth] = append(r.distinct[depth], i)
		}
	}
}

func (r *mapRun) addToGroup() error {
	// One record may fall in many groups, so the context is also checked
	// as groups are added, not only between records.
	r.work++
	if r.work%cancelCheckEvery == 0 {
		select {
		case <-r.done:
			return r.ctx.Err()
		default:
		}
	}
	part := r.part
	part.keyBuf = part.keyBuf[:0]
	for i, c := range r.combo {
		part.keyBuf = appendCellKey(part.keyBuf, r.plan.groups[i].field.Kind, c)
	}
	g, err := part.group(part.keyBuf, r.combo)
	if err != nil {
		return err
	}
	g.count++
	r.addAggregates(g.aggs)
	return nil
}

func describeRaw(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

func tooManyGroups(max int) error {
	return &apierr.Error{Code: apierr.TooManyGroups,
		Message: fmt.Sprintf("the request makes more than %d distinct groups; narrow the filter or group by fewer fields", max)}
}
