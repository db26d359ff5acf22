// Package peers runs the target query of package bench on engines other
// than crmagg: DuckDB, a hand-written loop over pre-encoded columns, and a
// naive loop over maps with a decimal per value.
//
// The query keeps records whose assignee is in a list of 50 and whose type
// is not PARTNER, groups them by type and source, and computes the count
// and the sum, avg, min and max of the money UF. The tests check that
// every engine returns the same groups as crmagg, and the benchmarks time
// them on one data set. The package is a module of its own so that
// importers of crmagg never download DuckDB's native libraries.
package peers

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/crmagg/crmagg/money"
	"github.com/shopspring/decimal"
)

// Group is one group of the target query's result, in a form every engine
// can produce. Amounts are in cents.
type Group struct {
	// TypeID and SourceID are the key; "" is the null key.
	TypeID, SourceID string
	// Count is the number of matching records, amount or not.
	Count int64
	// HasValues is false when no record of the group has an amount. Sum is
	// then 0, and Avg, Min and Max are unset.
	HasValues     bool
	Sum, Min, Max int64
	// Avg is in currency units, as exact as the engine makes it: crmagg
	// rounds half to even to 10 places, DuckDB and the loop use a double.
	Avg decimal.Decimal
}

// SortGroups sorts groups by key, the null key last, so that the results
// of different engines can be compared element by element.
func SortGroups(groups []Group) {
	slices.SortFunc(groups, func(a, b Group) int {
		if c := compareKey(a.TypeID, b.TypeID); c != 0 {
			return c
		}
		return compareKey(a.SourceID, b.SourceID)
	})
}

func compareKey(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return cmp.Compare(a, b)
}

// Columns are the fields of the target query, encoded once. Type, Source
// and Assignee hold dense codes into TypeNames, SourceNames and Assignees,
// where code 0 is the null value. Cents holds each amount in cents (0 when
// absent) and Valid has bit i set when record i has an amount.
type Columns struct {
	Len         int
	TypeNames   []string
	SourceNames []string
	// Assignees maps a code to a user id. Assignees[0] is unused.
	Assignees []int
	Type      []uint8
	Source    []uint8
	Assignee  []uint8
	Cents     []int64
	Valid     []uint64
}

// HasAmount reports whether record i has an amount.
func (c *Columns) HasAmount(i int) bool {
	return c.Valid[i>>6]>>(uint(i)&63)&1 != 0
}

// dict assigns dense uint8 codes from 1 on, because code 0 is the null
// value.
type dict[K comparable] struct {
	codes map[K]uint8
	keys  []K
	field string
}

func newDict[K comparable](field string, null K) *dict[K] {
	return &dict[K]{codes: map[K]uint8{}, keys: []K{null}, field: field}
}

func (d *dict[K]) code(k K) (uint8, error) {
	if c, ok := d.codes[k]; ok {
		return c, nil
	}
	if len(d.keys) > 255 {
		return 0, fmt.Errorf("peers: %s has more than 255 distinct values", d.field)
	}
	c := uint8(len(d.keys))
	d.codes[k] = c
	d.keys = append(d.keys, k)
	return c, nil
}

// Encode encodes the fields of the target query. Amounts are read with
// crmagg's money parser, so a value that crmagg skips is absent here too.
// An amount that does not fit DECIMAL(18,2), DuckDB's column type, is an
// error.
func Encode(recs []map[string]any) (*Columns, error) {
	n := len(recs)
	c := &Columns{
		Len:      n,
		Type:     make([]uint8, n),
		Source:   make([]uint8, n),
		Assignee: make([]uint8, n),
		Cents:    make([]int64, n),
		Valid:    make([]uint64, (n+63)/64),
	}
	types, sources := newDict("typeId", ""), newDict("sourceId", "")
	users := newDict("assignedById", -1)
	var err error
	for i, r := range recs {
		t, _ := r["typeId"].(string)
		s, _ := r["sourceId"].(string)
		if c.Type[i], err = types.code(t); err != nil {
			return nil, err
		}
		if c.Source[i], err = sources.code(s); err != nil {
			return nil, err
		}
		if id, ok := userID(r["assignedById"]); ok {
			if c.Assignee[i], err = users.code(id); err != nil {
				return nil, err
			}
		}
		text, _ := r["UF_CRM_LTV"].(string)
		m, perr := money.Parse(text)
		if perr != nil {
			continue // an empty or malformed value has no amount
		}
		scaled := m.Amount.Shift(2)
		if !scaled.IsInteger() || scaled.Abs().Cmp(decimal.New(1, 18)) >= 0 {
			return nil, fmt.Errorf("peers: record %d: amount %s does not fit DECIMAL(18,2)", i, m.Amount)
		}
		c.Cents[i] = scaled.IntPart()
		c.Valid[i>>6] |= 1 << (uint(i) & 63)
	}
	c.TypeNames, c.SourceNames, c.Assignees = types.keys, sources.keys, users.keys
	return c, nil
}

// userID reads a user id from a json.Number, as decoded records have it,
// or from an int.
func userID(v any) (int, bool) {
	switch v := v.(type) {
	case json.Number:
		id, err := strconv.Atoi(string(v))
		return id, err == nil
	case int:
		return v, true
	}
	return 0, false
}
