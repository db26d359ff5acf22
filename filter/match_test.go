package filter

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

type matchCase struct {
	filter string
	want   []int
}

// kindTable runs filters of every operator over the same records of one
// field, so each table shows how one kind reads values and compares them.
type kindTable struct {
	name    string
	opts    Options
	records []string
	cases   []matchCase
}

var kindTables = []kindTable{
	{
		name: "integer",
		records: fieldRecords("id",
			"-", `null`, `""`, `0`, `5`, `"7"`, `12.0`, `"twelve"`, `1.5`, `[]`, `[3]`, `-3`, `"1e1"`),
		cases: []matchCase{
			{`{"id": 5}`, []int{4}},
			{`{"id": "5"}`, []int{4}},
			{`{"id": 12}`, []int{6}},
			{`{"id": "1E+1"}`, []int{12}},
			{`{"id": 0}`, []int{3}},
			{`{"id": 1.5}`, []int{}},
			{`{"id": null}`, []int{0, 1, 2, 7, 8, 9, 10}},
			{`{"id": ""}`, []int{0, 1, 2, 7, 8, 9, 10}},
			{`{"id": {"$eq": null}}`, []int{0, 1, 2, 7, 8, 9, 10}},
			{`{"id": {"$ne": 5}}`, except(13, 4)},
			{`{"id": {"$ne": null}}`, []int{3, 4, 5, 6, 11, 12}},
			{`{"!id": ""}`, []int{3, 4, 5, 6, 11, 12}},
			{`{"!=id": null}`, []int{3, 4, 5, 6, 11, 12}},
			{`{"id": {"$gt": 1.5}}`, []int{4, 5, 6, 12}},
			{`{">=id": 5}`, []int{4, 5, 6, 12}},
			{`{"<id": 0}`, []int{11}},
			{`{"<=id": "0"}`, []int{3, 11}},
			{`{">id": -100}`, []int{3, 4, 5, 6, 11, 12}},
			{`{"id": {"$gt": 1, "$lt": 10}}`, []int{4, 5}},
			{`{"id": {"$in": [5, "7", null]}}`, []int{0, 1, 2, 4, 5, 7, 8, 9, 10}},
			{`{"id": {"$nin": [5, 7]}}`, except(13, 4, 5)},
			{`{"id": {"$in": []}}`, []int{}},
			{`{"id": {"$nin": []}}`, except(13)},
			{`{"id": []}`, []int{}},
			{`{"id": [5, 10]}`, []int{4, 12}},
			{`{"@id": [5]}`, []int{4}},
			{`{"!@id": [5, null]}`, []int{3, 5, 6, 11, 12}},
			{`{"=id": [5, 7]}`, []int{4, 5}},
			{`{"!id": 5}`, except(13, 4)},
			{`{"!=id": [5, 7]}`, except(13, 4, 5)},
			{`{"><id": [0, 7]}`, []int{3, 4, 5}},
			{`{"><id": ["-3", 0]}`, []int{3, 11}},
			{`{"!><id": [0, 7]}`, except(13, 3, 4, 5)},
			{`{"><id": [7, 0]}`, []int{}},
			{`{"!><id": [7, 0]}`, except(13)},
		},
	},
	{
		name: "double",
		records: fieldRecords("amount",
			"-", `null`, `0`, `0.1`, `"0.10"`, `100.25`, `"1e2"`, `"-0"`, `"abc"`, `"NaN"`, `9007199254740993`, `"Infinity"`, `"  "`),
		cases: []matchCase{
			{`{"amount": 0.1}`, []int{3, 4}},
			{`{"amount": 0}`, []int{2, 7}},
			{`{"amount": "100"}`, []int{6}},
			{`{"amount": {"$gt": 100}}`, []int{5, 10}},
			{`{"amount": 9007199254740993}`, []int{10}},
			{`{"amount": 9007199254740992}`, []int{}},
			{`{"amount": null}`, []int{0, 1, 8, 9, 11, 12}},
			{`{"amount": {"$lt": 0.1}}`, []int{2, 7}},
			{`{"amount": [0.1, "1E2"]}`, []int{3, 4, 6}},
		},
	},
	{
		name: "money",
		records: fieldRecords("UF_CRM_LTV",
			"-", `"1500|RUB"`, `"1500.00|USD"`, `"-5|RUB"`, `"|RUB"`, `"1.5E+3|RUB"`, `"1500|USD"`,
			`"1500,50|RUB"`, `1500`, `"1500"`, `"1500|"`, `"  "`, `" 1500 | RUB "`),
		cases: []matchCase{
			{`{"UF_CRM_LTV": "1500|RUB"}`, []int{1, 5, 12}},
			{`{"UF_CRM_LTV": 1500}`, []int{1, 2, 5, 6, 8, 9, 10, 12}},
			{`{"UF_CRM_LTV": "1500|"}`, []int{1, 2, 5, 6, 8, 9, 10, 12}},
			{`{"UF_CRM_LTV": "1500.0"}`, []int{1, 2, 5, 6, 8, 9, 10, 12}},
			{`{"!UF_CRM_LTV": "1500|RUB"}`, except(13, 1, 5, 12)},
			{`{">=UF_CRM_LTV": "0|USD"}`, []int{2, 6}},
			{`{"UF_CRM_LTV": {"$lt": 0}}`, []int{3}},
			{`{"UF_CRM_LTV": null}`, []int{0, 4, 7, 11}},
			{`{"UF_CRM_LTV": "|RUB"}`, []int{0, 4, 7, 11}},
			{`{"UF_CRM_LTV": {"$ne": null}}`, []int{1, 2, 3, 5, 6, 8, 9, 10, 12}},
			{`{"@UF_CRM_LTV": ["-5|RUB", "1500|USD"]}`, []int{2, 3, 6}},
			{`{"UF_CRM_LTV": [1500, "-5|EUR"]}`, []int{1, 2, 5, 6, 8, 9, 10, 12}},
			{`{"><UF_CRM_LTV": ["0", "2000|RUB"]}`, []int{1, 5, 12}},
		},
	},
	{
		name: "boolean",
		records: fieldRecords("opened",
			"-", `"Y"`, `"N"`, `true`, `false`, `1`, `0`, `"1"`, `"0"`, `"true"`, `"false"`, `"maybe"`, `""`, `null`, `"y"`),
		cases: []matchCase{
			{`{"opened": true}`, []int{1, 3, 5, 7, 9}},
			{`{"opened": "Y"}`, []int{1, 3, 5, 7, 9}},
			{`{"opened": 1}`, []int{1, 3, 5, 7, 9}},
			{`{"opened": "true"}`, []int{1, 3, 5, 7, 9}},
			{`{"opened": "1"}`, []int{1, 3, 5, 7, 9}},
			{`{"opened": false}`, []int{2, 4, 6, 8, 10}},
			{`{"opened": "N"}`, []int{2, 4, 6, 8, 10}},
			{`{"opened": 0}`, []int{2, 4, 6, 8, 10}},
			{`{"opened": "false"}`, []int{2, 4, 6, 8, 10}},
			{`{"opened": null}`, []int{0, 11, 12, 13, 14}},
			{`{"opened": {"$ne": "Y"}}`, []int{0, 2, 4, 6, 8, 10, 11, 12, 13, 14}},
			{`{"opened": {"$in": [true, null]}}`, []int{0, 1, 3, 5, 7, 9, 11, 12, 13, 14}},
			{`{"!@opened": [true, false]}`, []int{0, 11, 12, 13, 14}},
		},
	},
	{
		name: "date",
		records: fieldRecords("birthdate",
			"-", `"2026-01-05"`, `"2026-01-05T23:30:00-05:00"`, `"2026-01-06"`, `"2025-12-31T00:00:00"`,
			`"2026-02-30"`, `"yesterday"`, `20260105`, `""`),
		cases: []matchCase{
			{`{"birthdate": "2026-01-05"}`, []int{1, 2}},
			{`{"birthdate": "2026-01-05T10:00:00+03:00"}`, []int{1, 2}},
			{`{">=birthdate": "2026-01-01"}`, []int{1, 2, 3}},
			{`{"<birthdate": "2026-01-01"}`, []int{4}},
			{`{"birthdate": {"$in": ["2026-01-06", null]}}`, []int{0, 3, 5, 6, 7, 8}},
			{`{"><birthdate": ["2026-01-01", "2026-01-05"]}`, []int{1, 2}},
			{`{"birthdate": {"$ne": "2026-01-05"}}`, []int{0, 3, 4, 5, 6, 7, 8}},
		},
	},
	{
		name: "datetime in +03:00",
		opts: Options{Location: moscow},
		records: fieldRecords("createdAt",
			"-", `"2026-01-01T00:00:00"`, `"2025-12-31T21:00:00Z"`, `"2026-01-01T00:00:00+03:00"`, `"2026-01-01"`,
			`"2026-01-01T12:00:00.5Z"`, `"not a date"`, `"2026-13-01"`, `1767225600`),
		cases: []matchCase{
			{`{"createdAt": "2025-12-31T21:00:00Z"}`, []int{1, 2, 3, 4}},
			{`{"createdAt": "2026-01-01T00:00:00"}`, []int{1, 2, 3, 4}},
			{`{"createdAt": "2026-01-01"}`, []int{1, 2, 3, 4}},
			{`{"createdAt": {"$gt": "2026-01-01T12:00:00Z"}}`, []int{5}},
			{`{"createdAt": "2026-01-01T12:00:00.500Z"}`, []int{5}},
			{`{"createdAt": ["2026-01-01T15:00:00.5+03:00"]}`, []int{5}},
			{`{"createdAt": {"$ne": null}}`, []int{1, 2, 3, 4, 5}},
			{`{"<createdAt": "2026-01-01T00:00:00Z"}`, []int{1, 2, 3, 4}},
		},
	},
	{
		name: "datetime in UTC",
		records: fieldRecords("createdAt",
			"-", `"2026-01-01T00:00:00"`, `"2025-12-31T21:00:00Z"`, `"2026-01-01T00:00:00+03:00"`, `"2026-01-01"`),
		cases: []matchCase{
			{`{"createdAt": "2026-01-01T00:00:00Z"}`, []int{1, 4}},
			{`{"createdAt": "2026-01-01T03:00:00+03:00"}`, []int{1, 4}},
		},
	},
	{
		name: "enumeration",
		records: fieldRecords("UF_CRM_TIER",
			"-", `79`, `"80"`, `"79"`, `79.0`, `"Gold"`, `81`, `null`, `79.5`),
		cases: []matchCase{
			{`{"UF_CRM_TIER": 79}`, []int{1, 3, 4}},
			{`{"UF_CRM_TIER": "80"}`, []int{2}},
			{`{"UF_CRM_TIER": 81}`, []int{6}},
			{`{"UF_CRM_TIER": {"$gt": 79}}`, []int{2, 6}},
			{`{"UF_CRM_TIER": [79, 80]}`, []int{1, 2, 3, 4}},
			{`{"UF_CRM_TIER": 79.5}`, []int{}},
			{`{"UF_CRM_TIER": {"$gte": 79.5}}`, []int{2, 6}},
		},
	},
	{
		name: "string",
		records: fieldRecords("name",
			"-", `"Anna"`, `"anna"`, `"ANNA"`, `"Boris"`, `""`, `null`, `42`, `1.50`, `"Straße"`, `"STRASSE"`,
			`"Ǆemal"`, `"ǆemal"`, `"k"`, `"\u212a"`, `"a_b%c"`, `true`, `["Anna"]`),
		cases: []matchCase{
			{`{"name": "Anna"}`, []int{1}},
			{`{"name": 42}`, []int{7}},
			{`{"name": "42"}`, []int{7}},
			{`{"name": 1.5}`, []int{}},
			{`{"name": 1.50}`, []int{8}},
			{`{"name": "1.50"}`, []int{8}},
			{`{"name": null}`, []int{0, 5, 6, 16, 17}},
			{`{"name": ["Anna", "anna"]}`, []int{1, 2}},
			{`{"name": {"$contains": "ann"}}`, []int{1, 2, 3}},
			{`{"%name": "NN"}`, []int{1, 2, 3}},
			{`{"name": {"$notContains": "ann"}}`, except(18, 1, 2, 3)},
			{`{"!%name": "ann"}`, except(18, 1, 2, 3)},
			{`{"%name": "K"}`, []int{13, 14}},
			{`{"%name": "ǅ"}`, []int{11, 12}},
			{`{"%name": "ss"}`, []int{10}},
			{`{"%name": "ß"}`, []int{9}},
			{`{"%name": "%"}`, []int{15}},
			{`{"%name": "_"}`, []int{15}},
			{`{"=%name": "a%"}`, []int{1, 2, 3, 15}},
			{`{"%=name": "_nn_"}`, []int{1, 2, 3}},
			{`{"=%name": "%S"}`, []int{4}},
			{`{"=%name": "a_b%"}`, []int{15}},
			{`{"=%name": "%"}`, []int{1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
			{`{"=%name": "%%n%%a"}`, []int{1, 2, 3}},
			{`{"!=%name": "%A"}`, except(18, 1, 2, 3)},
			{`{"!%=name": "%a"}`, except(18, 1, 2, 3)},
			{`{"name": {"$gt": "B"}}`, []int{2, 4, 9, 10, 11, 12, 13, 14, 15}},
			{`{"<=name": "ANNA"}`, []int{3, 7, 8}},
		},
	},
	{
		name: "multiple string",
		records: fieldRecords("UF_CRM_TAGS",
			"-", `["vip", "b2b"]`, `["vip"]`, `[]`, `null`, `["b2c"]`, `"vip"`, `["", null]`, `[["vip"]]`, `["VIP"]`, `[true, "b2b"]`),
		cases: []matchCase{
			{`{"UF_CRM_TAGS": "vip"}`, []int{1, 2, 6}},
			{`{"ufCrmTags": "vip"}`, []int{1, 2, 6}},
			{`{"UF_CRM_TAGS": {"$ne": "vip"}}`, []int{0, 3, 4, 5, 7, 8, 9, 10}},
			{`{"UF_CRM_TAGS": null}`, []int{0, 3, 4, 7, 8}},
			{`{"UF_CRM_TAGS": ["b2b", "b2c"]}`, []int{1, 5, 10}},
			{`{"UF_CRM_TAGS": {"$nin": ["vip"]}}`, []int{0, 3, 4, 5, 7, 8, 9, 10}},
			{`{"%UF_CRM_TAGS": "VI"}`, []int{1, 2, 6, 9}},
			{`{"!%UF_CRM_TAGS": "vi"}`, []int{0, 3, 4, 5, 7, 8, 10}},
			{`{">UF_CRM_TAGS": "b2b"}`, []int{1, 2, 5, 6}},
		},
	},
	{
		name: "multiple money",
		records: fieldRecords("UF_CRM_PAYMENTS",
			"-", `["100|RUB", "20.5|USD"]`, `[]`, `["300|RUB"]`, `["|RUB", "40|EUR"]`, `["5.|RUB"]`, `["7|RUB", "7|RUB"]`, `["abc"]`),
		cases: []matchCase{
			{`{"UF_CRM_PAYMENTS": 100}`, []int{1}},
			{`{"UF_CRM_PAYMENTS": "20.5|USD"}`, []int{1}},
			{`{"UF_CRM_PAYMENTS": "20.5|RUB"}`, []int{}},
			{`{"UF_CRM_PAYMENTS": null}`, []int{0, 2, 7}},
			{`{">UF_CRM_PAYMENTS": 50}`, []int{1, 3}},
			{`{"><UF_CRM_PAYMENTS": [5, 10]}`, []int{5, 6}},
			{`{"UF_CRM_PAYMENTS": "40|EUR"}`, []int{4}},
			{`{"!UF_CRM_PAYMENTS": "7|RUB"}`, except(8, 6)},
		},
	},
	{
		name:    "multiple integer",
		records: fieldRecords("UF_CRM_SCORES", `[1, 10]`, `[5]`, `["3", "x"]`, `[]`, `4`),
		cases: []matchCase{
			// Between needs one element inside the range; two operators
			// may be satisfied by different elements.
			{`{"><UF_CRM_SCORES": [2, 9]}`, []int{1, 2, 4}},
			{`{"UF_CRM_SCORES": {"$gte": 2, "$lte": 9}}`, []int{0, 1, 2, 4}},
			{`{"!><UF_CRM_SCORES": [2, 9]}`, []int{0, 3}},
		},
	},
}

func TestMatchByKind(t *testing.T) {
	s := testSchema(t)
	for _, table := range kindTables {
		t.Run(table.name, func(t *testing.T) {
			for _, tc := range table.cases {
				got := matching(t, s, table.opts, tc.filter, table.records)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("%s: matching records (-want +got):\n%s", tc.filter, diff)
				}
			}
		})
	}
}

// logicRecords are the records of the logic tests: id, name and tags.
var logicRecords = []string{
	`{"id": 1, "name": "Anna", "UF_CRM_TAGS": ["vip"]}`,
	`{"id": 2, "name": "Boris", "UF_CRM_TAGS": ["b2b"]}`,
	`{"id": 3, "name": "Clara"}`,
	`{"id": 4, "name": "Anna", "UF_CRM_TAGS": ["b2b", "vip"]}`,
}

func TestMatchLogic(t *testing.T) {
	s := testSchema(t)
	tests := []matchCase{
		{`{}`, []int{0, 1, 2, 3}},
		{`{"name": "Anna", "id": 4}`, []int{3}},
		{`{"$or": [{"id": 1}, {"id": 3}]}`, []int{0, 2}},
		{`{"$and": [{"name": "Anna"}, {"UF_CRM_TAGS": "b2b"}]}`, []int{3}},
		{`{"$or": []}`, []int{}},
		{`{"$and": []}`, []int{0, 1, 2, 3}},
		{`{"0": {"logic": "OR", "0": {"id": 1}, "1": {"id": 2}}}`, []int{0, 1}},
		{`{"0": {"logic": "or", "5": {"id": 1}, "9": {"id": 2}}}`, []int{0, 1}},
		{`{"x": {"logic": "Or", "id": 1, "name": "Boris"}}`, []int{0, 1}},
		{`{"0": {"logic": "AND", "id": 4, "name": "Anna"}}`, []int{3}},
		{`{"0": {"logic": "OR"}}`, []int{}},
		{`{"0": {"logic": "AND"}}`, []int{0, 1, 2, 3}},
		{`{"0": {"id": 1, "name": "Boris"}}`, []int{}},
		{`{"7": {"name": "Anna"}, "8": {"id": {"$gt": 1}}}`, []int{3}},
		{`{"logic": "OR", "id": 1, "name": "Clara"}`, []int{0, 2}},
		{`{"$or": [{"$and": [{"name": "Anna"}, {"!UF_CRM_TAGS": "b2b"}]}, {"0": {"logic": "OR", "id": 2, "%name": "lar"}}]}`, []int{0, 1, 2}},
		{`{"$or": [{"id": 1}, {"$or": []}]}`, []int{0}},
		{`{"$and": [{"id": 1}, {"$and": []}]}`, []int{0}},
		{`{"$or": [{"id": 1}, {}]}`, []int{0, 1, 2, 3}},
		{`{"name": "Anna", "$or": [{"id": {"$in": []}}]}`, []int{}},
	}
	for _, tc := range tests {
		got := matching(t, s, Options{}, tc.filter, logicRecords)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: matching records (-want +got):\n%s", tc.filter, diff)
		}
	}
}

