// Package jsonref is the reference reader of record streams: it decodes
// every record with encoding/json and tells the three stream forms apart
// as the engine does. It is slow and simple on purpose; the tests of the
// engine's fast scanner compare against it.
package jsonref

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

const defaultMaxRecordBytes = 1 << 20

func describeRaw(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// Error reports a record stream that cannot be read, with the 0-based
// position of the record being read.
type Error struct {
	Position int64
	Msg      string
}

func (e *Error) Error() string {
	return fmt.Sprintf("record %d: %s", e.Position, e.Msg)
}

// Reader streams records from JSON text in one of three forms, told
// apart by the first value: the list envelope of GET /v1/{entity}
// ({"success": true, "data": [...]}) when that value is an object holding
// a "success" key, a JSON array when the text starts with "[", and JSON
// Lines (any whitespace-separated sequence of objects) otherwise.
//
// Records decode as encoding/json with UseNumber decodes them: a repeated
// key keeps its last value and invalid UTF-8 becomes U+FFFD. Nothing is
// skipped silently: malformed JSON, a record that is not an object or one
// longer than MaxRecordBytes ends the stream with an *Error.
type Reader struct {
	// MaxRecordBytes caps the encoded size of one record; 0 means
	// defaultMaxRecordBytes.
	MaxRecordBytes int64

	in       *bufio.Reader
	dec      *json.Decoder
	started  bool
	mode     streamMode
	position int64
	// pending holds records already decoded while telling the forms apart.
	pending []any
	// inData is true while the decoder is inside the envelope's data array.
	inData bool
	done   bool
}

type streamMode uint8

const (
	modeLines streamMode = iota
	modeArray
	modeEnvelope
)

// New returns a Reader reading from r.
func New(r io.Reader) *Reader {
	in := bufio.NewReaderSize(r, 64<<10)
	dec := json.NewDecoder(in)
	dec.UseNumber()
	return &Reader{in: in, dec: dec}
}

func (s *Reader) maxRecordBytes() int64 {
	if s.MaxRecordBytes > 0 {
		return s.MaxRecordBytes
	}
	return defaultMaxRecordBytes
}

func (s *Reader) fail(format string, args ...any) error {
	s.done = true
	return &Error{Position: s.position, Msg: fmt.Sprintf(format, args...)}
}

func (s *Reader) jsonError(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return s.fail("invalid JSON at byte offset %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return s.fail("invalid JSON: unexpected end of input")
	}
	var ue *json.UnmarshalTypeError
	if errors.As(err, &ue) {
		return s.fail("invalid JSON: %v", err)
	}
	s.done = true
	return err
}

// Next returns the next record, io.EOF at the end, or an error.
func (s *Reader) Next() (map[string]any, error) {
	if s.done {
		return nil, io.EOF
	}
	if !s.started {
		s.started = true
		if err := s.start(); err != nil {
			return nil, err
		}
	}

	if len(s.pending) > 0 {
		v := s.pending[0]
		s.pending = s.pending[1:]
		return s.record(v)
	}

	switch s.mode {
	case modeArray:
		if !s.dec.More() {
			return nil, s.finishArray()
		}
	case modeEnvelope:
		if !s.inData || !s.dec.More() {
			return nil, s.finishEnvelope()
		}
	default:
		if !s.dec.More() {
			if _, err := s.dec.Token(); err != io.EOF {
				return nil, s.fail("invalid JSON: unexpected data after record %d", s.position-1)
			}
			s.done = true
			return nil, io.EOF
		}
	}
	return s.decodeRecord()
}

// start reads up to the first record and decides the form of the stream.
func (s *Reader) start() error {
	first, err := s.peekByte()
	if err == io.EOF {
		s.done = true
		return nil
	}
	if err != nil {
		return err
	}

	switch first {
	case '[':
		s.mode = modeArray
		if _, err := s.dec.Token(); err != nil {
			return s.jsonError(err)
		}
		return nil
	case '{':
		return s.startObject()
	}
	s.mode = modeLines
	return nil
}

func (s *Reader) peekByte() (byte, error) {
	for {
		b, err := s.in.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			s.in.Discard(1)
			continue
		}
		return b[0], nil
	}
}

