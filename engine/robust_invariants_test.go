package engine_test

// Properties that hold for any data. Group counts add up, and the order of
// records does not matter without a record limit. The limit keeps the first
// matching records, shards merge into one run, and every spelling of one
// filter selects the same records.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

// ivRecords makes n records over the fields of fzFields with valid, empty
// and invalid values of every kind.
func ivRecords(rng *rand.Rand, n int) []map[string]any {
	pick := func(vals ...any) any { return vals[rng.IntN(len(vals))] }
	recs := make([]map[string]any, n)
	for i := range recs {
		rec := map[string]any{"id": i}
		maybe := func(key string, v any) {
			if rng.IntN(6) != 0 {
				rec[key] = v
			}
		}
		maybe("typeId", pick("A", "B", "C", "CLIENT", "a", "", nil, json.Number("7"), []any{"x"}, "Ä"))
		maybe("assignedById", pick(1, 2, "3", json.Number("4"), 2.0, "x", nil, "1.5", " 2 "))
		maybe("name", pick("Anna", "BANANA", "anne", "Ann-Marie", "x", "", nil, "ÄNNA", "an", "Kelvin \u212a"))
		maybe("UF_CRM_LTV", pick(
			fmt.Sprintf("%d.%02d|RUB", rng.IntN(500), rng.IntN(100)), fmt.Sprintf("%d|USD", rng.IntN(300)),
			fmt.Sprintf("-%d.5|EUR", rng.IntN(50)), "100|", "1e2|RUB", "|RUB", "bad", json.Number("99.5"), "", " 50 | EUR ",
			"1.0E+25|RUB", "0.000000000000000000001|RUB"))
		maybe("UF_CRM_QTY", pick(rng.IntN(12), fmt.Sprint(rng.IntN(12)), json.Number(fmt.Sprint(rng.IntN(12)-3)),
			"1.5", "x", "", nil, "1e1", 5.0, "99999999999999999999"))
		maybe("UF_CRM_RATE", pick(float64(rng.IntN(1000))/8, fmt.Sprintf("%d.%03d", rng.IntN(20), rng.IntN(1000)),
			"NaN", "", json.Number("1e-3"), "-0.50", "123456789012345678901.25"))
		maybe("UF_CRM_TAGS", pick([]any{"a", "b"}, []any{"b"}, "a", []any{}, []any{"c", "c", nil, "a"}, nil, []any{"x", 5}, []any{"A"}))
		maybe("UF_CRM_SCORES", pick([]any{1, 2}, []any{"3", "bad"}, 4, []any{}, []any{json.Number("2"), 2.0, "2"}, []any{-1, "10"}))
		maybe("UF_CRM_FEES", pick([]any{"10|USD", "5|RUB"}, "7|RUB", []any{"1e1|USD", "bad"}, []any{}))
		maybe("UF_CRM_SEEN", pick("2026-01-05T10:00:00+03:00", "2026-01-05T07:00:00Z", "2026-01-05T07:00:00", "2026-01-06",
			"bad", "", "2026-01-05T07:00:00.250Z"))
		maybe("UF_CRM_DAY", pick("2026-01-05", "2026-01-05T23:59:59-05:00", "2026-02-30", "2026-01-06"))
		maybe("UF_CRM_VIP", pick(true, false, "Y", "N", 1, 0, "1", "0", "true", "maybe"))
		maybe("UF_CRM_LEVEL", pick(101, "102", json.Number("103"), "Low", nil))
		recs[i] = rec
	}
	return recs
}

var ivAggregates = `[{"field":"UF_CRM_LTV","function":"sum"},{"field":"UF_CRM_LTV","function":"min"},{"field":"UF_CRM_LTV","function":"max"},{"field":"UF_CRM_LTV","function":"count"},` +
	`{"field":"UF_CRM_QTY","function":"sum"},{"field":"UF_CRM_QTY","function":"avg"},{"field":"UF_CRM_RATE","function":"max"},{"field":"UF_CRM_RATE","function":"sum"},` +
	`{"field":"UF_CRM_SCORES","function":"sum"},{"field":"UF_CRM_SCORES","function":"min"},{"field":"UF_CRM_FEES","function":"max"}]`

