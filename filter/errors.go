package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/schema"
)

// Every message of the compiler is built in this file so that the wording
// of one phase stays in one place. Messages start in lower case, quote
// names in single quotes and show a rejected value as JSON text.

// maxQuotedValue bounds how much of a rejected value a message repeats, so
// that a megabyte-long string does not end up in a log line.
const maxQuotedValue = 64

func paramsError(pointer, field, format string, args ...any) *apierr.Error {
	return &apierr.Error{Code: apierr.InvalidParams, Message: fmt.Sprintf(format, args...), Pointer: pointer, Field: field}
}

func operatorError(pointer, field, format string, args ...any) *apierr.Error {
	return &apierr.Error{Code: apierr.InvalidFilterOperator, Message: fmt.Sprintf(format, args...), Pointer: pointer, Field: field}
}

// lookupError turns a failed schema lookup into the API error: an unknown
// name lists every field (every UF when the name is spelled like one), an
// ambiguous UF spelling lists the UFs it matches.
func lookupError(s *schema.Schema, pointer, name string, err error) *apierr.Error {
	var lookup *schema.LookupError
	if errors.As(err, &lookup) && errors.Is(err, schema.ErrAmbiguousField) {
		names := make([]string, len(lookup.Candidates))
		for i, f := range lookup.Candidates {
			names[i] = f.Name
		}
		return paramsError(pointer, name, "filter field '%s' is ambiguous: it matches %s. Use the exact name",
			name, strings.Join(names, ", "))
	}

	if schema.LooksLikeUF(name) {
		if ufs := s.UserFieldNames(); len(ufs) > 0 {
			return paramsError(pointer, name, "filter field '%s' is not in the schema. Available user fields: %s",
				name, strings.Join(ufs, ", "))
		}
	}
	return paramsError(pointer, name, "filter field '%s' is not in the schema. Available: %s",
		name, strings.Join(s.FieldNames(), ", "))
}

func depthError(pointer string, maxDepth int) *apierr.Error {
	return paramsError(pointer, "", "filter is nested too deeply: the maximum depth is %d", maxDepth)
}

func conditionsError(pointer, field string, maxConditions int) *apierr.Error {
	return paramsError(pointer, field, "filter has too many conditions: the maximum is %d", maxConditions)
}

func listLengthError(pointer, field, op string, length, maxValues int) *apierr.Error {
	return paramsError(pointer, field, "filter list of operator '%s' on field '%s' has %d values, more than the maximum of %d",
		op, field, length, maxValues)
}

func unknownOperatorError(pointer, field, op string) *apierr.Error {
	return operatorError(pointer, field, "filter operator '%s' on field '%s' is unknown. Allowed: %s",
		op, field, strings.Join(operatorNames, ", "))
}

func kindOperatorError(pointer string, f *schema.Field, field, op string) *apierr.Error {
	return operatorError(pointer, field, "filter operator '%s' is not allowed on %s field '%s'. Allowed: %s",
		op, f.Kind, field, strings.Join(allowedOperators(f.Kind, strings.HasPrefix(op, "$")), ", "))
}

// shapeError reports a value of the wrong JSON type for its operator, such
// as a string for "$in" or an array for "$gt".
func shapeError(pointer, field, op, want string, got *jsontree.Node) *apierr.Error {
	return operatorError(pointer, field, "filter operator '%s' on field '%s' needs %s, got %s",
		op, field, want, describeNode(got))
}

// describeNode names the JSON type of a value for a message.
func describeNode(v *jsontree.Node) string {
	switch v.Kind {
	case jsontree.String:
		if v.Text == "" {
			return "an empty string"
		}
		return "a string"
	case jsontree.Array:
		if len(v.Items) == 1 {
			return "an array of 1 value"
		}
		return fmt.Sprintf("an array of %d values", len(v.Items))
	case jsontree.Object:
		return "an object"
	case jsontree.Number:
		return "a number"
	case jsontree.Bool:
		return "a boolean"
	}
	return "null"
}

// valueError reports a filter value that cannot be read as the field's type.
func valueError(pointer string, f *schema.Field, field, op string, v *jsontree.Node, want string) *apierr.Error {
	return operatorError(pointer, field, "filter value %s for operator '%s' on %s field '%s' is invalid: expected %s",
		quoteNode(v), op, f.Kind, field, want)
}

// expectedValue describes the values a field of kind k accepts in a filter.
func expectedValue(k schema.Kind) string {
	switch k {
	case schema.KindInteger, schema.KindDouble:
		return "a number"
	case schema.KindMoney:
		return "an amount such as 1500 or \"1500|RUB\""
	case schema.KindBoolean:
		return "Y, N, true, false, 1 or 0"
	case schema.KindDate:
		return "a date such as \"2026-01-05\""
	case schema.KindDateTime:
		return "a datetime such as \"2026-01-05T10:00:00+03:00\""
	case schema.KindEnumeration:
		return "an item id"
	default:
		return "a string or a number"
	}
}

// quoteNode writes a filter value for a message: scalars as JSON text cut
// to maxQuotedValue characters, arrays and objects by their type.
func quoteNode(v *jsontree.Node) string {
	var text string
	switch v.Kind {
	case jsontree.Null:
		return "null"
	case jsontree.Bool:
		if v.Bool {
			return "true"
		}
		return "false"
	case jsontree.Number:
		text = v.Text
	case jsontree.String:
		text = v.Text
	default:
		return "of type " + v.Kind.String()
	}

	if utf8.RuneCountInString(text) > maxQuotedValue {
		runes := []rune(text)
		text = string(runes[:maxQuotedValue]) + "..."
	}
	if v.Kind == jsontree.Number {
		return text
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(text) // a string always encodes, and a strings.Builder never fails to write
	return strings.TrimSuffix(b.String(), "\n")
}
