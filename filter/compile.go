package filter

import (
	"strconv"
	"strings"

	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/schema"
)

// compiler walks a filter tree once, in document order, and stops at the
// first error.
type compiler struct {
	schema        *schema.Schema
	reader        schema.Reader
	maxDepth      int
	maxConditions int
	maxListValues int

	// conditions counts the conditions compiled so far: one per field and
	// operator, one per prefixed key.
	conditions int
}

// compileObject compiles a filter object: the filter itself, a member of
// "$or" or "$and", a digit-key sub-filter or a logic group. Its members are
// joined with AND, or with OR when it holds "logic": "OR". depth is the
// object's nesting level, 1 for the filter itself.
func (c *compiler) compileObject(obj *jsontree.Node, pointer string, depth int) (node, error) {
	if depth > c.maxDepth {
		return nil, depthError(pointer, c.maxDepth)
	}

	or := false
	children := make([]node, 0, len(obj.Members))
	for _, m := range obj.Members {
		p := pointer + "/" + jsontree.EscapePointer(m.Key)
		if m.Key == "logic" {
			var err error
			if or, err = parseLogic(m.Value, p); err != nil {
				return nil, err
			}
			continue
		}

		child, err := c.compileMember(m.Key, m.Value, p, depth)
		if err != nil {
			return nil, err
		}
		children = append(children, child)
	}
	return combine(or, children), nil
}

// compileMember compiles one key of a filter object at level depth.
func (c *compiler) compileMember(key string, value *jsontree.Node, pointer string, depth int) (node, error) {
	switch {
	case key == "$or" || key == "$and":
		return c.compileLogicArray(key, value, pointer, depth)

	case value.Kind == jsontree.Object && value.Get("logic") != nil:
		// A value holding "logic" is a group whatever its key is.
		return c.compileObject(value, pointer, depth+1)

	case strings.HasPrefix(key, "$"):
		return nil, operatorError(pointer, "", "filter key '%s' is not allowed here. Use a field name, '$or' or '$and'", key)

	case isDigits(key) && value.Kind == jsontree.Object:
		return c.compileObject(value, pointer, depth+1)
	}
	return c.compileField(key, value, pointer, depth)
}

// compileLogicArray compiles "$or" or "$and": an array of filter objects.
// An empty "$or" matches nothing and an empty "$and" everything.
func (c *compiler) compileLogicArray(key string, value *jsontree.Node, pointer string, depth int) (node, error) {
	if value.Kind != jsontree.Array {
		return nil, paramsError(pointer, "", "filter '%s' must be an array of objects, got %s", key, value.Kind)
	}

	children := make([]node, 0, len(value.Items))
	for i, item := range value.Items {
		p := pointer + "/" + strconv.Itoa(i)
		if item.Kind != jsontree.Object {
			return nil, paramsError(p, "", "filter '%s' must be an array of objects, but element %d is %s", key, i, item.Kind)
		}
		child, err := c.compileObject(item, p, depth+1)
		if err != nil {
			return nil, err
		}
		children = append(children, child)
	}
	return combine(key == "$or", children), nil
}

// parseLogic reads a group's "logic": AND or OR in any case. It reports
// whether the group is an OR.
func parseLogic(value *jsontree.Node, pointer string) (bool, error) {
	if value.Kind == jsontree.String {
		switch strings.ToUpper(value.Text) {
		case "OR":
			return true, nil
		case "AND":
			return false, nil
		}
	}
	return false, operatorError(pointer, "", "filter logic %s is not allowed. Allowed: AND, OR", quoteNode(value))
}

// compileField compiles a key naming a field, with or without a prefix, and
// its value: an operator object, a list or a single value.
func (c *compiler) compileField(key string, value *jsontree.Node, pointer string, depth int) (node, error) {
	prefix, oper, name := splitPrefix(key)
	f, err := c.schema.Lookup(name)
	if err != nil {
		return nil, lookupError(c.schema, pointer, name, err)
	}

	if value.Kind == jsontree.Object {
		if depth+1 > c.maxDepth {
			return nil, depthError(pointer, c.maxDepth)
		}
		if prefix != "" {
			return nil, operatorError(pointer, name, "filter key '%s' has the prefix '%s' and an operator object. Use one or the other", key, prefix)
		}
		return c.compileOperatorObject(f, name, value, pointer)
	}

	label := prefix
	if value.Kind == jsontree.Array {
		// "=", "!" and "!=" with an array, and a plain array, are lists.
		switch oper {
		case operEq:
			oper = operIn
		case operNe:
			oper = operNin
		}
	}
	if label == "" {
		label = "$eq"
		if oper == operIn {
			label = "$in"
		}
	}
	return c.compileOperation(f, name, label, oper, value, pointer)
}

// compileOperatorObject compiles {"$gte": 1, "$lt": 5}: its operators are
// joined with AND.
func (c *compiler) compileOperatorObject(f *schema.Field, name string, obj *jsontree.Node, pointer string) (node, error) {
	if len(obj.Members) == 0 {
		return nil, operatorError(pointer, name, "filter operator object of field '%s' is empty. Allowed: %s",
			name, strings.Join(allowedOperators(f.Kind, true), ", "))
	}

	children := make([]node, 0, len(obj.Members))
	for _, m := range obj.Members {
		p := pointer + "/" + jsontree.EscapePointer(m.Key)
		oper, known := operators[m.Key]
		if !known {
			return nil, unknownOperatorError(p, name, m.Key)
		}
		child, err := c.compileOperation(f, name, m.Key, oper, m.Value, p)
		if err != nil {
			return nil, err
		}
		children = append(children, child)
	}
	return combine(false, children), nil
}

// combine joins compiled children with AND or OR. It drops children that
// cannot change the result, so an empty AND becomes true, an empty OR false,
// and a single child stands for itself.
func combine(or bool, children []node) node {
	kept := children[:0]
	for _, child := range children {
		if k, isConstant := child.(constant); isConstant {
			if bool(k) == or {
				// true in an OR, or false in an AND, decides the group.
				return k
			}
			continue
		}
		kept = append(kept, child)
	}

	switch len(kept) {
	case 0:
		return constant(!or)
	case 1:
		return kept[0]
	}
	return &group{or: or, children: kept}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
