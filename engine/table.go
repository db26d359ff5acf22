package engine

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/crmagg/crmagg/money"
	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

// Table is a set of records prepared once and queried many times, stored
// by column. Every column is dictionary-encoded: a record holds a small
// integer code per field and the column holds each distinct value once, as
// its canonical key text. Code 0 is the empty value and code 1 an invalid
// one. Numeric columns also keep each distinct value as an int64 mantissa
// at the column's scale, so sums are integer adds. Values that do not fit
// are kept exact and take a slower path. Multiple fields hold a list of
// element codes per record.
//
// A Table is immutable once built and safe for concurrent use; NewTable
// never returns one half-built.
type Table struct {
	schema  *schema.Schema
	n       int
	options TableOptions
	cols    []*column
}

// TableOptions set how record values are read when a table is built.
type TableOptions struct {
	// Location is the time zone of datetimes written without an offset;
	// nil means UTC. Plans run on the table must use the same zone.
	Location *time.Location
	// MaxExponent bounds the written exponent of numbers; 0 means
	// money.DefaultMaxExponent.
	MaxExponent int
	// MaxDigits bounds the significant digits of numbers; 0 means
	// money.DefaultMaxDigits.
	MaxDigits int
}

const (
	codeEmpty   = 0
	codeInvalid = 1
	firstCode   = 2
)

// column is one field of a table.
type column struct {
	field *schema.Field

	// codes holds one code per record of a single-value field.
	codes codeVec
	// offsets and elems hold the element codes of a multiple field: record
	// i has elems[offsets[i]:offsets[i+1]].
	offsets []uint32
	elems   codeVec
	// invalidElems counts the invalid elements dropped per record of a
	// multiple field; records with none are absent.
	invalidElems map[int32]int32
	// invalidRaw keeps the raw value of each record whose value, or one of
	// whose elements, is invalid, for strict-mode errors.
	invalidRaw map[int32]any

	// keys holds the canonical key text of each code; keys[0] and keys[1]
	// are unused.
	keys []string
	// num describes numeric columns; nil for other kinds.
	num *numericDict

	// values caches the keys read back as values, which filters test.
	valuesOnce sync.Once
	values     []schema.Value
}

// dictValues returns each code's value as reader reads its key text. The
// keys are canonical texts of valid values, which read back as the same
// values. The table's options fix the reader, so the result is cached.
func (col *column) dictValues(reader *schema.Reader) []schema.Value {
	col.valuesOnce.Do(func() {
		col.values = make([]schema.Value, len(col.keys))
		for code := firstCode; code < len(col.keys); code++ {
			col.values[code] = reader.Read(col.field, col.keys[code])
		}
	})
	return col.values
}

// numericDict holds the numbers of a numeric column's codes. mant[c] is
// the value of code c times 10^scale when exact[c] is false.
type numericDict struct {
	scale int8
	mant  []int64
	exact []bool
	// big holds the value of each code whose number does not fit a fixed
	// value at all.
	big map[uint32]decimal.Decimal
}

// codeVec stores codes at the narrowest width that holds the largest code.
type codeVec struct {
	u8  []uint8
	u16 []uint16
	u32 []uint32
}

func (v *codeVec) append(code uint32) {
	switch {
	case v.u32 != nil:
		v.u32 = append(v.u32, code)
		return
	case v.u16 != nil:
		if code <= 0xFFFF {
			v.u16 = append(v.u16, uint16(code))
			return
		}
		v.u32 = make([]uint32, len(v.u16), cap(v.u16))
		for i, c := range v.u16 {
			v.u32[i] = uint32(c)
		}
		v.u16 = nil
		v.u32 = append(v.u32, code)
		return
	}
	if code <= 0xFF {
		v.u8 = append(v.u8, uint8(code))
		return
	}
	v.u16 = make([]uint16, len(v.u8), cap(v.u8))
	for i, c := range v.u8 {
		v.u16[i] = uint16(c)
	}
	v.u8 = nil
	v.append(code)
}

func (v *codeVec) len() int {
	switch {
	case v.u32 != nil:
		return len(v.u32)
	case v.u16 != nil:
		return len(v.u16)
	}
	return len(v.u8)
}