var ivSingleGroupings = []string{`"typeId"`, `["assignedById","UF_CRM_VIP"]`, `"UF_CRM_LTV"`, `["UF_CRM_SEEN","UF_CRM_DAY"]`,
	`["UF_CRM_LEVEL","typeId","UF_CRM_QTY"]`, `"UF_CRM_RATE"`, `["UF_CRM_RATE","UF_CRM_VIP","UF_CRM_DAY","typeId","assignedById"]`}

var ivMultipleGroupings = []string{`"UF_CRM_TAGS"`, `["UF_CRM_TAGS","UF_CRM_SCORES"]`, `["UF_CRM_FEES","typeId"]`}

var ivFilters = []string{``, `,"filter":{"typeId":["A","B",null]}`, `,"filter":{">=UF_CRM_QTY":3,"!UF_CRM_TAGS":"b"}`,
	`,"filter":{"$or":[{"%name":"an"},{"UF_CRM_VIP":"Y"}]}`}

func ivRun(t *testing.T, plan *engine.Plan, recs []map[string]any) *engine.Result {
	t.Helper()
	res, err := plan.Run(context.Background(), engine.Maps(recs))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func ivOut(res *engine.Result) string { return string(engine.AppendResponse(nil, res)) }

func ivTableOut(t *testing.T, s *schema.Schema, plan *engine.Plan, recs []map[string]any) string {
	t.Helper()
	table, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.RunTable(context.Background(), table)
	if err != nil {
		t.Fatalf("RunTable: %v", err)
	}
	return ivOut(res)
}

func ivValue(fr engine.FieldResult, fn engine.Function) decimal.NullDecimal {
	for _, v := range fr.Values {
		if v.Function == fn {
			return v.Value
		}
	}
	panic("no " + string(fn))
}

func TestInvariantGroupsAddUp(t *testing.T) {
	s := fzSchema(t)
	recs := ivRecords(rand.New(rand.NewPCG(1, 2)), 1500)
	for _, limit := range []int{0, -1, 100} {
		for _, filter := range ivFilters {
			for _, grouping := range append(append([]string{}, ivSingleGroupings...), ivMultipleGroupings...) {
				single := !strings.Contains(grouping, "TAGS") && !strings.Contains(grouping, "SCORES") && !strings.Contains(grouping, "FEES")
				body := `{"groupBy":` + grouping + `,"aggregate":` + ivAggregates + filter + `}`
				plan, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: limit})
				if err != nil {
					t.Fatalf("Compile(%s): %v", body, err)
				}
				res := ivRun(t, plan, recs)
				if res.Meta.GroupTotal != len(res.Groups) {
					t.Errorf("%s: groupTotal %d, %d groups", body, res.Meta.GroupTotal, len(res.Groups))
				}
				var counted int64
				for _, g := range res.Groups {
					counted += g.Count
				}
				if single && counted != res.Meta.RecordsProcessed {
					t.Errorf("%s, limit %d: group counts add up to %d, recordsProcessed is %d", body, limit, counted, res.Meta.RecordsProcessed)
				}
				if !single && counted < res.Meta.RecordsProcessed {
					t.Errorf("%s, limit %d: group counts add up to %d, fewer than the %d records processed", body, limit, counted, res.Meta.RecordsProcessed)
				}
				if res.Meta.RecordsProcessed > res.Count || res.Count != res.Meta.TotalRecords {
					t.Errorf("%s: count %d, totalRecords %d, processed %d", body, res.Count, res.Meta.TotalRecords, res.Meta.RecordsProcessed)
				}
				if single {
					ivCheckGroupAggregates(t, body, res)
				}
				if out := ivOut(res); out != ivTableOut(t, s, plan, recs) {
					t.Errorf("%s: the table path differs", body)
				}
			}
		}
	}
}

