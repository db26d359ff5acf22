package filter

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/schema"
)

// The reference evaluator below interprets a parsed filter directly against
// one record, the slow and obvious way. It compiles nothing, builds no sets
// and simplifies nothing, and it uses regular expressions for contains and
// LIKE. It evaluates every branch, so it finds the first error in document
// order. The differential and fuzz tests check compiled filters against it.

type refError struct {
	code    apierr.Code
	pointer string
}

type reference struct {
	schema        *schema.Schema
	reader        schema.Reader
	maxDepth      int
	maxConditions int
	maxList       int
	record        []any

	conditions int
}

func newReference(s *schema.Schema, opts Options, record []any) *reference {
	return &reference{
		schema:        s,
		reader:        schema.Reader{Location: opts.Location, Money: opts.Money},
		maxDepth:      opts.maxDepth(),
		maxConditions: opts.maxConditions(),
		maxList:       opts.maxListValues(),
		record:        record,
	}
}

// evaluate returns whether the record matches the filter text, or the
// error the filter must fail with.
func (r *reference) evaluate(filterJSON []byte) (bool, *refError) {
	root, err := jsontree.Parse(filterJSON)
	if err != nil {
		return false, &refError{apierr.InvalidParams, err.(*jsontree.SyntaxError).Pointer}
	}
	return r.evaluateTree(root)
}

// evaluateTree is evaluate for a filter that is already parsed.
func (r *reference) evaluateTree(root *jsontree.Node) (bool, *refError) {
	if root.Kind != jsontree.Object {
		return false, &refError{apierr.InvalidParams, ""}
	}
	r.conditions = 0
	return r.object(root, "", 1)
}

func (r *reference) object(obj *jsontree.Node, pointer string, depth int) (bool, *refError) {
	if depth > r.maxDepth {
		return false, &refError{apierr.InvalidParams, pointer}
	}
	isOr := false
	var results []bool
	for _, m := range obj.Members {
		p := pointer + "/" + jsontree.EscapePointer(m.Key)
		var result bool
		var err *refError
		switch {
		case m.Key == "logic":
			upper := strings.ToUpper(m.Value.Text)
			if m.Value.Kind != jsontree.String || (upper != "AND" && upper != "OR") {
				return false, &refError{apierr.InvalidFilterOperator, p}
			}
			isOr = upper == "OR"
			continue
		case m.Key == "$or" || m.Key == "$and":
			result, err = r.logicArray(m.Key == "$or", m.Value, p, depth)
		case m.Value.Kind == jsontree.Object && m.Value.Get("logic") != nil:
			result, err = r.object(m.Value, p, depth+1)
		case strings.HasPrefix(m.Key, "$"):
			err = &refError{apierr.InvalidFilterOperator, p}
		case isAllDigits(m.Key) && m.Value.Kind == jsontree.Object:
			result, err = r.object(m.Value, p, depth+1)
		default:
			result, err = r.field(m.Key, m.Value, p, depth)
		}
		if err != nil {
			return false, err
		}
		results = append(results, result)
	}
	return combineResults(isOr, results), nil
}

func (r *reference) logicArray(isOr bool, value *jsontree.Node, pointer string, depth int) (bool, *refError) {
	if value.Kind != jsontree.Array {
		return false, &refError{apierr.InvalidParams, pointer}
	}
	var results []bool
	for i, item := range value.Items {
		p := pointer + "/" + strconv.Itoa(i)
		if item.Kind != jsontree.Object {
			return false, &refError{apierr.InvalidParams, p}
		}
		result, err := r.object(item, p, depth+1)
		if err != nil {
			return false, err
		}
		results = append(results, result)
	}
	return combineResults(isOr, results), nil
}

func combineResults(isOr bool, results []bool) bool {
	if isOr {
		for _, result := range results {
			if result {
				return true
			}
		}
		return false
	}
	for _, result := range results {
		if !result {
			return false
		}
	}
	return true
}

func isAllDigits(s string) bool {
	return regexp.MustCompile(`^[0-9]+$`).MatchString(s)
}

// referencePrefixes maps each prefix to its operator name.
var referencePrefixes = map[string]string{
	"=": "eq", "!": "ne", "!=": "ne", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte",
	"@": "in", "!@": "nin", "%": "contains", "!%": "notContains",
	"=%": "like", "%=": "like", "!=%": "notLike", "!%=": "notLike", "><": "between", "!><": "notBetween",
}

func (r *reference) field(key string, value *jsontree.Node, pointer string, depth int) (bool, *refError) {
	prefix, op := "", ""
	for length := 3; length >= 1; length-- {
		if len(key) >= length {
			if name, ok := referencePrefixes[key[:length]]; ok {
				prefix, op = key[:length], name
				break
			}
		}
	}
	name := key[len(prefix):]
	f, err := r.schema.Lookup(name)
	if err != nil {
		return false, &refError{apierr.InvalidParams, pointer}
	}

	if value.Kind == jsontree.Object {
		if depth+1 > r.maxDepth {
			return false, &refError{apierr.InvalidParams, pointer}
		}
		if prefix != "" || len(value.Members) == 0 {
			return false, &refError{apierr.InvalidFilterOperator, pointer}
		}
		all := true
		for _, m := range value.Members {
			p := pointer + "/" + jsontree.EscapePointer(m.Key)
			if !strings.HasPrefix(m.Key, "$") || referenceOperators[m.Key[1:]] == false {
				return false, &refError{apierr.InvalidFilterOperator, p}
			}
			result, err := r.condition(f, m.Key[1:], m.Value, p)
			if err != nil {
				return false, err
			}
			all = all && result
		}
		return all, nil
	}

	if prefix == "" {
		op = "eq"
	}
	if value.Kind == jsontree.Array && op == "eq" {
		op = "in"
	}
	if value.Kind == jsontree.Array && op == "ne" {
		op = "nin"
	}
	return r.condition(f, op, value, pointer)
}