// startObject reads the first object member by member. When it holds
// "success" before "data", the data array is streamed; otherwise the
// members are kept until the object ends, then it is either the envelope
// (with its data array held in memory) or the first JSON Lines record.
func (s *Reader) startObject() error {
	start := s.dec.InputOffset()
	if _, err := s.dec.Token(); err != nil {
		return s.jsonError(err)
	}

	members := make(map[string]any)
	sawSuccess := false
	for s.dec.More() {
		tok, err := s.dec.Token()
		if err != nil {
			return s.jsonError(err)
		}
		key := tok.(string) // object keys are always strings

		if key == "success" {
			var v any
			if err := s.dec.Decode(&v); err != nil {
				return s.jsonError(err)
			}
			if v != true {
				return s.fail("the list envelope must say \"success\": true, got %s", describeRaw(v))
			}
			sawSuccess = true
			members[key] = v
			continue
		}
		if key == "data" && sawSuccess {
			tok, err := s.dec.Token()
			if err != nil {
				return s.jsonError(err)
			}
			if delim, ok := tok.(json.Delim); !ok || delim != '[' {
				return s.fail("the list envelope's \"data\" must be an array of records")
			}
			s.mode = modeEnvelope
			s.inData = true
			return nil
		}

		var v any
		if err := s.dec.Decode(&v); err != nil {
			return s.jsonError(err)
		}
		if s.dec.InputOffset()-start > s.maxRecordBytes() && !sawSuccess && key != "data" {
			return s.fail("record is longer than %d bytes", s.maxRecordBytes())
		}
		members[key] = v
	}
	if _, err := s.dec.Token(); err != nil {
		return s.jsonError(err)
	}

	if !sawSuccess {
		s.mode = modeLines
		s.pending = append(s.pending, members)
		return nil
	}
	s.mode = modeEnvelope
	data, ok := members["data"].([]any)
	if !ok {
		return s.fail("the list envelope has no \"data\" array of records")
	}
	// NOTE: an envelope that puts "data" before "success" is held in memory
	// whole; the API writes "success" first, which streams.
	s.pending = data
	return nil
}

func (s *Reader) decodeRecord() (map[string]any, error) {
	start := s.dec.InputOffset()
	var v any
	if err := s.dec.Decode(&v); err != nil {
		return nil, s.jsonError(err)
	}
	if s.dec.InputOffset()-start > s.maxRecordBytes() {
		return nil, s.fail("record is longer than %d bytes", s.maxRecordBytes())
	}
	return s.record(v)
}

func (s *Reader) record(v any) (map[string]any, error) {
	rec, ok := v.(map[string]any)
	if !ok {
		return nil, s.fail("record is not a JSON object but %s", jsonKind(v))
	}
	s.position++
	return rec, nil
}

func (s *Reader) finishArray() error {
	if _, err := s.dec.Token(); err != nil {
		return s.jsonError(err)
	}
	if _, err := s.dec.Token(); err != io.EOF {
		return s.fail("invalid JSON: unexpected data after the array of records")
	}
	s.done = true
	return io.EOF
}

// finishEnvelope reads the rest of the envelope after its data array.
func (s *Reader) finishEnvelope() error {
	if s.inData {
		if _, err := s.dec.Token(); err != nil { // the closing ']'
			return s.jsonError(err)
		}
		s.inData = false
		for s.dec.More() {
			tok, err := s.dec.Token()
			if err != nil {
				return s.jsonError(err)
			}
			var v any
			if err := s.dec.Decode(&v); err != nil {
				return s.jsonError(err)
			}
			if tok == "success" && v != true {
				return s.fail("the list envelope must say \"success\": true, got %s", describeRaw(v))
			}
		}
		if _, err := s.dec.Token(); err != nil {
			return s.jsonError(err)
		}
	}
	if _, err := s.dec.Token(); err != io.EOF {
		return s.fail("invalid JSON: unexpected data after the list envelope")
	}
	s.done = true
	return io.EOF
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}
