package engine

import (
	"slices"
	"sync/atomic"

	"github.com/crmagg/crmagg/filter"
	"github.com/crmagg/crmagg/schema"
)

// Plan is a compiled request. It is immutable and safe to Run from many
// goroutines at once.
type Plan struct {
	schema *schema.Schema
	opts   Options
	reader *schema.Reader

	groups []groupSpec
	aggs   []aggSpec
	// filter is nil when the request has no conditions.
	filter *filter.Filter

	// countOnly is true for a request with no groupBy and no aggregate
	// other than the record count: it aggregates no records.
	countOnly bool
	// readFields are the fields grouping and aggregation read, each once,
	// in schema order.
	readFields []*schema.Field
	// slotOf maps a schema field index to its position in readFields, or -1.
	slotOf []int
	// needed marks the fields a record must supply: read fields and the
	// fields the filter reads.
	needed []bool

	// lastTable caches the plan bound to the table it last ran on, so a
	// repeated query skips the per-table preparation. One entry is kept so
	// that a replaced table is not held alive.
	lastTable atomic.Pointer[tableQuery]
}

func (p *Plan) finish() {
	p.countOnly = len(p.groups) == 0 && len(p.aggs) == 0
	p.reader = &schema.Reader{Location: p.opts.location()}
	p.reader.Money.MaxExponent = p.opts.MaxExponent
	p.reader.Money.MaxDigits = p.opts.MaxDigits

	read := make(map[int]bool)
	for _, g := range p.groups {
		read[g.field.Index] = true
	}
	for _, a := range p.aggs {
		read[a.field.Index] = true
	}

	p.slotOf = make([]int, len(p.schema.Fields))
	p.needed = make([]bool, len(p.schema.Fields))
	for i := range p.slotOf {
		p.slotOf[i] = -1
	}
	indexes := make([]int, 0, len(read))
	for i := range read {
		indexes = append(indexes, i)
	}
	slices.Sort(indexes)
	for slot, i := range indexes {
		p.readFields = append(p.readFields, p.schema.Fields[i])
		p.slotOf[i] = slot
		p.needed[i] = true
	}
	if p.filter != nil {
		for _, i := range p.filter.Fields() {
			p.needed[i] = true
		}
	}
}

// Schema returns the schema the plan was compiled against.
func (p *Plan) Schema() *schema.Schema { return p.schema }

// CountOnly reports whether the plan aggregates no records: no groupBy and
// no aggregate other than the record count.
func (p *Plan) CountOnly() bool { return p.countOnly }

// GroupBy returns the groupBy fields as the request spelled them.
func (p *Plan) GroupBy() []string {
	names := make([]string, len(p.groups))
	for i, g := range p.groups {
		names[i] = g.name
	}
	return names
}
