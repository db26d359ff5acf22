package filter

import "github.com/crmagg/crmagg/schema"

// operation is the test a condition applies, whichever syntax named it.
type operation uint8

const (
	operEq operation = iota
	operNe
	operLt
	operLte
	operGt
	operGte
	operIn
	operNin
	operContains
	operNotContains
	operLike
	operNotLike
	operBetween
	operNotBetween
)

// operatorNames lists the operators of operator objects in the order
// messages show them.
var operatorNames = []string{"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$contains", "$notContains"}

var operators = map[string]operation{
	"$eq":          operEq,
	"$ne":          operNe,
	"$gt":          operGt,
	"$gte":         operGte,
	"$lt":          operLt,
	"$lte":         operLte,
	"$in":          operIn,
	"$nin":         operNin,
	"$contains":    operContains,
	"$notContains": operNotContains,
}

// prefixes are the Bitrix key prefixes, longest first, so that the first
// one a key starts with is the longest match: "!=%name" is NOT LIKE on
// "name", not "!=" on "%name".
var prefixes = []struct {
	text string
	oper operation
}{
	{"!><", operNotBetween},
	{"!=%", operNotLike},
	{"!%=", operNotLike},
	{"><", operBetween},
	{"!=", operNe},
	{"!@", operNin},
	{"!%", operNotContains},
	{"=%", operLike},
	{"%=", operLike},
	{">=", operGte},
	{"<=", operLte},
	{"!", operNe},
	{"=", operEq},
	{">", operGt},
	{"<", operLt},
	{"@", operIn},
	{"%", operContains},
}

// prefixNames lists the prefixes in the order messages show them.
var prefixNames = []string{"=", "!", "!=", ">", ">=", "<", "<=", "@", "!@", "%", "!%", "=%", "%=", "!=%", "!%=", "><", "!><"}

// splitPrefix splits a filter key into its longest Bitrix prefix and the
// field name. A key without a prefix returns "".
func splitPrefix(key string) (prefix string, oper operation, name string) {
	for _, p := range prefixes {
		if len(key) >= len(p.text) && key[:len(p.text)] == p.text {
			return p.text, p.oper, key[len(p.text):]
		}
	}
	return "", operEq, key
}

// negated reports whether the operation is the negation of another one, so
// that it matches exactly the records its positive form does not.
func (o operation) negated() bool {
	switch o {
	case operNe, operNin, operNotContains, operNotLike, operNotBetween:
		return true
	}
	return false
}

// ordered reports whether the operation compares by order.
func (o operation) ordered() bool {
	return o == operLt || o == operLte || o == operGt || o == operGte
}

// compareOp returns the comparison of an ordered or equality operation.
func (o operation) compareOp() compareOp {
	switch o {
	case operLt:
		return opLt
	case operLte:
		return opLte
	case operGt:
		return opGt
	case operGte:
		return opGte
	}
	return opEq
}

// allowedOn reports whether the operation fits a field of kind k: booleans
// have no order, and only string fields take contains and LIKE.
func (o operation) allowedOn(k schema.Kind) bool {
	switch o {
	case operEq, operNe, operIn, operNin:
		return true
	case operContains, operNotContains, operLike, operNotLike:
		return k == schema.KindString
	default:
		return k != schema.KindBoolean
	}
}

// allowedOperators lists the operators a field of kind k takes, as "$"
// operators or as prefixes.
func allowedOperators(k schema.Kind, dollar bool) []string {
	var names []string
	if dollar {
		for _, name := range operatorNames {
			if operators[name].allowedOn(k) {
				names = append(names, name)
			}
		}
		return names
	}
	for _, name := range prefixNames {
		_, oper, _ := splitPrefix(name)
		if oper.allowedOn(k) {
			names = append(names, name)
		}
	}
	return names
}
