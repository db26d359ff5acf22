package engine_test

// Fuzz targets for the two entry points that read bytes from outside:
// Compile (the request body) and JSONSource (the record stream). Each
// target checks what must hold for any input, not just that nothing
// panics: typed errors with useful messages, the stream and table paths
// agreeing byte for byte, and JSONSource agreeing with a reader built on
// encoding/json.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

// fzFields is a schema with a field of every kind, single and multiple.
const fzFields = `{
 "typeId": {"type": "crm_status"},
 "sourceId": {"type": "crm_status"},
 "assignedById": {"type": "user"},
 "id": {"type": "integer"},
 "name": {"type": "string"},
 "opened": {"type": "boolean"},
 "createdAt": {"type": "datetime"},
 "birthdate": {"type": "date"},
 "UF_CRM_LTV": {"type": "money", "isDynamic": true},
 "UF_CRM_QTY": {"type": "integer", "isDynamic": true},
 "UF_CRM_RATE": {"type": "double", "isDynamic": true},
 "UF_CRM_VIP": {"type": "boolean", "isDynamic": true},
 "UF_CRM_LEVEL": {"type": "enumeration", "isDynamic": true, "items": [{"ID": "101", "VALUE": "Low"}, {"ID": "102", "VALUE": "High"}]},
 "UF_CRM_TAGS": {"type": "string", "isDynamic": true, "isMultiple": true},
 "UF_CRM_SCORES": {"type": "integer", "isDynamic": true, "isMultiple": true},
 "UF_CRM_FEES": {"type": "money", "isDynamic": true, "isMultiple": true},
 "UF_CRM_DAY": {"type": "date", "isDynamic": true},
 "UF_CRM_SEEN": {"type": "datetime", "isDynamic": true},
 "UF_CRM_DAYS": {"type": "date", "isDynamic": true, "isMultiple": true},
 "ufCrm_1700000002": {"type": "double", "isDynamic": true},
 "UF_CRM_GEO": {"type": "rest_12_geo", "isDynamic": true}
}`

