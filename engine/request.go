package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/filter"
	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/schema"
)

// Function is an aggregate function name as the request spells it.
type Function string

// Aggregate functions.
const (
	Count Function = "count"
	Sum   Function = "sum"
	Avg   Function = "avg"
	Min   Function = "min"
	Max   Function = "max"
)

const (
	maxGroupBy       = 5
	allowedFunctions = "count, sum, avg, min, max"
	allowedTopKeys   = "filter, groupBy, aggregate"
)

// groupSpec is one groupBy field.
type groupSpec struct {
	field *schema.Field
	// name is the field as the request spelled it; the output echoes it.
	name string
}

// aggSpec is one field under "aggregates" with its functions in request
// order.
type aggSpec struct {
	field     *schema.Field
	name      string
	functions []Function
	// numeric is set when a function other than count reads the values.
	numeric bool
}

// Compile validates a request body against a schema and compiles it into a
// Plan. Checks run in the API's order and the first failure is returned.
// The order is: the body is a JSON object, unknown top-level keys (strict
// mode only), groupBy, aggregate element by element (function, then
// field), and the filter in the order of its keys. Every failure is an *apierr.Error with
// code INVALID_PARAMS or INVALID_FILTER_OPERATOR.
func Compile(s *schema.Schema, body []byte, opts Options) (*Plan, error) {
	if len(body) > opts.maxBodyBytes() {
		return nil, &apierr.Error{Code: apierr.InvalidParams,
			Message: fmt.Sprintf("request body is %d bytes, more than the limit of %d bytes", len(body), opts.maxBodyBytes())}
	}
	root, err := jsontree.Parse(body)
	if err != nil {
		e := &apierr.Error{Code: apierr.InvalidParams, Message: "invalid request body: " + err.Error()}
		var se *jsontree.SyntaxError
		if errors.As(err, &se) {
			e.Pointer = se.Pointer
		}
		return nil, e
	}
	if root.Kind != jsontree.Object {
		return nil, &apierr.Error{Code: apierr.InvalidParams,
			Message: "request body must be a JSON object, got " + root.Kind.String()}
	}

	c := compiler{schema: s, opts: opts}
	if opts.Strict {
		for _, m := range root.Members {
			if m.Key != "filter" && m.Key != "groupBy" && m.Key != "aggregate" {
				return nil, c.paramsError("/"+jsontree.EscapePointer(m.Key), "",
					fmt.Sprintf("unknown request key '%s'. Allowed: %s", m.Key, allowedTopKeys))
			}
		}
	}

	p := &Plan{schema: s, opts: opts}
	if p.groups, err = c.groupBy(root.Get("groupBy")); err != nil {
		return nil, err
	}
	if p.aggs, err = c.aggregate(root.Get("aggregate")); err != nil {
		return nil, err
	}
	if p.filter, err = c.filter(root.Get("filter")); err != nil {
		return nil, err
	}
	p.finish()
	return p, nil
}

type compiler struct {
	schema *schema.Schema
	opts   Options
}

func (c *compiler) paramsError(pointer, field, message string) *apierr.Error {
	return &apierr.Error{Code: apierr.InvalidParams, Message: message, Pointer: pointer, Field: field}
}

func (c *compiler) groupBy(n *jsontree.Node) ([]groupSpec, error) {
	if n == nil || n.Kind == jsontree.Null {
		return nil, nil
	}

	var names []*jsontree.Node
	switch n.Kind {
	case jsontree.String:
		names = []*jsontree.Node{n}
	case jsontree.Array:
		if len(n.Items) > maxGroupBy {
			return nil, c.paramsError("/groupBy", "",
				fmt.Sprintf("groupBy takes at most %d fields, got %d", maxGroupBy, len(n.Items)))
		}
		names = n.Items
	default:
		return nil, c.paramsError("/groupBy", "",
			fmt.Sprintf("groupBy must be a field name or an array of 1 to %d field names, got %s", maxGroupBy, n.Kind))
	}

	groups := make([]groupSpec, 0, len(names))
	for i, item := range names {
		pointer := "/groupBy"
		if n.Kind == jsontree.Array {
			pointer = fmt.Sprintf("/groupBy/%d", i)
		}
		if item.Kind != jsontree.String {
			return nil, c.paramsError(pointer, "",
				fmt.Sprintf("groupBy element %d must be a field name string, got %s", i, item.Kind))
		}

		f, err := c.aggregatable("groupBy field", item.Text, pointer)
		if err != nil {
			return nil, err
		}
		for _, prev := range groups {
			if prev.field == f {
				msg := fmt.Sprintf("groupBy field '%s' is listed twice", item.Text)
				if prev.name != item.Text {
					msg = fmt.Sprintf("groupBy fields '%s' and '%s' name the same field", prev.name, item.Text)
				}
				return nil, c.paramsError(pointer, item.Text, msg)
			}
		}
		groups = append(groups, groupSpec{field: f, name: item.Text})
	}
	return groups, nil
}