// ivCheckGroupAggregates checks that, when each record is in one group,
// the group sums and counts add up to the overall ones and the overall
// min and max are the extremes of the groups'.
func ivCheckGroupAggregates(t *testing.T, body string, res *engine.Result) {
	t.Helper()
	for i, overall := range res.Aggregates {
		for _, v := range overall.Values {
			var sum decimal.Decimal
			var best decimal.NullDecimal
			for _, g := range res.Groups {
				gv := ivValue(g.Aggregates[i], v.Function)
				switch v.Function {
				case engine.Sum, engine.Count:
					sum = sum.Add(gv.Decimal)
				case engine.Min, engine.Max:
					if gv.Valid && (!best.Valid || (v.Function == engine.Min) == (gv.Decimal.Cmp(best.Decimal) < 0)) {
						best = gv
					}
				}
			}
			switch v.Function {
			case engine.Sum, engine.Count:
				if !sum.Equal(v.Value.Decimal) {
					t.Errorf("%s: %s of %s over the groups is %s, overall %s", body, v.Function, overall.Field, sum, v.Value.Decimal)
				}
			case engine.Min, engine.Max:
				if best.Valid != v.Value.Valid || (best.Valid && !best.Decimal.Equal(v.Value.Decimal)) {
					t.Errorf("%s: %s of %s over the groups is %v, overall %v", body, v.Function, overall.Field, best, v.Value)
				}
			}
		}
	}
}

func TestInvariantRecordOrder(t *testing.T) {
	s := fzSchema(t)
	rng := rand.New(rand.NewPCG(3, 4))
	recs := ivRecords(rng, 2000)
	for _, filter := range ivFilters {
		for _, grouping := range append(append([]string{}, ivSingleGroupings...), ivMultipleGroupings...) {
			body := `{"groupBy":` + grouping + `,"aggregate":` + ivAggregates + filter + `}`
			plan, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: -1, GroupLimit: 7})
			if err != nil {
				t.Fatal(err)
			}
			want := ivOut(ivRun(t, plan, recs))
			for i := 0; i < 2; i++ {
				shuffled := append([]map[string]any(nil), recs...)
				rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
				if got := ivOut(ivRun(t, plan, shuffled)); got != want {
					t.Fatalf("%s: shuffled records give\n%s\nin order\n%s", body, got, want)
				}
				if got := ivTableOut(t, s, plan, shuffled); got != want {
					t.Fatalf("%s: table over shuffled records gives\n%s\nin order\n%s", body, got, want)
				}
			}
		}
	}
}

// ivMatches returns the records a filter selects, found by running a
// count-only request over each record alone.
func ivMatches(t *testing.T, s *schema.Schema, filter string, recs []map[string]any) []map[string]any {
	t.Helper()
	plan, err := engine.Compile(s, []byte(`{"filter":`+filter+`}`), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, rec := range recs {
		if ivRun(t, plan, []map[string]any{rec}).Count == 1 {
			out = append(out, rec)
		}
	}
	return out
}

func TestInvariantTruncationKeepsFirstRecords(t *testing.T) {
	s := fzSchema(t)
	recs := ivRecords(rand.New(rand.NewPCG(5, 6)), 1500)
	for _, filter := range []string{`{}`, `{"typeId":["A","B",null]}`, `{"$or":[{"%name":"an"},{"UF_CRM_VIP":"Y"}]}`} {
		matching := ivMatches(t, s, filter, recs)
		for _, limit := range []int{1, 37, 400} {
			if limit > len(matching) {
				continue
			}
			for _, grouping := range []string{`"typeId"`, `["UF_CRM_TAGS","UF_CRM_VIP"]`} {
				body := `{"groupBy":` + grouping + `,"aggregate":` + ivAggregates + `,"filter":` + filter + `}`
				limited, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: limit})
				if err != nil {
					t.Fatal(err)
				}
				unlimited, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: -1})
				if err != nil {
					t.Fatal(err)
				}
				got := ivRun(t, limited, recs)
				want := ivRun(t, unlimited, matching[:limit])
				if got.Count != int64(len(matching)) || got.Meta.RecordsProcessed != int64(limit) ||
					got.Meta.Truncated != (limit < len(matching)) {
					t.Errorf("%s, limit %d: count %d, processed %d, truncated %v; %d records match",
						body, limit, got.Count, got.Meta.RecordsProcessed, got.Meta.Truncated, len(matching))
				}
				// Everything but the counts of matching records is the
				// result over the first limit of them.
				got.Count, got.Meta.TotalRecords, got.Meta.Truncated = want.Count, want.Meta.TotalRecords, want.Meta.Truncated
				if a, b := ivOut(got), ivOut(want); a != b {
					t.Errorf("%s, limit %d:\nwith the limit  %s\nfirst records   %s", body, limit, a, b)
				}
			}
		}
	}
}

