package bench

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// The reference loops compute the target query (see Request) and nothing
// else. They are what the engine is measured against: a naive loop over
// Go maps with a decimal per value, and the fastest simple loop over
// columns encoded for this one query.

// LoopGroup is one group of a reference loop's result.
type LoopGroup struct {
	TypeID, SourceID string // "" for the null key
	Count            int64
	Sum              decimal.Decimal
	Values           int64
	Min, Max         decimal.Decimal
}

// MapsDecimalLoop computes the target query over map records, parsing every
// amount into a shopspring decimal and adding it.
func MapsDecimalLoop(recs []map[string]any) map[[2]string]*LoopGroup {
	ids := make(map[string]bool)
	for _, id := range AssigneeIDs() {
		ids[strconv.Itoa(id)] = true
	}
	groups := make(map[[2]string]*LoopGroup)
	for _, r := range recs {
		assignee, _ := r["assignedById"].(json.Number)
		if !ids[string(assignee)] {
			continue
		}
		typeID, _ := r["typeId"].(string)
		if typeID == "PARTNER" {
			continue
		}
		sourceID, _ := r["sourceId"].(string)
		key := [2]string{typeID, sourceID}
		g := groups[key]
		if g == nil {
			g = &LoopGroup{TypeID: typeID, SourceID: sourceID}
			groups[key] = g
		}
		g.Count++

		ltv, _ := r["UF_CRM_LTV"].(string)
		amount, _, _ := strings.Cut(ltv, "|")
		d, err := decimal.NewFromString(amount)
		if err != nil || amount == "" {
			continue
		}
		if g.Values == 0 || d.LessThan(g.Min) {
			g.Min = d
		}
		if g.Values == 0 || d.GreaterThan(g.Max) {
			g.Max = d
		}
		g.Sum = g.Sum.Add(d)
		g.Values++
	}
	return groups
}

// Columns holds the benchmark records encoded for the target query alone:
// dense codes for the two group fields, assignee ids, and amounts in cents
// with a validity flag.
type Columns struct {
	TypeNames, SourceNames []string
	Type, Source           []uint8
	Assignee               []uint16
	Cents                  []int64
	Valid                  []bool
	// Partner is the code of "PARTNER" in Type.
	Partner uint8
}

// EncodeColumns encodes records for ColumnLoop. Code 0 of Type and Source
// is the empty value.
func EncodeColumns(recs []map[string]any) *Columns {
	c := &Columns{TypeNames: []string{""}, SourceNames: []string{""}}
	typeCode := map[string]uint8{"": 0}
	sourceCode := map[string]uint8{"": 0}
	code := func(codes map[string]uint8, names *[]string, v string) uint8 {
		if k, ok := codes[v]; ok {
			return k
		}
		k := uint8(len(*names))
		codes[v] = k
		*names = append(*names, v)
		return k
	}
	for _, r := range recs {
		typeID, _ := r["typeId"].(string)
		sourceID, _ := r["sourceId"].(string)
		c.Type = append(c.Type, code(typeCode, &c.TypeNames, typeID))
		c.Source = append(c.Source, code(sourceCode, &c.SourceNames, sourceID))
		assignee, _ := r["assignedById"].(json.Number)
		id, _ := strconv.Atoi(string(assignee))
		c.Assignee = append(c.Assignee, uint16(id))

		ltv, _ := r["UF_CRM_LTV"].(string)
		amount, _, _ := strings.Cut(ltv, "|")
		d, err := decimal.NewFromString(amount)
		valid := err == nil && amount != ""
		c.Valid = append(c.Valid, valid)
		c.Cents = append(c.Cents, d.Shift(2).IntPart())
	}
	c.Partner = code(typeCode, &c.TypeNames, "PARTNER")
	return c
}

// LoopState is the per-group state of ColumnLoop, indexed by
// type*len(SourceNames)+source.
type LoopState struct {
	Count, Values []int64
	Sum, Min, Max []int64
}

// ColumnLoop computes the target query over pre-encoded columns on one
// goroutine, with int64 sums in cents.
func ColumnLoop(c *Columns) *LoopState {
	var wanted [1 << 16]bool
	for _, id := range AssigneeIDs() {
		wanted[id] = true
	}
	n := len(c.TypeNames) * len(c.SourceNames)
	st := &LoopState{
		Count: make([]int64, n), Values: make([]int64, n),
		Sum: make([]int64, n), Min: make([]int64, n), Max: make([]int64, n),
	}
	sources := len(c.SourceNames)
	for i, t := range c.Type {
		if !wanted[c.Assignee[i]] || t == c.Partner {
			continue
		}
		g := int(t)*sources + int(c.Source[i])
		st.Count[g]++
		if !c.Valid[i] {
			continue
		}
		v := c.Cents[i]
		if st.Values[g] == 0 {
			st.Min[g], st.Max[g] = v, v
		} else {
			st.Min[g] = min(st.Min[g], v)
			st.Max[g] = max(st.Max[g], v)
		}
		st.Sum[g] += v
		st.Values[g]++
	}
	return st
}
