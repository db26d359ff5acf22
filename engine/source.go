package engine

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/crmagg/crmagg/internal/jsonscan"
	"github.com/crmagg/crmagg/schema"
)

// Source yields records one at a time. Next returns io.EOF after the last
// record. A Source is used by one run at a time.
type Source interface {
	Next() (map[string]any, error)
}

// Maps returns a Source over records held in memory. Values follow the
// types encoding/json produces. json.Number, strings and Go integer types
// keep integers beyond 2^53 exact, and a float64 is read as its shortest
// decimal text.
func Maps(records []map[string]any) Source {
	return &mapSource{records: records}
}

type mapSource struct {
	records []map[string]any
	next    int
}

func (s *mapSource) Next() (map[string]any, error) {
	if s.next >= len(s.records) {
		return nil, io.EOF
	}
	rec := s.records[s.next]
	s.next++
	return rec, nil
}

// ErrInput is wrapped by *InputError.
var ErrInput = errors.New("invalid input")

// InputError reports a record stream that cannot be read: malformed JSON,
// a record that is not an object, a record over the size limit, or a
// malformed list envelope.
type InputError struct {
	// Position is the 0-based position of the record being read.
	Position int64
	Msg      string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("record %d: %s", e.Position, e.Msg)
}

func (e *InputError) Unwrap() error { return ErrInput }

// JSONSource streams records from JSON text in one of three forms, told
// apart by the first value: the list envelope of GET /v1/{entity}
// ({"success": true, "data": [...]}) when that value is an object holding
// a "success" key, a JSON array when the text starts with "[", and JSON
// Lines (any whitespace-separated sequence of objects) otherwise.
//
// Records decode as encoding/json with UseNumber decodes them: a repeated
// key keeps its last value and invalid UTF-8 becomes U+FFFD. Nothing is
// skipped silently: malformed JSON, a record that is not an object or one
// longer than MaxRecordBytes ends the stream with an *InputError. A record
// is measured from its first byte to its last and never read past the
// limit, so an endless record costs bounded memory.
//
// Plan.Run and NewTable read a JSONSource without building maps: they
// decode only the members the plan needs, and stop reading when the run's
// context is done.
type JSONSource struct {
	// MaxRecordBytes caps the encoded size of one record; 0 means
	// DefaultMaxRecordBytes. Set it before the first record is read.
	MaxRecordBytes int64

	r       io.Reader
	scanner *jsonscan.Scanner
}

// NewJSONSource returns a JSONSource reading from r.
func NewJSONSource(r io.Reader) *JSONSource {
	return &JSONSource{r: r}
}

// start creates the scanner on first use. Reads fail with ctx's error
// once ctx is done; ctx may be nil.
func (s *JSONSource) start(ctx context.Context) *jsonscan.Scanner {
	if s.scanner == nil {
		r := s.r
		if ctx != nil && ctx.Done() != nil {
			r = &contextReader{ctx: ctx, r: r}
		}
		s.scanner = jsonscan.New(r)
		s.scanner.MaxRecordBytes = s.MaxRecordBytes
	}
	return s.scanner
}

// Next returns the next record, io.EOF at the end, or an error.
func (s *JSONSource) Next() (map[string]any, error) {
	sc := s.start(nil)
	rec := make(map[string]any)
	err := sc.Next(wantEvery, func(_ int, key string, value any) { rec[key] = value })
	if err != nil {
		return nil, inputError(err)
	}
	return rec, nil
}

func wantEvery([]byte) int { return 0 }

// inputError converts the scanner's error to an *InputError.
func inputError(err error) error {
	var se *jsonscan.Error
	if errors.As(err, &se) {
		return &InputError{Position: se.Position, Msg: se.Msg}
	}
	return err
}

// contextReader fails reads once its context is done, so that a stream
// that never completes a record cannot keep a run going.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// fieldSlots resolves record keys to schema fields for a scanner: want
// returns the field index of a key the plan needs, and set keeps, per
// field, the value of the exact schema name, else of the spelling that
// sorts first.
type fieldSlots struct {
	schema *schema.Schema
	needed []bool
	raw    []any
	key    []string
}

func newFieldSlots(s *schema.Schema, needed []bool) *fieldSlots {
	return &fieldSlots{schema: s, needed: needed, raw: make([]any, len(s.Fields)), key: make([]string, len(s.Fields))}
}

func (fs *fieldSlots) want(key []byte) int {
	f, err := fs.schema.Lookup(string(key))
	if err != nil || (fs.needed != nil && !fs.needed[f.Index]) {
		return -1
	}
	return f.Index
}

func (fs *fieldSlots) set(slot int, key string, value any) {
	if prev := fs.key[slot]; prev != "" && prev != key {
		name := fs.schema.Fields[slot].Name
		if prev == name || (key != name && prev < key) {
			return
		}
	}
	fs.raw[slot] = value
	fs.key[slot] = key
}

func (fs *fieldSlots) reset() {
	clear(fs.raw)
	clear(fs.key)
}