// gather widens codes [start, end) into dst.
func (v *codeVec) gather(start, end int, dst []uint32) []uint32 {
	dst = dst[:0]
	switch {
	case v.u32 != nil:
		return append(dst, v.u32[start:end]...)
	case v.u16 != nil:
		for _, c := range v.u16[start:end] {
			dst = append(dst, uint32(c))
		}
	default:
		for _, c := range v.u8[start:end] {
			dst = append(dst, uint32(c))
		}
	}
	return dst
}

func (v *codeVec) at(i int) uint32 {
	switch {
	case v.u32 != nil:
		return v.u32[i]
	case v.u16 != nil:
		return uint32(v.u16[i])
	}
	return uint32(v.u8[i])
}

func (v *codeVec) shrink() {
	v.u8 = clipped(v.u8)
	v.u16 = clipped(v.u16)
	v.u32 = clipped(v.u32)
}

func clipped[T any](s []T) []T {
	if s == nil || cap(s) == len(s) {
		return s
	}
	return append([]T(nil), s...)
}

// NewTable reads every record of src into a table for schema s. Values are
// read by the rules of the engine: invalid ones are kept as invalid, so a
// run over the table gives the result a run over the same records gives.
// NewTable fails with the source's error.
func NewTable(s *schema.Schema, src Source, opts TableOptions) (*Table, error) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	b := newTableBuilder(s, opts)
	if js, ok := src.(*JSONSource); ok && js.scanner == nil {
		// The scanner decodes every field straight into the builder's
		// slots, with no map per record.
		slots := newFieldSlots(s, nil)
		b.raw = slots.raw
		sc := js.start(nil)
		for {
			slots.reset()
			err := sc.Next(slots.want, slots.set)
			if err == io.EOF {
				return b.finish(), nil
			}
			if err != nil {
				return nil, inputError(err)
			}
			b.addRaw()
		}
	}
	for {
		rec, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		b.add(rec)
	}
	return b.finish(), nil
}

// Len returns the number of records.
func (t *Table) Len() int { return t.n }

// Schema returns the schema the table was built for.
func (t *Table) Schema() *schema.Schema { return t.schema }

// Options returns the options the table was built with.
func (t *Table) Options() TableOptions { return t.options }

type tableBuilder struct {
	t      *Table
	read   cellReader
	keyOf  map[string]int // record key → field index, or -1
	raw    []any
	rawKey []string
	cells  []cell
	index  []map[string]uint32
	keyBuf []byte
}

func newTableBuilder(s *schema.Schema, opts TableOptions) *tableBuilder {
	reader := &schema.Reader{Location: opts.Location, Money: money.Parser{MaxExponent: opts.MaxExponent, MaxDigits: opts.MaxDigits}}
	b := &tableBuilder{
		t:      &Table{schema: s, options: opts, cols: make([]*column, len(s.Fields))},
		read:   cellReader{reader: reader, money: reader.Money},
		keyOf:  make(map[string]int),
		raw:    make([]any, len(s.Fields)),
		rawKey: make([]string, len(s.Fields)),
		index:  make([]map[string]uint32, len(s.Fields)),
	}
	for i, f := range s.Fields {
		col := &column{field: f, keys: []string{"", ""}}
		if f.Kind.IsNumber() {
			col.num = &numericDict{mant: []int64{0, 0}, exact: []bool{false, false}}
		}
		if f.Multiple {
			col.offsets = []uint32{0}
		}
		b.t.cols[i] = col
		b.index[i] = make(map[string]uint32)
	}
	return b
}

// add appends one record. Keys resolve to fields as in a run: the exact
// schema name wins over another spelling of the same UF.
func (b *tableBuilder) add(rec map[string]any) {
	t := b.t
	clear(b.raw)
	clear(b.rawKey)
	for key, value := range rec {
		i, ok := b.keyOf[key]
		if !ok {
			i = -1
			if f, err := t.schema.Lookup(key); err == nil {
				i = f.Index
			}
			b.keyOf[key] = i
		}
		if i < 0 {
			continue
		}
		// The exact schema name wins, then the spelling that sorts first,
		// as in a run over the same records.
		if prev := b.rawKey[i]; prev != "" {
			name := t.schema.Fields[i].Name
			if prev == name || (key != name && prev < key) {
				continue
			}
		}
		b.raw[i] = value
		b.rawKey[i] = key
	}
	b.addRaw()
}

