package filter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/schema"
)

// Pools of raw JSON texts the generator draws from. Each mixes valid,
// empty and invalid values so that every branch of value reading is hit.
var (
	numberTexts   = []string{`0`, `5`, `"7"`, `1.5`, `-3`, `12.0`, `"1e1"`, `9007199254740993`, `"abc"`, `" 5 "`}
	moneyTexts    = []string{`1500`, `"1500|RUB"`, `"1500.00|USD"`, `"-5|RUB"`, `"|RUB"`, `"1500|"`, `"0|USD"`, `"1500,50|RUB"`, `"  "`}
	boolTexts     = []string{`true`, `false`, `"Y"`, `"N"`, `1`, `0`, `"1"`, `"0"`, `"true"`, `"false"`, `"maybe"`}
	dateTexts     = []string{`"2026-01-05"`, `"2026-01-05T23:30:00-05:00"`, `"2026-01-01T00:00:00"`, `"2025-12-31T21:00:00Z"`, `"2026-01-01T12:00:00.5Z"`, `"2026-02-30"`, `"yesterday"`}
	stringTexts   = []string{`"Anna"`, `"anna"`, `"ANNA"`, `"Boris"`, `"b2b"`, `"vip"`, `"VIP"`, `"Straße"`, `"ǅ"`, `"\u212a"`, `"k"`, `42`, `1.50`, `"a_b%c"`}
	patternTexts  = []string{`"a"`, `"AN"`, `"%"`, `"_"`, `"a%"`, `"%a"`, `"_nn_"`, `"%i%"`, `"ǆ"`, `"K"`, `"ss"`, `""`, `5`}
	emptyTexts    = []string{`null`, `""`, `[]`}
	logicTexts    = []string{`"OR"`, `"or"`, `"AND"`, `"And"`, `"XOR"`, `1`, `null`}
	fieldSpelling = []string{"id", "name", "typeId", "opened", "createdAt", "birthdate", "amount", "UF_CRM_LTV", "ufCrmLtv",
		"UF_CRM_TIER", "UF_CRM_TAGS", "ufCrmTags", "UF_CRM_PAYMENTS", "UF_CRM_SCORES", "UF_CRM_VISITS", "UF_CRM_4_41",
		"ufCrm441", "stageId", "UF_CRM_MISSING"}
	prefixTexts   = []string{"", "", "", "", "=", "!", "!=", ">", ">=", "<", "<=", "@", "!@", "%", "!%", "=%", "%=", "!=%", "!%=", "><", "!><"}
	operatorTexts = []string{"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$contains", "$notContains", "$exists"}
)

// generator writes random filters and records for the test schema.
type generator struct {
	rng    *rand.Rand
	schema *schema.Schema
}

func (g *generator) pick(texts []string) string { return texts[g.rng.IntN(len(texts))] }

// scalarFor returns a raw JSON value mostly fitting the field's kind and
// sometimes one of another kind or an empty one.
func (g *generator) scalarFor(k schema.Kind) string {
	switch g.rng.IntN(16) {
	case 0:
		return g.pick(emptyTexts)
	case 1:
		return g.pick(stringTexts)
	case 2:
		return g.pick(numberTexts)
	}
	switch k {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration:
		return g.pick(numberTexts)
	case schema.KindMoney:
		return g.pick(moneyTexts)
	case schema.KindBoolean:
		return g.pick(boolTexts)
	case schema.KindDate, schema.KindDateTime:
		return g.pick(dateTexts)
	}
	if g.rng.IntN(3) == 0 {
		return g.pick(patternTexts)
	}
	return g.pick(stringTexts)
}

func (g *generator) listFor(k schema.Kind) string {
	items := make([]string, g.rng.IntN(4))
	for i := range items {
		items[i] = g.scalarFor(k)
	}
	return "[" + strings.Join(items, ", ") + "]"
}

