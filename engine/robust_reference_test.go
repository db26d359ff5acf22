package engine_test

// A differential check of the engine against a deliberately plain model of
// the filter, value and result rules, written with maps, exact big
// rationals and sort.SliceStable. The fuzzer's bytes choose a request and a
// record set from a small grammar. Both the stream path (Run over Maps) and
// the table path (NewTable + RunTable) must give the model's response token
// for token.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

// --- the model's schema -----------------------------------------------------

type rbKind int

const (
	rbStr rbKind = iota
	rbInt
	rbDbl
	rbMoney
)

type rbField struct {
	name     string // the schema's spelling
	alt      string // another spelling of a UF, "" for a standard field
	kind     rbKind
	multiple bool
	numeric  bool // takes sum, avg, min and max
}

// rbFields are in schema order, the order of rbFieldsJSON.
var rbFields = []rbField{
	{"typeId", "", rbStr, false, false},
	{"assignedById", "", rbInt, false, false},
	{"UF_CRM_AMOUNT", "ufCrmAmount", rbMoney, false, true},
	{"UF_CRM_QTY", "ufCrmQty", rbInt, false, true},
	{"UF_CRM_RATE", "ufCrmRate", rbDbl, false, true},
	{"UF_CRM_TAGS", "ufCrmTags", rbStr, true, false},
	{"UF_CRM_NUMS", "ufCrmNums", rbInt, true, true},
}

const rbFieldsJSON = `{
 "typeId": {"type": "crm_status"},
 "assignedById": {"type": "user"},
 "UF_CRM_AMOUNT": {"type": "money", "isDynamic": true},
 "UF_CRM_QTY": {"type": "integer", "isDynamic": true},
 "UF_CRM_RATE": {"type": "double", "isDynamic": true},
 "UF_CRM_TAGS": {"type": "string", "isDynamic": true, "isMultiple": true},
 "UF_CRM_NUMS": {"type": "integer", "isDynamic": true, "isMultiple": true}
}`