// fzRecords is the fixed record set the compiled plans run over, as JSON
// Lines. It mixes valid, empty and invalid values of every kind.
const fzRecords = `{"id": 1, "typeId": "CLIENT", "sourceId": "WEB", "assignedById": 1, "name": "Anna", "opened": "Y", "createdAt": "2026-01-05T10:00:00+03:00", "birthdate": "1990-02-03", "UF_CRM_LTV": "1500.50|RUB", "UF_CRM_QTY": 3, "UF_CRM_RATE": 0.1, "UF_CRM_VIP": true, "UF_CRM_LEVEL": 101, "UF_CRM_TAGS": ["a", "b"], "UF_CRM_SCORES": [1, 2, 2], "UF_CRM_FEES": ["10|USD", "20|RUB"], "UF_CRM_DAY": "2026-01-05", "UF_CRM_SEEN": "2026-01-05T07:00:00Z", "UF_CRM_DAYS": ["2026-01-01", "2026-01-02"], "ufCrm_1700000002": "2.5", "UF_CRM_GEO": "55.7,37.6"}
{"id": "2", "typeId": "PARTNER", "assignedById": "2", "name": "Boris", "opened": "N", "createdAt": "2026-01-05T07:00:00Z", "UF_CRM_LTV": "700|", "UF_CRM_QTY": "4", "UF_CRM_RATE": "0.2", "UF_CRM_VIP": "N", "UF_CRM_LEVEL": "102", "UF_CRM_TAGS": "b", "UF_CRM_SCORES": "7", "UF_CRM_FEES": "5|USD", "UF_CRM_DAY": "2026-01-05T23:00:00-05:00", "UF_CRM_SEEN": "2026-01-05T10:00:00+03:00"}
{"id": 3, "typeId": "", "assignedById": null, "name": "", "opened": 1, "UF_CRM_LTV": "|RUB", "UF_CRM_QTY": "1.5", "UF_CRM_RATE": "NaN", "UF_CRM_VIP": "maybe", "UF_CRM_LEVEL": "Low", "UF_CRM_TAGS": [], "UF_CRM_SCORES": ["x", 3], "UF_CRM_FEES": [], "UF_CRM_DAY": "2026-02-30", "UF_CRM_SEEN": "yesterday"}
{"id": 4, "typeId": "CLIENT", "assignedById": 1.0, "name": 12.50, "UF_CRM_LTV": "1.0E+25|RUB", "UF_CRM_QTY": "1E+1", "UF_CRM_RATE": "1500,50", "UF_CRM_TAGS": ["a", "a", ""], "UF_CRM_SCORES": [], "UF_CRM_FEES": ["1e1001|RUB", "-0|RUB"], "ufCrm1700000002": "1e-30"}
{"id": 5, "typeId": ["CLIENT"], "assignedById": "abc", "UF_CRM_LTV": "-200|RUB", "UF_CRM_QTY": 9007199254740993, "UF_CRM_RATE": "  7  ", "UF_CRM_VIP": "1", "UF_CRM_LEVEL": 999, "UF_CRM_TAGS": "c", "UF_CRM_SCORES": 9223372036854775807, "UF_CRM_DAYS": "2026-01-01"}
{"id": 6, "typeId": "SUPPLIER", "assignedById": 3, "UF_CRM_LTV": 1000, "UF_CRM_QTY": "  ", "UF_CRM_RATE": "1e1000", "UF_CRM_TAGS": ["c", ["nested"]], "UF_CRM_SCORES": [-1, "-1.0"], "UF_CRM_FEES": "  ", "UF_CRM_SEEN": "2026-01-05T10:00:00.500"}
{"id": 7, "typeId": "PARTNER", "assignedById": 2, "UF_CRM_LTV": "1000|", "UF_CRM_QTY": -0, "UF_CRM_RATE": "-0.000", "UF_CRM_VIP": "true", "UF_CRM_TAGS": ["d"], "UF_CRM_DAY": "2026-01-05", "UF_CRM_GEO": {"lat": 1}}
{"id": 8, "typeId": "CLIENT", "assignedById": "1", "UF_CRM_LTV": " 2300.5 | USD ", "UF_CRM_QTY": "99999999999999999999", "UF_CRM_RATE": ".5", "UF_CRM_TAGS": ["b", "a"], "UF_CRM_SCORES": [5]}
{"id": 9, "UF_CRM_LTV": "1,5|RUB", "UF_CRM_QTY": true, "UF_CRM_RATE": "1e1001", "UF_CRM_LEVEL": "101", "UF_CRM_SEEN": "2026-01-05T10:00:00"}
{"id": 10, "typeId": "CLIENT", "assignedById": 4, "UF_CRM_LTV": "5.|EUR", "UF_CRM_QTY": "-3", "UF_CRM_RATE": -2.25, "UF_CRM_TAGS": "Ünïcode", "UF_CRM_FEES": ["1|2|3", "3|EUR"]}
{"id": 11, "typeId": "client", "assignedById": 4, "UF_CRM_LTV": "+100|RUB", "UF_CRM_QTY": 0, "UF_CRM_RATE": 1E+2, "UF_CRM_SCORES": [0, 0, "0"]}
{"id": 12, "typeId": "CLIENT", "assignedById": 1, "UF_CRM_LTV": ".5|RUB", "UF_CRM_QTY": 2, "ufCrmQty": 5, "UF_CRM_RATE": "123456789012345678901234567890.123"}
{"id": 13, "typeId": "PARTNER", "ufCrmLtv": "42|RUB", "ufCrmTags": ["z"], "UF_CRM_QTY": "0x10"}
{"id": 14, "typeId": "PARTNER", "assignedById": 2, "UF_CRM_LTV": "0.000000000000000000001|RUB", "UF_CRM_RATE": "0.000000000000000000001"}
`

var fzMoscow = time.FixedZone("MSK", 3*3600)

// fzOptions are the option sets a fuzz input picks from.
var fzOptions = []engine.Options{
	{},
	{Strict: true},
	{RecordLimit: -1, GroupLimit: 2, AvgPlaces: 3, Location: fzMoscow},
	{RecordLimit: 2, MaxGroups: 2, MaxFilterDepth: 3, MaxFilterConditions: 4, MaxListValues: 3, MaxExponent: 10, MaxBodyBytes: 300},
	{RecordLimit: -1, AvgPlaces: -1, MaxGroups: -1, Location: time.FixedZone("", -(5*3600 + 30*60))},
}

