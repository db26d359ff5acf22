package engine

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/crmagg/crmagg/money"
	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

// cell is one record value read for grouping or aggregation. It is
// schema.Value with numbers held as fixed-point where they fit, so that
// reading "1500.50|RUB" or 42 allocates nothing.
type cell struct {
	state schema.State
	// num is the number or money amount when big is false.
	num fixed
	// big is set when the number does not fit a fixed value; dec holds it.
	big bool
	dec decimal.Decimal
	// text is a string value or a money currency.
	text string
	// b is a boolean value and t a date or datetime value.
	b bool
	t time.Time
}

// decimal returns the exact number of a numeric cell.
func (c *cell) decimal() decimal.Decimal {
	if c.big {
		return c.dec
	}
	return c.num.decimal()
}

// toValue converts the cell to the schema.Value the public result carries.
func (c *cell) toValue(k schema.Kind) schema.Value {
	if c.state != schema.Valid {
		return schema.Value{State: c.state}
	}
	switch k {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration:
		return schema.Value{State: schema.Valid, Num: c.decimal()}
	case schema.KindMoney:
		return schema.Value{State: schema.Valid, Num: c.decimal(), Text: c.text}
	case schema.KindString:
		return schema.Value{State: schema.Valid, Text: c.text}
	case schema.KindBoolean:
		return schema.Value{State: schema.Valid, Bool: c.b}
	}
	return schema.Value{State: schema.Valid, Time: c.t}
}

// cellReader reads raw record values into cells by the rules of
// schema.Reader, which it falls back to for everything but numbers and
// strings.
type cellReader struct {
	reader *schema.Reader
	money  money.Parser
}

var invalidCell = cell{state: schema.Invalid}

// read reads one raw value of a single-value field or one element of a
// multiple field.
func (r *cellReader) read(f *schema.Field, raw any) cell {
	switch f.Kind {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration, schema.KindMoney:
		return r.readNumber(f, raw)
	case schema.KindString:
		switch v := raw.(type) {
		case string:
			if v == "" {
				return cell{}
			}
			return cell{state: schema.Valid, text: v}
		case nil:
			return cell{}
		}
	}
	v := r.reader.Read(f, raw)
	return cell{state: v.State, text: v.Text, b: v.Bool, t: v.Time}
}

func (r *cellReader) readNumber(f *schema.Field, raw any) cell {
	var text string
	switch v := raw.(type) {
	case nil:
		return cell{}
	case string:
		if v == "" {
			return cell{}
		}
		text = v
		if f.Kind == schema.KindMoney {
			return r.readMoney(v)
		}
	case json.Number:
		text = string(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return invalidCell
		}
		text = strconv.FormatFloat(v, 'g', -1, 64)
	case int:
		return integralCell(fixed{m: int64(v)})
	case int64:
		return integralCell(fixed{m: v})
	case int32:
		return integralCell(fixed{m: int64(v)})
	case []any:
		if len(v) == 0 {
			return cell{}
		}
		return invalidCell
	default:
		// Other Go types (unsigned, small ints, float32, bool, objects)
		// take the schema reader's path.
		return r.fromValue(f, r.reader.Read(f, raw))
	}
	return r.readAmount(f, text)
}

func integralCell(f fixed) cell { return cell{state: schema.Valid, num: f} }

// readAmount reads a number text for an integer, double, enumeration or
// money field.
func (r *cellReader) readAmount(f *schema.Field, text string) cell {
	if fx, ok := parseFixedFast(text); ok {
		return checkIntegral(f, cell{state: schema.Valid, num: fx})
	}
	d, err := r.money.ParseAmount(text)
	if err != nil {
		return invalidCell
	}
	return checkIntegral(f, cellFromDecimal(d))
}

func (r *cellReader) readMoney(s string) cell {
	amount, currency, hasBar := strings.Cut(s, "|")
	if hasBar && strings.IndexByte(currency, '|') < 0 {
		if fx, ok := parseFixedFast(amount); ok {
			return cell{state: schema.Valid, num: fx, text: trimSpaces(currency)}
		}
	} else if !hasBar {
		if fx, ok := parseFixedFast(amount); ok {
			return cell{state: schema.Valid, num: fx}
		}
	}
	m, err := r.money.Parse(s)
	if err != nil {
		if errors.Is(err, money.ErrEmpty) {
			return cell{}
		}
		return invalidCell
	}
	c := cellFromDecimal(m.Amount)
	c.text = m.Currency
	return c
}

func cellFromDecimal(d decimal.Decimal) cell {
	if fx, ok := fixedFromDecimal(d); ok {
		return cell{state: schema.Valid, num: fx}
	}
	return cell{state: schema.Valid, big: true, dec: d}
}

// checkIntegral rejects a fractional value in an integer or enumeration
// field and brings an integral one to scale 0.
func checkIntegral(f *schema.Field, c cell) cell {
	if f.Kind != schema.KindInteger && f.Kind != schema.KindEnumeration {
		return c
	}
	if c.big {
		if !c.dec.IsInteger() {
			return invalidCell
		}
		return c
	}
	n := c.num.normalize()
	if n.scale != 0 {
		return invalidCell
	}
	c.num = n
	return c
}

func (r *cellReader) fromValue(f *schema.Field, v schema.Value) cell {
	if v.State != schema.Valid {
		return cell{state: v.State}
	}
	c := cellFromDecimal(v.Num)
	c.text = v.Text
	return c
}

// readElements appends the valid elements of a multiple field to dst and
// returns the number of invalid ones.
func (r *cellReader) readElements(f *schema.Field, raw any, dst []cell) ([]cell, int) {
	items, isArray := raw.([]any)
	if !isArray {
		c := r.read(f, raw)
		switch c.state {
		case schema.Valid:
			return append(dst, c), 0
		case schema.Invalid:
			return dst, 1
		}
		return dst, 0
	}
	invalid := 0
	for _, item := range items {
		if nested, ok := item.([]any); ok {
			// An empty array is an empty element; a non-empty one is invalid.
			if len(nested) > 0 {
				invalid++
			}
			continue
		}
		c := r.read(f, item)
		switch c.state {
		case schema.Valid:
			dst = append(dst, c)
		case schema.Invalid:
			invalid++
		}
	}
	return dst, invalid
}

// trimSpaces removes the spaces, tabs and line breaks that the money
// grammar allows around a currency, without strings.Trim's per-call set.
func trimSpaces(s string) string {
	start, end := 0, len(s)
	for start < end && isSpace(s[start]) {
		start++
	}
	for end > start && isSpace(s[end-1]) {
		end--
	}
	return s[start:end]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
