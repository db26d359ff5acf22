package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

const testFields = `{
  "typeId": {"type": "crm_status"},
  "assignedById": {"type": "user"},
  "name": {"type": "string"},
  "UF_CRM_LTV": {"type": "money", "isDynamic": true},
  "UF_CRM_COUNT": {"type": "integer", "isDynamic": true},
  "UF_CRM_TAGS": {"type": "string", "isDynamic": true, "isMultiple": true}
}`

func testSchema(t testing.TB) *schema.Schema {
	t.Helper()
	s, err := schema.Load("contacts", []byte(testFields))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func compile(t testing.TB, s *schema.Schema, body string, opts engine.Options) *engine.Plan {
	t.Helper()
	p, err := engine.Compile(s, []byte(body), opts)
	if err != nil {
		t.Fatalf("Compile(%s): %v", body, err)
	}
	return p
}

func respond(t testing.TB, p *engine.Plan, src engine.Source) string {
	t.Helper()
	res, err := p.Run(context.Background(), src)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return string(engine.AppendResponse(nil, res))
}

func generatedRecords(n int) []map[string]any {
	types := []string{"CLIENT", "PARTNER", "SUPPLIER", ""}
	recs := make([]map[string]any, n)
	for i := range recs {
		recs[i] = map[string]any{
			"typeId":       types[i%len(types)],
			"assignedById": json.Number(fmt.Sprint(i % 7)),
			"UF_CRM_LTV":   fmt.Sprintf("%d.%02d|RUB", i%1000, i%100),
			"UF_CRM_COUNT": i % 13,
			"UF_CRM_TAGS":  []any{"t" + fmt.Sprint(i%3), "t" + fmt.Sprint(i%5)},
		}
	}
	return recs
}

func TestPlanRunConcurrently(t *testing.T) {
	s := testSchema(t)
	p := compile(t, s, `{"groupBy": ["typeId", "UF_CRM_TAGS"], "aggregate": [
		{"field": "UF_CRM_LTV", "function": "sum"}, {"field": "UF_CRM_LTV", "function": "avg"},
		{"field": "UF_CRM_COUNT", "function": "max"}]}`, engine.Options{RecordLimit: -1})
	recs := generatedRecords(3000)
	want := respond(t, p, engine.Maps(recs))

	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := p.Run(context.Background(), engine.Maps(recs))
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = string(engine.AppendResponse(nil, res))
		}()
	}
	wg.Wait()
	for i, got := range results {
		if got != want {
			t.Errorf("goroutine %d result differs:\n got %s\nwant %s", i, got, want)
		}
	}
}

// endless yields the same record forever.
type endless struct{ rec map[string]any }

func (e endless) Next() (map[string]any, error) { return e.rec, nil }