func fzSchema(t testing.TB) *schema.Schema {
	t.Helper()
	s, err := schema.Load("contacts", []byte(fzFields))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fzDecodedRecords(t testing.TB) []map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(fzRecords))
	dec.UseNumber()
	var recs []map[string]any
	for {
		var rec map[string]any
		err := dec.Decode(&rec)
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

// fzOutcome describes the end of a run in a form two paths can be compared
// by: the response bytes, or the error class and its details.
func fzOutcome(res *engine.Result, err error) string {
	if err == nil {
		return string(engine.AppendResponse(nil, res))
	}
	if e := apierr.As(err); e != nil {
		return string(engine.AppendErrorResponse(nil, e))
	}
	var de *engine.DataError
	if errors.As(err, &de) {
		return fmt.Sprintf("data error at %d in %s", de.Position, de.Field)
	}
	return "other error: " + err.Error()
}

// fzRequestSeeds are request bodies written by hand, the nasty ones first.
var fzRequestSeeds = []string{
	``, ` `, `null`, `[]`, `{}`, `{} {}`, `{"groupBy": }`, `{"a":1,"a":2}`, "{\"groupBy\": \"\xff\"}",
	`{"groupBy": "typeId"}`,
	`{"groupBy": ["typeId", "UF_CRM_TAGS"], "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}, {"field": "UF_CRM_LTV", "function": "avg"}]}`,
	`{"groupBy": ["UF_CRM_SEEN", "UF_CRM_DAY", "UF_CRM_VIP", "UF_CRM_LEVEL", "UF_CRM_LTV"]}`,
	`{"groupBy": ["UF_CRM_DAYS", "UF_CRM_SCORES", "UF_CRM_FEES"], "aggregate": [{"field": "UF_CRM_FEES", "function": "max"}, {"field": "UF_CRM_SCORES", "function": "min"}]}`,
	`{"aggregate": [{"field": "UF_CRM_RATE", "function": "sum"}, {"field": "ufCrmRate", "function": "avg"}, {"field": "UF_CRM_RATE", "function": "min"}, {"field": "*", "function": "count"}]}`,
	`{"aggregate": [{"field": "ufCrm1700000002", "function": "max"}, {"field": "UF_CRM_QTY", "function": "count"}]}`,
	`{"filter": {"$or": [{"typeId": "CLIENT"}, {">=UF_CRM_LTV": 1000}]}, "groupBy": "assignedById"}`,
	`{"filter": {"0": {"logic": "OR", "0": {"typeId": "CLIENT"}, "1": {"%name": "an"}}}}`,
	`{"filter": {"><UF_CRM_QTY": [1, 5], "!@typeId": ["X"], "=%name": "A%", "!UF_CRM_TAGS": null}}`,
	`{"filter": {"createdAt": {"$gte": "2026-01-05", "$lt": "2026-01-06T00:00:00+03:00"}, "UF_CRM_DAY": {"$in": ["2026-01-05", null]}}}`,
	`{"filter": {"UF_CRM_VIP": {"$gt": true}}}`,
	`{"filter": {"UF_CRM_LTV": {"$eq": "1500.5|RUB"}, "opened": [true, "N"]}}`,
	`{"filter": {"$and": [{"$and": [{"$and": [{"$and": [{"typeId": "CLIENT"}]}]}]}]}}`,
	`{"filter": {"id": {"$in": [1, 2, 3, 4, 5]}}}`,
	`{"filter": {"UF_CRM_QTY": 1e1001}}`,
	`{"filter": {"$or": {"logic": "OR"}}}`,
	`{"filter": {"$nor": []}}`,
	`{"filter": {"typeId": {}}}`,
	`{"filter": {">typeId": {"$eq": 1}}}`,
	`{"groupBy": [], "aggregate": [], "filter": {}}`,
	`{"groupBy": ["typeId", "typeId"]}`,
	`{"groupBy": ["a", "b", "c", "d", "e", "f"]}`,
	`{"aggregate": [{"field": "*", "function": "sum"}]}`,
	`{"aggregate": [{"function": "sum"}]}`,
	`{"aggregate": [{"field": "name", "function": "count"}]}`,
	`{"aggregate": [{"field": "UF_CRM_NOPE", "function": "count"}]}`,
	`{"select": ["id"], "groupBy": "typeId"}`,
	`{"groupBy": "typeId", "aggregate": [{"field": "UF_CRM_LTV", "function": "sum", "as": "x"}]}`,
	`{"filter": {"name": {"$contains": "ü"}}, "groupBy": "UF_CRM_GEO"}`,
	`{"groupBy":"typeId","filter":{"UF_CRM_RATE":{"$gt":-1e1000}}}`,
	`{"filter": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	`{"groupBy": "typeId", "aggregate": [{"field": "UF_CRM_QTY", "function": "avg"}, {"field": "UF_CRM_QTY", "function": "avg"}]}`,
}

// fzCaseRequests returns the request bodies of the end-to-end case files,
// which make a broad seed corpus.
func fzCaseRequests() []string {
	var out []string
	for _, pattern := range []string{"../testdata/cases/*.jsonl", "../testdata/conformance/*.jsonl"} {
		paths, _ := filepath.Glob(pattern)
		for _, path := range paths {
			f, err := os.Open(path)
			if err != nil {
				continue
			}
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
			for sc.Scan() {
				var c struct {
					Request json.RawMessage `json:"request"`
				}
				if json.Unmarshal(sc.Bytes(), &c) == nil && len(c.Request) > 0 {
					out = append(out, string(c.Request))
				}
			}
			f.Close()
		}
	}
	return out
}

func FuzzCompile(f *testing.F) {
	for i, body := range fzRequestSeeds {
		f.Add([]byte(body), uint8(i%len(fzOptions)))
	}
	for i, body := range fzCaseRequests() {
		f.Add([]byte(body), uint8(i%len(fzOptions)))
	}
	s := fzSchema(f)
	recs := fzDecodedRecords(f)

	f.Fuzz(func(t *testing.T, body []byte, optSet uint8) {
		opts := fzOptions[int(optSet)%len(fzOptions)]
		plan, err := engine.Compile(s, body, opts)
		_, again := engine.Compile(s, body, opts)
		if fmt.Sprint(err) != fmt.Sprint(again) {
			t.Fatalf("Compile is not deterministic: %v, then %v", err, again)
		}
		if err != nil {
			e := apierr.As(err)
			if e == nil {
				t.Fatalf("Compile error %v (%T) is not an *apierr.Error", err, err)
			}
			if e.Code != apierr.InvalidParams && e.Code != apierr.InvalidFilterOperator {
				t.Fatalf("Compile error code %s, want INVALID_PARAMS or INVALID_FILTER_OPERATOR", e.Code)
			}
			if strings.TrimSpace(e.Message) == "" {
				t.Fatalf("Compile error %s has an empty message", e.Code)
			}
			if e.Code.HTTPStatus() != 400 {
				t.Fatalf("code %s maps to HTTP %d, want 400", e.Code, e.Code.HTTPStatus())
			}
			env := engine.AppendErrorResponse(nil, e)
			if !json.Valid(env) || !utf8.Valid(env) {
				t.Fatalf("error envelope is not valid JSON: %q", env)
			}
			return
		}
		if plan == nil {
			t.Fatal("Compile returned neither a plan nor an error")
		}

		ctx := context.Background()
		stream := fzOutcome(plan.Run(ctx, engine.Maps(recs)))
		lines := fzOutcome(plan.Run(ctx, engine.NewJSONSource(strings.NewReader(fzRecords))))
		table, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{Location: opts.Location, MaxExponent: opts.MaxExponent})
		if err != nil {
			t.Fatalf("NewTable: %v", err)
		}
		tabled := fzOutcome(plan.RunTable(ctx, table))
		if stream != tabled || stream != lines {
			t.Fatalf("paths disagree for %s (options %d):\nmaps  %s\nlines %s\ntable %s", body, optSet, stream, lines, tabled)
		}
		if !strings.HasPrefix(stream, "{") {
			return // a data error, the same on every path
		}
		out := []byte(stream)
		if !json.Valid(out) || !bytes.HasSuffix(out, []byte("\n")) {
			t.Fatalf("response is not one JSON value and a newline: %q", out)
		}
		checkPlainNumbers(t, out)

		// Shards merged equal one run when no record limit cuts them.
		if opts.RecordLimit < 0 && strings.HasPrefix(stream, `{"success":true`) {
			merged := plan.NewPartial()
			for _, shard := range [][]map[string]any{recs[:5], recs[5:6], recs[6:]} {
				part, err := plan.RunPartial(ctx, engine.Maps(shard))
				if err != nil {
					t.Fatalf("RunPartial: %v", err)
				}
				if err := merged.Merge(part); err != nil {
					t.Fatalf("Merge: %v", err)
				}
			}
			if got := string(engine.AppendResponse(nil, merged.Result())); got != stream {
				t.Fatalf("merged shards differ for %s:\nmerged %s\nsingle %s", body, got, stream)
			}
		}
	})
}

// --- JSONSource against a reader on encoding/json ----------------------------

// jrModel is what a plain encoding/json reader makes of a record stream.
type jrModel struct {
	records []map[string]any
	// failAt is the position of the first record the stream cannot yield,
	// or -1 when it reads to the end.
	failAt int
	// loose is set when the model cannot tell which records come before
	// the failure: malformed text in the first object, or an envelope with
	// a repeated key. Only the shape of the failure is then checked.
	loose bool
}

func jrDecodeObject(raw []byte) (map[string]any, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, false
	}
	return m, true
}

// take adds one record value. gap is the separator and white space that
// the engine reads just before it. It reports false when the value ends the
// stream.
func (m *jrModel) take(raw []byte, gap int64, limit int) bool {
	if len(raw) > limit {
		m.failAt = len(m.records)
		return false
	}
	rec, ok := jrDecodeObject(raw)
	if !ok {
		m.failAt = len(m.records)
		return false
	}
	m.records = append(m.records, rec)
	return true
}

// jrKeys returns the top-level keys of a well-formed object in order.
func jrKeys(raw []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var keys []string
	if _, err := dec.Token(); err != nil {
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

func jrRead(data []byte, limit int) jrModel {
	m := jrModel{failAt: -1}
	rest := bytes.TrimLeft(data, " \t\r\n")
	if len(rest) == 0 {
		return m
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()

	if rest[0] == '[' {
		if _, err := dec.Token(); err != nil {
			m.failAt = 0
			return m
		}
		for dec.More() {
			before := dec.InputOffset()
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				m.failAt = len(m.records)
				return m
			}
			gap := dec.InputOffset() - before - int64(len(raw))
			if !m.take(raw, gap, limit) {
				return m
			}
		}
		if _, err := dec.Token(); err != nil {
			m.failAt = len(m.records)
			return m
		}
		if _, err := dec.Token(); err != io.EOF {
			m.failAt = len(m.records)
		}
		return m
	}

	// Top-level values one after another.
	type value struct {
		raw json.RawMessage
		gap int64
	}
	var values []value
	malformed := false
	for {
		before := dec.InputOffset()
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		if err != nil {
			malformed = true
			break
		}
		values = append(values, value{raw, dec.InputOffset() - before - int64(len(raw))})
	}
	if len(values) == 0 {
		// The first value is malformed. An object may be an envelope whose
		// records stream before the fault.
		m.failAt = 0
		m.loose = rest[0] == '{'
		return m
	}

	first := values[0].raw
	var env map[string]json.RawMessage
	if first[0] == '{' && json.Unmarshal(first, &env) == nil {
		if _, isEnvelope := env["success"]; isEnvelope {
			keys := jrKeys(first)
			seen := map[string]bool{}
			for _, k := range keys {
				if seen[k] {
					m.loose = true
				}
				seen[k] = true
			}
			m.failAt = 0
			if string(bytes.TrimSpace(env["success"])) != "true" {
				return m
			}
			data := bytes.TrimSpace(env["data"])
			if len(data) == 0 || data[0] != '[' {
				return m
			}
			dataFirst := false
			for _, k := range keys {
				if k == "success" {
					break
				}
				dataFirst = dataFirst || k == "data"
			}
			m.failAt = -1
			items := json.NewDecoder(bytes.NewReader(data))
			items.UseNumber()
			items.Token()
			for items.More() {
				before := items.InputOffset()
				var raw json.RawMessage
				if err := items.Decode(&raw); err != nil {
					panic(err) // the envelope decoded whole
				}
				if !m.take(raw, items.InputOffset()-before-int64(len(raw)), limit) {
					return m
				}
			}
			if len(values) > 1 || malformed {
				m.failAt = len(m.records)
			}
			return m
		}
	}

	// JSON Lines.
	for i, v := range values {
		gap := v.gap
		if i == 0 {
			gap = 0
		}
		if !m.take(v.raw, gap, limit) {
			return m
		}
	}
	if malformed {
		m.failAt = len(m.records)
	}
	return m
}

// jrLimits are the record size limits a fuzz input picks from. 0 is the
// default of 1 MiB.
var jrLimits = []int{0, 16, 40, 100}

var jrSeeds = []string{
	"", "  \n", "{}", `{"a":1}`, "{\"a\":1}\n{\"b\":2}\n", `{"a":1}{"b":2}`, `[]`, ` [ {"a":1} , {"b":[1,2]} ] `,
	`[{"a":1},]`, `[{"a":1}`, `[1]`, `[{"a":1}] x`, `{"a":1} ]`, `{"a":`, `"text"`, `5`, `null`, `true`,
	`{"success": true, "data": [{"id": 1}, {"id": 2}], "total": 2}`,
	`{"data": [{"id": 1}], "success": true}`,
	`{"success": false, "data": []}`, `{"success": true}`, `{"success": true, "data": null}`,
	`{"success": true, "data": [1]}`, `{"success": true, "data": [{"a":1}]} {"b":2}`,
	`{"success": true, "data": [{"a":1}, {"b":`, `{"success":"true","data":[]}`,
	`{"id": 1, "data": [1, 2]}` + "\n" + `{"id": 2}`,
	`{"id": 1, "id": 3}`, "{\"n\": \"\xff\xfe\"}", "{\"\xff\": 1}", `{"n": 1e999999, "m": -0.0}`,
	`{"success": true, "success": false, "data": []}`,
	`{"a":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`,
	`[  {"a":"xxxxxxxxxxxxx"},   {"b":"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"}]`,
	"\xef\xbb\xbf{\"a\":1}", `[[[[[[[[[[]]]]]]]]]]`, `{"a":[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]}`,
	`{"a":1}` + "\n\n\n" + `{"a":"` + strings.Repeat("x", 80) + `"}`,
}

func FuzzJSONSource(f *testing.F) {
	for i, seed := range jrSeeds {
		f.Add([]byte(seed), uint8(i%len(jrLimits)))
	}
	f.Fuzz(func(t *testing.T, data []byte, limitSel uint8) {
		limit := jrLimits[int(limitSel)%len(jrLimits)]
		src := engine.NewJSONSource(bytes.NewReader(data))
		modelLimit := engine.DefaultMaxRecordBytes
		if limit > 0 {
			src.MaxRecordBytes = int64(limit)
			modelLimit = limit
		}

		var got []map[string]any
		var gotErr error
		for {
			if len(got) > len(data)/2+1 {
				t.Fatalf("JSONSource yielded %d records from %d bytes", len(got), len(data))
			}
			rec, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				gotErr = err
				break
			}
			if rec == nil {
				t.Fatal("Next returned a nil record and no error")
			}
			got = append(got, rec)
		}
		if rec, err := src.Next(); rec != nil || err == nil {
			t.Fatalf("Next after the end returned %v, %v", rec, err)
		}

		var ie *engine.InputError
		if gotErr != nil {
			if !errors.As(gotErr, &ie) || !errors.Is(gotErr, engine.ErrInput) {
				t.Fatalf("error %v (%T) is not an *engine.InputError", gotErr, gotErr)
			}
			if ie.Position != int64(len(got)) {
				t.Fatalf("error %v names record %d after %d records", gotErr, ie.Position, len(got))
			}
			if !strings.Contains(gotErr.Error(), fmt.Sprintf("record %d", len(got))) {
				t.Fatalf("error message %q does not name the record", gotErr)
			}
		}

		want := jrRead(data, modelLimit)
		if want.loose {
			if want.failAt >= 0 && gotErr == nil {
				t.Fatalf("input %q is malformed but JSONSource read %d records and no error", data, len(got))
			}
			return
		}
		gotAt := -1
		if gotErr != nil {
			gotAt = len(got)
		}
		wantRecs := want.records
		if want.failAt >= 0 {
			wantRecs = want.records[:want.failAt]
		}
		if gotAt == want.failAt && reflect.DeepEqual(normRecords(got), normRecords(wantRecs)) {
			return
		}
		t.Fatalf("input %q (limit %d):\nJSONSource %v, error %v\nmodel      %v, failing at %d",
			data, limit, got, gotErr, wantRecs, want.failAt)
	})
}

// normRecords maps nil and empty record lists to one value.
func normRecords(recs []map[string]any) []map[string]any {
	if len(recs) == 0 {
		return nil
	}
	return recs
}
