package filter

import "github.com/crmagg/crmagg/schema"

// ExprKind is the type of an Expr node.
type ExprKind uint8

// Expression node kinds.
const (
	// ExprConst matches every record (Const true) or none.
	ExprConst ExprKind = iota
	// ExprAnd matches when every child does.
	ExprAnd
	// ExprOr matches when any child does.
	ExprOr
	// ExprCondition tests one field.
	ExprCondition
)

// Expr is a read-only view of a compiled filter's tree for executors that
// evaluate it their own way, such as a columnar table that tests each
// distinct value of a column once instead of each record.
type Expr struct {
	Kind      ExprKind
	Const     bool
	Children  []*Expr
	Condition *Condition
}

// Condition is one test of one field. A value with no valid element
// (missing, null, "", [] or invalid) matches when MatchesEmpty reports
// true. Otherwise the value matches when Test holds for some valid element,
// inverted when Negated reports true: a negated condition matches when no
// element passes Test.
type Condition struct {
	c *condition
}

// Field returns the field the condition reads.
func (c *Condition) Field() *schema.Field { return c.c.field }

// Test reports whether one valid element, read by the filter's rules for
// the field's kind, passes the condition before negation.
func (c *Condition) Test(v schema.Value) bool {
	return c.c.pred != nil && c.c.pred.test(v)
}

// Negated reports whether the result of Test is inverted.
func (c *Condition) Negated() bool { return c.c.negate }

// MatchesEmpty reports whether a value with no valid element matches.
func (c *Condition) MatchesEmpty() bool { return c.c.matchEmpty != c.c.negate }

// Expr returns the tree of the filter. A nil filter is ExprConst true.
func (f *Filter) Expr() *Expr {
	if f == nil || f.root == nil {
		return &Expr{Kind: ExprConst, Const: true}
	}
	return exprOf(f.root)
}

func exprOf(n node) *Expr { return n.expr() }

func (c constant) expr() *Expr { return &Expr{Kind: ExprConst, Const: bool(c)} }

func (g *group) expr() *Expr {
	e := &Expr{Kind: ExprAnd}
	if g.or {
		e.Kind = ExprOr
	}
	for _, child := range g.children {
		e.Children = append(e.Children, child.expr())
	}
	return e
}

func (c *condition) expr() *Expr {
	return &Expr{Kind: ExprCondition, Condition: &Condition{c: c}}
}

// Reader returns a copy of the reader the filter reads record values with.
func (f *Filter) Reader() *schema.Reader {
	if f == nil {
		return &schema.Reader{}
	}
	r := f.reader
	return &r
}