// addRaw appends the record whose values are in b.raw.
func (b *tableBuilder) addRaw() {
	t := b.t
	row := int32(t.n)
	for i, col := range t.cols {
		f := col.field
		raw := b.raw[i]
		if !f.Multiple {
			c := b.read.read(f, raw)
			code := uint32(codeEmpty)
			switch c.state {
			case schema.Valid:
				code = b.code(i, &c)
			case schema.Invalid:
				code = codeInvalid
				col.noteInvalid(row, raw)
			}
			col.codes.append(code)
			continue
		}

		var invalid int
		b.cells, invalid = b.read.readElements(f, raw, b.cells[:0])
		for j := range b.cells {
			col.elems.append(b.code(i, &b.cells[j]))
		}
		col.offsets = append(col.offsets, uint32(col.elems.len()))
		if invalid > 0 {
			if col.invalidElems == nil {
				col.invalidElems = make(map[int32]int32)
			}
			col.invalidElems[row] = int32(invalid)
			col.noteInvalid(row, raw)
		}
	}
	t.n++
}

func (col *column) noteInvalid(row int32, raw any) {
	if col.invalidRaw == nil {
		col.invalidRaw = make(map[int32]any)
	}
	col.invalidRaw[row] = raw
}

// code returns the dictionary code of a valid cell, adding it when new.
func (b *tableBuilder) code(field int, c *cell) uint32 {
	col := b.t.cols[field]
	b.keyBuf = appendCellKey(b.keyBuf[:0], col.field.Kind, c)
	if code, ok := b.index[field][string(b.keyBuf)]; ok {
		return code
	}
	code := uint32(len(col.keys))
	key := string(b.keyBuf)
	b.index[field][key] = code
	// The stored text drops the marker and length that appendCellKey puts
	// before the canonical text of a valid value.
	col.keys = append(col.keys, key[cellKeyHeader:])
	if col.num != nil {
		col.num.add(code, c)
	}
	return code
}

// add records the number of a new code. Mantissas are kept at the
// column's scale, which grows to the largest scale met. A value that
// cannot be brought to that scale in an int64 takes the exact path.
func (d *numericDict) add(code uint32, c *cell) {
	if c.big {
		if d.big == nil {
			d.big = make(map[uint32]decimal.Decimal)
		}
		d.big[code] = c.dec
		d.mant = append(d.mant, 0)
		d.exact = append(d.exact, true)
		return
	}
	n := c.num.normalize()
	if n.scale > d.scale {
		d.rescale(n.scale)
	}
	m, ok := scaleMantissa(n, d.scale)
	d.mant = append(d.mant, m)
	d.exact = append(d.exact, !ok)
}

func (d *numericDict) rescale(scale int8) {
	for code := firstCode; code < len(d.mant); code++ {
		if d.exact[code] {
			continue
		}
		m, ok := scaleMantissa(fixed{m: d.mant[code], scale: d.scale}, scale)
		d.mant[code] = m
		d.exact[code] = !ok
	}
	d.scale = scale
}

// scaleMantissa returns f's mantissa at a scale not below its own, or false
// when it does not fit an int64.
func scaleMantissa(f fixed, scale int8) (int64, bool) {
	w := f.wide(scale)
	if w.hi != int64(w.lo)>>63 {
		return 0, false
	}
	return int64(w.lo), true
}

func (b *tableBuilder) finish() *Table {
	t := b.t
	for _, col := range t.cols {
		col.codes.shrink()
		col.elems.shrink()
		col.offsets = clipped(col.offsets)
		col.keys = clipped(col.keys)
	}
	return t
}

// String describes the table for logs.
func (t *Table) String() string {
	return fmt.Sprintf("table of %d %s records", t.n, t.schema.Entity)
}
