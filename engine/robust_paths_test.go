package engine_test

// Regression tests for bugs found by fuzzing, each reproduced in a few
// records: the stream path (Run) and the table path (RunTable) disagreed,
// one path returned a different result from one run to the next, or both
// counted a value the wrong way.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crmagg/crmagg/engine"
)

func ptBoth(t *testing.T, body string, opts engine.Options, topts engine.TableOptions, recs []map[string]any) (stream, table string) {
	t.Helper()
	s := fzSchema(t)
	plan, err := engine.Compile(s, []byte(body), opts)
	if err != nil {
		t.Fatalf("Compile(%s): %v", body, err)
	}
	tab, err := engine.NewTable(s, engine.Maps(recs), topts)
	if err != nil {
		t.Fatal(err)
	}
	return fzOutcome(plan.Run(context.Background(), engine.Maps(recs))), fzOutcome(plan.RunTable(context.Background(), tab))
}

// In strict mode with a group cap, both paths report the first failure in
// record order: the cap passed at record 1, not the invalid value in
// record 2.
func TestPathsStrictModeAndGroupCap(t *testing.T) {
	recs := []map[string]any{{"typeId": "A"}, {"typeId": "B"}, {"typeId": "A", "UF_CRM_QTY": "x"}}
	stream, table := ptBoth(t, `{"groupBy":"typeId","aggregate":[{"field":"UF_CRM_QTY","function":"sum"}]}`,
		engine.Options{Strict: true, MaxGroups: 1}, engine.TableOptions{}, recs)
	if stream != table {
		t.Errorf("stream %s\ntable  %s", stream, table)
	}
}

// A table read in one zone must not serve a plan in another zone of the
// same name: datetimes without an offset would be read three hours apart
// and counts would change silently.
func TestPathsTableZoneByOffset(t *testing.T) {
	recs := []map[string]any{{"UF_CRM_SEEN": "2026-01-05T10:00:00"}, {"UF_CRM_SEEN": "2026-01-05T12:00:00"}}
	body := `{"groupBy":"UF_CRM_SEEN","filter":{">=UF_CRM_SEEN":"2026-01-05T09:00:00Z"}}`
	for _, name := range []string{"", "MSK", "UTC"} {
		stream, table := ptBoth(t, body, engine.Options{Location: time.FixedZone(name, 3*3600)},
			engine.TableOptions{Location: time.FixedZone(name, 0)}, recs)
		if table != stream && table != fzOutcome(nil, engine.ErrTableMismatch) {
			t.Errorf("zone %q: table %s\nstream %s\nwant the stream's answer or ErrTableMismatch", name, table, stream)
		}
	}
}

// A datetime whose instant falls outside the years 0000-9999 in UTC (one
// hour past 9999-12-31 in New York, the first minutes of year 0 in Paris)
// is invalid on both paths alike.
func TestPathsDatetimeOutsideFourDigitYears(t *testing.T) {
	recs := []map[string]any{
		{"UF_CRM_SEEN": "9999-12-31T23:00:00-05:00"},
		{"UF_CRM_SEEN": "0000-01-01T00:30:00+01:00"},
		{"UF_CRM_SEEN": "2026-01-01"},
	}
	for _, body := range []string{
		`{"groupBy":"UF_CRM_SEEN"}`,
		`{"filter":{">=UF_CRM_SEEN":"9999-01-01"}}`,
		`{"filter":{"<UF_CRM_SEEN":"0001-01-01"}}`,
	} {
		stream, table := ptBoth(t, body, engine.Options{}, engine.TableOptions{}, recs)
		if stream != table {
			t.Errorf("%s:\nstream %s\ntable  %s", body, stream, table)
		}
	}
}

// When a record spells one UF in two ways, neither of them the schema's
// own, the value used must not depend on Go's map order.
func TestPathsTwoOtherSpellingsAreDeterministic(t *testing.T) {
	body := `{"aggregate":[{"field":"UF_CRM_QTY","function":"sum"}]}`
	var first string
	for i := 0; i < 40; i++ {
		recs := []map[string]any{{"ufCrmQty": 1, "uf_crm_qty": 2, "UfCrmQty": 3}}
		stream, table := ptBoth(t, body, engine.Options{}, engine.TableOptions{}, recs)
		if i == 0 {
			first = stream
		}
		if stream != first || table != first {
			t.Fatalf("run %d: stream %s table %s; the first run gave %s", i, stream, table, first)
		}
	}
}

// An empty array is an empty value, and empty elements of a multiple field
// are dropped without being counted, [] elements included.
func TestPathsEmptyArrayElementIsEmpty(t *testing.T) {
	recs := []map[string]any{{"UF_CRM_TAGS": []any{"a", []any{}}, "UF_CRM_SCORES": []any{1, []any{}}}}
	stream, table := ptBoth(t, `{"groupBy":"UF_CRM_TAGS","aggregate":[{"field":"UF_CRM_SCORES","function":"sum"}]}`,
		engine.Options{}, engine.TableOptions{}, recs)
	if strings.Contains(stream, "invalidValues") || stream != table {
		t.Errorf("stream %s\ntable  %s\nwant no invalid values", stream, table)
	}
}
