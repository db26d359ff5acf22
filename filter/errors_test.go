package filter

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/crmagg/crmagg/apierr"
)

type errorCase struct {
	name    string
	filter  string
	code    apierr.Code
	pointer string
	field   string
	message string // the whole message when it starts with "=", else a part
}

const allFieldNames = "id, name, typeId, opened, createdAt, birthdate, amount, UF_CRM_LTV, UF_CRM_TIER, UF_CRM_TAGS, " +
	"UF_CRM_PAYMENTS, UF_CRM_SCORES, UF_CRM_VISITS, UF_CRM_4_41, UF_CRM_44_1"

var errorCases = []errorCase{
	{"unknown field", `{">=stageId": "C1"}`, apierr.InvalidParams, "/>=stageId", "stageId",
		"=filter field 'stageId' is not in the schema. Available: " + allFieldNames},
	{"unknown UF lists UFs", `{"ufCrmMissing": 1}`, apierr.InvalidParams, "/ufCrmMissing", "ufCrmMissing",
		"=filter field 'ufCrmMissing' is not in the schema. Available user fields: UF_CRM_LTV, UF_CRM_TIER, UF_CRM_TAGS, " +
			"UF_CRM_PAYMENTS, UF_CRM_SCORES, UF_CRM_VISITS, UF_CRM_4_41, UF_CRM_44_1"},
	{"ambiguous UF", `{"ufCrm441": "x"}`, apierr.InvalidParams, "/ufCrm441", "ufCrm441",
		"=filter field 'ufCrm441' is ambiguous: it matches UF_CRM_4_41, UF_CRM_44_1. Use the exact name"},
	{"empty key", `{"": 1}`, apierr.InvalidParams, "/", "", "filter field '' is not in the schema"},
	{"bare prefix", `{">=": 1}`, apierr.InvalidParams, "/>=", "", "filter field '' is not in the schema"},
	{"pointer escapes", `{"a/b~c": 1}`, apierr.InvalidParams, "/a~1b~0c", "a/b~c", "'a/b~c'"},
	{"digit key with a value", `{"0": 5}`, apierr.InvalidParams, "/0", "0", "filter field '0' is not in the schema"},
	{"letter key with a sub-filter", `{"a": {"id": 1}}`, apierr.InvalidParams, "/a", "a", "filter field 'a'"},

	{"gt on boolean", `{"opened": {"$gt": 0}}`, apierr.InvalidFilterOperator, "/opened/$gt", "opened",
		"=filter operator '$gt' is not allowed on boolean field 'opened'. Allowed: $eq, $ne, $in, $nin"},
	{"prefix gt on boolean", `{">opened": "N"}`, apierr.InvalidFilterOperator, "/>opened", "opened",
		"=filter operator '>' is not allowed on boolean field 'opened'. Allowed: =, !, !=, @, !@"},
	{"between on boolean", `{"><opened": [0, 1]}`, apierr.InvalidFilterOperator, "/><opened", "opened", "'><'"},
	{"contains on integer", `{"id": {"$contains": "1"}}`, apierr.InvalidFilterOperator, "/id/$contains", "id",
		"=filter operator '$contains' is not allowed on integer field 'id'. Allowed: $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin"},
	{"like on money", `{"=%UF_CRM_LTV": "1%"}`, apierr.InvalidFilterOperator, "/=%UF_CRM_LTV", "UF_CRM_LTV", "'=%'"},
	{"unknown operator", `{"$or": [{"typeId": "A"}, {"amount": {"$exists": true}}]}`, apierr.InvalidFilterOperator,
		"/$or/1/amount/$exists", "amount",
		"=filter operator '$exists' on field 'amount' is unknown. Allowed: $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $contains, $notContains"},
	{"operator without dollar", `{"id": {"gt": 1}}`, apierr.InvalidFilterOperator, "/id/gt", "id", "'gt'"},
	{"empty operator object", `{"id": {}}`, apierr.InvalidFilterOperator, "/id", "id",
		"=filter operator object of field 'id' is empty. Allowed: $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin"},
	{"prefix with operator object", `{">id": {"$lt": 3}}`, apierr.InvalidFilterOperator, "/>id", "id",
		"=filter key '>id' has the prefix '>' and an operator object. Use one or the other"},
	{"eq with array", `{"id": {"$eq": [1, 2]}}`, apierr.InvalidFilterOperator, "/id/$eq", "id",
		"=filter operator '$eq' on field 'id' needs a single value (use '$in' or '$nin' for a list), got an array of 2 values"},
	{"ne with object", `{"id": {"$ne": {"x": 1}}}`, apierr.InvalidFilterOperator, "/id/$ne", "id", "got an object"},
	{"gt with array", `{">id": [1]}`, apierr.InvalidFilterOperator, "/>id", "id", "needs a single value, got an array of 1 value"},
	{"in with string", `{"typeId": {"$in": "CLIENT"}}`, apierr.InvalidFilterOperator, "/typeId/$in", "typeId",
		"=filter operator '$in' on field 'typeId' needs an array, got a string"},
	{"at with string", `{"@typeId": "CLIENT"}`, apierr.InvalidFilterOperator, "/@typeId", "typeId", "needs an array"},
	{"not at with null", `{"!@typeId": null}`, apierr.InvalidFilterOperator, "/!@typeId", "typeId", "got null"},
	{"between one value", `{"><id": [3]}`, apierr.InvalidFilterOperator, "/><id", "id",
		"=filter operator '><' on field 'id' needs an array of two values, got an array of 1 value"},
	{"between three values", `{"!><id": [1, 2, 3]}`, apierr.InvalidFilterOperator, "/!><id", "id", "got an array of 3 values"},
	{"between empty bound", `{"><id": [1, null]}`, apierr.InvalidFilterOperator, "/><id/1", "id",
		"=filter value null for operator '><' on integer field 'id' is invalid: expected a non-empty value: a number"},
	{"contains number", `{"name": {"$contains": 5}}`, apierr.InvalidFilterOperator, "/name/$contains", "name",
		"=filter operator '$contains' on field 'name' needs a non-empty string, got a number"},
	{"contains empty", `{"%name": ""}`, apierr.InvalidFilterOperator, "/%name", "name", "got an empty string"},
	{"like array", `{"=%name": ["a%"]}`, apierr.InvalidFilterOperator, "/=%name", "name", "got an array"},
	{"gt null", `{"id": {"$gt": null}}`, apierr.InvalidFilterOperator, "/id/$gt", "id",
		"=filter value null for operator '$gt' on integer field 'id' is invalid: expected a non-empty value: a number"},
	{"lt empty string", `{"<name": ""}`, apierr.InvalidFilterOperator, "/<name", "name", "expected a non-empty value"},
	{"gt empty money", `{">UF_CRM_LTV": "|RUB"}`, apierr.InvalidFilterOperator, "/>UF_CRM_LTV", "UF_CRM_LTV", "non-empty"},
	{"number not a number", `{"id": {"$gt": "abc"}}`, apierr.InvalidFilterOperator, "/id/$gt", "id",
		`=filter value "abc" for operator '$gt' on integer field 'id' is invalid: expected a number`},
	{"number spaces", `{"amount": "  "}`, apierr.InvalidFilterOperator, "/amount", "amount", "expected a number"},
	{"number exponent bound", `{"amount": 1e1001}`, apierr.InvalidFilterOperator, "/amount", "amount", "1e1001"},
	{"number bool", `{"amount": true}`, apierr.InvalidFilterOperator, "/amount", "amount", "value true"},
	{"enumeration label", `{"UF_CRM_TIER": "Gold"}`, apierr.InvalidFilterOperator, "/UF_CRM_TIER", "UF_CRM_TIER",
		`=filter value "Gold" for operator '$eq' on enumeration field 'UF_CRM_TIER' is invalid: expected an item id`},
	{"boolean maybe", `{"opened": "maybe"}`, apierr.InvalidFilterOperator, "/opened", "opened", "expected Y, N, true, false, 1 or 0"},
	{"boolean two", `{"opened": 2}`, apierr.InvalidFilterOperator, "/opened", "opened", "value 2"},
	{"date unreadable", `{"birthdate": "05.01.2026"}`, apierr.InvalidFilterOperator, "/birthdate", "birthdate", "expected a date"},
	{"datetime number", `{"createdAt": {"$gte": 1767225600}}`, apierr.InvalidFilterOperator, "/createdAt/$gte", "createdAt", "expected a datetime"},
	{"money comma", `{"UF_CRM_LTV": "1500,50|RUB"}`, apierr.InvalidFilterOperator, "/UF_CRM_LTV", "UF_CRM_LTV", "1500,50|RUB"},
	{"string bool", `{"name": false}`, apierr.InvalidFilterOperator, "/name", "name", "expected a string or a number"},
	{"list element array", `{"id": [1, [2]]}`, apierr.InvalidFilterOperator, "/id/1", "id",
		"=filter value of type array for operator '$in' on integer field 'id' is invalid: expected a number"},
	{"list element invalid", `{"id": {"$nin": [1, "x"]}}`, apierr.InvalidFilterOperator, "/id/$nin/1", "id", `value "x"`},
	{"long value is cut", `{"id": "` + strings.Repeat("x", 100) + `"}`, apierr.InvalidFilterOperator, "/id", "id",
		`value "` + strings.Repeat("x", 64) + `..." for`},

	{"or object", `{"$or": {"logic": "OR", "id": 1}}`, apierr.InvalidParams, "/$or", "",
		"=filter '$or' must be an array of objects, got object"},
	{"and string", `{"$and": "x"}`, apierr.InvalidParams, "/$and", "", "got string"},
	{"or element not object", `{"$or": [{"id": 1}, [{"id": 2}]]}`, apierr.InvalidParams, "/$or/1", "",
		"=filter '$or' must be an array of objects, but element 1 is array"},
	{"logic xor", `{"0": {"logic": "XOR", "id": 1}}`, apierr.InvalidFilterOperator, "/0/logic", "",
		`=filter logic "XOR" is not allowed. Allowed: AND, OR`},
	{"logic number", `{"x": {"logic": 1}}`, apierr.InvalidFilterOperator, "/x/logic", "", "filter logic 1"},
	{"logic at top", `{"logic": "NOT"}`, apierr.InvalidFilterOperator, "/logic", "", "filter logic"},
	{"dollar key", `{"$not": {"id": 1}}`, apierr.InvalidFilterOperator, "/$not", "",
		"=filter key '$not' is not allowed here. Use a field name, '$or' or '$and'"},
	{"dollar key in sub-filter", `{"1": {"$eq": 1}}`, apierr.InvalidFilterOperator, "/1/$eq", "", "'$eq'"},

	{"invalid JSON", `{"id": }`, apierr.InvalidParams, "", "", "filter is not valid JSON"},
	{"duplicate key", `{"a": {"id": 1, "id": 2}}`, apierr.InvalidParams, "/a", "", "duplicate key 'id'"},
	{"not an object", `[{"id": 1}]`, apierr.InvalidParams, "", "", "=filter must be a JSON object, got array"},

	{"first key wins", `{"nope": 1, "id": {"$gt": true}}`, apierr.InvalidParams, "/nope", "nope", "'nope'"},
	{"first key wins reversed", `{"id": {"$gt": true}, "nope": 1}`, apierr.InvalidFilterOperator, "/id/$gt", "id", "value true"},
	{"first operator wins", `{"id": {"$gt": "x", "$bad": 1}}`, apierr.InvalidFilterOperator, "/id/$gt", "id", `value "x"`},
	{"logic checked in order", `{"0": {"id": "x", "logic": "XOR"}}`, apierr.InvalidFilterOperator, "/0/id", "id", `value "x"`},
}