func TestInvariantShardsMerge(t *testing.T) {
	s := fzSchema(t)
	rng := rand.New(rand.NewPCG(7, 8))
	recs := ivRecords(rng, 2000)
	for _, filter := range ivFilters {
		for _, grouping := range append(append([]string{`[]`}, ivSingleGroupings...), ivMultipleGroupings...) {
			body := `{"groupBy":` + grouping + `,"aggregate":` + ivAggregates + filter + `}`
			plan, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: -1})
			if err != nil {
				t.Fatal(err)
			}
			want := ivOut(ivRun(t, plan, recs))

			// Cut the records at random points into shards.
			var shards [][]map[string]any
			for start := 0; start < len(recs); {
				end := min(len(recs), start+rng.IntN(600))
				shards = append(shards, recs[start:end])
				start = end
			}
			parts := make([]*engine.Partial, len(shards))
			for i, shard := range shards {
				if parts[i], err = plan.RunPartial(context.Background(), engine.Maps(shard)); err != nil {
					t.Fatal(err)
				}
			}
			for _, reverse := range []bool{false, true} {
				merged := plan.NewPartial()
				for i := range parts {
					p := parts[i]
					if reverse {
						p = parts[len(parts)-1-i]
					}
					if err := merged.Merge(p); err != nil {
						t.Fatal(err)
					}
				}
				if got := ivOut(merged.Result()); got != want {
					t.Fatalf("%s: %d shards merged (reverse %v):\n%s\none run:\n%s", body, len(shards), reverse, got, want)
				}
			}
			// Merging must not have changed the shards' own states.
			for i, shard := range shards {
				again, err := plan.RunPartial(context.Background(), engine.Maps(shard))
				if err != nil {
					t.Fatal(err)
				}
				if ivOut(again.Result()) != ivOut(parts[i].Result()) {
					t.Fatalf("%s: Merge changed the state of shard %d", body, i)
				}
			}
		}
	}
}

