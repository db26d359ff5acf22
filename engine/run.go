package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
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

// aggState is the running state of one field's functions in one group or
// overall.
type aggState struct {
	// records counts records with at least one valid value (count).
	records int64
	// values counts the values sum and avg read; a multiple field adds one
	// per element.
	values   int64
	sum      decimal.Decimal
	min, max decimal.Decimal
}

func (s *aggState) add(v decimal.Decimal) {
	if s.values == 0 {
		s.min, s.max = v, v
	} else {
		if v.Cmp(s.min) < 0 {
			s.min = v
		}
		if v.Cmp(s.max) > 0 {
			s.max = v
		}
	}
	s.values++
	s.sum = s.sum.Add(v)
}

// groupState is one group: its key values in groupBy order, its processed
// record count and one aggState per aggregated field.
type groupState struct {
	values []schema.Value
	count  int64
	aggs   []aggState
}

// run is the mutable state of one Plan.Run.
type run struct {
	plan *Plan

	// keySlot caches the schema field each record key resolves to (-1 when
	// none), so that a key spelled like ufCrmLtv is looked up once a run.
	keySlot map[string]int
	// raw holds the current record's value per schema field.
	raw    []any
	rawKey []string
	// elems holds the current record's valid values per read field.
	elems [][]schema.Value

	total, processed int64
	truncated        bool
	invalid          int64

	overall    []aggState
	groupIndex map[string]int
	groups     []*groupState
	keyBuf     []byte
	combo      []schema.Value
}

// Run aggregates the records of src and returns the result. It checks ctx
// every few thousand records and returns ctx.Err() when it is done. It
// fails with the source's error (such as an *InputError), a *DataError in
// strict mode, or an *apierr.Error with code TOO_MANY_GROUPS when the run
// passes the group cap.
func (p *Plan) Run(ctx context.Context, src Source) (*Result, error) {
	r := &run{
		plan:       p,
		keySlot:    make(map[string]int),
		raw:        make([]any, len(p.schema.Fields)),
		rawKey:     make([]string, len(p.schema.Fields)),
		elems:      make([][]schema.Value, len(p.readFields)),
		overall:    make([]aggState, len(p.aggs)),
		groupIndex: make(map[string]int),
	}
	limit := p.opts.recordLimit()

	for position := int64(0); ; position++ {
		if position%cancelCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}

		r.load(rec)
		if p.filter != nil && !p.filter.Match(r.raw) {
			continue
		}
		r.total++
		if p.countOnly {
			continue
		}
		if limit >= 0 && r.processed >= limit {
			r.truncated = true
			continue
		}
		r.processed++
		if err := r.aggregate(position); err != nil {
			return nil, err
		}
	}
	return r.result(), nil
}

// load resolves the keys of rec to schema fields and fills r.raw with the
// values of the fields the plan needs. When a record spells one field
// several ways, the exact schema name wins, then the spelling that sorts
// first, so the choice never depends on map order.
func (r *run) load(rec map[string]any) {
	p := r.plan
	clear(r.raw)
	clear(r.rawKey)
	for key, value := range rec {
		slot, ok := r.keySlot[key]
		if !ok {
			slot = -1
			if f, err := p.schema.Lookup(key); err == nil && p.needed[f.Index] {
				slot = f.Index
			}
			r.keySlot[key] = slot
		}
		if slot < 0 {
			continue
		}
		if prev := r.rawKey[slot]; prev != "" {
			name := p.schema.Fields[slot].Name
			if prev == name || (key != name && prev < key) {
				continue
			}
		}
		r.raw[slot] = value
		r.rawKey[slot] = key
	}
}