func TestCompileErrors(t *testing.T) {
	s := testSchema(t)
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(s, []byte(tc.filter), Options{})
			checkError(t, err, tc)
		})
	}
}

func checkError(t *testing.T, err error, tc errorCase) {
	t.Helper()
	if !errors.Is(err, apierr.ErrRejected) {
		t.Fatalf("error = %v, want an *apierr.Error", err)
	}
	e := apierr.As(err)
	if e.Code != tc.code {
		t.Errorf("Code = %s, want %s (message %q)", e.Code, tc.code, e.Message)
	}
	if e.Pointer != tc.pointer {
		t.Errorf("Pointer = %q, want %q", e.Pointer, tc.pointer)
	}
	if e.Field != tc.field {
		t.Errorf("Field = %q, want %q", e.Field, tc.field)
	}
	if whole, ok := strings.CutPrefix(tc.message, "="); ok {
		if e.Message != whole {
			t.Errorf("Message = %q\nwant      %q", e.Message, whole)
		}
	} else if !strings.Contains(e.Message, tc.message) {
		t.Errorf("Message = %q, want it to contain %q", e.Message, tc.message)
	}
}

// nested returns a filter whose deepest object is at level depth, each
// level a one-element "$and".
func nested(depth int, inner string) string {
	return strings.Repeat(`{"$and": [`, depth-1) + inner + strings.Repeat(`]}`, depth-1)
}