func TestRunStopsOnCancel(t *testing.T) {
	p := compile(t, testSchema(t), `{"groupBy": "typeId"}`, engine.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Run(ctx, endless{rec: map[string]any{"typeId": "CLIENT"}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run error = %v, want context.Canceled", err)
	}
}

// cancelAfter cancels its context once n records have been read.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Next() (map[string]any, error) {
	c.n--
	if c.n == 0 {
		c.cancel()
	}
	return map[string]any{"typeId": "CLIENT"}, nil
}

func TestRunStopsMidStream(t *testing.T) {
	p := compile(t, testSchema(t), `{}`, engine.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	src := &cancelAfter{n: 5000, cancel: cancel}
	_, err := p.Run(ctx, src)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
	if src.n < -2048 {
		t.Errorf("Run read %d records after the cancel", -src.n)
	}
}

func TestMapsValueTypes(t *testing.T) {
	p := compile(t, testSchema(t), `{"groupBy": "UF_CRM_COUNT", "aggregate": [{"field": "UF_CRM_COUNT", "function": "sum"}]}`, engine.Options{})
	recs := []map[string]any{
		{"UF_CRM_COUNT": json.Number("9007199254740993")},
		{"UF_CRM_COUNT": "9007199254740993"},
		{"UF_CRM_COUNT": int64(9007199254740993)},
		{"UF_CRM_COUNT": uint64(1)},
		{"UF_CRM_COUNT": 1.0},
		{"UF_CRM_COUNT": int8(1)},
	}
	got := respond(t, p, engine.Maps(recs))
	want := `{"success":true,"data":{"count":6,"aggregates":{"UF_CRM_COUNT":{"sum":27021597764222982}},` +
		`"groups":[{"UF_CRM_COUNT":1,"count":3,"aggregates":{"UF_CRM_COUNT":{"sum":3}}},` +
		`{"UF_CRM_COUNT":9007199254740993,"count":3,"aggregates":{"UF_CRM_COUNT":{"sum":27021597764222979}}}],` +
		`"meta":{"totalRecords":6,"recordsProcessed":6,"truncated":false,"groupTotal":2,"groupsTruncated":false}}}` + "\n"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestStrictDataError(t *testing.T) {
	p := compile(t, testSchema(t), `{"aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}]}`, engine.Options{Strict: true})
	recs := []map[string]any{{"UF_CRM_LTV": "1|RUB"}, {"UF_CRM_LTV": ""}, {"UF_CRM_LTV": "1,5|RUB"}}
	_, err := p.Run(context.Background(), engine.Maps(recs))
	var de *engine.DataError
	if !errors.As(err, &de) || de.Position != 2 || de.Field != "UF_CRM_LTV" {
		t.Fatalf("Run error = %v, want a data error at record 2", err)
	}
	want := `record 2: invalid value "1,5|RUB" in field 'UF_CRM_LTV' of type money`
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}

func TestTooManyGroups(t *testing.T) {
	s := testSchema(t)
	recs := generatedRecords(100) // 7 distinct assignees
	for _, tt := range []struct {
		max     int
		wantErr bool
	}{{7, false}, {6, true}, {-1, false}} {
		p := compile(t, s, `{"groupBy": "assignedById"}`, engine.Options{MaxGroups: tt.max})
		_, err := p.Run(context.Background(), engine.Maps(recs))
		e := apierr.As(err)
		if tt.wantErr != (e != nil && e.Code == apierr.TooManyGroups) {
			t.Errorf("MaxGroups %d: error = %v, want TOO_MANY_GROUPS %v", tt.max, err, tt.wantErr)
		}
	}
}

func TestGroupLimit(t *testing.T) {
	p := compile(t, testSchema(t), `{"groupBy": "assignedById"}`, engine.Options{GroupLimit: 2})
	res, err := p.Run(context.Background(), engine.Maps(generatedRecords(70)))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Groups) != 2 || res.Meta.GroupTotal != 7 || !res.Meta.GroupsTruncated {
		t.Errorf("groups %d, total %d, truncated %v; want 2, 7, true", len(res.Groups), res.Meta.GroupTotal, res.Meta.GroupsTruncated)
	}
}

func TestCompileBodyChecks(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		name string
		body string
		opts engine.Options
		want string
	}{
		{"empty body", ``, engine.Options{}, "unexpected end of input"},
		{"malformed", `{"groupBy": }`, engine.Options{}, "invalid JSON"},
		{"trailing data", `{} {}`, engine.Options{}, "unexpected data after the top-level value"},
		{"duplicate key", `{"groupBy": "typeId", "groupBy": "name"}`, engine.Options{}, "duplicate key 'groupBy'"},
		{"nested duplicate key", `{"filter": {"typeId": 1, "typeId": 2}}`, engine.Options{}, "duplicate key 'typeId' in the object at /filter"},
		{"invalid UTF-8", "{\"groupBy\": \"\xff\"}", engine.Options{}, "invalid UTF-8 at byte offset 13"},
		{"null body", `null`, engine.Options{}, "must be a JSON object, got null"},
		{"too large", `{"groupBy": "typeId"}`, engine.Options{MaxBodyBytes: 10}, "more than the limit of 10 bytes"},
		{"uppercase function", `{"aggregate": [{"field": "UF_CRM_COUNT", "function": "SUM"}]}`, engine.Options{}, "function 'SUM' is not supported"},
		{"strict element key", `{"aggregate": [{"field": "*", "function": "count", "as": "n"}]}`, engine.Options{Strict: true}, "unknown key 'as'"},
		{"two spellings", `{"groupBy": ["UF_CRM_LTV", "ufCrmLtv"]}`, engine.Options{}, "'UF_CRM_LTV' and 'ufCrmLtv' name the same field"},
		{"string UF summed", `{"aggregate": [{"field": "UF_CRM_TAGS", "function": "sum"}]}`, engine.Options{}, "Numeric fields: UF_CRM_LTV, UF_CRM_COUNT"},
		{"unknown UF hint", `{"groupBy": "UF_CRM_NOPE"}`, engine.Options{UnknownUFHint: "pass --fields"}, "UF_CRM_TAGS. pass --fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.Compile(s, []byte(tt.body), tt.opts)
			e := apierr.As(err)
			if e == nil || e.Code != apierr.InvalidParams {
				t.Fatalf("error = %v, want INVALID_PARAMS", err)
			}
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("message = %q, want it to contain %q", e.Message, tt.want)
			}
		})
	}
}