// aggregate adds the current record to the overall state and its groups.
func (r *run) aggregate(position int64) error {
	p := r.plan
	for slot, f := range p.readFields {
		raw := r.raw[f.Index]
		var invalid int
		if f.Multiple {
			r.elems[slot], invalid = p.reader.ReadElements(f, raw, r.elems[slot][:0])
		} else {
			v := p.reader.Read(f, raw)
			r.elems[slot] = r.elems[slot][:0]
			switch v.State {
			case schema.Valid:
				r.elems[slot] = append(r.elems[slot], v)
			case schema.Invalid:
				invalid = 1
			}
		}
		if invalid > 0 {
			if p.opts.Strict {
				return &DataError{Position: position, Field: f.Name, Type: f.Type, Value: raw}
			}
			r.invalid += int64(invalid)
		}
	}

	r.addAggregates(r.overall)
	if len(p.groups) == 0 {
		return nil
	}
	if cap(r.combo) < len(p.groups) {
		r.combo = make([]schema.Value, len(p.groups))
	}
	return r.addGroups(0, r.combo[:len(p.groups)])
}

func (r *run) addAggregates(states []aggState) {
	p := r.plan
	for i, a := range p.aggs {
		values := r.elems[p.slotOf[a.field.Index]]
		if len(values) == 0 {
			continue
		}
		s := &states[i]
		s.records++
		for _, v := range values {
			s.add(v.Num)
		}
	}
}

// addGroups walks the product of the distinct values of each groupBy
// field, adding the record to every group it belongs to. A field with no
// valid value contributes the null key.
func (r *run) addGroups(depth int, combo []schema.Value) error {
	p := r.plan
	if depth == len(p.groups) {
		return r.addToGroup(combo)
	}

	g := p.groups[depth]
	values := r.elems[p.slotOf[g.field.Index]]
	if len(values) == 0 {
		combo[depth] = schema.Value{}
		return r.addGroups(depth+1, combo)
	}
	for i, v := range values {
		if g.field.Multiple && seenBefore(g.field.Kind, values[:i], v) {
			continue
		}
		combo[depth] = v
		if err := r.addGroups(depth+1, combo); err != nil {
			return err
		}
	}
	return nil
}

func seenBefore(k schema.Kind, earlier []schema.Value, v schema.Value) bool {
	for _, e := range earlier {
		if schema.Compare(k, e, v) == 0 {
			return true
		}
	}
	return false
}

func (r *run) addToGroup(combo []schema.Value) error {
	p := r.plan
	r.keyBuf = r.keyBuf[:0]
	for i, v := range combo {
		r.keyBuf = appendKey(r.keyBuf, p.groups[i].field.Kind, v)
	}

	idx, ok := r.groupIndex[string(r.keyBuf)]
	if !ok {
		if max := p.opts.maxGroups(); max >= 0 && len(r.groups) >= max {
			return &apierr.Error{Code: apierr.TooManyGroups,
				Message: fmt.Sprintf("the request makes more than %d distinct groups; narrow the filter or group by fewer fields", max)}
		}
		idx = len(r.groups)
		r.groupIndex[string(r.keyBuf)] = idx
		r.groups = append(r.groups, &groupState{
			values: append([]schema.Value(nil), combo...),
			aggs:   make([]aggState, len(p.aggs)),
		})
	}
	g := r.groups[idx]
	g.count++
	r.addAggregates(g.aggs)
	return nil
}

// appendKey appends a length-prefixed canonical text of v, so that values
// equal by their kind's rules (1, "1" and 1.0 in an integer field; one
// instant written in two zones) give the same key.
func appendKey(dst []byte, k schema.Kind, v schema.Value) []byte {
	if v.State != schema.Valid {
		return append(dst, 'n')
	}
	var text string
	switch k {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration:
		text = v.Num.String()
	case schema.KindMoney:
		text = v.Num.String() + "|" + v.Text
	case schema.KindBoolean:
		text = "N"
		if v.Bool {
			text = "Y"
		}
	case schema.KindDate:
		text = schema.FormatDate(v.Time)
	case schema.KindDateTime:
		text = v.Time.UTC().Format(time.RFC3339Nano)
	default:
		text = v.Text
	}
	dst = append(dst, 'v')
	dst = strconv.AppendInt(dst, int64(len(text)), 10)
	dst = append(dst, ':')
	return append(dst, text...)
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
