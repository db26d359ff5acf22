package filter

import (
	"errors"
	"slices"
	"time"

	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/money"
	"github.com/crmagg/crmagg/schema"
)

// Default limits, used when the matching Options field is zero.
const (
	DefaultMaxDepth      = 16
	DefaultMaxConditions = 1000
	DefaultMaxListValues = 10000
)

// Options configures how a filter is compiled and how its values and the
// record values are read. The zero Options reads datetimes in UTC, bounds
// exponents at ±1000 and applies the default limits.
type Options struct {
	// Location is the time zone of datetimes written without an offset, in
	// the filter and in records; nil means UTC.
	Location *time.Location
	// Money bounds the exponents of numbers and amounts.
	Money money.Parser
	// MaxDepth is the maximum nesting depth; 0 means DefaultMaxDepth.
	MaxDepth int
	// MaxConditions is the maximum number of conditions; 0 means
	// DefaultMaxConditions.
	MaxConditions int
	// MaxListValues is the maximum number of values in one list; 0 means
	// DefaultMaxListValues.
	MaxListValues int
}

func (o Options) maxDepth() int {
	if o.MaxDepth > 0 {
		return o.MaxDepth
	}
	return DefaultMaxDepth
}

func (o Options) maxConditions() int {
	if o.MaxConditions > 0 {
		return o.MaxConditions
	}
	return DefaultMaxConditions
}

func (o Options) maxListValues() int {
	if o.MaxListValues > 0 {
		return o.MaxListValues
	}
	return DefaultMaxListValues
}

// errNilSchema is returned for a nil schema: a caller's mistake, not a
// rejected request, so it is not an *apierr.Error.
var errNilSchema = errors.New("filter: nil schema")

// Filter is a compiled filter: a tree of typed predicates over the fields of
// one schema. A Filter is immutable and safe for concurrent use. The nil
// *Filter matches every record.
type Filter struct {
	root   node
	reader schema.Reader
	fields []int
}

// Compile compiles the JSON text of a request's "filter" value, which must
// be a JSON object. The caller handles a null or absent filter.
//
// Compile checks keys in the order they appear in src and returns the first
// failure as an *apierr.Error whose Pointer is the JSON Pointer of the
// offending node relative to the filter object:
//   - INVALID_PARAMS for malformed JSON, a repeated key or a value that is
//     not an object. The same code reports an unknown or ambiguous field
//     name, "$or" or "$and" that is not an array of objects, and a filter
//     beyond the depth, condition or list limits.
//   - INVALID_FILTER_OPERATOR for an unknown operator, an operator that does
//     not fit the field's type, a value of the wrong JSON type for its
//     operator, a value that cannot be read as the field's type, a "logic"
//     other than AND or OR, and any other "$" key where a field belongs.
//
// A nil schema is a plain error, not an *apierr.Error. See the package documentation for the syntax and the value rules.
func Compile(s *schema.Schema, src []byte, opts Options) (*Filter, error) {
	root, err := jsontree.Parse(src)
	if err != nil {
		if syntax, ok := err.(*jsontree.SyntaxError); ok {
			return nil, paramsError(syntax.Pointer, "", "filter is not valid JSON: %s", syntax.Msg)
		}
		return nil, paramsError("", "", "filter is not valid JSON: %s", err)
	}
	return compileTree(s, root, opts)
}

// compileTree compiles a parsed filter object; Compile and CompileURL share
// it.
func compileTree(s *schema.Schema, root *jsontree.Node, opts Options) (*Filter, error) {
	if s == nil {
		return nil, errNilSchema
	}
	if root.Kind != jsontree.Object {
		return nil, paramsError("", "", "filter must be a JSON object, got %s", root.Kind)
	}

	c := &compiler{
		schema:        s,
		reader:        schema.Reader{Location: opts.Location, Money: opts.Money},
		maxDepth:      opts.maxDepth(),
		maxConditions: opts.maxConditions(),
		maxListValues: opts.maxListValues(),
	}
	tree, err := c.compileObject(root, "", 1)
	if err != nil {
		return nil, err
	}

	f := &Filter{root: tree, reader: c.reader}
	f.fields = collectFields(tree, nil)
	slices.Sort(f.fields)
	f.fields = slices.Compact(f.fields)
	return f, nil
}

// Match reports whether a record matches the filter. values[i] is the raw
// value of the schema's Fields[i]: nil when the record lacks it, otherwise
// what encoding/json produces with UseNumber (nil, bool, string,
// json.Number, []any, map[string]any), a float64, or a Go integer type. A
// values slice shorter than the schema reads the missing fields as nil.
func (f *Filter) Match(values []any) bool {
	if f == nil || f.root == nil {
		return true
	}
	return f.root.match(&f.reader, values)
}

// Fields returns the indexes in the schema's Fields of the fields the filter
// reads, ascending and without repeats. The caller must not change the
// returned slice.
func (f *Filter) Fields() []int {
	if f == nil {
		return nil
	}
	return f.fields
}

// MatchesAll reports whether the filter has no conditions, so that every
// record matches without reading any value: {}, {"$and": []} and groups
// that hold nothing else.
func (f *Filter) MatchesAll() bool {
	if f == nil || f.root == nil {
		return true
	}
	c, ok := f.root.(constant)
	return ok && bool(c)
}

// collectFields appends the field index of every condition under n.
func collectFields(n node, dst []int) []int {
	switch n := n.(type) {
	case *condition:
		return append(dst, n.field.Index)
	case *group:
		for _, child := range n.children {
			dst = collectFields(child, dst)
		}
	}
	return dst
}