// valueFor returns a filter value for a key with the given prefix.
func (g *generator) valueFor(k schema.Kind, prefix string) string {
	switch {
	case prefix == "" && g.rng.IntN(3) == 0:
		return g.operatorObject(k)
	case g.rng.IntN(12) == 0:
		return g.operatorObject(k)
	case strings.Contains(prefix, "%") && g.rng.IntN(4) != 0:
		return g.pick(patternTexts)
	case strings.Contains(prefix, "><") && g.rng.IntN(4) != 0:
		return "[" + g.scalarFor(k) + ", " + g.scalarFor(k) + "]"
	case g.rng.IntN(4) == 0:
		return g.listFor(k)
	}
	return g.scalarFor(k)
}

func (g *generator) operatorObject(k schema.Kind) string {
	ops := make([]string, g.rng.IntN(3)+1)
	if g.rng.IntN(20) == 0 {
		return `{}`
	}
	used := map[string]bool{}
	for i := range ops {
		op := g.pick(operatorTexts)
		for used[op] {
			op = g.pick(operatorTexts)
		}
		used[op] = true
		var value string
		switch op {
		case "$in", "$nin":
			value = g.listFor(k)
			if g.rng.IntN(8) == 0 {
				value = g.scalarFor(k)
			}
		case "$contains", "$notContains":
			value = g.pick(patternTexts)
		default:
			value = g.scalarFor(k)
			if g.rng.IntN(10) == 0 {
				value = g.listFor(k)
			}
		}
		ops[i] = fmt.Sprintf(`"%s": %s`, op, value)
	}
	return "{" + strings.Join(ops, ", ") + "}"
}

// object writes a filter object with up to four members at level depth.
func (g *generator) object(depth int) string {
	members := make([]string, g.rng.IntN(4))
	used := map[string]bool{}
	for i := range members {
		var key, value string
		for key == "" || used[key] {
			key, value = g.member(depth, i)
		}
		used[key] = true
		members[i] = fmt.Sprintf(`"%s": %s`, key, value)
	}
	return "{" + strings.Join(members, ", ") + "}"
}

func (g *generator) member(depth, position int) (key, value string) {
	roll := g.rng.IntN(20)
	if depth >= 4 {
		roll = 10
	}
	switch {
	case roll == 0 || roll == 1:
		items := make([]string, g.rng.IntN(3))
		for i := range items {
			items[i] = g.object(depth + 1)
		}
		if g.rng.IntN(15) == 0 {
			items = append(items, g.scalarFor(schema.KindString))
		}
		key = "$or"
		if roll == 1 {
			key = "$and"
		}
		return key, "[" + strings.Join(items, ", ") + "]"
	case roll == 2:
		inner := g.object(depth + 1)
		logic := `"logic": ` + g.pick(logicTexts)
		if inner == "{}" {
			return fmt.Sprint(position), "{" + logic + "}"
		}
		return fmt.Sprint(position), "{" + logic + ", " + inner[1:]
	case roll == 3:
		return fmt.Sprint(position + 10), g.object(depth + 1)
	case roll == 4 && g.rng.IntN(4) == 0:
		return "$not", g.object(depth + 1)
	case roll == 5 && g.rng.IntN(4) == 0:
		return "logic", g.pick(logicTexts)
	}

	prefix := g.pick(prefixTexts)
	name := g.pick(fieldSpelling)
	kind := schema.KindString
	if f, err := g.schema.Lookup(name); err == nil {
		kind = f.Kind
	}
	return prefix + name, g.valueFor(kind, prefix)
}

// record writes a record with a random subset of the schema's fields.
func (g *generator) record() string {
	var members []string
	for _, f := range g.schema.Fields {
		if g.rng.IntN(4) == 0 {
			continue
		}
		var value string
		switch {
		case f.Multiple || g.rng.IntN(12) == 0:
			value = g.listFor(f.Kind)
		case g.rng.IntN(10) == 0:
			value = g.scalarFor(schema.KindBoolean)
		default:
			value = g.scalarFor(f.Kind)
		}
		members = append(members, fmt.Sprintf(`"%s": %s`, f.Name, value))
	}
	return "{" + strings.Join(members, ", ") + "}"
}