func TestLimits(t *testing.T) {
	s := testSchema(t)
	many := func(n int, item string) string {
		items := make([]string, n)
		for i := range items {
			items[i] = item
		}
		return strings.Join(items, ", ")
	}
	conditions := func(n int) string {
		members := make([]string, n)
		for i := range members {
			members[i] = fmt.Sprintf(`{"id": %d}`, i)
		}
		return `{"$or": [` + strings.Join(members, ", ") + `]}`
	}

	tests := []struct {
		name   string
		filter string
		opts   Options
		err    *errorCase
	}{
		{name: "depth 16", filter: nested(16, `{"id": 1}`)},
		{name: "depth 16 with operator object", filter: nested(15, `{"id": {"$gt": 1}}`)},
		{name: "depth 17", filter: nested(17, `{"id": 1}`),
			err: &errorCase{code: apierr.InvalidParams, pointer: strings.Repeat("/$and/0", 16), message: "=filter is nested too deeply: the maximum depth is 16"}},
		{name: "depth 17 by operator object", filter: nested(16, `{"id": {"$gt": 1}}`),
			err: &errorCase{code: apierr.InvalidParams, pointer: strings.Repeat("/$and/0", 15) + "/id", message: "the maximum depth is 16"}},
		{name: "depth 17 by group", filter: nested(16, `{"0": {"logic": "OR"}}`),
			err: &errorCase{code: apierr.InvalidParams, pointer: strings.Repeat("/$and/0", 15) + "/0", message: "the maximum depth is 16"}},
		{name: "depth option", filter: `{"0": {"id": 1}}`, opts: Options{MaxDepth: 1},
			err: &errorCase{code: apierr.InvalidParams, pointer: "/0", message: "the maximum depth is 1"}},

		{name: "1000 conditions", filter: conditions(1000)},
		{name: "1001 conditions", filter: conditions(1001),
			err: &errorCase{code: apierr.InvalidParams, pointer: "/$or/1000/id", field: "id", message: "=filter has too many conditions: the maximum is 1000"}},
		{name: "each operator is a condition", filter: `{"id": {"$gt": 1, "$lt": 5}, "name": "x"}`, opts: Options{MaxConditions: 2},
			err: &errorCase{code: apierr.InvalidParams, pointer: "/name", field: "name", message: "the maximum is 2"}},

		{name: "10000 values", filter: `{"id": [` + many(10000, "1") + `]}`},
		{name: "10001 values", filter: `{"id": {"$in": [` + many(10001, "1") + `]}}`,
			err: &errorCase{code: apierr.InvalidParams, pointer: "/id/$in", field: "id",
				message: "=filter list of operator '$in' on field 'id' has 10001 values, more than the maximum of 10000"}},
		{name: "list option", filter: `{"@id": [1, 2, 3]}`, opts: Options{MaxListValues: 2},
			err: &errorCase{code: apierr.InvalidParams, pointer: "/@id", field: "id", message: "has 3 values"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(s, []byte(tc.filter), tc.opts)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("Compile: %v", err)
				}
				return
			}
			checkError(t, err, *tc.err)
		})
	}
}

func TestCompileNilSchema(t *testing.T) {
	_, err := Compile(nil, []byte(`{"id": 1}`), Options{})
	if err == nil || apierr.As(err) != nil {
		t.Errorf("Compile(nil schema) error = %v, want a plain error", err)
	}
	_, err = CompileURL(nil, nil, Options{})
	if err == nil || apierr.As(err) != nil {
		t.Errorf("CompileURL(nil schema) error = %v, want a plain error", err)
	}
}
