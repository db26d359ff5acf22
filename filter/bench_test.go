package filter

import (
	"fmt"
	"testing"
)

// BenchmarkMatch measures Match on one decoded record per kind of filter.
func BenchmarkMatch(b *testing.B) {
	s := testSchema(b)
	record := decodeRecord(b, s, `{"id": 42, "name": "Anna Petrova", "opened": "Y", "createdAt": "2026-01-05T10:00:00+03:00",
		"amount": "1500.25", "UF_CRM_LTV": "1500|RUB", "UF_CRM_TAGS": ["vip", "b2b", "partner"]}`)
	filters := []struct{ name, src string }{
		{"eq=integer", `{"id": 42}`},
		{"range=double", `{"amount": {"$gte": 1000, "$lt": 2000}}`},
		{"in=string", `{"UF_CRM_TAGS": ["b2c", "partner", "reseller"]}`},
		{"in=money", `{"UF_CRM_LTV": ["100|RUB", 1500, "7|USD"]}`},
		{"like=string", `{"=%name": "%pet_ova"}`},
		{"mixed", `{"$or": [{"opened": "Y"}, {"%name": "anna"}], ">=createdAt": "2026-01-01", "!UF_CRM_TAGS": "spam"}`},
	}
	for _, tc := range filters {
		f, err := Compile(s, []byte(tc.src), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if !f.Match(record) {
			b.Fatalf("%s does not match the benchmark record", tc.src)
		}
		b.Run(fmt.Sprintf("filter=%s", tc.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.Match(record)
			}
		})
	}
}
