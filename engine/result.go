package engine

import (
	"cmp"
	"slices"

	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

// Result is the data object of a successful response.
type Result struct {
	// Count is the number of records that match the filter.
	Count int64
	// Aggregates are the results over all processed records, by field in
	// request order.
	Aggregates []FieldResult
	// Groups are in group order; nil without groupBy.
	Groups []Group
	Meta   Meta

	plan *Plan
}

// FieldResult is one key of "aggregates": a field as the request spelled
// it, with its functions in request order.
type FieldResult struct {
	Field  string
	Values []FunctionResult
}

// FunctionResult is one function's value; Value is invalid (JSON null) for
// avg, min and max over no values.
type FunctionResult struct {
	Function Function
	Value    decimal.NullDecimal
}

// Group is one group of the result.
type Group struct {
	// Values are the key values in groupBy order; an Empty value is the
	// null key.
	Values     []schema.Value
	Count      int64
	Aggregates []FieldResult
}

// Meta is the "meta" object of the result.
type Meta struct {
	TotalRecords     int64
	RecordsProcessed int64
	Truncated        bool
	// GroupTotal and GroupsTruncated are written only with groupBy.
	GroupTotal      int
	GroupsTruncated bool
	// InvalidValues is written only when it is not zero.
	InvalidValues int64
}

// Result returns the response data of the state: groups converted to
// their values, sorted, and cut to the plan's group limit.
func (part *Partial) Result() *Result {
	p := part.plan
	res := &Result{
		Count:      part.total,
		Aggregates: p.fieldResults(part.overall),
		Meta: Meta{
			TotalRecords:     part.total,
			RecordsProcessed: part.processed,
			Truncated:        part.truncated,
			InvalidValues:    part.invalid,
		},
		plan: p,
	}
	if len(p.groups) == 0 {
		return res
	}

	groups := make([]Group, len(part.groups))
	for i, g := range part.groups {
		values := make([]schema.Value, len(g.cells))
		for j := range g.cells {
			values[j] = g.cells[j].toValue(p.groups[j].field.Kind)
		}
		groups[i] = Group{Values: values, Count: g.count, Aggregates: p.fieldResults(g.aggs)}
	}
	slices.SortFunc(groups, p.compareGroups)
	res.Meta.GroupTotal = len(groups)
	if limit := p.opts.GroupLimit; limit > 0 && len(groups) > limit {
		groups = groups[:limit]
		res.Meta.GroupsTruncated = true
	}
	res.Groups = groups
	return res
}

// compareGroups orders by count descending, then by the key values field
// by field, ascending with the null key last.
func (p *Plan) compareGroups(a, b Group) int {
	if c := cmp.Compare(b.Count, a.Count); c != 0 {
		return c
	}
	for i, g := range p.groups {
		va, vb := a.Values[i], b.Values[i]
		aNull, bNull := va.State != schema.Valid, vb.State != schema.Valid
		switch {
		case aNull && bNull:
			continue
		case aNull:
			return 1
		case bNull:
			return -1
		}
		if c := schema.Compare(g.field.Kind, va, vb); c != 0 {
			return c
		}
	}
	return 0
}

func (p *Plan) fieldResults(states []acc) []FieldResult {
	out := make([]FieldResult, len(p.aggs))
	places := p.opts.avgPlaces()
	for i, a := range p.aggs {
		s := &states[i]
		values := make([]FunctionResult, len(a.functions))
		for j, fn := range a.functions {
			var v decimal.NullDecimal
			switch fn {
			case Count:
				v = decimal.NewNullDecimal(decimal.NewFromInt(s.records))
			case Sum:
				v = decimal.NewNullDecimal(s.total())
			case Avg:
				if s.values > 0 {
					v = decimal.NewNullDecimal(divRoundHalfEven(s.total(), s.values, places))
				}
			case Min:
				if s.values > 0 {
					v = decimal.NewNullDecimal(s.min.decimal())
				}
			case Max:
				if s.values > 0 {
					v = decimal.NewNullDecimal(s.max.decimal())
				}
			}
			values[j] = FunctionResult{Function: fn, Value: v}
		}
		out[i] = FieldResult{Field: a.name, Values: values}
	}
	return out
}
