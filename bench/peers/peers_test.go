package peers

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/crmagg/crmagg/bench"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

const (
	excluded = "PARTNER"
	ltvField = "UF_CRM_LTV"
)

// Data sets and loaded databases are made once per size and shared by the
// sub-benchmarks and every -count round.
var (
	cacheMu sync.Mutex
	recsBy  = map[int][]map[string]any{}
	colsBy  = map[int]*Columns{}
	tableBy = map[int]*engine.Table{}
	duckBy  = map[duckKey]*DuckDB{}
)

type duckKey struct {
	n    int
	enum bool
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range duckBy {
		d.Close()
	}
	os.Exit(code)
}

func records(n int) []map[string]any {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if recs, ok := recsBy[n]; ok {
		return recs
	}
	recs := bench.ContactRecords(n, 10)
	recsBy[n] = recs
	return recs
}

func columns(tb testing.TB, n int) *Columns {
	recs := records(n)
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if c, ok := colsBy[n]; ok {
		return c
	}
	c, err := Encode(recs)
	if err != nil {
		tb.Fatal(err)
	}
	colsBy[n] = c
	return c
}

func table(tb testing.TB, s *schema.Schema, n int) *engine.Table {
	recs := records(n)
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if t, ok := tableBy[n]; ok {
		return t
	}
	t, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	tableBy[n] = t
	return t
}

func duck(tb testing.TB, n int, enum bool) *DuckDB {
	c := columns(tb, n)
	cacheMu.Lock()
	defer cacheMu.Unlock()
	key := duckKey{n, enum}
	if d, ok := duckBy[key]; ok {
		return d
	}
	d, err := OpenDuckDB(context.Background(), c, bench.AssigneeIDs(), excluded, DuckDBOptions{Enum: enum, Threads: 2})
	if err != nil {
		tb.Fatal(err)
	}
	duckBy[key] = d
	return d
}

