package engine_test

// Known bugs, each reproduced in a few records: the stream path (Run) and
// the table path (RunTable) disagree, one path returns a different result
// from one run to the next, or both count a value the wrong way.

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

// Known bug: in strict mode with a group cap, the table path checks a whole
// block for invalid values before it makes the block's groups, so an
// invalid value in record 2 wins over the cap passed at record 1. The
// stream path gives TOO_MANY_GROUPS, the first failure in record order.
func TestPathsStrictModeAndGroupCap(t *testing.T) {
	t.Skip("known bug: table path reports a later strict-mode data error instead of TOO_MANY_GROUPS")
	recs := []map[string]any{{"typeId": "A"}, {"typeId": "B"}, {"typeId": "A", "UF_CRM_QTY": "x"}}
	stream, table := ptBoth(t, `{"groupBy":"typeId","aggregate":[{"field":"UF_CRM_QTY","function":"sum"}]}`,
		engine.Options{Strict: true, MaxGroups: 1}, engine.TableOptions{}, recs)
	if stream != table {
		t.Errorf("stream %s\ntable  %s", stream, table)
	}
}

// Known bug: RunTable compares zones by name only. A table read in one zone
// serves a plan in another zone of the same name as if they were one, so
// datetimes without an offset are read three hours apart and counts change
// silently.
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

// Known bug: a datetime whose instant falls outside the years 0000-9999 in
// UTC (one hour past 9999-12-31 in New York, the first minutes of year 0
// in Paris) is a valid value on the stream path. Its table key does not
// read back, so on the table path it is in the null group and fails
// ordered filters.
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

// Known bug: when a record spells one UF in two ways, neither of them the
// schema's own, the value used depends on Go's map order. The same record
// sums to 1, 2 or 3 from one run to the next, on both paths.
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

// Known bug: an empty array is an empty value, and empty elements of a
// multiple field are dropped without being counted. Both paths count an
// [] element of a multiple field as an invalid value instead.
func TestPathsEmptyArrayElementIsEmpty(t *testing.T) {
	recs := []map[string]any{{"UF_CRM_TAGS": []any{"a", []any{}}, "UF_CRM_SCORES": []any{1, []any{}}}}
	stream, table := ptBoth(t, `{"groupBy":"UF_CRM_TAGS","aggregate":[{"field":"UF_CRM_SCORES","function":"sum"}]}`,
		engine.Options{}, engine.TableOptions{}, recs)
	if strings.Contains(stream, "invalidValues") || stream != table {
		t.Errorf("stream %s\ntable  %s\nwant no invalid values", stream, table)
	}
}
