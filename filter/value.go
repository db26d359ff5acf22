package filter

import (
	"encoding/json"
	"strconv"

	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/schema"
)

// decimalField reads filter values of integer and enumeration fields:
// a filter may compare them with any decimal ({"$gt": 1.5}), while a record
// value of such a field must be integral.
var decimalField = &schema.Field{Name: "decimal", Kind: schema.KindDouble}

// compileOperation compiles one condition: an operator of an operator
// object, a prefixed key, or a plain value or list. label is the operator
// as the filter wrote it, for messages.
//
// The checks run in this order: the condition limit, the list limit, the
// operator against the field's kind, the JSON type of the value, and then
// each value against the field's type.
func (c *compiler) compileOperation(f *schema.Field, name, label string, oper operation, value *jsontree.Node, pointer string) (node, error) {
	c.conditions++
	if c.conditions > c.maxConditions {
		return nil, conditionsError(pointer, name, c.maxConditions)
	}
	if value.Kind == jsontree.Array && len(value.Items) > c.maxListValues {
		return nil, listLengthError(pointer, name, label, len(value.Items), c.maxListValues)
	}
	if !oper.allowedOn(f.Kind) {
		return nil, kindOperatorError(pointer, f, name, label)
	}

	cond := &condition{field: f, negate: oper.negated()}
	var err error
	switch oper {
	case operEq, operNe, operLt, operLte, operGt, operGte:
		err = c.compileComparison(cond, name, label, oper, value, pointer)
	case operIn, operNin:
		err = c.compileList(cond, name, label, value, pointer)
	case operContains, operNotContains, operLike, operNotLike:
		err = compilePattern(cond, name, label, oper, value, pointer)
	case operBetween, operNotBetween:
		err = c.compileBetween(cond, name, label, value, pointer)
	}
	if err != nil {
		return nil, err
	}

	if cond.pred == nil && !cond.matchEmpty {
		// An empty list: no value satisfies the positive form.
		return constant(cond.negate), nil
	}
	return cond, nil
}

// compileComparison compiles an equality or ordered comparison with one
// value. For equality, an empty value (null, "", "|RUB" for money) matches
// empty record values. An ordered comparison needs a non-empty one.
func (c *compiler) compileComparison(cond *condition, name, label string, oper operation, value *jsontree.Node, pointer string) error {
	f := cond.field
	if value.Kind == jsontree.Array || value.Kind == jsontree.Object {
		want := "a single value"
		if oper == operEq || oper == operNe {
			want = "a single value (use '$in' or '$nin' for a list)"
		}
		return shapeError(pointer, name, label, want, value)
	}

	v := c.readValue(f, value)
	switch {
	case v.State == schema.Invalid:
		return valueError(pointer, f, name, label, value, expectedValue(f.Kind))
	case v.State == schema.Empty && oper.ordered():
		return valueError(pointer, f, name, label, value, "a non-empty value: "+expectedValue(f.Kind))
	case v.State == schema.Empty:
		cond.matchEmpty = true
		return nil
	}
	cond.pred = comparePredicate(f.Kind, oper.compareOp(), v)
	return nil
}

// compileList compiles "$in", "$nin", "@", "!@" and plain lists into a set.
// null or "" in the list stands for an empty value.
func (c *compiler) compileList(cond *condition, name, label string, value *jsontree.Node, pointer string) error {
	f := cond.field
	if value.Kind != jsontree.Array {
		return shapeError(pointer, name, label, "an array", value)
	}

	values := make([]schema.Value, 0, len(value.Items))
	for i, item := range value.Items {
		p := pointer + "/" + strconv.Itoa(i)
		v := c.readValue(f, item)
		switch v.State {
		case schema.Invalid:
			return valueError(p, f, name, label, item, expectedValue(f.Kind))
		case schema.Empty:
			cond.matchEmpty = true
		default:
			values = append(values, v)
		}
	}
	if len(values) > 0 {
		cond.pred = setPredicate(f.Kind, values)
	}
	return nil
}

