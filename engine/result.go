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

func (r *run) result() *Result {
	p := r.plan
	res := &Result{
		Count:      r.total,
		Aggregates: p.fieldResults(r.overall),
		Meta: Meta{
			TotalRecords:     r.total,
			RecordsProcessed: r.processed,
			Truncated:        r.truncated,
			InvalidValues:    r.invalid,
		},
		plan: p,
	}
	if len(p.groups) == 0 {
		return res
	}

	slices.SortFunc(r.groups, p.compareGroups)
	res.Meta.GroupTotal = len(r.groups)
	kept := r.groups
	if limit := p.opts.GroupLimit; limit > 0 && len(kept) > limit {
		kept = kept[:limit]
		res.Meta.GroupsTruncated = true
	}
	res.Groups = make([]Group, len(kept))
	for i, g := range kept {
		res.Groups[i] = Group{Values: g.values, Count: g.count, Aggregates: p.fieldResults(g.aggs)}
	}
	return res
}

// compareGroups orders by count descending, then by the key values field
// by field, ascending with the null key last.
func (p *Plan) compareGroups(a, b *groupState) int {
	if c := cmp.Compare(b.count, a.count); c != 0 {
		return c
	}
	for i, g := range p.groups {
		va, vb := a.values[i], b.values[i]
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

func (p *Plan) fieldResults(states []aggState) []FieldResult {
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
				v = decimal.NewNullDecimal(s.sum)
			case Avg:
				if s.values > 0 {
					v = decimal.NewNullDecimal(divRoundHalfEven(s.sum, s.values, places))
				}
			case Min:
				if s.values > 0 {
					v = decimal.NewNullDecimal(s.min)
				}
			case Max:
				if s.values > 0 {
					v = decimal.NewNullDecimal(s.max)
				}
			}
			values[j] = FunctionResult{Function: fn, Value: v}
		}
		out[i] = FieldResult{Field: a.name, Values: values}
	}
	return out
}