func compile(tb testing.TB, s *schema.Schema) *engine.Plan {
	p, err := engine.Compile(s, []byte(bench.Request()), engine.Options{RecordLimit: -1})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// engines lists every engine by its benchmark name, each with a function
// that runs the target query over ContactRecords(n, 10).
func engines(tb testing.TB, n int) []namedEngine {
	s := bench.Schema()
	plan := compile(tb, s)
	ctx := context.Background()
	crmagg := func(res *engine.Result, err error) ([]Group, error) {
		if err != nil {
			return nil, err
		}
		return FromResult(res, ltvField)
	}
	// The loop's lookup tables are made once, like the compiled plan.
	var q *Loop
	loop := func() (*Columns, *Loop) {
		c := columns(tb, n)
		if q == nil {
			q = NewLoop(c, bench.AssigneeIDs(), excluded)
		}
		return c, q
	}
	return []namedEngine{
		{"crmagg-table", func() ([]Group, error) {
			return crmagg(plan.RunTable(ctx, table(tb, s, n)))
		}},
		{"crmagg-maps", func() ([]Group, error) {
			return crmagg(plan.Run(ctx, engine.Maps(records(n))))
		}},
		{"duckdb-text", func() ([]Group, error) { return duck(tb, n, false).Run(ctx) }},
		{"duckdb-enum", func() ([]Group, error) { return duck(tb, n, true).Run(ctx) }},
		{"go-loop", func() ([]Group, error) {
			c, q := loop()
			return q.Run(c), nil
		}},
		{"go-loop-branchy", func() ([]Group, error) {
			c, q := loop()
			return q.RunSimple(c), nil
		}},
		{"go-maps-decimal", func() ([]Group, error) {
			return MapsDecimal(records(n), bench.AssigneeIDs(), excluded), nil
		}},
	}
}

type namedEngine struct {
	name string
	run  func() ([]Group, error)
}

// TestEnginesAgree checks that every engine returns crmagg's groups with
// the same counts, sums, minimums and maximums, and averages within what a
// double allows.
func TestEnginesAgree(t *testing.T) {
	const n = 20_000
	c := columns(t, n)
	absent := 0
	for i := range c.Len {
		if !c.HasAmount(i) {
			absent++
		}
	}
	if absent == 0 || absent == c.Len {
		t.Fatalf("%d of %d records have no amount, expected some with and some without", absent, c.Len)
	}

	var want []Group
	for _, e := range engines(t, n) {
		got, err := e.run()
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		SortGroups(got)
		if want == nil {
			if len(got) < 2 {
				t.Fatalf("%s: %d groups, expected at least 2", e.name, len(got))
			}
			want = got
			continue
		}
		compareGroups(t, e.name, got, want, e.name == "crmagg-maps")
	}
}

// TestEnginesAgreeOnNulls runs the same check on records with missing
// keys and assignees. A missing typeId passes the negation, an empty
// sourceId forms the null group and a missing assignee fails the list.
func TestEnginesAgreeOnNulls(t *testing.T) {
	recs := bench.ContactRecords(5_000, 10)
	for i, r := range recs {
		switch {
		case i%7 == 0:
			delete(r, "typeId")
		case i%11 == 0:
			r["sourceId"] = ""
		case i%13 == 0:
			delete(r, "assignedById")
		}
	}
	s := bench.Schema()
	plan := compile(t, s)
	ctx := context.Background()
	res, err := plan.Run(ctx, engine.Maps(recs))
	if err != nil {
		t.Fatal(err)
	}
	want, err := FromResult(res, ltvField)
	if err != nil {
		t.Fatal(err)
	}
	SortGroups(want)
	nulls := 0
	for _, g := range want {
		if g.TypeID == "" || g.SourceID == "" {
			nulls++
		}
	}
	if nulls == 0 {
		t.Fatal("crmagg returned no null group")
	}

	c, err := Encode(recs)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got []Group, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		SortGroups(got)
		compareGroups(t, name, got, want, false)
	}
	loop := NewLoop(c, bench.AssigneeIDs(), excluded)
	check("go-loop", loop.Run(c), nil)
	check("go-loop-branchy", loop.RunSimple(c), nil)
	check("go-maps-decimal", MapsDecimal(recs, bench.AssigneeIDs(), excluded), nil)
	for _, enum := range []bool{false, true} {
		d, err := OpenDuckDB(ctx, c, bench.AssigneeIDs(), excluded, DuckDBOptions{Enum: enum, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.Run(ctx)
		d.Close()
		check(fmt.Sprintf("duckdb enum=%v", enum), got, err)
	}
}

// avgTolerance bounds how far a double average may be from crmagg's,
// which is rounded to 10 places. A double below 10^7 is within 10^-9 of
// the exact quotient that it approximates.
var avgTolerance = decimal.New(1, -8)

func compareGroups(t *testing.T, name string, got, want []Group, exactAvg bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d groups, want %d", name, len(got), len(want))
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		key := fmt.Sprintf("%s: group (%q, %q)", name, w.TypeID, w.SourceID)
		if g.TypeID != w.TypeID || g.SourceID != w.SourceID {
			t.Errorf("%s: group %d is (%q, %q), want (%q, %q)", name, i, g.TypeID, g.SourceID, w.TypeID, w.SourceID)
			continue
		}
		if g.Count != w.Count || g.HasValues != w.HasValues {
			t.Errorf("%s: count %d, has values %v, want %d, %v", key, g.Count, g.HasValues, w.Count, w.HasValues)
			continue
		}
		if !w.HasValues {
			continue
		}
		if g.Sum != w.Sum || g.Min != w.Min || g.Max != w.Max {
			t.Errorf("%s: sum, min, max %d, %d, %d cents; want %d, %d, %d", key, g.Sum, g.Min, g.Max, w.Sum, w.Min, w.Max)
		}
		if exactAvg {
			if !g.Avg.Equal(w.Avg) {
				t.Errorf("%s: avg %s, want %s", key, g.Avg, w.Avg)
			}
		} else if g.Avg.Sub(w.Avg).Abs().GreaterThan(avgTolerance) {
			t.Errorf("%s: avg %s, want %s within %s", key, g.Avg, w.Avg, avgTolerance)
		}
	}
}

// BenchmarkQuery times the target query on each engine. Loading is done
// before the timer starts: records into a crmagg table, columns for the
// loop, and DuckDB tables through the Appender. crmagg-maps runs at the
// smaller size only.
func BenchmarkQuery(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		for _, e := range engines(b, n) {
			if e.name == "crmagg-maps" && n > 100_000 {
				continue
			}
			b.Run(fmt.Sprintf("engine=%s/records=%d", e.name, n), func(b *testing.B) {
				if _, err := e.run(); err != nil { // loads the data
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if _, err := e.run(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/record")
			})
		}
	}
}