func TestCompileLenientUnknownKeys(t *testing.T) {
	s := testSchema(t)
	for _, body := range []string{
		`{"select": ["id"], "limit": 10}`,
		`{"aggregate": [{"field": "*", "function": "count", "as": "n"}]}`,
		`{"filter": null, "groupBy": null, "aggregate": null}`,
		`{"filter": {}}`,
	} {
		if _, err := engine.Compile(s, []byte(body), engine.Options{}); err != nil {
			t.Errorf("Compile(%s): %v", body, err)
		}
	}
}

func TestOutputKeyOrder(t *testing.T) {
	p := compile(t, testSchema(t), `{"groupBy": ["typeId", "assignedById"], "aggregate": [
		{"field": "UF_CRM_COUNT", "function": "max"}, {"field": "ufCrmLtv", "function": "sum"},
		{"field": "UF_CRM_COUNT", "function": "count"}, {"field": "UF_CRM_LTV", "function": "min"}]}`, engine.Options{})
	recs := []map[string]any{{"typeId": "A", "assignedById": 1, "UF_CRM_COUNT": "x", "UF_CRM_LTV": "-0|RUB"}}
	got := respond(t, p, engine.Maps(recs))
	want := `{"success":true,"data":{"count":1,` +
		`"aggregates":{"UF_CRM_COUNT":{"max":null,"count":0},"ufCrmLtv":{"sum":0,"min":0}},` +
		`"groups":[{"typeId":"A","assignedById":1,"count":1,"aggregates":{"UF_CRM_COUNT":{"max":null,"count":0},"ufCrmLtv":{"sum":0,"min":0}}}],` +
		`"meta":{"totalRecords":1,"recordsProcessed":1,"truncated":false,"groupTotal":1,"groupsTruncated":false,"invalidValues":1}}}` + "\n"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestIndent(t *testing.T) {
	compact := []byte(`{"success":true,"data":{"count":1,"aggregates":{"a":{"sum":1.5}}}}` + "\n")
	want := "{\n  \"success\": true,\n  \"data\": {\n    \"count\": 1,\n    \"aggregates\": {\n      \"a\": {\n        \"sum\": 1.5\n      }\n    }\n  }\n}\n"
	if got := string(engine.Indent(compact)); got != want {
		t.Errorf("Indent =\n%s\nwant\n%s", got, want)
	}
}

// errorSource fails after its records.
type errorSource struct{ err error }

func (e errorSource) Next() (map[string]any, error) { return nil, e.err }

func TestRunPassesSourceErrors(t *testing.T) {
	p := compile(t, testSchema(t), `{}`, engine.Options{})
	if _, err := p.Run(context.Background(), errorSource{err: io.ErrUnexpectedEOF}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Run error = %v, want the source's error", err)
	}
}

func TestPartialMergeEqualsOneRun(t *testing.T) {
	s := testSchema(t)
	p := compile(t, s, `{"groupBy": ["typeId", "UF_CRM_TAGS"], "aggregate": [
		{"field": "UF_CRM_LTV", "function": "sum"}, {"field": "UF_CRM_LTV", "function": "avg"},
		{"field": "UF_CRM_LTV", "function": "min"}, {"field": "UF_CRM_COUNT", "function": "max"},
		{"field": "UF_CRM_COUNT", "function": "count"}]}`, engine.Options{RecordLimit: -1})
	recs := generatedRecords(1000)
	recs[17]["UF_CRM_LTV"] = "1e30|RUB" // takes the exact decimal fallback
	want := respond(t, p, engine.Maps(recs))

	merged := p.NewPartial()
	for _, shard := range [][]map[string]any{recs[:100], recs[100:101], recs[101:700], recs[700:], nil} {
		part, err := p.RunPartial(context.Background(), engine.Maps(shard))
		if err != nil {
			t.Fatal(err)
		}
		if err := merged.Merge(part); err != nil {
			t.Fatal(err)
		}
	}
	if got := string(engine.AppendResponse(nil, merged.Result())); got != want {
		t.Errorf("merged shards:\n got %s\nwant %s", got, want)
	}

	other := compile(t, s, `{}`, engine.Options{})
	if err := merged.Merge(other.NewPartial()); !errors.Is(err, engine.ErrPlanMismatch) {
		t.Errorf("Merge of another plan's state: %v, want ErrPlanMismatch", err)
	}
}
