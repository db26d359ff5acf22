package engine

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/money"
	"github.com/crmagg/crmagg/schema"
)

// AppendJSON appends the result's data object in the API's key order:
// count, aggregates, groups, meta. Numbers are exact decimals in plain
// notation.
func (r *Result) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"count":`...)
	dst = strconv.AppendInt(dst, r.Count, 10)
	dst = append(dst, `,"aggregates":`...)
	dst = appendAggregates(dst, r.Aggregates)

	if r.plan != nil && len(r.plan.groups) > 0 {
		dst = append(dst, `,"groups":[`...)
		for i, g := range r.Groups {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = r.appendGroup(dst, g)
		}
		dst = append(dst, ']')
	}

	dst = append(dst, `,"meta":{"totalRecords":`...)
	dst = strconv.AppendInt(dst, r.Meta.TotalRecords, 10)
	dst = append(dst, `,"recordsProcessed":`...)
	dst = strconv.AppendInt(dst, r.Meta.RecordsProcessed, 10)
	dst = append(dst, `,"truncated":`...)
	dst = strconv.AppendBool(dst, r.Meta.Truncated)
	if r.plan != nil && len(r.plan.groups) > 0 {
		dst = append(dst, `,"groupTotal":`...)
		dst = strconv.AppendInt(dst, int64(r.Meta.GroupTotal), 10)
		dst = append(dst, `,"groupsTruncated":`...)
		dst = strconv.AppendBool(dst, r.Meta.GroupsTruncated)
	}
	if r.Meta.InvalidValues != 0 {
		dst = append(dst, `,"invalidValues":`...)
		dst = strconv.AppendInt(dst, r.Meta.InvalidValues, 10)
	}
	return append(dst, "}}"...)
}

// MarshalJSON returns the data object; see AppendJSON.
func (r *Result) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(nil), nil
}

func appendAggregates(dst []byte, fields []FieldResult) []byte {
	dst = append(dst, '{')
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsontree.AppendString(dst, f.Field)
		dst = append(dst, ":{"...)
		for j, v := range f.Values {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = jsontree.AppendString(dst, string(v.Function))
			dst = append(dst, ':')
			if v.Value.Valid {
				dst = append(dst, money.FormatAmount(v.Value.Decimal)...)
			} else {
				dst = append(dst, "null"...)
			}
		}
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

func (r *Result) appendGroup(dst []byte, g Group) []byte {
	dst = append(dst, '{')
	for i, spec := range r.plan.groups {
		dst = jsontree.AppendString(dst, spec.name)
		dst = append(dst, ':')
		dst = appendKeyValue(dst, spec.field, g.Values[i], r.plan.opts.location())
		dst = append(dst, ',')
	}
	dst = append(dst, `"count":`...)
	dst = strconv.AppendInt(dst, g.Count, 10)
	dst = append(dst, `,"aggregates":`...)
	dst = appendAggregates(dst, g.Aggregates)
	return append(dst, '}')
}

// appendKeyValue writes a group key in its canonical JSON form: numbers for
// integer, double and enumeration fields, "Y"/"N" for booleans,
// "amount|CUR" for money, the date or the datetime in the configured zone,
// the original text for strings, and null for the empty key.
func appendKeyValue(dst []byte, f *schema.Field, v schema.Value, loc *time.Location) []byte {
	if v.State != schema.Valid {
		return append(dst, "null"...)
	}
	switch f.Kind {
	case schema.KindInteger, schema.KindDouble, schema.KindEnumeration:
		return append(dst, money.FormatAmount(v.Num)...)
	case schema.KindMoney:
		return jsontree.AppendString(dst, money.FormatAmount(v.Num)+"|"+v.Text)
	case schema.KindBoolean:
		if v.Bool {
			return append(dst, `"Y"`...)
		}
		return append(dst, `"N"`...)
	case schema.KindDate:
		return jsontree.AppendString(dst, schema.FormatDate(v.Time))
	case schema.KindDateTime:
		return jsontree.AppendString(dst, schema.FormatDateTime(v.Time, loc))
	default:
		return jsontree.AppendString(dst, v.Text)
	}
}

// AppendResponse appends the success envelope {"success":true,"data":...}
// and a newline.
func AppendResponse(dst []byte, r *Result) []byte {
	dst = append(dst, `{"success":true,"data":`...)
	dst = r.AppendJSON(dst)
	return append(dst, "}\n"...)
}

// AppendErrorResponse appends the error envelope
// {"success":false,"error":{"code":...,"message":...}} and a newline.
func AppendErrorResponse(dst []byte, e *apierr.Error) []byte {
	dst = append(dst, `{"success":false,"error":{"code":`...)
	dst = jsontree.AppendString(dst, string(e.Code))
	dst = append(dst, `,"message":`...)
	dst = jsontree.AppendString(dst, e.Message)
	return append(dst, "}}\n"...)
}

// Indent re-indents a compact response by two spaces, keeping key order and
// number text.
func Indent(compact []byte) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimRight(compact, "\n"), "", "  "); err != nil {
		return compact
	}
	out.WriteByte('\n')
	return out.Bytes()
}