// ivEquivalent lists filters that must select the same records: each line
// holds several spellings of one filter.
var ivEquivalent = [][]string{
	{`{"typeId":{"$in":["A","B",null]}}`, `{"@typeId":["A","B",null]}`, `{"typeId":["A","B",null]}`, `{"=typeId":["A","B",""]}`,
		`{"$or":[{"typeId":"A"},{"typeId":"B"},{"typeId":null}]}`,
		`{"0":{"logic":"or","0":{"typeId":"A"},"1":{"typeId":{"$eq":"B"}},"2":{"=typeId":""}}}`,
		`{"$or":[{"typeId":{"$eq":"A"}},{"$or":[{"=typeId":"B"},{"typeId":""}]}]}`},
	{`{"UF_CRM_TAGS":{"$in":["a","c"]}}`, `{"$or":[{"UF_CRM_TAGS":"a"},{"UF_CRM_TAGS":{"$eq":"c"}}]}`, `{"@ufCrmTags":["c","a"]}`},
	{`{">=UF_CRM_QTY":5}`, `{"UF_CRM_QTY":{"$gte":5}}`, `{"UF_CRM_QTY":{"$gte":"5"}}`, `{"UF_CRM_QTY":{"$gt":4.5}}`,
		`{"$or":[{">UF_CRM_QTY":5},{"UF_CRM_QTY":5}]}`, `{"UF_CRM_QTY":{"$gte":"5E0"}}`, `{"ufCrmQty":{"$gte":5.0}}`},
	{`{"<UF_CRM_LTV":100}`, `{"UF_CRM_LTV":{"$lt":"100|"}}`, `{"UF_CRM_LTV":{"$lt":"1e2"}}`, `{"UF_CRM_LTV":{"$lt":100.00}}`},
	{`{"UF_CRM_LTV":{"$gt":"50|USD"}}`, `{">UF_CRM_LTV":"50.0|USD"}`, `{"UF_CRM_LTV":{"$gt":" 5e1 | USD "}}`},
	{`{"!typeId":"A"}`, `{"typeId":{"$ne":"A"}}`, `{"!=typeId":"A"}`, `{"$or":[{"<typeId":"A"},{">typeId":"A"},{"typeId":null}]}`},
	{`{"!@typeId":["A","B"]}`, `{"typeId":{"$nin":["A","B"]}}`, `{"!typeId":["A","B"]}`, `{"!=typeId":["B","A"]}`,
		`{"typeId":{"$ne":"A"},"!typeId":"B"}`},
	{`{"!@UF_CRM_TAGS":["a","b"]}`, `{"UF_CRM_TAGS":{"$nin":["a","b"]}}`, `{"!UF_CRM_TAGS":"a","!=UF_CRM_TAGS":"b"}`},
	{`{"><UF_CRM_QTY":[2,8]}`, `{"UF_CRM_QTY":{"$gte":2,"$lte":8}}`, `{">=UF_CRM_QTY":2,"<=UF_CRM_QTY":8}`,
		`{"$and":[{">=UF_CRM_QTY":2},{"<=UF_CRM_QTY":"8"}]}`},
	{`{"!><UF_CRM_QTY":[2,8]}`, `{"$or":[{"<UF_CRM_QTY":2},{">UF_CRM_QTY":8},{"UF_CRM_QTY":null}]}`},
	{`{"%name":"an"}`, `{"name":{"$contains":"AN"}}`, `{"=%name":"%an%"}`, `{"%=name":"%An%"}`},
	{`{"!%name":"an"}`, `{"name":{"$notContains":"an"}}`, `{"!=%name":"%an%"}`, `{"!%=name":"%aN%"}`},
	{`{"%name":"k"}`, `{"%name":"K"}`, `{"%name":"\u212a"}`},
	{`{">=UF_CRM_SEEN":"2026-01-05T10:00:00+03:00"}`, `{"UF_CRM_SEEN":{"$gte":"2026-01-05T07:00:00Z"}}`, `{">=UF_CRM_SEEN":"2026-01-05T07:00:00"}`,
		`{">=UF_CRM_SEEN":"2026-01-05T02:00:00.000-05:00"}`},
	{`{"UF_CRM_DAY":"2026-01-05"}`, `{"UF_CRM_DAY":"2026-01-05T00:00:00"}`, `{"><UF_CRM_DAY":["2026-01-05","2026-01-05T23:00:00+05:00"]}`},
	{`{"UF_CRM_VIP":"Y"}`, `{"UF_CRM_VIP":true}`, `{"UF_CRM_VIP":1}`, `{"UF_CRM_VIP":"true"}`, `{"UF_CRM_VIP":"1"}`, `{"@UF_CRM_VIP":[true,"1"]}`},
	{`{"UF_CRM_LEVEL":101}`, `{"UF_CRM_LEVEL":"101"}`, `{"UF_CRM_LEVEL":{"$in":[101.0]}}`, `{"><UF_CRM_LEVEL":[100.5,101.5]}`},
	{`{"assignedById":2}`, `{"assignedById":"2"}`, `{"assignedById":2.0}`, `{"assignedById":[2]}`, `{"assignedById":"2e0"}`},
	{`{"typeId":[]}`, `{"$or":[]}`, `{"0":{"logic":"OR"}}`, `{"><UF_CRM_QTY":[8,2]}`},
	{`{}`, `{"$and":[]}`, `{"!typeId":[]}`, `{"typeId":{"$nin":[]}}`, `{"0":{}}`},
}

// ivComplements lists pairs of filters that split every record set.
var ivComplements = [][2]string{
	{`{"typeId":"A"}`, `{"!typeId":"A"}`},
	{`{"typeId":null}`, `{"!typeId":null}`},
	{`{"@UF_CRM_TAGS":["a"]}`, `{"!@UF_CRM_TAGS":["a"]}`},
	{`{"><UF_CRM_QTY":[2,8]}`, `{"!><UF_CRM_QTY":[2,8]}`},
	{`{"%name":"an"}`, `{"!%name":"an"}`},
	{`{"=%name":"a_n%"}`, `{"!=%name":"a_n%"}`},
	{`{"UF_CRM_SCORES":{"$in":[1,2]}}`, `{"UF_CRM_SCORES":{"$nin":[1,2]}}`},
	{`{"$or":[{"UF_CRM_VIP":"Y"},{"UF_CRM_LTV":{"$gt":100}}]}`, `{"!UF_CRM_VIP":"Y","$or":[{"<=UF_CRM_LTV":100},{"UF_CRM_LTV":null}]}`},
}

