package peers

import (
	"fmt"

	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

// FromResult converts crmagg's result of the target query, grouped by
// typeId then sourceId, into Groups with the functions of field.
func FromResult(res *engine.Result, field string) ([]Group, error) {
	out := make([]Group, 0, len(res.Groups))
	for _, rg := range res.Groups {
		if len(rg.Values) != 2 {
			return nil, fmt.Errorf("peers: group has %d key values, expected 2 (typeId, sourceId)", len(rg.Values))
		}
		g := Group{TypeID: keyText(rg.Values[0]), SourceID: keyText(rg.Values[1]), Count: rg.Count}
		for _, fr := range rg.Aggregates {
			if fr.Field != field {
				continue
			}
			for _, v := range fr.Values {
				if !v.Value.Valid {
					continue // avg, min and max over no values
				}
				d := v.Value.Decimal
				switch v.Function {
				case engine.Sum:
					g.Sum = cents(d)
				case engine.Avg:
					g.Avg = d
					g.HasValues = true
				case engine.Min:
					g.Min = cents(d)
				case engine.Max:
					g.Max = cents(d)
				}
			}
		}
		out = append(out, g)
	}
	return out, nil
}

func keyText(v schema.Value) string {
	if v.State != schema.Valid {
		return ""
	}
	return v.Text
}
