package engine_test

// Every configurable limit, tested at its boundary and one step past it,
// with its default and with a value set in Options.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

// lmCompileErr compiles body and returns the API error, or nil.
func lmCompileErr(t *testing.T, s *schema.Schema, body string, opts engine.Options) *apierr.Error {
	t.Helper()
	_, err := engine.Compile(s, []byte(body), opts)
	if err == nil {
		return nil
	}
	e := apierr.As(err)
	if e == nil {
		t.Fatalf("Compile error %v is not an *apierr.Error", err)
	}
	return e
}

func lmWantOK(t *testing.T, s *schema.Schema, body string, opts engine.Options) {
	t.Helper()
	if e := lmCompileErr(t, s, body, opts); e != nil {
		t.Fatalf("Compile of %d bytes: %v; want success", len(body), e)
	}
}

func lmWantErr(t *testing.T, s *schema.Schema, body string, opts engine.Options, code apierr.Code, contains string) {
	t.Helper()
	e := lmCompileErr(t, s, body, opts)
	if e == nil {
		t.Fatalf("Compile of %d bytes succeeded; want %s", len(body), code)
	}
	if e.Code != code || !strings.Contains(e.Message, contains) {
		t.Fatalf("Compile error %s %q; want %s containing %q", e.Code, e.Message, code, contains)
	}
}

// lmPadded returns a valid request body of exactly n bytes: the padding is
// an unknown top-level key, which lenient mode ignores.
func lmPadded(t *testing.T, n int) string {
	t.Helper()
	head := `{"groupBy":"typeId","pad":"`
	tail := `"}`
	if n < len(head)+len(tail) {
		t.Fatalf("cannot pad to %d bytes", n)
	}
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}

func TestLimitRequestBody(t *testing.T) {
	s := fzSchema(t)
	lmWantOK(t, s, lmPadded(t, engine.DefaultMaxBodyBytes), engine.Options{})
	lmWantErr(t, s, lmPadded(t, engine.DefaultMaxBodyBytes+1), engine.Options{}, apierr.InvalidParams, "limit of 1048576 bytes")

	lmWantOK(t, s, lmPadded(t, 100), engine.Options{MaxBodyBytes: 100})
	lmWantErr(t, s, lmPadded(t, 101), engine.Options{MaxBodyBytes: 100}, apierr.InvalidParams, "limit of 100 bytes")

	// A limit above the default is honoured too.
	lmWantOK(t, s, lmPadded(t, 3<<20), engine.Options{MaxBodyBytes: 3 << 20})
	lmWantErr(t, s, lmPadded(t, 3<<20+1), engine.Options{MaxBodyBytes: 3 << 20}, apierr.InvalidParams, "bytes")
}

// The filter object is level 1. A member of $and, a digit-key sub-filter,
// a logic group and an operator object are each one level below the
// object that holds them.
func lmNestAnd(levels int, inner string) string {
	return strings.Repeat(`{"$and":[`, levels) + inner + strings.Repeat(`]}`, levels)
}

func lmNestDigit(levels int, inner string) string {
	return strings.Repeat(`{"0":`, levels) + inner + strings.Repeat(`}`, levels)
}

// lmNestLogic nests groups logic groups in a filter object, alternating OR
// and a lower-case and, with the condition in the innermost one.
func lmNestLogic(groups int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < groups; i++ {
		fmt.Fprintf(&b, `"g%d":{"logic":"%s",`, i, []string{"OR", "and"}[i%2])
	}
	b.WriteString(`"typeId":"CLIENT"`)
	b.WriteString(strings.Repeat("}", groups+1))
	return b.String()
}

