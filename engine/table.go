package engine

import (
	"context"
	"io"

	"github.com/crmagg/crmagg/schema"
)

// Table is a set of records prepared once and queried many times. It is
// immutable once built and safe for concurrent use.
type Table struct {
	schema  *schema.Schema
	records []map[string]any
}

// NewTable reads every record of src into a table for schema s. It fails
// with the source's error; a table is never returned half-built.
func NewTable(s *schema.Schema, src Source) (*Table, error) {
	t := &Table{schema: s}
	for {
		rec, err := src.Next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		t.records = append(t.records, rec)
	}
}

// Len returns the number of records.
func (t *Table) Len() int { return len(t.records) }

// Schema returns the schema the table was built for.
func (t *Table) Schema() *schema.Schema { return t.schema }

// RunTable runs the plan over a prepared table; the result is the one Run
// returns for the same records in the same order.
func (p *Plan) RunTable(ctx context.Context, t *Table) (*Result, error) {
	return p.Run(ctx, Maps(t.records))
}