func TestFieldsAndMatchesAll(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		filter     string
		fields     []int
		matchesAll bool
	}{
		{`{}`, nil, true},
		{`{"$and": []}`, nil, true},
		{`{"0": {"logic": "AND"}}`, nil, true},
		{`{"id": {"$nin": []}}`, nil, true},
		{`{"$or": []}`, nil, false},
		{`{"UF_CRM_LTV": 1, "id": 2, "ufCrmLtv": 3}`, []int{0, 7}, false},
		{`{"$or": [{"name": "x"}, {"createdAt": "2026-01-01"}]}`, []int{1, 4}, false},
		{`{"$or": [{"name": "x"}, {}]}`, nil, true},
	}
	for _, tc := range tests {
		f, err := Compile(s, []byte(tc.filter), Options{})
		if err != nil {
			t.Fatalf("Compile(%s): %v", tc.filter, err)
		}
		if diff := cmp.Diff(tc.fields, f.Fields()); diff != "" {
			t.Errorf("%s: Fields() (-want +got):\n%s", tc.filter, diff)
		}
		if got := f.MatchesAll(); got != tc.matchesAll {
			t.Errorf("%s: MatchesAll() = %v, want %v", tc.filter, got, tc.matchesAll)
		}
	}
}

func TestMatchShortOrMissingValues(t *testing.T) {
	s := testSchema(t)
	f, err := Compile(s, []byte(`{"UF_CRM_TAGS": null, "id": {"$ne": 1}}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(nil) {
		t.Error("Match(nil) = false, want true: every field reads as missing")
	}
	if !f.Match([]any{int64(2)}) {
		t.Error("Match of a short slice = false, want true")
	}
	if f.Match([]any{1}) {
		t.Error("Match of id 1 as a Go int = true, want false")
	}
}

func TestMatchGoValues(t *testing.T) {
	s := testSchema(t)
	values := make([]any, len(s.Fields))
	values[0] = uint8(7)
	values[6] = 0.1
	values[11] = []any{int64(3), float32(4), "x"}

	tests := []matchCase{
		{`{"id": 7}`, []int{0}},
		{`{"amount": "0.1"}`, []int{0}},
		{`{"UF_CRM_SCORES": 4}`, []int{0}},
		{`{"UF_CRM_SCORES": {"$gt": 4}}`, []int{}},
	}
	for _, tc := range tests {
		f, err := Compile(s, []byte(tc.filter), Options{})
		if err != nil {
			t.Fatalf("Compile(%s): %v", tc.filter, err)
		}
		got := []int{}
		if f.Match(values) {
			got = append(got, 0)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.filter, diff)
		}
	}
}

func TestNilFilterMatchesAll(t *testing.T) {
	var f *Filter
	if !f.Match([]any{1}) {
		t.Error("nil Filter Match = false, want true")
	}
	if !f.MatchesAll() {
		t.Error("nil Filter MatchesAll = false, want true")
	}
	if f.Fields() != nil {
		t.Errorf("nil Filter Fields = %v, want nil", f.Fields())
	}
}

func TestMatchConcurrent(t *testing.T) {
	s := testSchema(t)
	f, err := Compile(s, []byte(`{"$or": [{"UF_CRM_LTV": ["1500|RUB", 7]}, {"=%name": "a%"}], "!><id": [10, 20]}`), Options{Location: moscow})
	if err != nil {
		t.Fatal(err)
	}
	records := [][]any{
		decodeRecord(t, s, `{"id": 1, "UF_CRM_LTV": "1500.0|RUB"}`),
		decodeRecord(t, s, `{"id": 15, "name": "anna"}`),
		decodeRecord(t, s, `{"id": 30, "name": "Alex"}`),
	}
	want := []bool{true, false, true}

	done := make(chan []bool)
	for range 8 {
		go func() {
			got := make([]bool, len(records))
			for range 200 {
				for i, record := range records {
					got[i] = f.Match(record)
				}
			}
			done <- got
		}()
	}
	for range 8 {
		if diff := cmp.Diff(want, <-done); diff != "" {
			t.Errorf("concurrent Match (-want +got):\n%s", diff)
		}
	}
}