// compilePattern compiles "$contains", "%" and LIKE, which need a non-empty
// JSON string.
func compilePattern(cond *condition, name, label string, oper operation, value *jsontree.Node, pointer string) error {
	if value.Kind != jsontree.String || value.Text == "" {
		return shapeError(pointer, name, label, "a non-empty string", value)
	}
	if oper == operLike || oper == operNotLike {
		cond.pred = newLikeText(value.Text)
	} else {
		cond.pred = newContainsText(value.Text)
	}
	return nil
}

// compileBetween compiles "><" and "!><": an array of a lower and an upper
// bound, both inclusive and non-empty.
func (c *compiler) compileBetween(cond *condition, name, label string, value *jsontree.Node, pointer string) error {
	f := cond.field
	if value.Kind != jsontree.Array || len(value.Items) != 2 {
		return shapeError(pointer, name, label, "an array of two values", value)
	}

	var bounds [2]predicate
	for i, item := range value.Items {
		p := pointer + "/" + strconv.Itoa(i)
		v := c.readValue(f, item)
		if v.State != schema.Valid {
			return valueError(p, f, name, label, item, "a non-empty value: "+expectedValue(f.Kind))
		}
		op := opGte
		if i == 1 {
			op = opLte
		}
		bounds[i] = comparePredicate(f.Kind, op, v)
	}
	cond.pred = between{low: bounds[0], high: bounds[1]}
	return nil
}

// readValue reads one filter value as the field's type, with the rules
// that apply to record values, except that integer and enumeration fields
// take any decimal. Arrays and objects are invalid.
func (c *compiler) readValue(f *schema.Field, value *jsontree.Node) schema.Value {
	var raw any
	switch value.Kind {
	case jsontree.Null:
		raw = nil
	case jsontree.Bool:
		raw = value.Bool
	case jsontree.Number:
		raw = json.Number(value.Text)
	case jsontree.String:
		raw = value.Text
	default:
		return schema.Value{State: schema.Invalid}
	}

	if f.Kind == schema.KindInteger || f.Kind == schema.KindEnumeration {
		f = decimalField
	}
	return c.reader.Read(f, raw)
}

// comparePredicate returns the typed comparison of a field kind against a
// valid bound. Booleans only reach it with opEq.
func comparePredicate(k schema.Kind, op compareOp, bound schema.Value) predicate {
	switch k {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration:
		return numberCompare{op: op, bound: bound.Num}
	case schema.KindMoney:
		return moneyCompare{op: op, bound: bound.Num, currency: bound.Text}
	case schema.KindBoolean:
		return boolEqual(bound.Bool)
	case schema.KindDate, schema.KindDateTime:
		return timeCompare{op: op, bound: bound.Time}
	default:
		return textCompare{op: op, bound: bound.Text}
	}
}

// setPredicate returns the typed set of valid list values of a field kind.
func setPredicate(k schema.Kind, values []schema.Value) predicate {
	switch k {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration:
		set := make(numberSet, len(values))
		for _, v := range values {
			set[numberKey(v.Num)] = struct{}{}
		}
		if small, ok := newSmallIntSet(set, values); ok {
			return small
		}
		return set

	case schema.KindMoney:
		set := moneySet{amounts: map[string]struct{}{}, pairs: map[moneyKey]struct{}{}}
		for _, v := range values {
			if v.Text == "" {
				set.amounts[numberKey(v.Num)] = struct{}{}
			} else {
				set.pairs[moneyKey{numberKey(v.Num), v.Text}] = struct{}{}
			}
		}
		return set

	case schema.KindBoolean:
		var set boolSet
		for _, v := range values {
			if v.Bool {
				set.hasTrue = true
			} else {
				set.hasFalse = true
			}
		}
		return set

	case schema.KindDate, schema.KindDateTime:
		set := make(timeSet, len(values))
		for _, v := range values {
			set[keyOfTime(v.Time)] = struct{}{}
		}
		return set

	default:
		set := make(textSet, len(values))
		for _, v := range values {
			set[v.Text] = struct{}{}
		}
		return set
	}
}
