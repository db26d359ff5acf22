package peers

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// MapsDecimal runs the target query the naive way: straight over the
// decoded records, with a map of groups keyed by the two strings and a
// shopspring decimal parsed and added per value.
func MapsDecimal(recs []map[string]any, ids []int, excludedType string) []Group {
	inList := map[int]bool{}
	for _, id := range ids {
		inList[id] = true
	}
	type key struct{ typeID, sourceID string }
	type state struct {
		count, values int64
		sum, min, max decimal.Decimal
	}
	states := map[key]*state{}
	for _, r := range recs {
		num, _ := r["assignedById"].(json.Number)
		id, err := strconv.Atoi(string(num))
		if err != nil || !inList[id] {
			continue
		}
		t, _ := r["typeId"].(string)
		if t == excludedType {
			continue
		}
		s, _ := r["sourceId"].(string)
		st := states[key{t, s}]
		if st == nil {
			st = &state{}
			states[key{t, s}] = st
		}
		st.count++
		text, _ := r["UF_CRM_LTV"].(string)
		amount, _, _ := strings.Cut(text, "|")
		d, err := decimal.NewFromString(amount)
		if err != nil {
			continue // an empty or malformed amount
		}
		st.sum = st.sum.Add(d)
		if st.values == 0 || d.LessThan(st.min) {
			st.min = d
		}
		if st.values == 0 || d.GreaterThan(st.max) {
			st.max = d
		}
		st.values++
	}

	out := make([]Group, 0, len(states))
	for k, st := range states {
		g := Group{TypeID: k.typeID, SourceID: k.sourceID, Count: st.count}
		if st.values > 0 {
			g.HasValues = true
			g.Sum = cents(st.sum)
			g.Min = cents(st.min)
			g.Max = cents(st.max)
			g.Avg = st.sum.Div(decimal.NewFromInt(st.values))
		}
		out = append(out, g)
	}
	return out
}

// cents returns d in cents, or math.MinInt64 if d has a finer fraction,
// which no comparison then matches.
func cents(d decimal.Decimal) int64 {
	scaled := d.Shift(2)
	if !scaled.IsInteger() {
		return -1 << 63
	}
	return scaled.IntPart()
}