// compareWithReference compiles filterJSON and checks the outcome against
// the reference evaluator: the same error code and pointer, or the same
// match result for every record.
func compareWithReference(t *testing.T, s *schema.Schema, opts Options, filterJSON []byte, records [][]any) {
	t.Helper()
	f, err := Compile(s, filterJSON, opts)
	_, wantErr := newReference(s, opts, nil).evaluate(filterJSON)

	if wantErr != nil {
		e := apierr.As(err)
		if e == nil {
			t.Fatalf("filter %s: Compile succeeded, reference fails with %s at %q", filterJSON, wantErr.code, wantErr.pointer)
		}
		if e.Code != wantErr.code || e.Pointer != wantErr.pointer {
			t.Fatalf("filter %s: Compile fails with %s at %q (%s), reference with %s at %q",
				filterJSON, e.Code, e.Pointer, e.Message, wantErr.code, wantErr.pointer)
		}
		return
	}
	if err != nil {
		t.Fatalf("filter %s: Compile: %v, reference accepts it", filterJSON, err)
	}

	root, _ := jsontree.Parse(filterJSON) // the reference parsed it above
	for i, record := range records {
		want, refErr := newReference(s, opts, record).evaluateTree(root)
		if refErr != nil {
			t.Fatalf("filter %s: reference fails on record %d only: %+v", filterJSON, i, refErr)
		}
		if got := f.Match(record); got != want {
			t.Fatalf("filter %s, record %d %v: Match = %v, reference = %v", filterJSON, i, record, got, want)
		}
	}
}

func TestDifferential(t *testing.T) {
	s := testSchema(t)
	g := &generator{rng: rand.New(rand.NewPCG(1, 2)), schema: s}
	records := make([][]any, 40)
	for i := range records {
		records[i] = decodeRecord(t, s, g.record())
	}

	filters := 5000
	if testing.Short() {
		filters = 300
	}
	for _, opts := range []Options{{}, {Location: moscow, MaxDepth: 3, MaxConditions: 6, MaxListValues: 2}} {
		for range filters {
			compareWithReference(t, s, opts, []byte(g.object(1)), records)
		}
	}
}

// fuzzRecords are the records every fuzzed filter runs against, besides
// the ones the fuzzer writes.
func fuzzRecords(t testing.TB, s *schema.Schema) [][]any {
	g := &generator{rng: rand.New(rand.NewPCG(3, 4)), schema: s}
	records := make([][]any, 24)
	for i := range records {
		records[i] = decodeRecord(t, s, g.record())
	}
	return records
}

// FuzzCompileMatch checks that Compile never panics and that compiled
// filters agree with the reference evaluator. The second input is a JSON
// array of records; when it does not decode, only the fixed records run.
func FuzzCompileMatch(f *testing.F) {
	s := testSchema(f)
	g := &generator{rng: rand.New(rand.NewPCG(5, 6)), schema: s}
	for range 20 {
		f.Add(g.object(1), "["+g.record()+"]")
	}
	f.Add(`{"$or": [{"id": 1}, {"0": {"logic": "or", ">=amount": 5}}], "!@UF_CRM_TAGS": ["vip", null]}`, `[{"id": 1, "amount": "7"}]`)
	f.Add(`{"=%name": "%a_b%", "UF_CRM_LTV": "1500|RUB"}`, `[{"name": "xa-by", "UF_CRM_LTV": " 1500.0 | RUB "}]`)
	fixed := fuzzRecords(f, s)

	f.Fuzz(func(t *testing.T, filterJSON, recordsJSON string) {
		records := fixed
		var extra []json.RawMessage
		if json.Unmarshal([]byte(recordsJSON), &extra) == nil {
			records = append([][]any(nil), fixed...)
			for _, raw := range extra {
				if values, err := recordValues(s, raw); err == nil && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
					records = append(records, values)
				}
			}
		}
		compareWithReference(t, s, Options{Location: moscow}, []byte(filterJSON), records)
		compareWithReference(t, s, Options{MaxDepth: 3, MaxConditions: 4, MaxListValues: 3}, []byte(filterJSON), records[:4])
	})
}