func TestLimitFilterDepth(t *testing.T) {
	s := fzSchema(t)
	plain := `{"typeId":"CLIENT"}`
	withOperator := `{"typeId":{"$eq":"CLIENT"}}`
	for _, tt := range []struct {
		name  string
		build func(depth int) string
	}{
		{"$and", func(d int) string { return lmNestAnd(d-1, plain) }},
		{"$and with an operator object", func(d int) string { return lmNestAnd(d-2, withOperator) }},
		{"digit keys", func(d int) string { return lmNestDigit(d-1, plain) }},
		{"logic groups", func(d int) string { return lmNestLogic(d - 1) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, limit := range []int{0, 3, 40} {
				depth := limit
				if limit == 0 {
					depth = 16
				}
				opts := engine.Options{MaxFilterDepth: limit}
				lmWantOK(t, s, `{"filter":`+tt.build(depth)+`}`, opts)
				lmWantErr(t, s, `{"filter":`+tt.build(depth+1)+`}`, opts, apierr.InvalidParams, "nested too deeply")
			}
		})
	}
	// {"$or": [{"a": 1}]} has depth 2.
	lmWantOK(t, s, `{"filter":{"$or":[{"typeId":"A"}]}}`, engine.Options{MaxFilterDepth: 2})
	lmWantErr(t, s, `{"filter":{"$or":[{"typeId":"A"}]}}`, engine.Options{MaxFilterDepth: 1}, apierr.InvalidParams, "nested too deeply")
}