// aggregatable resolves a name used in groupBy or as a counted field. what
// starts the message, such as "groupBy field".
func (c *compiler) aggregatable(what, name, pointer string) (*schema.Field, error) {
	f, err := c.schema.Lookup(name)
	if err != nil {
		return nil, c.lookupError(what, name, pointer, err)
	}
	if !f.Groupable() {
		return nil, c.paramsError(pointer, name, fmt.Sprintf("%s '%s' is not aggregatable on this entity. Available: %s",
			what, name, listOrNone(c.schema.AggregatableNames())))
	}
	return f, nil
}

// lookupError words a failed name lookup. An ambiguous UF spelling names
// the UFs it matches, and an unknown name that looks like a UF lists every
// UF. Any other unknown name lists the aggregatable standard fields.
func (c *compiler) lookupError(what, name, pointer string, err error) error {
	var le *schema.LookupError
	if errors.As(err, &le) && errors.Is(err, schema.ErrAmbiguousField) {
		names := make([]string, len(le.Candidates))
		for i, f := range le.Candidates {
			names[i] = f.Name
		}
		return c.paramsError(pointer, name, fmt.Sprintf("%s '%s' is ambiguous: it matches the user fields %s",
			what, name, strings.Join(names, ", ")))
	}
	if schema.LooksLikeUF(name) {
		msg := fmt.Sprintf("%s '%s' is not a user field of this portal. Available user fields: %s",
			what, name, listOrNone(c.schema.UserFieldNames()))
		if c.opts.UnknownUFHint != "" {
			msg += ". " + c.opts.UnknownUFHint
		}
		return c.paramsError(pointer, name, msg)
	}
	return c.paramsError(pointer, name, fmt.Sprintf("%s '%s' is not aggregatable on this entity. Available: %s",
		what, name, listOrNone(c.schema.AggregatableNames())))
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

func (c *compiler) aggregate(n *jsontree.Node) ([]aggSpec, error) {
	if n == nil || n.Kind == jsontree.Null {
		return nil, nil
	}
	if n.Kind != jsontree.Array {
		return nil, c.paramsError("/aggregate", "",
			"aggregate must be an array of {\"field\", \"function\"} objects, got "+n.Kind.String())
	}

	var aggs []aggSpec
	for i, elem := range n.Items {
		pointer := fmt.Sprintf("/aggregate/%d", i)
		if elem.Kind != jsontree.Object {
			return nil, c.paramsError(pointer, "",
				fmt.Sprintf("aggregate element %d must be an object with \"field\" and \"function\", got %s", i, elem.Kind))
		}
		if c.opts.Strict {
			for _, m := range elem.Members {
				if m.Key != "field" && m.Key != "function" {
					return nil, c.paramsError(pointer+"/"+jsontree.EscapePointer(m.Key), "",
						fmt.Sprintf("aggregate element %d has unknown key '%s'. Allowed: field, function", i, m.Key))
				}
			}
		}

		fn, err := c.function(elem, i, pointer)
		if err != nil {
			return nil, err
		}
		field, name, err := c.aggregateField(elem, fn, i, pointer)
		if err != nil {
			return nil, err
		}
		if field == nil {
			continue // count of "*" is the record count, already in the result
		}
		aggs = addAggregate(aggs, field, name, fn)
	}
	return aggs, nil
}

func (c *compiler) function(elem *jsontree.Node, i int, pointer string) (Function, error) {
	v := elem.Get("function")
	if v == nil || v.Kind == jsontree.Null {
		return "", c.paramsError(pointer, "",
			fmt.Sprintf("aggregate element %d is missing \"function\". Allowed: %s", i, allowedFunctions))
	}
	if v.Kind != jsontree.String {
		return "", c.paramsError(pointer+"/function", "",
			fmt.Sprintf("aggregate element %d: \"function\" must be a string, got %s. Allowed: %s", i, v.Kind, allowedFunctions))
	}
	switch fn := Function(v.Text); fn {
	case Count, Sum, Avg, Min, Max:
		return fn, nil
	}
	return "", c.paramsError(pointer+"/function", "",
		fmt.Sprintf("aggregate function '%s' is not supported. Allowed: %s", v.Text, allowedFunctions))
}

// aggregateField resolves the field of an aggregate element. It returns a
// nil field for the record count, {"field": "*", "function": "count"}.
func (c *compiler) aggregateField(elem *jsontree.Node, fn Function, i int, pointer string) (*schema.Field, string, error) {
	v := elem.Get("field")
	if v == nil || v.Kind == jsontree.Null {
		return nil, "", c.paramsError(pointer, "",
			fmt.Sprintf("aggregate element %d is missing \"field\"", i))
	}
	pointer += "/field"
	if v.Kind != jsontree.String {
		return nil, "", c.paramsError(pointer, "",
			fmt.Sprintf("aggregate element %d: \"field\" must be a string, got %s", i, v.Kind))
	}
	name := v.Text
	if name == "*" {
		if fn != Count {
			return nil, "", c.paramsError(pointer, name,
				fmt.Sprintf("aggregate field '*' is allowed only with function 'count', got '%s'", fn))
		}
		return nil, name, nil
	}

	if fn == Count {
		f, err := c.aggregatable("aggregate field", name, pointer)
		return f, name, err
	}
	f, err := c.schema.Lookup(name)
	if err != nil {
		return nil, "", c.lookupError("aggregate field", name, pointer, err)
	}
	if !f.Groupable() {
		return nil, "", c.paramsError(pointer, name, fmt.Sprintf("aggregate field '%s' is not aggregatable on this entity. Available: %s",
			name, listOrNone(c.schema.AggregatableNames())))
	}
	if !f.Summable() {
		return nil, "", c.paramsError(pointer, name, fmt.Sprintf(
			"aggregate function '%s' needs a numeric field, but '%s' is %s. Numeric fields: %s",
			fn, name, describeField(f), listOrNone(c.numericNames())))
	}
	return f, name, nil
}

func describeField(f *schema.Field) string {
	if f.UF {
		return "a user field of type " + f.Type
	}
	return "a " + f.Role.String() + " field"
}

func (c *compiler) numericNames() []string {
	var names []string
	for _, f := range c.schema.Fields {
		if f.Summable() {
			names = append(names, f.Name)
		}
	}
	return names
}

// addAggregate adds fn to the entry of field, creating it under the
// spelling of the field's first appearance; a repeated function is kept
// once.
func addAggregate(aggs []aggSpec, field *schema.Field, name string, fn Function) []aggSpec {
	for i := range aggs {
		if aggs[i].field != field {
			continue
		}
		for _, have := range aggs[i].functions {
			if have == fn {
				return aggs
			}
		}
		aggs[i].functions = append(aggs[i].functions, fn)
		aggs[i].numeric = aggs[i].numeric || fn != Count
		return aggs
	}
	return append(aggs, aggSpec{field: field, name: name, functions: []Function{fn}, numeric: fn != Count})
}

func (c *compiler) filter(n *jsontree.Node) (*filter.Filter, error) {
	if n == nil || n.Kind == jsontree.Null {
		return nil, nil
	}
	if n.Kind != jsontree.Object {
		return nil, c.paramsError("/filter", "", "filter must be an object of conditions, got "+n.Kind.String())
	}
	if len(n.Members) == 0 {
		return nil, nil
	}

	f, err := filter.Compile(c.schema, n.AppendJSON(nil), c.opts.filterOptions())
	if err != nil {
		if e := apierr.As(err); e != nil {
			copied := *e
			copied.Pointer = "/filter" + e.Pointer
			if copied.Code == apierr.InvalidParams && copied.Field != "" && c.opts.UnknownUFHint != "" &&
				schema.LooksLikeUF(copied.Field) && len(c.schema.UserFieldNames()) == 0 {
				copied.Message += ". " + c.opts.UnknownUFHint
			}
			return nil, &copied
		}
		return nil, err
	}
	return f, nil
}
