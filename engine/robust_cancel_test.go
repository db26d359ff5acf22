package engine_test

// Runs must end: a cancelled or expired context stops a run over a source
// that never ends, and no single record or filter may keep a run busy for
// long.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

// ccEndless yields the same record forever.
type ccEndless struct{ rec map[string]any }

func (e ccEndless) Next() (map[string]any, error) { return e.rec, nil }

// ccCounting yields a fresh record forever, each with new values.
type ccCounting struct{ n int }

func (c *ccCounting) Next() (map[string]any, error) {
	c.n++
	return map[string]any{"typeId": fmt.Sprint("T", c.n%5000), "UF_CRM_QTY": c.n, "UF_CRM_TAGS": []any{"a", fmt.Sprint(c.n % 7)}}, nil
}

// ccRepeat is an endless reader: prefix once, then unit over and over.
// After stop is closed it reports EOF, so that a run stuck on it can end
// when the test is over.
type ccRepeat struct {
	prefix, unit string
	pos          int64
	stop         chan struct{}
	once         sync.Once
}

func newRepeat(t *testing.T, prefix, unit string) *ccRepeat {
	r := &ccRepeat{prefix: prefix, unit: unit, stop: make(chan struct{})}
	t.Cleanup(func() { r.once.Do(func() { close(r.stop) }) })
	return r
}

func (r *ccRepeat) Read(p []byte) (int, error) {
	select {
	case <-r.stop:
		return 0, io.EOF
	default:
	}
	n := 0
	for n < len(p) {
		if r.pos < int64(len(r.prefix)) {
			p[n] = r.prefix[r.pos]
		} else {
			p[n] = r.unit[(r.pos-int64(len(r.prefix)))%int64(len(r.unit))]
		}
		n++
		r.pos++
	}
	return n, nil
}

// ccWithin runs fn and reports whether it returned within d. A run that
// does not is left behind, and its source ends at cleanup.
func ccWithin(d time.Duration, fn func()) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

var ccRequests = []string{
	`{}`,
	`{"groupBy":"typeId"}`,
	`{"groupBy":["typeId","UF_CRM_TAGS"],"aggregate":[{"field":"UF_CRM_QTY","function":"sum"}]}`,
	`{"filter":{"typeId":"never"},"aggregate":[{"field":"UF_CRM_QTY","function":"avg"}]}`,
	`{"filter":{"typeId":"never"}}`,
}

func TestCancelEndlessSource(t *testing.T) {
	s := fzSchema(t)
	for _, body := range ccRequests {
		for _, limit := range []int{0, -1} {
			plan, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: limit, MaxGroups: -1})
			if err != nil {
				t.Fatal(err)
			}
			sources := map[string]func() engine.Source{
				"same record": func() engine.Source { return ccEndless{rec: map[string]any{"typeId": "A", "UF_CRM_QTY": 1}} },
				"new records": func() engine.Source { return &ccCounting{} },
			}
			for name, src := range sources {
				// A deadline.
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				var runErr error
				start := time.Now()
				if !ccWithin(2*time.Second, func() { _, runErr = plan.Run(ctx, src()) }) {
					t.Fatalf("%s, %s, limit %d: Run still going 2 s after a 50 ms deadline", body, name, limit)
				}
				cancel()
				if !errors.Is(runErr, context.DeadlineExceeded) {
					t.Errorf("%s, %s: Run error %v after %v, want context.DeadlineExceeded", body, name, runErr, time.Since(start))
				}

				// A cancel from another goroutine, and RunPartial.
				ctx, cancel = context.WithCancel(context.Background())
				time.AfterFunc(50*time.Millisecond, cancel)
				if !ccWithin(2*time.Second, func() { _, runErr = plan.RunPartial(ctx, src()) }) {
					t.Fatalf("%s, %s: RunPartial still going 2 s after cancel", body, name)
				}
				if !errors.Is(runErr, context.Canceled) {
					t.Errorf("%s, %s: RunPartial error %v, want context.Canceled", body, name, runErr)
				}
			}
		}
	}
}

func TestCancelEndlessJSONSource(t *testing.T) {
	s := fzSchema(t)
	line := `{"typeId":"CLIENT","UF_CRM_QTY":"12","UF_CRM_LTV":"10.5|RUB","UF_CRM_TAGS":["a","b"]}`
	for _, form := range []struct{ name, prefix, unit string }{
		{"JSON Lines", "", line + "\n"},
		{"array", "[", line + ",\n"},
		{"envelope", `{"success":true,"data":[`, line + ","},
	} {
		for _, body := range ccRequests {
			plan, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: -1})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			src := engine.NewJSONSource(newRepeat(t, form.prefix, form.unit))
			var runErr error
			if !ccWithin(2*time.Second, func() { _, runErr = plan.Run(ctx, src) }) {
				t.Fatalf("%s, %s: Run still going 2 s after a 50 ms deadline", form.name, body)
			}
			cancel()
			if !errors.Is(runErr, context.DeadlineExceeded) {
				t.Errorf("%s, %s: Run error %v, want context.DeadlineExceeded", form.name, body, runErr)
			}
		}
	}
}