func TestInvariantFilterSpellings(t *testing.T) {
	s := fzSchema(t)
	recs := ivRecords(rand.New(rand.NewPCG(9, 10)), 2500)
	table, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	respond := func(filter string) (string, int64) {
		body := `{"groupBy":"typeId","aggregate":[{"field":"UF_CRM_QTY","function":"sum"}],"filter":` + filter + `}`
		plan, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: -1})
		if err != nil {
			t.Fatalf("Compile(%s): %v", body, err)
		}
		res := ivRun(t, plan, recs)
		tres, err := plan.RunTable(context.Background(), table)
		if err != nil {
			t.Fatal(err)
		}
		if ivOut(tres) != ivOut(res) {
			t.Errorf("%s: table and stream differ", filter)
		}
		return ivOut(res), res.Count
	}
	for _, line := range ivEquivalent {
		want, count := respond(line[0])
		for _, other := range line[1:] {
			if got, n := respond(other); got != want {
				t.Errorf("%s and %s give different responses (%d and %d matching records)", line[0], other, count, n)
			}
		}
	}
	for _, pair := range ivComplements {
		if _, a := respond(pair[0]); true {
			if _, b := respond(pair[1]); a+b != int64(len(recs)) {
				t.Errorf("%s (%d) and %s (%d) do not add up to %d records", pair[0], a, pair[1], b, len(recs))
			}
		}
	}
}

func TestInvariantMixedShardsMerge(t *testing.T) {
	// Partials from the table path and from the stream path of one plan
	// merge into the state of one run over all the records.
	s := fzSchema(t)
	recs := ivRecords(rand.New(rand.NewPCG(17, 18)), 3000)
	for _, grouping := range append(append([]string{`[]`}, ivSingleGroupings...), ivMultipleGroupings...) {
		body := `{"groupBy":` + grouping + `,"aggregate":` + ivAggregates + `}`
		plan, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: -1})
		if err != nil {
			t.Fatal(err)
		}
		want := ivOut(ivRun(t, plan, recs))

		table, err := engine.NewTable(s, engine.Maps(recs[:1800]), engine.TableOptions{})
		if err != nil {
			t.Fatal(err)
		}
		merged, err := plan.RunTablePartial(context.Background(), table)
		if err != nil {
			t.Fatal(err)
		}
		rest, err := plan.RunPartial(context.Background(), engine.Maps(recs[1800:]))
		if err != nil {
			t.Fatal(err)
		}
		if err := merged.Merge(rest); err != nil {
			t.Fatal(err)
		}
		if got := ivOut(merged.Result()); got != want {
			t.Errorf("%s: table shard merged with a stream shard:\n%s\none run:\n%s", body, got, want)
		}
	}
}

// ivNilRecords yields n nil records, which a Source may return.
type ivNilRecords struct{ n int }

func (s *ivNilRecords) Next() (map[string]any, error) {
	if s.n == 0 {
		return nil, io.EOF
	}
	s.n--
	return nil, nil
}

func TestInvariantNilRecords(t *testing.T) {
	// A nil record is a record with every field empty, on both paths.
	s := fzSchema(t)
	plan, err := engine.Compile(s, []byte(`{"groupBy":"typeId","aggregate":`+ivAggregates+`,"filter":{"!UF_CRM_QTY":3}}`), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(context.Background(), &ivNilRecords{n: 3})
	if err != nil {
		t.Fatal(err)
	}
	table, err := engine.NewTable(s, &ivNilRecords{n: 3}, engine.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tres, err := plan.RunTable(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 3 || len(res.Groups) != 1 || res.Groups[0].Count != 3 || ivOut(res) != ivOut(tres) {
		t.Errorf("stream %s\ntable  %s\nwant 3 records in the null group", ivOut(res), ivOut(tres))
	}
}
