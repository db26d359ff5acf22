package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmagg/crmagg/schema"
)

const differentialFields = `{
  "typeId": {"type": "crm_status"},
  "assignedById": {"type": "user"},
  "createdAt": {"type": "datetime"},
  "UF_CRM_SEEN": {"type": "datetime", "isDynamic": true},
  "UF_CRM_LTV": {"type": "money", "isDynamic": true},
  "UF_CRM_COUNT": {"type": "integer", "isDynamic": true},
  "UF_CRM_RATE": {"type": "double", "isDynamic": true},
  "UF_CRM_VIP": {"type": "boolean", "isDynamic": true},
  "UF_CRM_DAY": {"type": "date", "isDynamic": true},
  "UF_CRM_TAGS": {"type": "string", "isDynamic": true, "isMultiple": true},
  "UF_CRM_FEES": {"type": "money", "isDynamic": true, "isMultiple": true}
}`

// randomRecords returns records with every kind of value the readers
// handle: numbers as JSON numbers and strings, invalid and empty values,
// values past the fixed-point range, and other key spellings.
func randomRecords(rng *rand.Rand, n int) []map[string]any {
	pick := func(options ...any) any { return options[rng.IntN(len(options))] }
	recs := make([]map[string]any, n)
	for i := range recs {
		rec := map[string]any{
			"typeId":       pick("CLIENT", "PARTNER", "SUPPLIER", "", nil, "client"),
			"assignedById": pick(json.Number("1"), "2", json.Number("3.0"), 4, "x", nil, json.Number(fmt.Sprint(rng.IntN(300)))),
			"createdAt":    pick("2026-01-01T10:00:00+03:00", "2026-01-01T07:00:00Z", "2026-01-01", "bad", nil),
			"UF_CRM_SEEN":  pick("2026-01-01T10:00:00+03:00", "2026-01-01T07:00:00.5Z", "2026-01-01", "bad", nil),
			"UF_CRM_LTV":   pick(fmt.Sprintf("%d.%02d|RUB", rng.IntN(5000), rng.IntN(100)), "100|USD", "|RUB", "1,5|RUB", "1e25|RUB", "-0.001|EUR", "7", json.Number("12.5")),
			"UF_CRM_COUNT": pick(json.Number(fmt.Sprint(rng.IntN(50))), "9007199254740993", "1.5", json.Number("1E+1"), nil, "99999999999999999999999"),
			"UF_CRM_RATE":  pick(0.1, json.Number("0.25"), "1.000000000000000000001", "NaN", json.Number("-3")),
			"UF_CRM_VIP":   pick("Y", "N", true, "maybe", nil),
			"UF_CRM_DAY":   pick("2026-01-05", "2026-01-05T23:00:00-05:00", "2026-02-30", ""),
			"UF_CRM_TAGS":  pick([]any{"a", "b"}, []any{"b", "b", ""}, "c", []any{}, []any{1, []any{"x"}}, nil),
			"UF_CRM_FEES":  pick([]any{"1|RUB", "2.5|USD"}, []any{"x", "3"}, "4|RUB", nil),
		}
		if rng.IntN(10) == 0 {
			rec["ufCrmCount"] = rec["UF_CRM_COUNT"]
			delete(rec, "UF_CRM_COUNT")
		}
		recs[i] = rec
	}
	return recs
}

