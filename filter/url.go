package filter

import (
	"net/url"
	"slices"
	"strings"

	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/schema"
)

// CompileURL compiles the query-string form of a filter into the same kind
// of Filter that Compile returns. It reads the parameters whose name starts
// with "filter[" and ignores all others:
//
//	filter[typeId]=CLIENT                   {"typeId": "CLIENT"}
//	filter[amount][$gte]=100                {"amount": {"$gte": "100"}}
//	filter[>=amount]=100                    {">=amount": "100"}
//	filter[typeId][$in][]=A&...[]=B         {"typeId": {"$in": ["A", "B"]}}
//	filter[@typeId][0]=A&filter[@typeId][1]=B
//	                                        {"@typeId": ["A", "B"]}
//	filter[0][logic]=OR&filter[0][0][name]=x&filter[0][1][name]=y
//	                                        {"0": {"logic": "OR", "0": {...}, "1": {...}}}
//	filter[$or][0][name]=x&filter[$or][1][name]=y
//	                                        {"$or": [{"name": "x"}, {"name": "y"}]}
//
// Every value is a string read by the field's type, so "5" is a number in
// an integer field, and an empty value means an empty value. A node whose
// keys are all digits becomes an array when its children are all values or
// when it is the value of "$or" or "$and". Other digit keys stay object
// keys, such as those of sub-filters. A URL has no null, and "[]" may only
// end a name.
//
// Because url.Values keeps no order, parameters are read in sorted order of
// their names, and errors follow that order. A malformed name, a name given
// both a value and sub-keys, and a name without "[]" repeated with several
// values are INVALID_PARAMS; everything else fails as Compile does, with
// Pointer set to the JSON Pointer of the equivalent JSON filter.
func CompileURL(s *schema.Schema, q url.Values, opts Options) (*Filter, error) {
	root, err := buildURLTree(q)
	if err != nil {
		return nil, err
	}
	return compileTree(s, root.toJSON(false, true), opts)
}

// urlNode is a node of the tree that parameter names describe. A node is
// either a value (scalar), a list of values (list), or an object whose
// children are kept in the order they were first named.
type urlNode struct {
	scalar   bool
	list     bool
	values   []string
	keys     []string
	children map[string]*urlNode
}

// buildURLTree reads every "filter[...]" parameter into one tree.
func buildURLTree(q url.Values) (*urlNode, error) {
	names := make([]string, 0, len(q))
	for name := range q {
		if name == "filter" || strings.HasPrefix(name, "filter[") {
			names = append(names, name)
		}
	}
	slices.Sort(names)

	root := &urlNode{}
	for _, name := range names {
		path, ok := splitURLName(name)
		if !ok {
			return nil, paramsError("", "", "filter parameter '%s' is malformed. Write it as filter[field]=value, filter[field][$op]=value or filter[field][]=value", name)
		}
		if err := root.insert(name, path, q[name]); err != nil {
			return nil, err
		}
	}
	return root, nil
}

// splitURLName splits "filter[a][b][]" into ["a", "b", ""]. Only the last
// segment may be empty, and the name must be at least "filter[x]".
func splitURLName(name string) ([]string, bool) {
	rest, found := strings.CutPrefix(name, "filter")
	if !found || rest == "" {
		return nil, false
	}

	var path []string
	for rest != "" {
		if rest[0] != '[' {
			return nil, false
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, false
		}
		segment := rest[1:end]
		if strings.IndexByte(segment, '[') >= 0 {
			return nil, false
		}
		path = append(path, segment)
		rest = rest[end+1:]
	}

	for i, segment := range path {
		if segment == "" && i != len(path)-1 {
			return nil, false
		}
	}
	if path[0] == "" {
		return nil, false
	}
	return path, true
}

// insert stores the values of one parameter at its path below n.
func (n *urlNode) insert(name string, path []string, values []string) error {
	last := len(path) - 1
	appendToList := path[last] == ""
	if appendToList {
		last--
	}

	parent := n
	for _, key := range path[:last] {
		child, err := parent.child(name, key)
		if err != nil {
			return err
		}
		parent = child
	}
	leaf, err := parent.child(name, path[last])
	if err != nil {
		return err
	}

	if leaf.scalar || leaf.list || len(leaf.keys) > 0 {
		return conflictError(name)
	}
	if appendToList {
		leaf.list = true
		leaf.values = values
		return nil
	}
	if len(values) != 1 {
		return paramsError("", "", "filter parameter '%s' is repeated. Add [] to its name to pass a list", name)
	}
	leaf.scalar = true
	leaf.values = values
	return nil
}

// child returns the object member key of n, adding it when missing. It
// fails when n already holds a value.
func (n *urlNode) child(name, key string) (*urlNode, error) {
	if n.scalar || n.list {
		return nil, conflictError(name)
	}
	if c, ok := n.children[key]; ok {
		return c, nil
	}
	if n.children == nil {
		n.children = map[string]*urlNode{}
	}
	c := &urlNode{}
	n.children[key] = c
	n.keys = append(n.keys, key)
	return c, nil
}

func conflictError(name string) error {
	return paramsError("", "", "filter parameter '%s' gives a value and sub-keys to the same name", name)
}

// toJSON converts the tree into the JSON filter it stands for. inLogic is
// set for the value of "$or" and "$and", which is an array even though its
// elements are objects. root keeps the filter itself an object.
func (n *urlNode) toJSON(inLogic, root bool) *jsontree.Node {
	switch {
	case n.scalar:
		return &jsontree.Node{Kind: jsontree.String, Text: n.values[0]}
	case n.list:
		array := &jsontree.Node{Kind: jsontree.Array, Items: make([]*jsontree.Node, len(n.values))}
		for i, v := range n.values {
			array.Items[i] = &jsontree.Node{Kind: jsontree.String, Text: v}
		}
		return array
	}

	if !root && n.isIndexed(inLogic) {
		keys := slices.Clone(n.keys)
		slices.SortStableFunc(keys, compareIndexes)
		array := &jsontree.Node{Kind: jsontree.Array, Items: make([]*jsontree.Node, len(keys))}
		for i, key := range keys {
			array.Items[i] = n.children[key].toJSON(false, false)
		}
		return array
	}

	object := &jsontree.Node{Kind: jsontree.Object, Members: make([]jsontree.Member, len(n.keys))}
	for i, key := range n.keys {
		object.Members[i] = jsontree.Member{Key: key, Value: n.children[key].toJSON(key == "$or" || key == "$and", false)}
	}
	return object
}

// isIndexed reports whether an object node stands for an array: all its
// keys are digits, and its children are all values or it is the value of
// "$or" or "$and".
func (n *urlNode) isIndexed(inLogic bool) bool {
	if len(n.keys) == 0 {
		return false
	}
	for _, key := range n.keys {
		if !isDigits(key) {
			return false
		}
		if !inLogic && !n.children[key].scalar {
			return false
		}
	}
	return true
}

// compareIndexes orders digit strings by their numeric value, without
// parsing them, so that an index of any length sorts correctly.
func compareIndexes(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