var referenceOperators = map[string]bool{
	"eq": true, "ne": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"in": true, "nin": true, "contains": true, "notContains": true,
}

func (r *reference) condition(f *schema.Field, op string, value *jsontree.Node, pointer string) (bool, *refError) {
	r.conditions++
	if r.conditions > r.maxConditions {
		return false, &refError{apierr.InvalidParams, pointer}
	}
	if value.Kind == jsontree.Array && len(value.Items) > r.maxList {
		return false, &refError{apierr.InvalidParams, pointer}
	}
	bad := &refError{apierr.InvalidFilterOperator, pointer}

	negate := false
	if positive, ok := map[string]string{"ne": "eq", "nin": "in", "notContains": "contains", "notLike": "like", "notBetween": "between"}[op]; ok {
		op, negate = positive, true
	}
	stringOnly := op == "contains" || op == "like"
	ordered := op == "gt" || op == "gte" || op == "lt" || op == "lte" || op == "between"
	if (stringOnly && f.Kind != schema.KindString) || (ordered && f.Kind == schema.KindBoolean) {
		return false, bad
	}

	elements := r.elements(f)
	var matched bool
	switch op {
	case "eq", "gt", "gte", "lt", "lte":
		if value.Kind == jsontree.Array || value.Kind == jsontree.Object {
			return false, bad
		}
		want := r.filterValue(f, value)
		if want.State == schema.Invalid || (want.State == schema.Empty && op != "eq") {
			return false, bad
		}
		if want.State == schema.Empty {
			matched = len(elements) == 0
			break
		}
		for _, e := range elements {
			if referenceCompare(f.Kind, op, e, want) {
				matched = true
			}
		}

	case "in":
		if value.Kind != jsontree.Array {
			return false, bad
		}
		for i, item := range value.Items {
			want := r.filterValue(f, item)
			switch want.State {
			case schema.Invalid:
				return false, &refError{apierr.InvalidFilterOperator, pointer + "/" + strconv.Itoa(i)}
			case schema.Empty:
				matched = matched || len(elements) == 0
			default:
				for _, e := range elements {
					if referenceCompare(f.Kind, "eq", e, want) {
						matched = true
					}
				}
			}
		}

	case "contains", "like":
		if value.Kind != jsontree.String || value.Text == "" {
			return false, bad
		}
		expr := regexp.QuoteMeta(value.Text)
		if op == "like" {
			var b strings.Builder
			for _, c := range value.Text {
				switch c {
				case '%':
					b.WriteString(".*")
				case '_':
					b.WriteString(".")
				default:
					b.WriteString(regexp.QuoteMeta(string(c)))
				}
			}
			expr = "^" + b.String() + "$"
		}
		re := regexp.MustCompile("(?is)" + expr)
		for _, e := range elements {
			if re.MatchString(e.Text) {
				matched = true
			}
		}

	case "between":
		if value.Kind != jsontree.Array || len(value.Items) != 2 {
			return false, bad
		}
		var bounds [2]schema.Value
		for i, item := range value.Items {
			bounds[i] = r.filterValue(f, item)
			if bounds[i].State != schema.Valid {
				return false, &refError{apierr.InvalidFilterOperator, pointer + "/" + strconv.Itoa(i)}
			}
		}
		for _, e := range elements {
			if referenceCompare(f.Kind, "gte", e, bounds[0]) && referenceCompare(f.Kind, "lte", e, bounds[1]) {
				matched = true
			}
		}
	}
	return matched != negate, nil
}

// elements returns the valid values of the record's field: none for an
// empty or invalid value.
func (r *reference) elements(f *schema.Field) []schema.Value {
	var raw any
	if f.Index < len(r.record) {
		raw = r.record[f.Index]
	}
	if f.Multiple {
		values, _ := r.reader.ReadElements(f, raw, nil)
		return values
	}
	if v := r.reader.Read(f, raw); v.State == schema.Valid {
		return []schema.Value{v}
	}
	return nil
}

// filterValue reads a filter value; integer and enumeration fields take any
// decimal.
func (r *reference) filterValue(f *schema.Field, value *jsontree.Node) schema.Value {
	if value.Kind == jsontree.Array || value.Kind == jsontree.Object {
		return schema.Value{State: schema.Invalid}
	}
	raw := value.Any()
	if value.Kind == jsontree.Number {
		raw = json.Number(value.Text)
	}
	if f.Kind == schema.KindInteger || f.Kind == schema.KindEnumeration {
		return r.reader.Read(&schema.Field{Kind: schema.KindDouble}, raw)
	}
	return r.reader.Read(f, raw)
}

// referenceCompare applies op to a record element and a filter value. A
// money filter value with a currency only matches elements in it.
func referenceCompare(k schema.Kind, op string, element, want schema.Value) bool {
	var c int
	if k == schema.KindMoney {
		if want.Text != "" && element.Text != want.Text {
			return false
		}
		c = element.Num.Cmp(want.Num)
	} else {
		c = schema.Compare(k, element, want)
	}
	switch op {
	case "gt":
		return c > 0
	case "gte":
		return c >= 0
	case "lt":
		return c < 0
	case "lte":
		return c <= 0
	}
	return c == 0
}