var differentialRequests = []string{
	`{}`,
	`{"filter": {"typeId": "CLIENT"}}`,
	`{"groupBy": "typeId", "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}, {"field": "UF_CRM_LTV", "function": "avg"}, {"field": "UF_CRM_LTV", "function": "min"}, {"field": "UF_CRM_LTV", "function": "max"}, {"field": "UF_CRM_LTV", "function": "count"}]}`,
	`{"groupBy": ["assignedById", "UF_CRM_VIP"], "aggregate": [{"field": "UF_CRM_COUNT", "function": "sum"}, {"field": "UF_CRM_RATE", "function": "avg"}]}`,
	`{"groupBy": ["UF_CRM_TAGS", "typeId"], "aggregate": [{"field": "UF_CRM_FEES", "function": "sum"}, {"field": "UF_CRM_FEES", "function": "count"}, {"field": "UF_CRM_FEES", "function": "max"}]}`,
	`{"groupBy": ["UF_CRM_DAY", "UF_CRM_SEEN"], "filter": {"$or": [{"UF_CRM_VIP": "Y"}, {">=UF_CRM_LTV": 2500}]}}`,
	`{"filter": {"!typeId": "PARTNER", "@assignedById": [1, 2, 3, 4]}, "groupBy": "UF_CRM_LTV", "aggregate": [{"field": "UF_CRM_RATE", "function": "min"}]}`,
	`{"filter": {"UF_CRM_TAGS": "b", "UF_CRM_COUNT": {"$gt": 10}}, "aggregate": [{"field": "UF_CRM_COUNT", "function": "max"}]}`,
	`{"filter": {"!UF_CRM_TAGS": "a"}, "groupBy": "UF_CRM_FEES"}`,
	`{"filter": {">=createdAt": "2026-01-01T08:00:00", "UF_CRM_DAY": {"$lt": "2026-01-06"}}, "groupBy": "UF_CRM_SEEN"}`,
	`{"groupBy": ["typeId", "assignedById", "UF_CRM_COUNT", "UF_CRM_RATE", "UF_CRM_SEEN"]}`,
}

func TestTableMatchesStream(t *testing.T) {
	s, err := schema.Load("contacts", []byte(differentialFields))
	if err != nil {
		t.Fatal(err)
	}
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	recs := randomRecords(rng, 5000)

	for _, loc := range []*time.Location{nil, moscow} {
		table, err := NewTable(s, Maps(recs), TableOptions{Location: loc})
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{0, -1, 1, 777, 4999} {
			for _, body := range differentialRequests {
				opts := Options{RecordLimit: limit, Location: loc, GroupLimit: 50}
				plan, err := Compile(s, []byte(body), opts)
				if err != nil {
					t.Fatalf("Compile(%s): %v", body, err)
				}
				res, err := plan.Run(context.Background(), Maps(recs))
				if err != nil {
					t.Fatal(err)
				}
				want := string(AppendResponse(nil, res))
				q := plan.prepareTable(table)
				for _, workers := range []int{1, 2, 5} {
					part, err := q.run(context.Background(), workers)
					if err != nil {
						t.Fatal(err)
					}
					if got := string(AppendResponse(nil, part.Result())); got != want {
						t.Errorf("limit %d, %d workers, %s:\n table %s\nstream %s", limit, workers, body, got, want)
					}
				}
			}
		}
	}
}

func TestTableStrictFirstInvalid(t *testing.T) {
	s, err := schema.Load("contacts", []byte(differentialFields))
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]map[string]any, 5000)
	for i := range recs {
		recs[i] = map[string]any{"UF_CRM_COUNT": i}
	}
	recs[4321]["UF_CRM_COUNT"] = "bad"
	recs[3000]["UF_CRM_COUNT"] = "1.5"
	table, err := NewTable(s, Maps(recs), TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Compile(s, []byte(`{"aggregate": [{"field": "UF_CRM_COUNT", "function": "sum"}]}`), Options{Strict: true, RecordLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 4} {
		_, err := plan.prepareTable(table).run(context.Background(), workers)
		de, ok := err.(*DataError)
		if !ok || de.Position != 3000 || de.Value != "1.5" {
			t.Errorf("%d workers: error = %v, want record 3000", workers, err)
		}
	}
}

func TestTableMismatch(t *testing.T) {
	s, _ := schema.Builtin("contacts")
	other, _ := schema.Builtin("deals")
	table, err := NewTable(other, Maps(nil), TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan, _ := Compile(s, []byte(`{}`), Options{})
	if _, err := plan.RunTable(context.Background(), table); err != ErrTableMismatch {
		t.Errorf("error = %v, want ErrTableMismatch", err)
	}
}
