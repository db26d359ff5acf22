package engine_test

// Cases where the stream path (Run) and the table path (RunTable) must
// agree and, at the time of writing, do not, or where one path gives a
// different answer from one run to the next. Each reproduces one bug of
// the report in a few records.

import (
	"context"
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

// Bug 8: in strict mode with a group cap, the table path checks a whole
// block for invalid values before it makes the block's groups, so an
// invalid value in record 2 wins over the cap passed at record 1. The
// stream path, and SPEC's "first failure", give TOO_MANY_GROUPS.
func TestPathsStrictModeAndGroupCap(t *testing.T) {
	t.Skip("known bug 8: table path reports a later strict-mode data error instead of TOO_MANY_GROUPS")
	recs := []map[string]any{{"typeId": "A"}, {"typeId": "B"}, {"typeId": "A", "UF_CRM_QTY": "x"}}
	stream, table := ptBoth(t, `{"groupBy":"typeId","aggregate":[{"field":"UF_CRM_QTY","function":"sum"}]}`,
		engine.Options{Strict: true, MaxGroups: 1}, engine.TableOptions{}, recs)
	if stream != table {
		t.Errorf("stream %s\ntable  %s", stream, table)
	}
}

// Bug 9: RunTable tells zones apart by name only, so a table read in one
// zone answers a plan in another zone of the same name as if they were
// one: datetimes without an offset are read three hours apart and counts
// change silently.
func TestPathsTableZoneByOffset(t *testing.T) {
	t.Skip("known bug 9: RunTable accepts a table read in a different zone that has the same name")
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

// Bug 10: a datetime whose instant falls outside the years 0000-9999 in
// UTC (one hour past 9999-12-31 in New York, the first minutes of year 0
// in Paris) is a valid value on the stream path but its table key does not
// read back, so on the table path it is in the null group and fails
// ordered filters.
func TestPathsDatetimeOutsideFourDigitYears(t *testing.T) {
	t.Skip("known bug 10: table path reads datetimes beyond year 9999 or before year 0 in UTC as invalid")
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

// Bug 11: when a record spells one UF in two ways, neither of them the
// schema's own, the value used depends on Go's map order: the same record
// sums to 1, 2 or 3 from one run to the next, on both paths.
func TestPathsTwoOtherSpellingsAreDeterministic(t *testing.T) {
	t.Skip("known bug 11: a record with two non-exact spellings of one UF gives a random value")
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