// A stream that never completes a record (white space forever, one endless
// string, an envelope that never ends) must not keep a run past its
// deadline: reads stop once the run's context is done.
func TestCancelStreamWithoutRecords(t *testing.T) {
	s := fzSchema(t)
	plan, err := engine.Compile(s, []byte(`{"groupBy":"typeId"}`), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	line := `{"typeId":"CLIENT"},`
	for _, form := range []struct{ name, prefix, unit string }{
		{"white space", "", " \n\t"},
		{"white space in an array", "[", " \n"},
		{"one endless string", `{"typeId":"`, "x"},
		{"data before success", `{"data":[`, line},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		r := newRepeat(t, form.prefix, form.unit)
		if !ccWithin(2*time.Second, func() { plan.Run(ctx, engine.NewJSONSource(r)) }) {
			t.Errorf("%s: Run still reading 2 s after a 50 ms deadline", form.name)
		}
		cancel()
		r.once.Do(func() { close(r.stop) })
	}
}

func TestCancelTable(t *testing.T) {
	s := fzSchema(t)
	src := &ccCounting{}
	recs := make([]map[string]any, 200000)
	for i := range recs {
		recs[i], _ = src.Next()
	}
	table, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range ccRequests {
		plan, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: -1})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := plan.RunTable(ctx, table); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: RunTable with a cancelled context: %v", body, err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), time.Nanosecond)
		time.Sleep(time.Millisecond)
		if _, err := plan.RunTable(ctx, table); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: RunTable past its deadline: %v", body, err)
		}
		cancel()
	}
}

// ccTimed reports how long fn runs, giving up after limit.
func ccTimed(limit time.Duration, fn func()) (time.Duration, bool) {
	start := time.Now()
	ok := ccWithin(limit, fn)
	return time.Since(start), ok
}

// Grouping by a multiple field drops repeated elements in time linear in
// their number: 50,000 short tags are about 400 KB, well under the 1 MiB
// record limit, and a pairwise comparison took tens of seconds.
func TestHangMultipleGroupByElements(t *testing.T) {
	s := fzSchema(t)
	tags := make([]any, 50000)
	for i := range tags {
		tags[i] = fmt.Sprint("t", i)
	}
	recs := []map[string]any{{"UF_CRM_TAGS": tags}}
	text, _ := json.Marshal(recs[0])
	if len(text) > engine.DefaultMaxRecordBytes {
		t.Fatalf("the record is %d bytes, over the limit", len(text))
	}
	plan, err := engine.Compile(s, []byte(`{"groupBy":"UF_CRM_TAGS"}`), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := ccTimed(2*time.Second, func() { plan.Run(context.Background(), engine.Maps(recs)) }); !ok {
		t.Errorf("stream path: one record of %d tags still running after %v", len(tags), d)
	}
	table, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := ccTimed(2*time.Second, func() { plan.RunTable(context.Background(), table) }); !ok {
		t.Errorf("table path: one record of %d tags still running after %v", len(tags), d)
	}
}

// $contains and LIKE must not cost the product of the pattern's and the
// value's lengths: a 16 KB pattern against one 128 KB value took seconds
// with backtracking.
func TestHangContainsPattern(t *testing.T) {
	s, err := schema.Builtin("contacts")
	if err != nil {
		t.Fatal(err)
	}
	pattern := strings.Repeat("a", 16000) + "b"
	value := strings.Repeat("a", 128000)
	for _, filter := range []string{
		fmt.Sprintf(`{"name":{"$contains":%q}}`, pattern),
		fmt.Sprintf(`{"=%%name":%q}`, "%"+pattern+"%"),
		fmt.Sprintf(`{"!%%name":%q}`, pattern),
	} {
		plan, err := engine.Compile(s, []byte(`{"filter":`+filter+`}`), engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		recs := []map[string]any{{"name": value}}
		if d, ok := ccTimed(2*time.Second, func() { plan.Run(context.Background(), engine.Maps(recs)) }); !ok {
			t.Errorf("%.20s…: one record still running after %v", filter, d)
		}
	}
}

// A number with a million digits fits one record under the 1 MiB limit.
// It is refused by the digit bound instead of converted, and the context
// is checked before every record, so a stream of them stops at its
// deadline.
func TestHangLongNumbers(t *testing.T) {
	s := fzSchema(t)
	plan, err := engine.Compile(s, []byte(`{"filter":{">UF_CRM_QTY":5}}`), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	line := `{"UF_CRM_QTY":` + "1" + strings.Repeat("7", 1000000) + "}\n"
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := newRepeat(t, "", line)
	if d, ok := ccTimed(2*time.Second, func() { plan.Run(ctx, engine.NewJSONSource(r)) }); !ok {
		t.Errorf("a run over records of one long number each is still going %v after a 50 ms deadline", d)
	}
	r.once.Do(func() { close(r.stop) })
}

// Four multiple groupBy fields of 17 elements each put one record in
// 83,521 groups, under the 100,000 cap, at about 65 ms a record. The
// context is also checked as groups are added, so a deadline is honoured
// within one record.
func TestCancelGroupProduct(t *testing.T) {
	s := fzSchema(t)
	var tags, scores, fees, days []any
	for i := 0; i < 17; i++ {
		tags = append(tags, fmt.Sprint("t", i))
		scores = append(scores, i)
		fees = append(fees, fmt.Sprint(i, "|RUB"))
		days = append(days, fmt.Sprintf("2026-01-%02d", i+1))
	}
	rec := map[string]any{"UF_CRM_TAGS": tags, "UF_CRM_SCORES": scores, "UF_CRM_FEES": fees, "UF_CRM_DAYS": days}
	plan, err := engine.Compile(s, []byte(`{"groupBy":["UF_CRM_TAGS","UF_CRM_SCORES","UF_CRM_FEES","UF_CRM_DAYS"]}`), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if d, ok := ccTimed(2*time.Second, func() { plan.Run(ctx, ccEndless{rec: rec}) }); !ok {
		t.Errorf("still running %v after a 50 ms deadline", d)
	}
}
