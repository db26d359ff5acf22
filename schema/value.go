package schema

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/crmagg/crmagg/money"
	"github.com/shopspring/decimal"
)

// State records whether a value is present and readable.
type State uint8

// Value states.
const (
	// Empty is a missing key, JSON null, "", an empty array or a money value
	// with no amount.
	Empty State = iota
	// Valid values are read as their field's kind.
	Valid
	// Invalid values cannot be read as their field's kind; functions skip
	// them and the engine counts them.
	Invalid
)

// Value is one record value read as its field's kind. Only the members of
// the kind are set.
type Value struct {
	State State
	// Num is the number of an integer, double or enumeration value and the
	// amount of a money value.
	Num decimal.Decimal
	// Text is a string value, or the currency of a money value ("" for none).
	Text string
	Bool bool
	// Time is a date (midnight UTC of the date as written) or a datetime
	// instant.
	Time time.Time
}

// Reader reads raw record values as typed values. The zero Reader reads in
// UTC with money's default exponent bound. A Reader is safe for concurrent
// use.
type Reader struct {
	// Location is the time zone of datetimes written without an offset;
	// nil means UTC.
	Location *time.Location
	// Money bounds the exponents of amounts and numbers.
	Money money.Parser
}

func (r *Reader) location() *time.Location {
	if r == nil || r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// Read reads the raw value of a single-value field, or one element of a
// multiple field. raw is what encoding/json produces (nil, bool, string,
// json.Number, float64, []any, map[string]any) or a Go integer type. A
// non-empty array or an object is Invalid; an empty array is Empty.
func (r *Reader) Read(f *Field, raw any) Value {
	switch v := raw.(type) {
	case nil:
		return Value{}
	case string:
		if v == "" {
			return Value{}
		}
		return r.readString(f, v)
	case json.Number:
		return r.readNumberText(f, string(v))
	case float64:
		return r.readFloat(f, v)
	case float32:
		return r.readFloat(f, float64(v))
	case bool:
		return readBool(f, v)
	case int:
		return readInt(f, int64(v))
	case int64:
		return readInt(f, v)
	case int32:
		return readInt(f, int64(v))
	case int16:
		return readInt(f, int64(v))
	case int8:
		return readInt(f, int64(v))
	case uint64:
		return readDecimal(f, decimal.NewFromUint64(v), strconv.FormatUint(v, 10))
	case uint:
		return readDecimal(f, decimal.NewFromUint64(uint64(v)), strconv.FormatUint(uint64(v), 10))
	case uint32:
		return readInt(f, int64(v))
	case uint16:
		return readInt(f, int64(v))
	case uint8:
		return readInt(f, int64(v))
	case []any:
		if len(v) == 0 {
			return Value{}
		}
		return Value{State: Invalid}
	default:
		return Value{State: Invalid}
	}
}

// ReadElements appends the valid elements of a multiple field's raw value
// to dst and returns it with the number of invalid elements dropped. A
// scalar is one element; empty elements are dropped without counting.
func (r *Reader) ReadElements(f *Field, raw any, dst []Value) ([]Value, int) {
	items, isArray := raw.([]any)
	if !isArray {
		v := r.Read(f, raw)
		switch v.State {
		case Valid:
			return append(dst, v), 0
		case Invalid:
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
		v := r.Read(f, item)
		switch v.State {
		case Valid:
			dst = append(dst, v)
		case Invalid:
			invalid++
		}
	}
	return dst, invalid
}

func (r *Reader) readString(f *Field, s string) Value {
	switch f.Kind {
	case KindString:
		return Value{State: Valid, Text: s}
	case KindInteger, KindDouble, KindEnumeration:
		return r.readNumberText(f, s)
	case KindMoney:
		m, err := r.moneyParser().Parse(s)
		if err != nil {
			if errors.Is(err, money.ErrEmpty) {
				return Value{}
			}
			return Value{State: Invalid}
		}
		return Value{State: Valid, Num: m.Amount, Text: m.Currency}
	case KindBoolean:
		switch s {
		case "Y", "1", "true":
			return Value{State: Valid, Bool: true}
		case "N", "0", "false":
			return Value{State: Valid, Bool: false}
		}
		return Value{State: Invalid}
	case KindDate:
		t, ok := ParseDate(s)
		if !ok {
			return Value{State: Invalid}
		}
		return Value{State: Valid, Time: t}
	case KindDateTime:
		t, ok := ParseDateTime(s, r.location())
		if !ok {
			return Value{State: Invalid}
		}
		return Value{State: Valid, Time: t}
	}
	return Value{State: Invalid}
}

func (r *Reader) moneyParser() money.Parser {
	if r == nil {
		return money.Parser{}
	}
	return r.Money
}

// readNumberText reads a JSON number's text or a numeric string.
func (r *Reader) readNumberText(f *Field, text string) Value {
	switch f.Kind {
	case KindString:
		return Value{State: Valid, Text: text}
	case KindBoolean:
		return readBoolText(text)
	case KindDate, KindDateTime:
		return Value{State: Invalid}
	}
	d, err := r.moneyParser().ParseAmount(text)
	if err != nil {
		return Value{State: Invalid}
	}
	return readDecimal(f, d, text)
}

// readDecimal checks an exact number against the field's kind.
func readDecimal(f *Field, d decimal.Decimal, text string) Value {
	switch f.Kind {
	case KindString:
		return Value{State: Valid, Text: text}
	case KindBoolean:
		return readBoolText(text)
	case KindDate, KindDateTime:
		return Value{State: Invalid}
	case KindInteger, KindEnumeration:
		if !d.IsInteger() {
			return Value{State: Invalid}
		}
	}
	return Value{State: Valid, Num: d}
}

func (r *Reader) readFloat(f *Field, v float64) Value {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Value{State: Invalid}
	}
	// The shortest text that reads back as v, so 0.1 stays 0.1.
	return r.readNumberText(f, strconv.FormatFloat(v, 'g', -1, 64))
}

func readInt(f *Field, v int64) Value {
	return readDecimal(f, decimal.New(v, 0), strconv.FormatInt(v, 10))
}

func readBool(f *Field, v bool) Value {
	if f.Kind != KindBoolean {
		return Value{State: Invalid}
	}
	return Value{State: Valid, Bool: v}
}

func readBoolText(text string) Value {
	switch text {
	case "1":
		return Value{State: Valid, Bool: true}
	case "0":
		return Value{State: Valid, Bool: false}
	}
	return Value{State: Invalid}
}
