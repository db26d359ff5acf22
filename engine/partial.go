package engine

import (
	"errors"
	"time"

	"github.com/crmagg/crmagg/schema"
)

// Partial is the mergeable state of a plan's run over some records: the
// counts, the overall aggregates and the groups. Runs over shards of one
// record set give Partials that Merge combines into the state of one run
// over all of them, and Result turns a Partial into the response data.
//
// The record limit applies to each run on its own: merged shards report the
// sum of the records each one processed, and truncated when any of them
// was. A Partial is not safe for concurrent use.
type Partial struct {
	plan *Plan

	total, processed int64
	truncated        bool
	invalid          int64

	overall    []acc
	groupIndex map[string]int
	groups     []*groupState
	keyBuf     []byte
}

// groupState is one group: its key values in groupBy order, its processed
// record count and one acc per aggregated field.
type groupState struct {
	key   string
	cells []cell
	count int64
	aggs  []acc
}

// NewPartial returns the empty state of the plan: the state of a run over
// no records.
func (p *Plan) NewPartial() *Partial {
	return &Partial{
		plan:       p,
		overall:    make([]acc, len(p.aggs)),
		groupIndex: make(map[string]int),
	}
}

// ErrPlanMismatch is returned by Merge for Partials of different plans.
var ErrPlanMismatch = errors.New("engine: cannot merge partial states of different plans")

// Merge adds the state of other to p. Both must come from the same Plan.
// It fails with ErrPlanMismatch, or with TOO_MANY_GROUPS when the merged
// groups pass the plan's cap.
func (p *Partial) Merge(other *Partial) error {
	if p.plan != other.plan {
		return ErrPlanMismatch
	}
	p.total += other.total
	p.processed += other.processed
	p.truncated = p.truncated || other.truncated
	p.invalid += other.invalid
	for i := range p.overall {
		p.overall[i].merge(&other.overall[i])
	}
	for _, og := range other.groups {
		g, err := p.groupByKey(og.key, og.cells)
		if err != nil {
			return err
		}
		g.count += og.count
		for i := range g.aggs {
			g.aggs[i].merge(&og.aggs[i])
		}
	}
	return nil
}

// group returns the state of the group with the given key, creating it with
// a copy of the key cells.
func (p *Partial) group(key []byte, cells []*cell) (*groupState, error) {
	if idx, ok := p.groupIndex[string(key)]; ok {
		return p.groups[idx], nil
	}
	copied := make([]cell, len(cells))
	for i, c := range cells {
		copied[i] = *c
	}
	return p.addGroup(string(key), copied)
}

func (p *Partial) groupByKey(key string, cells []cell) (*groupState, error) {
	if idx, ok := p.groupIndex[key]; ok {
		return p.groups[idx], nil
	}
	return p.addGroup(key, cells)
}

func (p *Partial) addGroup(key string, cells []cell) (*groupState, error) {
	if max := p.plan.opts.maxGroups(); max >= 0 && len(p.groups) >= max {
		return nil, tooManyGroups(max)
	}
	g := &groupState{key: key, cells: cells, aggs: make([]acc, len(p.plan.aggs))}
	p.groupIndex[key] = len(p.groups)
	p.groups = append(p.groups, g)
	return g, nil
}

// cellKeyHeader is the length of the marker and length that appendCellKey
// writes before the text of a valid value.
const cellKeyHeader = 5

// appendCellKey appends a length-prefixed canonical text of c, so that
// values equal by their kind's rules (1, "1" and 1.0 in an integer field;
// one instant written in two zones) give the same key.
func appendCellKey(dst []byte, k schema.Kind, c *cell) []byte {
	if c.state != schema.Valid {
		return append(dst, 'n')
	}
	dst = append(dst, 'v')
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0) // length, filled in below
	switch k {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration, schema.KindMoney:
		if c.big {
			dst = append(dst, c.dec.String()...)
		} else {
			dst = c.num.appendText(dst)
		}
		if k == schema.KindMoney {
			dst = append(dst, '|')
			dst = append(dst, c.text...)
		}
	case schema.KindBoolean:
		if c.b {
			dst = append(dst, 'Y')
		} else {
			dst = append(dst, 'N')
		}
	case schema.KindDate:
		dst = c.t.AppendFormat(dst, "2006-01-02")
	case schema.KindDateTime:
		dst = c.t.UTC().AppendFormat(dst, time.RFC3339Nano)
	default:
		dst = append(dst, c.text...)
	}
	n := len(dst) - start - 4
	dst[start], dst[start+1], dst[start+2], dst[start+3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return dst
}
