package filter

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/crmagg/crmagg/schema"
)

// testFields is the fields body of the schema most tests use: one field of
// every kind, multiple fields, and two UFs that one spelling matches.
const testFields = `{
	"id":              {"type": "integer"},
	"name":            {"type": "string"},
	"typeId":          {"type": "crm_status"},
	"opened":          {"type": "boolean"},
	"createdAt":       {"type": "datetime"},
	"birthdate":       {"type": "date"},
	"amount":          {"type": "double"},
	"UF_CRM_LTV":      {"type": "money", "isDynamic": true},
	"UF_CRM_TIER":     {"type": "enumeration", "isDynamic": true, "items": [{"ID": "79", "VALUE": "Gold"}, {"ID": "80", "VALUE": "Silver"}]},
	"UF_CRM_TAGS":     {"type": "string", "isDynamic": true, "isMultiple": true},
	"UF_CRM_PAYMENTS": {"type": "money", "isDynamic": true, "isMultiple": true},
	"UF_CRM_SCORES":   {"type": "integer", "isDynamic": true, "isMultiple": true},
	"UF_CRM_VISITS":   {"type": "datetime", "isDynamic": true, "isMultiple": true},
	"UF_CRM_4_41":     {"type": "string", "isDynamic": true},
	"UF_CRM_44_1":     {"type": "string", "isDynamic": true}
}`

// moscow is the fixed +03:00 zone tests read offset-less datetimes in.
var moscow = time.FixedZone("MSK", 3*3600)

func testSchema(t testing.TB) *schema.Schema {
	t.Helper()
	s, err := schema.Load("contacts", []byte(testFields))
	if err != nil {
		t.Fatalf("load test schema: %v", err)
	}
	return s
}

// decodeRecord decodes a JSON object record into values indexed like the
// schema's fields, resolving keys with Lookup and dropping unknown keys.
func decodeRecord(t testing.TB, s *schema.Schema, text string) []any {
	t.Helper()
	values, err := recordValues(s, []byte(text))
	if err != nil {
		t.Fatalf("decode record %s: %v", text, err)
	}
	return values
}

func recordValues(s *schema.Schema, text []byte) ([]any, error) {
	var record map[string]any
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&record); err != nil {
		return nil, err
	}
	values := make([]any, len(s.Fields))
	for key, v := range record {
		if f, err := s.Lookup(key); err == nil {
			values[f.Index] = v
		}
	}
	return values, nil
}

// fieldRecords builds one record per raw JSON value of a field; "-" stands
// for a record without the field.
func fieldRecords(field string, raws ...string) []string {
	records := make([]string, len(raws))
	for i, raw := range raws {
		if raw == "-" {
			records[i] = `{}`
		} else {
			records[i] = `{"` + field + `": ` + raw + `}`
		}
	}
	return records
}

// matching compiles filterJSON and returns the positions of the records
// that match it.
func matching(t testing.TB, s *schema.Schema, opts Options, filterJSON string, records []string) []int {
	t.Helper()
	f, err := Compile(s, []byte(filterJSON), opts)
	if err != nil {
		t.Fatalf("Compile(%s): %v", filterJSON, err)
	}
	got := []int{}
	for i, record := range records {
		if f.Match(decodeRecord(t, s, record)) {
			got = append(got, i)
		}
	}
	return got
}

// except returns 0..n-1 without the given positions.
func except(n int, drop ...int) []int {
	out := []int{}
	for i := 0; i < n; i++ {
		keep := true
		for _, d := range drop {
			if d == i {
				keep = false
			}
		}
		if keep {
			out = append(out, i)
		}
	}
	return out
}
