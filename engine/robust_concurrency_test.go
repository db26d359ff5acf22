package engine_test

// Compiled plans and prepared tables are shared between goroutines, so run
// these under -race. A table is never seen half-built: NewTable either
// returns a table over every record of its source or no table at all.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/crmagg/crmagg/engine"
)

var cuRequests = []string{
	`{}`,
	`{"groupBy":"typeId","aggregate":` + ivAggregates + `}`,
	`{"groupBy":["UF_CRM_TAGS","UF_CRM_VIP"],"aggregate":` + ivAggregates + `,"filter":{">=UF_CRM_QTY":3}}`,
	`{"groupBy":["UF_CRM_SEEN","UF_CRM_LTV"],"filter":{"$or":[{"%name":"an"},{"typeId":["A",null]}]}}`,
	`{"aggregate":[{"field":"UF_CRM_RATE","function":"avg"},{"field":"UF_CRM_SCORES","function":"max"}],"filter":{"!@UF_CRM_TAGS":["b"]}}`,
}

func TestConcurrentPlansAndTables(t *testing.T) {
	s := fzSchema(t)
	recs := ivRecords(rand.New(rand.NewPCG(11, 12)), 2500)
	reversed := make([]map[string]any, len(recs))
	for i, r := range recs {
		reversed[len(recs)-1-i] = r
	}
	tables := make([]*engine.Table, 2)
	for i, set := range [][]map[string]any{recs, reversed} {
		var err error
		if tables[i], err = engine.NewTable(s, engine.Maps(set), engine.TableOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	type job struct {
		plan   *engine.Plan
		want   [2]string // per table, and for the stream over the same records
		strict bool
	}
	var jobs []job
	for _, body := range cuRequests {
		for _, opts := range []engine.Options{{}, {RecordLimit: -1, GroupLimit: 3}, {RecordLimit: 100, Strict: true}} {
			plan, err := engine.Compile(s, []byte(body), opts)
			if err != nil {
				t.Fatal(err)
			}
			j := job{plan: plan, strict: opts.Strict}
			for i, set := range [][]map[string]any{recs, reversed} {
				j.want[i] = fzOutcome(plan.Run(context.Background(), engine.Maps(set)))
			}
			jobs = append(jobs, j)
		}
	}

	const goroutines = 16
	var wg sync.WaitGroup
	errs := make(chan string, goroutines*len(jobs)*4)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			for round := 0; round < 1; round++ {
				for _, k := range rng.Perm(len(jobs)) {
					j := jobs[k]
					// The two tables alternate so that the plan's per-table
					// cache keeps being replaced while others read it.
					ti := rng.IntN(2)
					got := fzOutcome(j.plan.RunTable(context.Background(), tables[ti]))
					if got != j.want[ti] {
						errs <- fmt.Sprintf("goroutine %d, table %d, job %d:\n got %s\nwant %s", g, ti, k, got, j.want[ti])
					}
					set := recs
					if ti == 1 {
						set = reversed
					}
					if got := fzOutcome(j.plan.Run(context.Background(), engine.Maps(set))); got != j.want[ti] {
						errs <- fmt.Sprintf("goroutine %d, stream %d, job %d:\n got %s\nwant %s", g, ti, k, got, j.want[ti])
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	n := 0
	for e := range errs {
		if n++; n <= 5 {
			t.Error(e)
		}
	}
}

func TestConcurrentCompile(t *testing.T) {
	s := fzSchema(t)
	bodies := append(append([]string{}, cuRequests...), fzRequestSeeds...)
	want := make([]string, len(bodies))
	for i, body := range bodies {
		_, err := engine.Compile(s, []byte(body), engine.Options{})
		want[i] = fmt.Sprint(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, body := range bodies {
				if _, err := engine.Compile(s, []byte(body), engine.Options{}); fmt.Sprint(err) != want[i] {
					t.Errorf("Compile(%s) from goroutine %d: %v, want %s", body, g, err, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

// cuFailing yields n records, then fails.
type cuFailing struct {
	n, read  int
	err      error
	finished bool
}

var errCuSource = errors.New("source broke")

func (c *cuFailing) Next() (map[string]any, error) {
	if c.read >= c.n {
		c.finished = true
		if c.err != nil {
			return nil, c.err
		}
		return nil, io.EOF
	}
	c.read++
	return map[string]any{"typeId": fmt.Sprint("T", c.read%3), "UF_CRM_QTY": c.read}, nil
}

func TestNewTableAllOrNothing(t *testing.T) {
	s := fzSchema(t)

	// A source that fails gives no table and its own error.
	for _, n := range []int{0, 1, 5000} {
		src := &cuFailing{n: n, err: errCuSource}
		table, err := engine.NewTable(s, src, engine.TableOptions{})
		if table != nil || !errors.Is(err, errCuSource) {
			t.Errorf("source failing after %d records: table %v, error %v", n, table, err)
		}
	}
	// So does a JSON stream with a malformed record part way.
	input := strings.Repeat(`{"typeId":"A"}`+"\n", 3000) + `{"typeId":` + "\n"
	table, err := engine.NewTable(s, engine.NewJSONSource(strings.NewReader(input)), engine.TableOptions{})
	var ie *engine.InputError
	if table != nil || !errors.As(err, &ie) || ie.Position != 3000 {
		t.Errorf("malformed record 3000: table %v, error %v", table, err)
	}

	// A table is returned only once its source is exhausted, and holds
	// every record.
	src := &cuFailing{n: 7000}
	table, err = engine.NewTable(s, src, engine.TableOptions{})
	if err != nil || !src.finished || table.Len() != 7000 {
		t.Fatalf("table of %v records, error %v, source finished %v", table, err, src.finished)
	}

	// The table keeps its own copy, so changing the records afterwards
	// does not change its results.
	recs := ivRecords(rand.New(rand.NewPCG(13, 14)), 500)
	table, err = engine.NewTable(s, engine.Maps(recs), engine.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := engine.Compile(s, []byte(cuRequests[1]), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := fzOutcome(plan.RunTable(context.Background(), table))
	for _, r := range recs {
		r["typeId"] = "CHANGED"
		delete(r, "UF_CRM_LTV")
	}
	if after := fzOutcome(plan.RunTable(context.Background(), table)); after != before {
		t.Errorf("changing the source records changed the table's answer:\nbefore %s\nafter  %s", before, after)
	}
}

func TestConcurrentTableBuildAndRuns(t *testing.T) {
	// Tables built at the same time as other tables are queried: each
	// goroutine builds its own and checks it against the stream path.
	s := fzSchema(t)
	plan, err := engine.Compile(s, []byte(cuRequests[2]), engine.Options{RecordLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs := ivRecords(rand.New(rand.NewPCG(uint64(g), 15)), 1500)
			want := fzOutcome(plan.Run(context.Background(), engine.Maps(recs)))
			table, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < 3; i++ {
				if got := fzOutcome(plan.RunTable(context.Background(), table)); got != want {
					t.Errorf("goroutine %d: table %s, stream %s", g, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