func rbSchema(t testing.TB) *schema.Schema {
	t.Helper()
	s, err := schema.Load("contacts", []byte(rbFieldsJSON))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rbRecordPool holds the raw record values the generator picks from: money
// strings, integers as strings and as numbers, invalid texts, empties,
// arrays and Go types that Maps accepts.
var rbRecordPool = []any{
	nil, "", "  ", "CLIENT", "PARTNER", "client", "Ünïcode",
	"1", "2", "01", " 2 ", "\t3", "-0", "1.0", "1.5", "1e1", "1E+1", ".5", "5.", "+7", "-12.250",
	"1500.50|RUB", "1500.5|RUB", "100|USD", "100|", "|RUB", " |USD", "-200|RUB", "+100|RUB", ".5|RUB", "5.|EUR",
	"1.0E+25|RUB", "1e3| RUB ", "1|2|3", "abc|RUB", "1500,50", "1 500", "abc", "NaN", "Infinity", "-Infinity", "0x10",
	"1e1000", "1e1001", "1e-1000", "1E-1001", "9007199254740993", "123456789012345678901234567890.5",
	"99999999999999999999", "0.000000000000000000001",
	json.Number("1"), json.Number("2"), json.Number("1.50"), json.Number("-3"), json.Number("1e2"),
	json.Number("9007199254740993"), json.Number("1e1001"), json.Number("0.1"), json.Number("-0.0"),
	1, 2, int64(-5), int64(9223372036854775807), 0.1, 2.5, 1e21, true, false,
	[]any{}, []any{"x"}, []any{"1", "2", "1"}, []any{"CLIENT", nil, "", "abc"},
	[]any{json.Number("3"), "3.0", []any{"1"}}, []any{"100|RUB", "1e1|RUB", "bad"},
	map[string]any{"a": json.Number("1")},
}

// rbFilterPool holds filter values: JSON null, strings and numbers.
var rbFilterPool = []any{
	nil, "", "  ", "CLIENT", "client", "x", "1", "2", "1.5", "1500.5", "100|USD", "100|RUB", "|RUB", "abc", "1e1001",
	json.Number("0"), json.Number("1"), json.Number("2"), json.Number("1.50"), json.Number("1.5"),
	json.Number("-1"), json.Number("100"), json.Number("1e2"),
}

// --- reading values ---------------------------------------------------------

type rbState int

const (
	rbEmpty rbState = iota
	rbValid
	rbInvalid
)

// rbVal is one valid value: num for numbers and money amounts, text for
// strings and money currencies.
type rbVal struct {
	num  decimal.Decimal
	text string
}

var rbAmountRE = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?([0-9]+))?$`)

// rbParseAmount reads the amount grammar (optional spaces and sign, digits
// with an optional point, an optional exponent) with the bound maxExp on the
// exponent as written.
func rbParseAmount(s string, maxExp int) (decimal.Decimal, bool) {
	s = strings.Trim(s, " \t\r\n")
	m := rbAmountRE.FindStringSubmatch(s)
	if m == nil {
		return decimal.Decimal{}, false
	}
	mant, exp := s, int64(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		digits := strings.TrimLeft(m[1], "0")
		if len(digits) > 9 {
			return decimal.Decimal{}, false
		}
		e, _ := strconv.ParseInt("0"+digits, 10, 64)
		if e > int64(maxExp) {
			return decimal.Decimal{}, false
		}
		if strings.Contains(s[i:], "-") {
			e = -e
		}
		exp = e
	}
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimLeft(mant, "+-")
	intPart, frac, _ := strings.Cut(mant, ".")
	coef, _ := new(big.Int).SetString("0"+intPart+frac, 10)
	if neg {
		coef.Neg(coef)
	}
	return decimal.NewFromBigInt(coef, int32(exp-int64(len(frac)))), true
}

func rbIsIntegral(d decimal.Decimal) bool { return d.Rat().IsInt() }

// rbReadOne reads one raw value, or one element of a multiple field. lax
// lets integer fields take any decimal, as filter values do.
func rbReadOne(kind rbKind, raw any, maxExp int, lax bool) (rbVal, rbState) {
	var text string
	switch x := raw.(type) {
	case nil:
		return rbVal{}, rbEmpty
	case string:
		if x == "" {
			return rbVal{}, rbEmpty
		}
		switch kind {
		case rbStr:
			return rbVal{text: x}, rbValid
		case rbMoney:
			amount, cur, has := strings.Cut(x, "|")
			if has && strings.Contains(cur, "|") {
				return rbVal{}, rbInvalid
			}
			amount = strings.Trim(amount, " \t\r\n")
			if amount == "" {
				return rbVal{}, rbEmpty
			}
			d, ok := rbParseAmount(amount, maxExp)
			if !ok {
				return rbVal{}, rbInvalid
			}
			return rbVal{num: d, text: strings.Trim(cur, " \t\r\n")}, rbValid
		}
		text = x
	case json.Number:
		text = string(x)
	case float64:
		text = strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		text = strconv.Itoa(x)
	case int64:
		text = strconv.FormatInt(x, 10)
	case []any:
		if len(x) == 0 {
			return rbVal{}, rbEmpty
		}
		return rbVal{}, rbInvalid
	default: // booleans, objects
		return rbVal{}, rbInvalid
	}
	if kind == rbStr {
		return rbVal{text: text}, rbValid
	}
	d, ok := rbParseAmount(text, maxExp)
	if !ok || (kind == rbInt && !lax && !rbIsIntegral(d)) {
		return rbVal{}, rbInvalid
	}
	return rbVal{num: d}, rbValid
}

// rbRead returns the valid elements of a field's raw value and the number
// of invalid values in it (at most one for a single-value field).
func rbRead(f rbField, raw any, maxExp int) ([]rbVal, int) {
	items, isArray := raw.([]any)
	if !f.multiple || !isArray {
		v, st := rbReadOne(f.kind, raw, maxExp, false)
		switch st {
		case rbValid:
			return []rbVal{v}, 0
		case rbInvalid:
			return nil, 1
		}
		return nil, 0
	}
	var out []rbVal
	invalid := 0
	for _, item := range items {
		if nested, ok := item.([]any); ok {
			// An empty array is an empty element, any other array an
			// invalid one.
			if len(nested) > 0 {
				invalid++
			}
			continue
		}
		v, st := rbReadOne(f.kind, item, maxExp, false)
		switch st {
		case rbValid:
			out = append(out, v)
		case rbInvalid:
			invalid++
		}
	}
	return out, invalid
}

func rbKey(kind rbKind, v rbVal) string {
	switch kind {
	case rbStr:
		return "s" + v.text
	case rbMoney:
		return "m" + v.num.String() + "|" + v.text
	}
	return "n" + v.num.String()
}

func rbCompare(kind rbKind, a, b rbVal) int {
	switch kind {
	case rbStr:
		return strings.Compare(a.text, b.text)
	case rbMoney:
		if c := a.num.Cmp(b.num); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	}
	return a.num.Cmp(b.num)
}

// --- the generated request --------------------------------------------------

type rbCond struct {
	field int
	op    string // $eq, $ne, $gt, $in
	value any
}

// rbFilter is an AND of conditions and of one optional OR of sub-filters.
type rbFilter struct {
	conds []rbCond
	keys  []string // the key each condition is written under, or "" for an operator object
	or    []*rbFilter
}

type rbAgg struct {
	field int // -1 for "*"
	name  string
	fn    string
}

type rbRequest struct {
	groupBy      []int
	groupNames   []string
	groupAsText  bool
	aggs         []rbAgg
	filter       *rbFilter
	opts         engine.Options
	filterAsNull bool
}

// rbBytes hands out the fuzzer's bytes, and zeros past their end.
type rbBytes struct {
	data []byte
	pos  int
}

func (b *rbBytes) next() int {
	if b.pos >= len(b.data) {
		return 0
	}
	c := b.data[b.pos]
	b.pos++
	return int(c)
}

func (b *rbBytes) intn(n int) int { return b.next() % n }

func (b *rbBytes) spelling(f rbField) string {
	if f.alt != "" && b.intn(5) == 0 {
		return f.alt
	}
	return f.name
}

func rbGenerate(data []byte) (rbRequest, []map[string]any) {
	b := &rbBytes{data: data}
	var req rbRequest

	flags := b.next()
	switch flags & 3 {
	case 1:
		req.opts.RecordLimit = 3
	case 2:
		req.opts.RecordLimit = -1
	case 3:
		req.opts.RecordLimit = 1
	}
	if flags&4 != 0 {
		req.opts.GroupLimit = 2
	}
	if flags&8 != 0 {
		req.opts.AvgPlaces = 2
	}
	if flags&16 != 0 {
		req.opts.Strict = true
	}
	if flags&32 != 0 {
		req.opts.MaxGroups = 3
	}
	if flags&64 != 0 {
		req.opts.MaxExponent = 30
	}

	for n := b.intn(4); n > 0; n-- {
		i := b.intn(len(rbFields))
		req.groupBy = append(req.groupBy, i)
		req.groupNames = append(req.groupNames, b.spelling(rbFields[i]))
	}
	req.groupAsText = len(req.groupBy) == 1 && b.intn(2) == 0

	fns := []string{"count", "sum", "avg", "min", "max"}
	for n := b.intn(5); n > 0; n-- {
		i := b.intn(len(rbFields)+1) - 1
		a := rbAgg{field: i, name: "*", fn: fns[b.intn(len(fns))]}
		if b.intn(8) != 0 && (i < 0 || !rbFields[i].numeric) {
			a.fn = "count" // mostly valid requests, so that most runs aggregate
		}
		if i >= 0 {
			a.name = b.spelling(rbFields[i])
		}
		req.aggs = append(req.aggs, a)
	}

	req.filter = rbGenFilter(b, 0)
	req.filterAsNull = req.filter == nil && b.intn(2) == 0

	var recs []map[string]any
	for n := b.intn(24); n > 0; n-- {
		rec := map[string]any{}
		for _, f := range rbFields {
			switch b.intn(8) {
			case 0, 1: // missing
			case 2:
				if f.alt != "" {
					rec[f.alt] = rbRecordPool[b.intn(len(rbRecordPool))]
					break
				}
				fallthrough
			case 3:
				if f.alt != "" && b.intn(2) == 0 {
					// both spellings: the exact one wins
					rec[f.alt] = rbRecordPool[b.intn(len(rbRecordPool))]
				}
				fallthrough
			default:
				rec[f.name] = rbRecordPool[b.intn(len(rbRecordPool))]
			}
		}
		if b.intn(6) == 0 {
			rec["unrelated"] = "x"
		}
		recs = append(recs, rec)
	}
	return req, recs
}

// rbFilterValue picks a filter value, mostly one that fits the field.
func rbFilterValue(b *rbBytes, kind rbKind) any {
	if b.intn(4) == 0 {
		return rbFilterPool[b.intn(len(rbFilterPool))]
	}
	switch kind {
	case rbStr:
		return []any{"CLIENT", "PARTNER", "x", "1", json.Number("1.50"), "", nil}[b.intn(7)]
	case rbMoney:
		return []any{"100|USD", "1500.5|RUB", "1500.5", json.Number("2"), "|RUB", nil, "-200"}[b.intn(7)]
	}
	return []any{json.Number("1"), json.Number("2"), "2", json.Number("1.5"), json.Number("-1"), json.Number("10"), nil}[b.intn(7)]
}

func rbGenFilter(b *rbBytes, depth int) *rbFilter {
	n := b.intn(4)
	if n == 0 {
		return nil
	}
	ops := []string{"$eq", "$ne", "$gt", "$in"}
	filt := &rbFilter{}
	used := map[string]bool{}
	for ; n > 0; n-- {
		if depth < 2 && filt.or == nil && b.intn(6) == 0 {
			for m := 1 + b.intn(3); m > 0; m-- {
				sub := rbGenFilter(b, depth+1)
				if sub == nil {
					sub = &rbFilter{}
				}
				filt.or = append(filt.or, sub)
			}
			continue
		}
		fi := b.intn(len(rbFields))
		c := rbCond{field: fi, op: ops[b.intn(len(ops))]}
		if c.op == "$in" {
			list := []any{}
			for m := b.intn(4); m > 0; m-- {
				list = append(list, rbFilterValue(b, rbFields[fi].kind))
			}
			c.value = list
		} else {
			c.value = rbFilterValue(b, rbFields[fi].kind)
		}
		name := b.spelling(rbFields[fi])
		var key string
		switch b.intn(3) {
		case 0: // operator object
			key = ""
		case 1: // plain value or list, or the operator's Bitrix prefix
			switch c.op {
			case "$eq", "$in":
				key = name
			case "$ne":
				key = "!" + name
			case "$gt":
				key = ">" + name
			}
		default:
			switch c.op {
			case "$eq":
				key = "=" + name
			case "$ne":
				key = "!=" + name
			case "$gt":
				key = ">" + name
			case "$in":
				key = "@" + name
			}
		}
		if key == "" {
			// An operator object is written under the schema name, and
			// takes each operator once.
			objKey := rbFields[fi].name
			if used["plain "+objKey] || used["op "+objKey+" "+c.op] {
				continue
			}
			used["object "+objKey] = true
			used["op "+objKey+" "+c.op] = true
		} else {
			if used["plain "+key] || used["object "+key] {
				continue
			}
			used["plain "+key] = true
		}
		filt.conds = append(filt.conds, c)
		filt.keys = append(filt.keys, key)
	}
	return filt
}

// body writes the request as JSON. Operator-object conditions on one field
// share one object, in the order the generator made them.
func (req rbRequest) body() []byte {
	var buf bytes.Buffer
	buf.WriteString("{")
	sep := ""
	if len(req.groupBy) > 0 {
		buf.WriteString(`"groupBy":`)
		if req.groupAsText {
			buf.Write(rbJSON(req.groupNames[0]))
		} else {
			buf.Write(rbJSON(req.groupNames))
		}
		sep = ","
	}
	if len(req.aggs) > 0 {
		buf.WriteString(sep + `"aggregate":[`)
		for i, a := range req.aggs {
			if i > 0 {
				buf.WriteString(",")
			}
			fmt.Fprintf(&buf, `{"field":%s,"function":%s}`, rbJSON(a.name), rbJSON(a.fn))
		}
		buf.WriteString("]")
		sep = ","
	}
	if req.filter != nil {
		buf.WriteString(sep + `"filter":`)
		req.filter.write(&buf)
	} else if req.filterAsNull {
		buf.WriteString(sep + `"filter":null`)
	}
	buf.WriteString("}")
	return buf.Bytes()
}

func (f *rbFilter) write(buf *bytes.Buffer) {
	buf.WriteString("{")
	first := true
	member := func(key string) {
		if !first {
			buf.WriteString(",")
		}
		first = false
		buf.Write(rbJSON(key))
		buf.WriteString(":")
	}
	objects := map[string][]int{} // field spelling → conditions in an operator object
	var order []string
	for i, c := range f.conds {
		if f.keys[i] == "" {
			name := rbFields[c.field].name
			if _, ok := objects[name]; !ok {
				order = append(order, name)
			}
			objects[name] = append(objects[name], i)
		}
	}
	for i, c := range f.conds {
		if f.keys[i] != "" {
			member(f.keys[i])
			buf.Write(rbJSON(c.value))
		}
	}
	for _, name := range order {
		member(name)
		buf.WriteString("{")
		for j, i := range objects[name] {
			if j > 0 {
				buf.WriteString(",")
			}
			buf.Write(rbJSON(f.conds[i].op))
			buf.WriteString(":")
			buf.Write(rbJSON(f.conds[i].value))
		}
		buf.WriteString("}")
	}
	if len(f.or) > 0 {
		member("$or")
		buf.WriteString("[")
		for i, sub := range f.or {
			if i > 0 {
				buf.WriteString(",")
			}
			sub.write(buf)
		}
		buf.WriteString("]")
	}
	buf.WriteString("}")
}

func rbJSON(v any) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return out
}

// --- the model --------------------------------------------------------------

func rbMaxExp(opts engine.Options) int {
	if opts.MaxExponent > 0 {
		return opts.MaxExponent
	}
	return 1000
}

// rbOutcome is what the model expects: a response body, or an error code,
// or a strict-mode data error.
type rbOutcome struct {
	body      string
	code      apierr.Code
	dataPos   int64
	dataField string
}

func rbModel(req rbRequest, recs []map[string]any) rbOutcome {
	maxExp := rbMaxExp(req.opts)

	// Request checks in the API's order: groupBy, aggregate, filter.
	for i, gi := range req.groupBy {
		for _, prev := range req.groupBy[:i] {
			if prev == gi {
				return rbOutcome{code: apierr.InvalidParams}
			}
		}
	}
	type aggOut struct {
		field int
		name  string
		fns   []string
	}
	var aggs []aggOut
	for _, a := range req.aggs {
		if a.field < 0 {
			if a.fn != "count" {
				return rbOutcome{code: apierr.InvalidParams}
			}
			continue
		}
		if a.fn != "count" && !rbFields[a.field].numeric {
			return rbOutcome{code: apierr.InvalidParams}
		}
		found := false
		for k := range aggs {
			if aggs[k].field == a.field {
				found = true
				if !sliceHas(aggs[k].fns, a.fn) {
					aggs[k].fns = append(aggs[k].fns, a.fn)
				}
			}
		}
		if !found {
			aggs = append(aggs, aggOut{field: a.field, name: a.name, fns: []string{a.fn}})
		}
	}
	if req.filter != nil && !req.filter.valid(maxExp) {
		return rbOutcome{code: apierr.InvalidFilterOperator}
	}

	countOnly := len(req.groupBy) == 0 && len(aggs) == 0
	limit := int64(req.opts.RecordLimit)
	if limit == 0 {
		limit = engine.DefaultRecordLimit
	}
	maxGroups := req.opts.MaxGroups
	if maxGroups == 0 {
		maxGroups = engine.DefaultMaxGroups
	}

	type accState struct {
		records int64
		values  []decimal.Decimal
	}
	type groupState struct {
		vals  []*rbVal
		count int64
		accs  []accState
	}
	newAccs := func() []accState { return make([]accState, len(aggs)) }
	overall := newAccs()
	groups := map[string]*groupState{}
	var order []*groupState

	var total, processed, invalid int64
	truncated := false
	readSet := map[int]bool{}
	for _, gi := range req.groupBy {
		readSet[gi] = true
	}
	for _, a := range aggs {
		readSet[a.field] = true
	}

	for pos, rec := range recs {
		if req.filter != nil && !req.filter.match(rec, maxExp) {
			continue
		}
		total++
		if countOnly {
			continue
		}
		if limit >= 0 && processed >= limit {
			truncated = true
			continue
		}
		processed++

		values := map[int][]rbVal{}
		for fi, f := range rbFields {
			if !readSet[fi] {
				continue
			}
			vals, bad := rbRead(f, rbRaw(rec, f), maxExp)
			values[fi] = vals
			if bad > 0 {
				if req.opts.Strict {
					return rbOutcome{dataPos: int64(pos), dataField: f.name}
				}
				invalid += int64(bad)
			}
		}
		add := func(states []accState) {
			for k, a := range aggs {
				vals := values[a.field]
				if len(vals) == 0 {
					continue
				}
				states[k].records++
				for _, v := range vals {
					states[k].values = append(states[k].values, v.num)
				}
			}
		}
		add(overall)
		if len(req.groupBy) == 0 {
			continue
		}

		// Every combination of the distinct values of the groupBy fields.
		combos := [][]*rbVal{{}}
		for _, gi := range req.groupBy {
			var choices []*rbVal
			seen := map[string]bool{}
			for _, v := range values[gi] {
				k := rbKey(rbFields[gi].kind, v)
				if !seen[k] {
					seen[k] = true
					choices = append(choices, &v)
				}
			}
			if len(choices) == 0 {
				choices = []*rbVal{nil}
			}
			var next [][]*rbVal
			for _, c := range combos {
				for _, v := range choices {
					next = append(next, append(append([]*rbVal(nil), c...), v))
				}
			}
			combos = next
		}
		for _, combo := range combos {
			var key strings.Builder
			for j, v := range combo {
				if v == nil {
					key.WriteString("null\x00")
				} else {
					key.WriteString(rbKey(rbFields[req.groupBy[j]].kind, *v) + "\x00")
				}
			}
			g := groups[key.String()]
			if g == nil {
				if maxGroups > 0 && len(order) >= maxGroups {
					return rbOutcome{code: apierr.TooManyGroups}
				}
				g = &groupState{vals: combo, accs: newAccs()}
				groups[key.String()] = g
				order = append(order, g)
			}
			g.count++
			add(g.accs)
		}
	}

	places := int32(req.opts.AvgPlaces)
	switch {
	case places == 0:
		places = engine.DefaultAvgPlaces
	case places < 0:
		places = 0
	}
	writeAggs := func(w *bytes.Buffer, states []accState) {
		w.WriteString("{")
		for k, a := range aggs {
			if k > 0 {
				w.WriteString(",")
			}
			w.Write(rbJSON(a.name))
			w.WriteString(":{")
			for j, fn := range a.fns {
				if j > 0 {
					w.WriteString(",")
				}
				w.Write(rbJSON(fn))
				w.WriteString(":")
				w.WriteString(rbFunction(fn, states[k].records, states[k].values, places))
			}
			w.WriteString("}")
		}
		w.WriteString("}")
	}

	var w bytes.Buffer
	fmt.Fprintf(&w, `{"success":true,"data":{"count":%d,"aggregates":`, total)
	writeAggs(&w, overall)
	groupTotal := len(order)
	groupsTruncated := false
	if len(req.groupBy) > 0 {
		sort.SliceStable(order, func(i, j int) bool {
			a, b := order[i], order[j]
			if a.count != b.count {
				return a.count > b.count
			}
			for k, gi := range req.groupBy {
				va, vb := a.vals[k], b.vals[k]
				switch {
				case va == nil && vb == nil:
					continue
				case va == nil:
					return false
				case vb == nil:
					return true
				}
				if c := rbCompare(rbFields[gi].kind, *va, *vb); c != 0 {
					return c < 0
				}
			}
			return false
		})
		if gl := req.opts.GroupLimit; gl > 0 && len(order) > gl {
			order = order[:gl]
			groupsTruncated = true
		}
		w.WriteString(`,"groups":[`)
		for i, g := range order {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString("{")
			for k, gi := range req.groupBy {
				w.Write(rbJSON(req.groupNames[k]))
				w.WriteString(":")
				w.WriteString(rbKeyJSON(rbFields[gi].kind, g.vals[k]))
				w.WriteString(",")
			}
			fmt.Fprintf(&w, `"count":%d,"aggregates":`, g.count)
			writeAggs(&w, g.accs)
			w.WriteString("}")
		}
		w.WriteString("]")
	}
	fmt.Fprintf(&w, `,"meta":{"totalRecords":%d,"recordsProcessed":%d,"truncated":%t`, total, processed, truncated)
	if len(req.groupBy) > 0 {
		fmt.Fprintf(&w, `,"groupTotal":%d,"groupsTruncated":%t`, groupTotal, groupsTruncated)
	}
	if invalid > 0 {
		fmt.Fprintf(&w, `,"invalidValues":%d`, invalid)
	}
	w.WriteString("}}}\n")
	return rbOutcome{body: w.String()}
}

func sliceHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rbRaw returns a record's value of a field: the schema spelling wins over
// the other one.
func rbRaw(rec map[string]any, f rbField) any {
	if v, ok := rec[f.name]; ok {
		return v
	}
	if f.alt != "" {
		return rec[f.alt]
	}
	return nil
}

func rbKeyJSON(kind rbKind, v *rbVal) string {
	if v == nil {
		return "null"
	}
	switch kind {
	case rbStr:
		return string(rbJSON(v.text))
	case rbMoney:
		return string(rbJSON(v.num.String() + "|" + v.text))
	}
	return v.num.String()
}

// rbFunction computes one aggregate over the values, exactly, with avg
// rounded half to even through big.Rat.
func rbFunction(fn string, records int64, values []decimal.Decimal, places int32) string {
	switch fn {
	case "count":
		return strconv.FormatInt(records, 10)
	case "sum":
		sum := new(big.Rat)
		for _, v := range values {
			sum.Add(sum, v.Rat())
		}
		return rbRatText(sum)
	}
	if len(values) == 0 {
		return "null"
	}
	switch fn {
	case "min", "max":
		best := values[0]
		for _, v := range values[1:] {
			if (fn == "min" && v.Cmp(best) < 0) || (fn == "max" && v.Cmp(best) > 0) {
				best = v
			}
		}
		return best.String()
	}
	sum := new(big.Rat)
	for _, v := range values {
		sum.Add(sum, v.Rat())
	}
	scaled := new(big.Rat).Quo(sum, new(big.Rat).SetInt64(int64(len(values))))
	scaled.Mul(scaled, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)))
	q, m := new(big.Int).DivMod(scaled.Num(), scaled.Denom(), new(big.Int)) // floor
	if c := new(big.Int).Lsh(m, 1).Cmp(scaled.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	return decimal.NewFromBigInt(q, -places).String()
}

// rbRatText writes an exact sum, which always has a finite decimal form.
func rbRatText(r *big.Rat) string {
	den := new(big.Int).Set(r.Denom())
	scale := 0
	ten := big.NewInt(10)
	for new(big.Int).Mod(new(big.Int).Exp(ten, big.NewInt(int64(scale)), nil), den).Sign() != 0 {
		scale++
	}
	num := new(big.Int).Mul(r.Num(), new(big.Int).Exp(ten, big.NewInt(int64(scale)), nil))
	num.Quo(num, den)
	return decimal.NewFromBigInt(num, -int32(scale)).String()
}

// valid reports whether every filter value can be read as its field's
// type. The engine rejects the request with INVALID_FILTER_OPERATOR
// otherwise.
func (f *rbFilter) valid(maxExp int) bool {
	for _, c := range f.conds {
		kind := rbFields[c.field].kind
		if c.op == "$in" {
			for _, v := range c.value.([]any) {
				if _, st := rbReadOne(kind, v, maxExp, true); st == rbInvalid {
					return false
				}
			}
			continue
		}
		_, st := rbReadOne(kind, c.value, maxExp, true)
		if st == rbInvalid || (c.op == "$gt" && st == rbEmpty) {
			return false
		}
	}
	for _, sub := range f.or {
		if !sub.valid(maxExp) {
			return false
		}
	}
	return true
}

func (f *rbFilter) match(rec map[string]any, maxExp int) bool {
	for _, c := range f.conds {
		if !c.match(rec, maxExp) {
			return false
		}
	}
	if f.or == nil {
		return true
	}
	for _, sub := range f.or {
		if sub.match(rec, maxExp) {
			return true
		}
	}
	return false
}

func (c rbCond) match(rec map[string]any, maxExp int) bool {
	f := rbFields[c.field]
	elems, _ := rbRead(f, rbRaw(rec, f), maxExp)
	equal := func(want any) (matched, wantEmpty bool) {
		w, st := rbReadOne(f.kind, want, maxExp, true)
		if st == rbEmpty {
			return false, true
		}
		for _, e := range elems {
			if rbEqual(f.kind, e, w) {
				return true, false
			}
		}
		return false, false
	}
	switch c.op {
	case "$eq", "$ne":
		m, wantEmpty := equal(c.value)
		if wantEmpty {
			m = len(elems) == 0
		}
		return m == (c.op == "$eq")
	case "$in":
		for _, v := range c.value.([]any) {
			m, wantEmpty := equal(v)
			if m || (wantEmpty && len(elems) == 0) {
				return true
			}
		}
		return false
	case "$gt":
		w, _ := rbReadOne(f.kind, c.value, maxExp, true)
		for _, e := range elems {
			if f.kind == rbMoney && w.text != "" && e.text != w.text {
				continue
			}
			if f.kind == rbMoney {
				if e.num.Cmp(w.num) > 0 {
					return true
				}
				continue
			}
			if rbCompare(f.kind, e, w) > 0 {
				return true
			}
		}
		return false
	}
	panic("unknown op " + c.op)
}

func rbEqual(kind rbKind, e, w rbVal) bool {
	switch kind {
	case rbStr:
		return e.text == w.text
	case rbMoney:
		return e.num.Cmp(w.num) == 0 && (w.text == "" || w.text == e.text)
	}
	return e.num.Cmp(w.num) == 0
}

// --- comparing --------------------------------------------------------------

// rbTokens reads a JSON text into its token stream, so that two texts
// compare equal whatever their string escaping.
func rbTokens(data []byte) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []any
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return out, nil
			}
			return nil, err
		}
		if d, ok := tok.(json.Delim); ok {
			tok = string(d)
		}
		out = append(out, tok)
	}
}

// rbSameJSON reports where two JSON texts first differ, or "".
func rbSameJSON(want, got []byte) string {
	wt, err := rbTokens(want)
	if err != nil {
		return "model output is not JSON: " + err.Error()
	}
	gt, err := rbTokens(got)
	if err != nil {
		return "engine output is not JSON: " + err.Error()
	}
	for i := 0; i < len(wt) || i < len(gt); i++ {
		if i >= len(wt) || i >= len(gt) || !reflect.DeepEqual(wt[i], gt[i]) {
			var w, g any = "<end>", "<end>"
			if i < len(wt) {
				w = wt[i]
			}
			if i < len(gt) {
				g = gt[i]
			}
			return fmt.Sprintf("token %d: model %v, engine %v", i, w, g)
		}
	}
	return ""
}

// rbEngineOutcome runs a compiled plan and returns the response, the
// envelope of an API error, or a description of any other error.
func rbEngineOutcome(res *engine.Result, err error) (string, error) {
	if err != nil {
		if e := apierr.As(err); e != nil {
			return string(engine.AppendErrorResponse(nil, e)), nil
		}
		return "", err
	}
	return string(engine.AppendResponse(nil, res)), nil
}

func rbCheck(t *testing.T, s *schema.Schema, data []byte) {
	req, recs := rbGenerate(data)
	body := req.body()
	want := rbModel(req, recs)
	before := fmt.Sprintf("%#v", recs)

	plan, err := engine.Compile(s, body, req.opts)
	if err != nil {
		e := apierr.As(err)
		if e == nil {
			t.Fatalf("Compile(%s): %v is not an *apierr.Error", body, err)
		}
		if want.code == "" || want.body != "" || e.Code != want.code {
			t.Fatalf("Compile(%s) = %v; model wants %+v", body, err, want)
		}
		return
	}
	if want.code == apierr.InvalidParams || want.code == apierr.InvalidFilterOperator {
		t.Fatalf("Compile(%s) succeeded; model wants %s", body, want.code)
	}

	stream, streamErr := rbEngineOutcome(plan.Run(context.Background(), engine.Maps(recs)))
	table, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{MaxExponent: req.opts.MaxExponent})
	if err != nil {
		t.Fatalf("NewTable: %v", err)
	}
	tabled, tableErr := rbEngineOutcome(plan.RunTable(context.Background(), table))
	if after := fmt.Sprintf("%#v", recs); after != before {
		t.Fatalf("the run changed its input records:\nbefore %s\nafter  %s", before, after)
	}

	for _, path := range []struct {
		name string
		out  string
		err  error
	}{{"stream", stream, streamErr}, {"table", tabled, tableErr}} {
		if want.dataField != "" {
			var de *engine.DataError
			if !errors.As(path.err, &de) || de.Position != want.dataPos || de.Field != want.dataField {
				t.Fatalf("%s path: request %s\nrecords %s\ngot %s %v; model wants a data error at record %d in %s",
					path.name, body, rbJSONRecords(recs), path.out, path.err, want.dataPos, want.dataField)
			}
			continue
		}
		if path.err != nil {
			t.Fatalf("%s path: request %s: unexpected error %v", path.name, body, path.err)
		}
		if want.code != "" {
			if !strings.Contains(path.out, string(want.code)) {
				t.Fatalf("%s path: request %s\nrecords %s\ngot %s; model wants error %s",
					path.name, body, rbJSONRecords(recs), path.out, want.code)
			}
			continue
		}
		if d := rbSameJSON([]byte(want.body), []byte(path.out)); d != "" {
			t.Fatalf("%s path: %s\nrequest %s\noptions %+v\nrecords %s\nengine %smodel  %s",
				path.name, d, body, req.opts, rbJSONRecords(recs), path.out, want.body)
		}
	}
}

func rbJSONRecords(recs []map[string]any) string {
	out, err := json.Marshal(recs)
	if err != nil {
		return fmt.Sprintf("%#v", recs)
	}
	return string(out)
}

// rbSeeds are fuzz inputs that reach the main shapes: grouping by each
// field, every function, filters, strict mode and the limits.
var rbSeeds = [][]byte{
	{0},
	{2, 1, 0, 1, 2, 2, 1, 3, 0, 8, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5},
	{2, 2, 2, 5, 0, 4, 3, 1, 3, 2, 0, 10, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53},
	{1, 3, 5, 1, 6, 0, 3, 3, 1, 4, 2, 5, 3, 7, 4, 2, 7, 4, 17, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7},
	{16, 1, 3, 0, 1, 3, 2, 1, 1, 20, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
	{32, 2, 0, 2, 0, 3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21},
	{66, 1, 6, 2, 2, 6, 4, 0, 9, 31, 7, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75},
	[]byte("a fuzz seed with many bytes to spread the choices over the grammar and pool of values"),
	[]byte("\x04\x03\x05\x02\x03\x05\x04\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"),
}

func FuzzEngineAgainstReference(f *testing.F) {
	for _, seed := range rbSeeds {
		f.Add(seed)
	}
	s := rbSchema(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rbCheck(t, s, data)
	})
}

// TestEngineAgainstReferenceRandom runs the differential check over
// pseudo-random inputs so that a plain go test covers it too.
func TestEngineAgainstReferenceRandom(t *testing.T) {
	s := rbSchema(t)
	n := 3000
	if testing.Short() {
		n = 300
	}
	rng := rand.New(rand.NewPCG(20260101, 7))
	for i := 0; i < n; i++ {
		data := make([]byte, 40+rng.IntN(400))
		for j := range data {
			data[j] = byte(rng.UintN(256))
		}
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if i%500 == 0 {
				t.Logf("input %q", data)
			}
			rbCheck(t, s, data)
		})
		if t.Failed() {
			t.Logf("failing input: %q", data)
			return
		}
	}
}