func lmOrOf(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"typeId":"T%d"}`, i)
	}
	return `{"$or":[` + strings.Join(parts, ",") + `]}`
}

func TestLimitFilterConditions(t *testing.T) {
	s := fzSchema(t)
	lmWantOK(t, s, `{"filter":`+lmOrOf(1000)+`}`, engine.Options{})
	lmWantErr(t, s, `{"filter":`+lmOrOf(1001)+`}`, engine.Options{}, apierr.InvalidParams, "too many conditions")

	// One condition per field and operator, one per prefixed key.
	five := `{"filter":{"UF_CRM_QTY":{"$gt":1,"$lt":9},">=id":1,"!typeId":"X","name":null}}`
	lmWantOK(t, s, five, engine.Options{MaxFilterConditions: 5})
	lmWantErr(t, s, five, engine.Options{MaxFilterConditions: 4}, apierr.InvalidParams, "too many conditions")
	lmWantOK(t, s, `{"filter":`+lmOrOf(1500)+`}`, engine.Options{MaxFilterConditions: 1500})
	lmWantErr(t, s, `{"filter":`+lmOrOf(1501)+`}`, engine.Options{MaxFilterConditions: 1500}, apierr.InvalidParams, "too many conditions")
}

func lmList(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprint(i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestLimitListValues(t *testing.T) {
	s := fzSchema(t)
	for _, form := range []string{`{"id":{"$in":%s}}`, `{"id":{"$nin":%s}}`, `{"@id":%s}`, `{"!@id":%s}`, `{"id":%s}`, `{"=id":%s}`, `{"!id":%s}`} {
		lmWantOK(t, s, `{"filter":`+fmt.Sprintf(form, lmList(10000))+`}`, engine.Options{})
		lmWantErr(t, s, `{"filter":`+fmt.Sprintf(form, lmList(10001))+`}`, engine.Options{}, apierr.InvalidParams, "more than the maximum of 10000")
		lmWantOK(t, s, `{"filter":`+fmt.Sprintf(form, lmList(3))+`}`, engine.Options{MaxListValues: 3})
		lmWantErr(t, s, `{"filter":`+fmt.Sprintf(form, lmList(4))+`}`, engine.Options{MaxListValues: 3}, apierr.InvalidParams, "more than the maximum of 3")
	}
}

// lmDistinct yields n records with distinct typeId values, counting how
// many it handed out.
type lmDistinct struct {
	n, read int
}

func (d *lmDistinct) Next() (map[string]any, error) {
	if d.n >= 0 && d.read >= d.n {
		return nil, io.EOF
	}
	d.read++
	return map[string]any{"typeId": fmt.Sprint("T", d.read), "UF_CRM_QTY": d.read}, nil
}

func TestLimitDistinctGroups(t *testing.T) {
	s := fzSchema(t)
	body := `{"groupBy":"typeId","aggregate":[{"field":"UF_CRM_QTY","function":"sum"}]}`
	ctx := context.Background()

	for _, tt := range []struct {
		maxGroups, cap int
	}{{0, engine.DefaultMaxGroups}, {10, 10}} {
		opts := engine.Options{RecordLimit: -1, MaxGroups: tt.maxGroups}
		plan, err := engine.Compile(s, []byte(body), opts)
		if err != nil {
			t.Fatal(err)
		}
		res, err := plan.Run(ctx, &lmDistinct{n: tt.cap})
		if err != nil || res.Meta.GroupTotal != tt.cap {
			t.Fatalf("%d distinct groups with cap %d: error %v", tt.cap, tt.cap, err)
		}

		// One past the cap fails, and an endless source of new groups
		// stops right there instead of growing.
		for _, src := range []*lmDistinct{{n: tt.cap + 1}, {n: -1}} {
			_, err := plan.Run(ctx, src)
			if e := apierr.As(err); e == nil || e.Code != apierr.TooManyGroups {
				t.Fatalf("cap %d, source of %d: error %v, want TOO_MANY_GROUPS", tt.cap, src.n, err)
			}
			if src.read != tt.cap+1 {
				t.Errorf("cap %d: the run read %d records, want it to stop at %d", tt.cap, src.read, tt.cap+1)
			}
		}

		// The table path and Merge apply the same cap.
		table, err := engine.NewTable(s, &lmDistinct{n: tt.cap + 1}, engine.TableOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := plan.RunTable(ctx, table); apierr.As(err) == nil || apierr.As(err).Code != apierr.TooManyGroups {
			t.Errorf("table path: error %v, want TOO_MANY_GROUPS", err)
		}
		half := tt.cap/2 + 1
		a, err := plan.RunPartial(ctx, &lmDistinct{n: half})
		if err != nil {
			t.Fatal(err)
		}
		b, err := plan.RunPartial(ctx, &lmDistinctFrom{start: half, n: half})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Merge(b); apierr.As(err) == nil || apierr.As(err).Code != apierr.TooManyGroups {
			t.Errorf("merging %d+%d groups with cap %d: error %v, want TOO_MANY_GROUPS", half, half, tt.cap, err)
		}
	}
}

// lmDistinctFrom yields n records with typeId values from start+1 on.
type lmDistinctFrom struct{ start, n, read int }

func (d *lmDistinctFrom) Next() (map[string]any, error) {
	if d.read >= d.n {
		return nil, io.EOF
	}
	d.read++
	return map[string]any{"typeId": fmt.Sprint("T", d.start+d.read)}, nil
}

func TestLimitDistinctGroupsFromMultipleFields(t *testing.T) {
	// 400 tags × 400 scores in one record make 160,000 combinations: the
	// cap must stop the product, on both paths.
	s := fzSchema(t)
	tags := make([]any, 400)
	scores := make([]any, 400)
	for i := range tags {
		tags[i] = fmt.Sprint("t", i)
		scores[i] = i
	}
	recs := []map[string]any{{"UF_CRM_TAGS": tags, "UF_CRM_SCORES": scores}}
	plan, err := engine.Compile(s, []byte(`{"groupBy":["UF_CRM_TAGS","UF_CRM_SCORES"]}`), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = plan.Run(context.Background(), engine.Maps(recs))
	if e := apierr.As(err); e == nil || e.Code != apierr.TooManyGroups {
		t.Errorf("stream: error %v, want TOO_MANY_GROUPS", err)
	}
	table, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = plan.RunTable(context.Background(), table)
	if e := apierr.As(err); e == nil || e.Code != apierr.TooManyGroups {
		t.Errorf("table: error %v, want TOO_MANY_GROUPS", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("hitting the group cap took %v", d)
	}
}

func lmRecordOfSize(t *testing.T, n int) string {
	t.Helper()
	head, tail := `{"name":"`, `"}`
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}

// lmReadAll drains a JSONSource and returns the records read and the error
// that ended it (nil for a clean end).
func lmReadAll(src *engine.JSONSource) (int, error) {
	n := 0
	for {
		_, err := src.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func lmWantRecords(t *testing.T, name, input string, limit int64, want int, wantErrAt int) {
	t.Helper()
	src := engine.NewJSONSource(strings.NewReader(input))
	src.MaxRecordBytes = limit
	n, err := lmReadAll(src)
	if wantErrAt < 0 {
		if err != nil || n != want {
			t.Errorf("%s: read %d records, error %v; want %d records and no error", name, n, err, want)
		}
		return
	}
	var ie *engine.InputError
	if !errors.As(err, &ie) || ie.Position != int64(wantErrAt) || n != wantErrAt || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("%s: read %d records, error %v; want a size error at record %d", name, n, err, wantErrAt)
	}
}

func TestLimitRecordSize(t *testing.T) {
	const limit = 1 << 20
	at := lmRecordOfSize(t, limit)
	over := lmRecordOfSize(t, limit+1)
	small := `{"name":"a"}`

	// Records alone on their line, where no separator comes before them.
	lmWantRecords(t, "lines, at the limit", small+"\n"+at+"\n", 0, 2, -1)
	lmWantRecords(t, "lines, over the limit", small+"\n"+over+"\n", 0, 1, 1)
	lmWantRecords(t, "array, over the limit", "["+small+","+over+"]", 0, 1, 1)
	lmWantRecords(t, "envelope, over the limit", `{"success":true,"data":[`+small+","+over+`]}`, 0, 1, 1)
	lmWantRecords(t, "configured limit", small+"\n"+lmRecordOfSize(t, 100)+"\n"+lmRecordOfSize(t, 101), 100, 2, 2)
	lmWantRecords(t, "configured above the default", lmRecordOfSize(t, 2<<20), 3<<20, 1, -1)
}

// A record's size runs from its first byte to its last, in every stream
// form: the comma and indentation before it do not count, and the first
// record's closing brace does.
func TestLimitRecordSizeExact(t *testing.T) {
	small := `{"name":"a"}`
	at := lmRecordOfSize(t, 100)
	over := lmRecordOfSize(t, 101)
	lmWantRecords(t, "pretty-printed array, at the limit", "[\n  "+small+",\n  "+at+"\n]", 100, 2, -1)
	lmWantRecords(t, "envelope, at the limit", `{"success": true, "data": [`+small+`, `+at+`]}`, 100, 2, -1)
	lmWantRecords(t, "first record, over the limit", over+"\n"+small, 100, 0, 0)
}

// Every record is measured, including those of an envelope with "data"
// before "success" and a first JSON Lines record with a "data" member.
func TestLimitRecordSizeUnchecked(t *testing.T) {
	over := lmRecordOfSize(t, 101)
	lmWantRecords(t, "envelope with data first", `{"data":[`+over+`],"success":true}`, 100, 0, 0)
	lmWantRecords(t, "first record with a data key", `{"data":"`+strings.Repeat("x", 200)+`"}`, 100, 0, 0)
}

// lmLongRecord streams one record that never ends: {"name":"xxxx… It
// stops handing out bytes after max and then reports EOF.
type lmLongRecord struct {
	prefix string
	sent   int64
	max    int64
}

func (r *lmLongRecord) Read(p []byte) (int, error) {
	if r.sent >= r.max {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.sent < r.max {
		if r.sent < int64(len(r.prefix)) {
			p[n] = r.prefix[r.sent]
		} else {
			p[n] = 'x'
		}
		n++
		r.sent++
	}
	return n, nil
}

// One long record costs at most a few times the record size limit: the
// stream is refused while the record is read, not after.
func TestLimitRecordSizeBoundsMemory(t *testing.T) {
	lmCheckLongRecords(t, `{"name":"`, `[{"name":"`, `{"success":true,"data":[{"name":"`)
}

// Known limitation: when the first object puts "data" before "success",
// it cannot be distinguished from a JSON Lines record until it ends, so its data
// array is held in memory whole and a long record in it is read to its end.
func TestLimitRecordSizeBoundsMemoryDataFirst(t *testing.T) {
	t.Skip("known limitation: an envelope with \"data\" before \"success\" is held in memory whole")
	lmCheckLongRecords(t, `{"data":[{"name":"`)
}

func lmCheckLongRecords(t *testing.T, prefixes ...string) {
	t.Helper()
	for _, prefix := range prefixes {
		r := &lmLongRecord{prefix: prefix, max: 64 << 20}
		src := engine.NewJSONSource(r)
		_, err := lmReadAll(src)
		if err == nil {
			t.Errorf("%s: no error for a 64 MiB record", prefix)
		}
		if r.sent > 4<<20 {
			t.Errorf("%s: read %d MiB of a record before refusing it; the limit is 1 MiB", prefix, r.sent>>20)
		}
	}
}

func TestLimitExponent(t *testing.T) {
	s := fzSchema(t)
	run := func(t *testing.T, opts engine.Options, field, body string, values ...any) (*engine.Result, string) {
		t.Helper()
		plan, err := engine.Compile(s, []byte(body), opts)
		if err != nil {
			t.Fatalf("Compile(%s): %v", body, err)
		}
		var recs []map[string]any
		for _, v := range values {
			recs = append(recs, map[string]any{field: v})
		}
		res, err := plan.Run(context.Background(), engine.Maps(recs))
		if err != nil {
			t.Fatal(err)
		}
		out := string(engine.AppendResponse(nil, res))
		table, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{MaxExponent: opts.MaxExponent})
		if err != nil {
			t.Fatal(err)
		}
		tres, err := plan.RunTable(context.Background(), table)
		if err != nil {
			t.Fatal(err)
		}
		if tout := string(engine.AppendResponse(nil, tres)); tout != out {
			t.Errorf("table %s\nstream %s", tout, out)
		}
		return res, out
	}

	for _, tt := range []struct {
		field, suffix string
	}{{"UF_CRM_QTY", ""}, {"UF_CRM_RATE", ""}, {"UF_CRM_LTV", "|RUB"}} {
		body := fmt.Sprintf(`{"aggregate":[{"field":%q,"function":"count"},{"field":%q,"function":"max"}]}`, tt.field, tt.field)
		for _, c := range []struct {
			opts    engine.Options
			valid   []any
			invalid []any
		}{
			{engine.Options{},
				[]any{"1e1000" + tt.suffix, "1E+1000" + tt.suffix, "1e0001000" + tt.suffix, json.Number("1e1000"), "  1e1000  " + tt.suffix},
				[]any{"1e1001" + tt.suffix, "1E+1001" + tt.suffix, json.Number("1e1001"), json.Number("1e999999"), "1e99999999999999999999999999" + tt.suffix}},
			{engine.Options{MaxExponent: 5},
				[]any{"1e5" + tt.suffix, json.Number("1e5"), "2E+5" + tt.suffix},
				[]any{"1e6" + tt.suffix, json.Number("1e6"), "1e1000" + tt.suffix}},
		} {
			res, out := run(t, c.opts, tt.field, body, append(append([]any{}, c.valid...), c.invalid...)...)
			if res.Meta.InvalidValues != int64(len(c.invalid)) || res.Aggregates[0].Values[0].Value.Decimal.IntPart() != int64(len(c.valid)) {
				t.Errorf("%s, MaxExponent %d: %s; want %d valid and %d invalid values",
					tt.field, c.opts.MaxExponent, out, len(c.valid), len(c.invalid))
			}
		}
	}

	// Negative exponents have the same bound, for doubles and money.
	for _, field := range []string{"UF_CRM_RATE", "UF_CRM_LTV"} {
		res, out := run(t, engine.Options{}, field, fmt.Sprintf(`{"aggregate":[{"field":%q,"function":"min"}]}`, field),
			"1e-1000", json.Number("1E-1000"), "1e-1001", json.Number("1e-1001"))
		if res.Meta.InvalidValues != 2 || !strings.Contains(out, `"min":0.`+strings.Repeat("0", 999)+`1}`) {
			t.Errorf("%s: %s; want min 1e-1000 in plain notation and 2 invalid values", field, out)
		}
	}

	// Filter values follow the same bound.
	lmWantOK(t, s, `{"filter":{"UF_CRM_QTY":{"$gt":1e1000}}}`, engine.Options{})
	lmWantErr(t, s, `{"filter":{"UF_CRM_QTY":{"$gt":1e1001}}}`, engine.Options{}, apierr.InvalidFilterOperator, "UF_CRM_QTY")
	lmWantErr(t, s, `{"filter":{"UF_CRM_LTV":"1e6|RUB"}}`, engine.Options{MaxExponent: 5}, apierr.InvalidFilterOperator, "UF_CRM_LTV")
	lmWantOK(t, s, `{"filter":{"UF_CRM_LTV":"1e5|RUB"}}`, engine.Options{MaxExponent: 5})
}

func TestLimitExactBigNumbers(t *testing.T) {
	// 400-digit integers and their sum keep every digit.
	s := fzSchema(t)
	big := "1" + strings.Repeat("0", 399)
	plan, err := engine.Compile(s, []byte(`{"aggregate":[{"field":"UF_CRM_QTY","function":"sum"},{"field":"UF_CRM_QTY","function":"avg"},{"field":"UF_CRM_LTV","function":"sum"}]}`), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs := []map[string]any{
		{"UF_CRM_QTY": json.Number(big), "UF_CRM_LTV": big + "|RUB"},
		{"UF_CRM_QTY": big, "UF_CRM_LTV": json.Number(big)},
		{"UF_CRM_QTY": json.Number("1")},
	}
	out := respondBoth(t, s, plan, recs, engine.TableOptions{})
	sum := "2" + strings.Repeat("0", 398) + "1"
	avg := strings.Repeat("6", 398) + "7"
	want := fmt.Sprintf(`"UF_CRM_QTY":{"sum":%s,"avg":%s},"UF_CRM_LTV":{"sum":2%s}`, sum, avg, strings.Repeat("0", 399))
	if !strings.Contains(out, want) {
		t.Errorf("got %s\nwant it to contain %s", out, want)
	}
}

// respondBoth runs a plan over records on the stream and the table paths,
// fails when they differ, and returns the response.
func respondBoth(t *testing.T, s *schema.Schema, plan *engine.Plan, recs []map[string]any, topts engine.TableOptions) string {
	t.Helper()
	res, err := plan.Run(context.Background(), engine.Maps(recs))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	out := string(engine.AppendResponse(nil, res))
	table, err := engine.NewTable(s, engine.Maps(recs), topts)
	if err != nil {
		t.Fatalf("NewTable: %v", err)
	}
	tres, err := plan.RunTable(context.Background(), table)
	if err != nil {
		t.Fatalf("RunTable: %v", err)
	}
	if tout := string(engine.AppendResponse(nil, tres)); tout != out {
		t.Errorf("table and stream differ:\ntable  %s\nstream %s", tout, out)
	}
	return out
}

func TestLimitRecordLimit(t *testing.T) {
	s := fzSchema(t)
	body := `{"filter":{"typeId":"A"},"aggregate":[{"field":"UF_CRM_QTY","function":"sum"},{"field":"UF_CRM_QTY","function":"max"}]}`
	// Matching records are interleaved with others: the limit counts
	// matching records only, in source order.
	records := func(matching int) []map[string]any {
		var recs []map[string]any
		for i := 1; i <= matching; i++ {
			recs = append(recs, map[string]any{"typeId": "A", "UF_CRM_QTY": i}, map[string]any{"typeId": "B", "UF_CRM_QTY": 1000000})
		}
		return recs
	}
	sumTo := func(n int) int { return n * (n + 1) / 2 }
	for _, tt := range []struct {
		limit, matching, processed int
		truncated                  bool
	}{
		{0, 5000, 5000, false},
		{0, 5001, 5000, true},
		{7, 7, 7, false},
		{7, 8, 7, true},
		{-1, 6000, 6000, false},
	} {
		plan, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: tt.limit})
		if err != nil {
			t.Fatal(err)
		}
		out := respondBoth(t, s, plan, records(tt.matching), engine.TableOptions{})
		want := fmt.Sprintf(`{"success":true,"data":{"count":%d,"aggregates":{"UF_CRM_QTY":{"sum":%d,"max":%d}},"meta":{"totalRecords":%d,"recordsProcessed":%d,"truncated":%t}}}`+"\n",
			tt.matching, sumTo(tt.processed), tt.processed, tt.matching, tt.processed, tt.truncated)
		if out != want {
			t.Errorf("limit %d, %d matching:\n got %s\nwant %s", tt.limit, tt.matching, out, want)
		}
	}

	// A count-only request processes nothing, whatever the limit.
	plan, err := engine.Compile(s, []byte(`{"filter":{"typeId":"A"},"aggregate":[{"field":"*","function":"count"}]}`), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := respondBoth(t, s, plan, records(5001), engine.TableOptions{})
	if !strings.Contains(out, `"count":5001,"aggregates":{},"meta":{"totalRecords":5001,"recordsProcessed":0,"truncated":false}`) {
		t.Errorf("count only: %s", out)
	}
}

func TestLimitGroupLimit(t *testing.T) {
	s := fzSchema(t)
	recs := []map[string]any{
		{"typeId": "A"}, {"typeId": "A"}, {"typeId": "A"}, {"typeId": "B"}, {"typeId": "B"}, {"typeId": "C"}, {},
	}
	for _, tt := range []struct {
		groupLimit int
		groups     string
		truncated  bool
	}{
		{0, `"A","B","C",null`, false},
		{4, `"A","B","C",null`, false},
		{5, `"A","B","C",null`, false},
		{3, `"A","B","C"`, true},
		{1, `"A"`, true},
	} {
		plan, err := engine.Compile(s, []byte(`{"groupBy":"typeId"}`), engine.Options{GroupLimit: tt.groupLimit})
		if err != nil {
			t.Fatal(err)
		}
		res, err := plan.Run(context.Background(), engine.Maps(recs))
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, g := range res.Groups {
			if g.Values[0].State != schema.Valid {
				keys = append(keys, "null")
			} else {
				keys = append(keys, fmt.Sprintf("%q", g.Values[0].Text))
			}
		}
		if strings.Join(keys, ",") != tt.groups || res.Meta.GroupTotal != 4 || res.Meta.GroupsTruncated != tt.truncated {
			t.Errorf("group limit %d: groups %v, total %d, truncated %v; want %s, 4, %v",
				tt.groupLimit, keys, res.Meta.GroupTotal, res.Meta.GroupsTruncated, tt.groups, tt.truncated)
		}
		respondBoth(t, s, plan, recs, engine.TableOptions{})
	}
}

// lmAllocs returns the bytes allocated while fn runs.
func lmAllocs(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestLimitDeepRequestIsCheap(t *testing.T) {
	// A request nested n levels deep once cost memory in n², because the
	// parser built the JSON Pointer of every node from its parent's.
	// 10,000 levels are a 10 KB body.
	s := fzSchema(t)
	for _, body := range []string{
		`{"filter":` + strings.Repeat("[", 10000),
		`{"groupBy":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
		`{"filter":` + strings.Repeat(`{"a":`, 10000),
	} {
		var err error
		allocated := lmAllocs(func() { _, err = engine.Compile(s, []byte(body), engine.Options{}) })
		if apierr.As(err) == nil || apierr.As(err).Code != apierr.InvalidParams {
			t.Errorf("error %v, want INVALID_PARAMS", err)
		}
		if allocated > 16<<20 {
			t.Errorf("Compile of a %d-byte body allocated %d MiB", len(body), allocated>>20)
		}
	}
}

func TestLimitDeepRequestAtBodyLimit(t *testing.T) {
	// The same at the default body limit: 1 MiB of "[" once asked for
	// about a terabyte and the process was killed.
	s := fzSchema(t)
	body := `{"filter":` + strings.Repeat("[", engine.DefaultMaxBodyBytes-len(`{"filter":`))
	start := time.Now()
	_, err := engine.Compile(s, []byte(body), engine.Options{})
	if apierr.As(err) == nil {
		t.Errorf("error %v, want INVALID_PARAMS", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Compile took %v", d)
	}
}

func TestLimitDeepRecord(t *testing.T) {
	// A record nested deeper than encoding/json allows is an input error
	// naming the record, whatever its size.
	for _, depth := range []int{10001, 500000} {
		rec := `{"a":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
		input := `{"name":"ok"}` + "\n" + rec + "\n"
		src := engine.NewJSONSource(strings.NewReader(input))
		src.MaxRecordBytes = 2 << 20
		n, err := lmReadAll(src)
		var ie *engine.InputError
		if n != 1 || !errors.As(err, &ie) || ie.Position != 1 {
			t.Errorf("depth %d: read %d records, error %v; want an input error at record 1", depth, n, err)
		}
	}
	// A deep value inside the limits of the decoder is an ordinary record.
	rec := `{"a":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `,"name":"x"}`
	if n, err := lmReadAll(engine.NewJSONSource(bytes.NewReader([]byte(rec)))); n != 1 || err != nil {
		t.Errorf("depth 1000: read %d records, error %v", n, err)
	}
}
