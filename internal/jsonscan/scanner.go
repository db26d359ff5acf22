// Package jsonscan streams records from JSON text and decodes only the
// members that a caller requests.
//
// A Scanner reads the three stream forms of engine.JSONSource: the list
// envelope of GET /v1/{entity} ({"success": true, "data": [...]}) when the
// first value is an object holding a "success" key, a JSON array when the
// text starts with "[", and JSON Lines (any whitespace-separated sequence
// of values) otherwise. It accepts and rejects the same texts as that
// source, reports errors at the same record positions, and hands over
// values in the shape encoding/json with UseNumber gives them: nil, bool,
// string, json.Number, []any and map[string]any. Members that the caller
// does not request are checked as strictly as encoding/json checks them,
// but not decoded.
//
// The Scanner keeps one buffer that contains at least the record being
// read. The buffer starts at 64 KiB and doubles as records need, staying
// under four times the record size limit, with two exceptions. When the first object of the stream puts
// "data" before "success", the whole envelope is held, as the engine
// holds it. A member of the envelope that is not a record is held whole,
// whatever its size.
//
// Where this package and engine.JSONSource part ways, the differences are
// listed in differences.md beside this file.
package jsonscan

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
)

// DefaultMaxRecordBytes is the size limit of one record when
// Scanner.MaxRecordBytes is 0, the same as the engine's.
const DefaultMaxRecordBytes = 1 << 20

// minBuffer is the initial size of the buffer.
const minBuffer = 64 << 10

// maxKeyCache is the number of member places whose keys are remembered.
const maxKeyCache = 1024

// maxKeyStrings bounds the table of key strings handed to set.
const maxKeyStrings = 4096

// Scanner reads records from JSON text one at a time. Use New to make one.
type Scanner struct {
	// MaxRecordBytes caps the encoded size of one record, from its first
	// byte to its last; 0 means DefaultMaxRecordBytes.
	MaxRecordBytes int64

	r   io.Reader
	buf []byte
	// pos is the index of the next byte to read, and end is the end of the
	// buffered input. Bytes before pos may be dropped by a refill.
	pos, end int
	// base is the offset in the stream of buf[0].
	base int64
	// eof is set once the reader has returned io.EOF. rerr stores any other
	// error of the reader until the bytes read before it are used up.
	eof  bool
	rerr error

	state state
	// first is set while the next element is the first of its array.
	first bool
	// level is the nesting level of the next record object. It is 1 as a
	// rule, 0 for a first object that turned out to be a JSON Lines record,
	// and 2 inside a held data array. The engine decodes the members of the
	// first object and a held data array as values of their own, and
	// encoding/json counts the depth limit per decoded value.
	level int
	// heldEnd is the end of the held envelope object in stateHeld.
	heldEnd int
	// probeFree is set while the probe of the first object is inside a
	// member that the record size limit does not apply to.
	probeFree bool
	// minRead is the minimum number of bytes that more reads. Tests lower
	// it to make records cross the end of the buffer.
	minRead  int
	position int64
	done     bool

	// pending holds the wanted members of the record being read; they are
	// decoded and handed over once the whole record has been read and
	// checked. It holds no pointers, so filling it costs no write barrier.
	pending []member
	keys    []keyEntry
	keyStrs map[string]string
	scratch []byte
	intern  interner

	// The details of the last syntax error.
	errOffset int64
	errText   string
}

type state uint8

const (
	stateStart state = iota
	stateLines
	stateArray
	// stateData is inside the envelope's data array, read as it comes.
	stateData
	// stateHeld is inside an envelope's data array held in the buffer,
	// for an envelope that put "data" before "success".
	stateHeld
)

type member struct {
	slot int
	// place is the index of the member in the record, which finds its key
	// in s.keys. keyStart and keyEnd bound the key text, for a place past
	// the end of s.keys.
	place            int
	keyStart, keyEnd int
	// start and end bound the value in the buffer. plain is set for a
	// string that decodes to itself.
	start, end int
	plain      bool
}

// keyEntry remembers the key at one member place of the records read so
// far: records of one stream mostly share their keys and key order, so a
// key is usually found by comparing bytes with the one at the same place.
type keyEntry struct {
	raw  []byte
	slot int
	key  string
	// For a raw key of at most 15 bytes, lo and hi contain the key and its
	// closing quote, padded with zeros to 16 bytes. mlo and mhi mask those
	// bytes, so that a key is compared with two loads and no call.
	lo, hi, mlo, mhi uint64
	short            bool
}

func (e *keyEntry) set(raw []byte, slot int, key string) {
	e.raw = append(e.raw[:0], raw...)
	e.slot, e.key = slot, key
	e.short = len(raw) <= 15
	if e.short {
		var pat, mask [16]byte
		copy(pat[:], raw)
		pat[len(raw)] = '"'
		for k := range len(raw) + 1 {
			mask[k] = 0xff
		}
		e.lo, e.hi = binary.LittleEndian.Uint64(pat[:8]), binary.LittleEndian.Uint64(pat[8:])
		e.mlo, e.mhi = binary.LittleEndian.Uint64(mask[:8]), binary.LittleEndian.Uint64(mask[8:])
	}
}

// matchKey reports whether the key at b[i] (its opening quote) is the
// same text as e's followed by a closing quote, and returns the index
// after that quote.
func (e *keyEntry) matchKey(b []byte, i int) (int, bool) {
	n := len(e.raw)
	end := i + 1 + n
	if end >= len(b) || b[end] != '"' {
		return 0, false
	}
	return end + 1, string(b[i+1:end]) == string(e.raw)
}

// New returns a Scanner reading from r.
func New(r io.Reader) *Scanner {
	return &Scanner{r: r, buf: make([]byte, minBuffer), level: 1, minRead: 512}
}

// Position returns the 0-based position of the record that the next call
// of Next reads, which is also the number of records read so far. After an
// error it is the position of the record that could not be read. During a
// call of set it is the position of the record being handed over.
func (s *Scanner) Position() int64 { return s.position }

func (s *Scanner) limit() int64 {
	if s.MaxRecordBytes > 0 {
		return s.MaxRecordBytes
	}
	return DefaultMaxRecordBytes
}

// Next reads the next record.
//
// For each member of the record, want gets the key, unescaped, and returns
// the caller's slot for it or -1 to skip the value. The key bytes are
// valid only during the call. The Scanner caches the slot of each key for
// its whole life, so want must return the same slot for the same key every
// time, and it may not be called for every member. A nil want skips every
// member.
//
// Once the whole record has been read and found valid, set is called for
// each member with a slot, in the order of the record. A repeated key is
// handed over again, so the last one wins. The key string may be shared
// between calls. Nothing is handed over for a record that fails.
//
// Next returns io.EOF after the last record, an *Error when the text is
// not a valid stream of records, or the reader's error. After an error,
// Next returns io.EOF.
func (s *Scanner) Next(want func(key []byte) int, set func(slot int, key string, value any)) error {
	if s.done {
		return io.EOF
	}
	for {
		switch s.state {
		case stateStart:
			c, err := s.peek()
			if err != nil {
				s.done = true
				return err
			}
			switch c {
			case '[':
				s.pos++
				s.state, s.first = stateArray, true
			case '{':
				if err := s.probe(); err != nil {
					return err
				}
			default:
				s.state = stateLines
			}

		case stateLines:
			c, err := s.peek()
			if err != nil {
				s.done = true
				return err
			}
			if c == ']' || c == '}' {
				return s.fail(fmt.Sprintf("invalid JSON: unexpected data after record %d", s.position-1))
			}
			err = s.record(want, set)
			s.level = 1
			return err

		case stateArray, stateData:
			c, err := s.peek()
			if err != nil {
				return s.failEnd(err)
			}
			if c == ']' {
				s.pos++
				if s.state == stateArray {
					return s.finish("invalid JSON: unexpected data after the array of records")
				}
				return s.finishEnvelope()
			}
			if !s.first {
				if c != ',' {
					s.syntaxText(s.pos, "expected comma after array element")
					return s.failSyntax()
				}
				s.pos++
				if _, err := s.peek(); err != nil {
					return s.failEnd(err)
				}
			}
			s.first = false
			return s.record(want, set)

		case stateHeld:
			// The held envelope has been checked whole, so the elements
			// of its data array are all in the buffer.
			b := s.buf[:s.end]
			i := skipWS(b, s.pos)
			if b[i] == ']' {
				s.pos = s.heldEnd
				return s.finish("invalid JSON: unexpected data after the list envelope")
			}
			if !s.first {
				i = skipWS(b, i+1) // past the ','
			}
			s.first = false
			s.pos = i
			return s.record(want, set)
		}
	}
}

// record reads the record that starts at s.pos.
func (s *Scanner) record(want func([]byte) int, set func(int, string, any)) error {
	limit := s.limit()
	for {
		s.pending = s.pending[:0]
		b := s.buf[:s.end]
		start := s.pos
		isObject := b[start] == '{'
		var end int
		if isObject && want != nil {
			end = s.readObject(b, start, s.level, want)
		} else {
			end = s.skipValue(b, start, s.level-1)
		}
		switch end {
		case short:
			if int64(s.end-start) > limit {
				return s.fail(fmt.Sprintf("record is longer than %d bytes", limit))
			}
			if err := s.more(); err != nil {
				return s.failEnd(err)
			}
			continue
		case bad:
			return s.failSyntax()
		}
		if int64(end-start) > limit {
			return s.fail(fmt.Sprintf("record is longer than %d bytes", limit))
		}
		s.pos = end
		if !isObject {
			return s.fail("record is not a JSON object but " + kindText(b[start]))
		}
		for i := range s.pending {
			m := &s.pending[i]
			set(m.slot, s.memberKey(b, m), s.memberValue(b, m))
		}
		s.position++
		return nil
	}
}

// readObject reads the record object whose '{' is at b[i] and is at level
// lvl, and keeps the wanted members in s.pending.
func (s *Scanner) readObject(b []byte, i, lvl int, want func([]byte) int) int {
	if i = skipWS(b, i+1); i >= len(b) {
		return short
	}
	if b[i] == '}' {
		return i + 1
	}
	for place := 0; ; place++ {
		if b[i] != '"' {
			return s.syntax(b, i, "looking for beginning of object key string")
		}
		var slot int
		keyStart := i + 1
		// Most keys are the same as at this place in the last record: then
		// the same bytes followed by a quote are the same valid key.
		if place < len(s.keys) {
			e := &s.keys[place]
			if e.short && i+17 <= len(b) {
				if binary.LittleEndian.Uint64(b[i+1:])&e.mlo == e.lo &&
					binary.LittleEndian.Uint64(b[i+9:])&e.mhi == e.hi {
					slot, i = e.slot, i+len(e.raw)+2
					goto colon
				}
			} else if end, ok := e.matchKey(b, i); ok {
				slot, i = e.slot, end
				goto colon
			}
		}
		{
			end, plain := s.scanString(b, i)
			if end < 0 {
				return end
			}
			slot = s.lookupKey(place, b[i+1:end-1], plain, want)
			i = end
		}
	colon:
		keyEnd := i - 1
		if i+1 < len(b) && b[i] == ':' && b[i+1] > ' ' {
			i++
		} else if i = s.colon(b, i); i < 0 {
			return i
		}
		if slot < 0 {
			switch c := b[i]; {
			case c == '"':
				// A string with no escape and no control character
				// ends at the first quote: look for it eight bytes at a
				// time here, and leave the rest to skipString.
				j := i + 1
				for ; j+8 <= len(b); j += 8 {
					if mask := stops(binary.LittleEndian.Uint64(b[j:])); mask != 0 {
						j += bits.TrailingZeros64(mask) >> 3
						break
					}
				}
				if j < len(b) && b[j] == '"' {
					i = j + 1
				} else {
					i = s.skipString(b, i)
				}
			case isDigit(c):
				i = s.skipNumber(b, i)
			default:
				i = s.skipValue(b, i, lvl)
			}
		} else {
			// The member is written in place: building it aside and
			// copying it in costs more.
			n := len(s.pending)
			if n < cap(s.pending) {
				s.pending = s.pending[:n+1]
			} else {
				s.pending = append(s.pending, member{})
			}
			m := &s.pending[n]
			m.slot, m.place, m.keyStart, m.keyEnd, m.start = slot, place, keyStart, keyEnd, i
			if b[i] == '"' {
				// As above, for a string of plain ASCII.
				j := i + 1
				for ; j+8 <= len(b); j += 8 {
					x := binary.LittleEndian.Uint64(b[j:])
					if mask := stops(x) | x&high; mask != 0 {
						j += bits.TrailingZeros64(mask) >> 3
						break
					}
				}
				if j < len(b) && b[j] == '"' {
					i, m.plain = j+1, true
				} else {
					i, m.plain = s.scanString(b, i)
				}
			} else {
				i, m.plain = s.skipValue(b, i, lvl), false
			}
			m.end = i
		}
		if i < 0 {
			return i
		}
		if i+1 < len(b) && b[i] == ',' && b[i+1] == '"' {
			i++
			continue
		}
		if i = skipWS(b, i); i >= len(b) {
			return short
		}
		switch b[i] {
		case ',':
			if i = skipWS(b, i+1); i >= len(b) {
				return short
			}
		case '}':
			return i + 1
		default:
			return s.syntax(b, i, "after object key:value pair")
		}
	}
}

// lookupKey returns the slot of the key at the given member place, whose
// text between the quotes is raw, and remembers it for the place.
func (s *Scanner) lookupKey(place int, raw []byte, plain bool, want func([]byte) int) int {
	name := raw
	if !plain {
		name = s.unquote(raw)
	}
	slot := want(name)
	key := ""
	if slot >= 0 {
		key = s.keyString(name)
	}
	if place == len(s.keys) && place < maxKeyCache {
		s.keys = append(s.keys, keyEntry{})
	}
	if place < len(s.keys) {
		s.keys[place].set(raw, slot, key)
	}
	return slot
}

// memberKey returns the key string of a wanted member.
func (s *Scanner) memberKey(b []byte, m *member) string {
	if m.place < len(s.keys) {
		return s.keys[m.place].key
	}
	return s.keyString(s.unquote(b[m.keyStart:m.keyEnd]))
}

// memberValue decodes the value of a wanted member, which has been
// checked.
func (s *Scanner) memberValue(b []byte, m *member) any {
	switch c := b[m.start]; c {
	case '"':
		body := b[m.start+1 : m.end-1]
		if !m.plain {
			body = s.unquote(body)
		}
		return s.internString(body, m.slot)
	case 't':
		return true
	case 'f':
		return false
	case 'n':
		return nil
	case '{', '[':
		_, v := s.decodeValue(b, m.start, s.level, -1)
		return v
	}
	return s.internNumber(b[m.start:m.end], m.slot)
}

func (s *Scanner) keyString(name []byte) string {
	if k, ok := s.keyStrs[string(name)]; ok {
		return k
	}
	k := string(name)
	if len(s.keyStrs) < maxKeyStrings {
		if s.keyStrs == nil {
			s.keyStrs = make(map[string]string)
		}
		s.keyStrs[k] = k
	}
	return k
}

// probe reads the first value of the stream, an object, to tell the list
// envelope from the first record of JSON Lines, and sets the state.
func (s *Scanner) probe() error {
	for {
		end, err := s.probeOnce()
		if err != nil {
			return err
		}
		switch end {
		case short:
			if !s.probeFree && int64(s.end-s.pos) > s.limit() {
				return s.fail(fmt.Sprintf("record is longer than %d bytes", s.limit()))
			}
			if err := s.more(); err != nil {
				return s.failEnd(err)
			}
			continue
		case bad:
			return s.failSyntax()
		}
		return nil
	}
}

// probeOnce reads the first object member by member, as the engine does.
// Once it has a "success" member, the object is the envelope, and a "data"
// member after that is read as it comes. A "success" member must be true;
// a member before it that is neither "data" nor "success" must end within
// the record size limit. When the object ends, it is the envelope if it
// had "success" (with the last "data" array before it held in the buffer)
// and the first JSON Lines record otherwise, to be read again as one.
func (s *Scanner) probeOnce() (int, error) {
	b := s.buf[:s.end]
	start := s.pos
	sawSuccess := false
	data := -1 // the index of the '[' of the last "data" array
	s.probeFree = true
	i := skipWS(b, start+1)
	if i >= len(b) {
		return short, nil
	}
	for b[i] != '}' {
		s.probeFree = true
		if b[i] != '"' {
			return s.syntax(b, i, "looking for beginning of object key string"), nil
		}
		end, plain := s.scanString(b, i)
		if end < 0 {
			return end, nil
		}
		name := b[i+1 : end-1]
		if !plain {
			name = s.unquote(name)
		}
		isSuccess, isData := string(name) == "success", string(name) == "data"
		s.probeFree = sawSuccess || isSuccess || isData
		if i = s.colon(b, end); i < 0 {
			return i, nil
		}
		switch {
		case isSuccess:
			end, v := s.decodeValue(b, i, 0, -1)
			if end < 0 {
				return end, nil
			}
			if v != true {
				return 0, s.fail(fmt.Sprintf("the list envelope must say \"success\": true, got %s", describe(v)))
			}
			sawSuccess = true
			i = end
		case isData && sawSuccess:
			if b[i] == '[' {
				s.pos = i + 1
				s.state, s.first = stateData, true
				return 0, nil
			}
			if b[i] != '{' {
				// The engine reads one token here, so a scalar is
				// checked before the complaint, an object is not.
				if end := s.skipValue(b, i, 0); end < 0 {
					return end, nil
				}
			}
			return 0, s.fail(`the list envelope's "data" must be an array of records`)
		default:
			end := s.skipValue(b, i, 0)
			if end < 0 {
				return end, nil
			}
			if isData {
				data = -1
				if b[i] == '[' {
					data = i
				}
			} else if !sawSuccess && int64(end-start) > s.limit() {
				return 0, s.fail(fmt.Sprintf("record is longer than %d bytes", s.limit()))
			}
			i = end
		}
		s.probeFree = true
		if i = skipWS(b, i); i >= len(b) {
			return short, nil
		}
		switch b[i] {
		case ',':
			if i = skipWS(b, i+1); i >= len(b) {
				return short, nil
			}
			if b[i] == '}' {
				return s.syntax(b, i, "looking for beginning of object key string"), nil
			}
		case '}':
		default:
			return s.syntax(b, i, "after object key:value pair"), nil
		}
	}
	switch {
	case !sawSuccess:
		s.state, s.level = stateLines, 0 // s.pos stays at the '{'
	case data < 0:
		return 0, s.fail(`the list envelope has no "data" array of records`)
	default:
		s.state, s.first, s.level = stateHeld, true, 2
		s.heldEnd = i + 1
		s.pos = data + 1
	}
	return 0, nil
}

// finishEnvelope reads the rest of the envelope after its data array.
func (s *Scanner) finishEnvelope() error {
	for {
		c, err := s.peek()
		if err != nil {
			return s.failEnd(err)
		}
		if c == '}' {
			s.pos++
			return s.finish("invalid JSON: unexpected data after the list envelope")
		}
		if c != ',' {
			s.syntax(s.buf[:s.end], s.pos, "after object key:value pair")
			return s.failSyntax()
		}
		for {
			end, err := s.envelopeMember()
			if err != nil {
				return err
			}
			if end == short {
				if err := s.more(); err != nil {
					return s.failEnd(err)
				}
				continue
			}
			if end == bad {
				return s.failSyntax()
			}
			s.pos = end
			break
		}
	}
}

// envelopeMember reads one member of the envelope after its data array,
// from the ',' at s.pos. A "success" member must be true.
func (s *Scanner) envelopeMember() (int, error) {
	b := s.buf[:s.end]
	i := skipWS(b, s.pos+1)
	if i >= len(b) {
		return short, nil
	}
	if b[i] != '"' {
		return s.syntax(b, i, "looking for beginning of object key string"), nil
	}
	end, plain := s.scanString(b, i)
	if end < 0 {
		return end, nil
	}
	name := b[i+1 : end-1]
	if !plain {
		name = s.unquote(name)
	}
	isSuccess := string(name) == "success"
	if i = s.colon(b, end); i < 0 {
		return i, nil
	}
	if !isSuccess {
		return s.skipValue(b, i, 0), nil
	}
	end, v := s.decodeValue(b, i, 0, -1)
	if end >= 0 && v != true {
		return 0, s.fail(fmt.Sprintf("the list envelope must say \"success\": true, got %s", describe(v)))
	}
	return end, nil
}

// finish checks that nothing but whitespace follows the end of the stream.
func (s *Scanner) finish(msg string) error {
	_, err := s.peek()
	if err == nil {
		return s.fail(msg)
	}
	s.done = true
	return err
}

// peek skips whitespace and returns the next byte without reading it. At
// the end of the input it returns io.EOF.
func (s *Scanner) peek() (byte, error) {
	for {
		s.pos = skipWS(s.buf[:s.end], s.pos)
		if s.pos < s.end {
			return s.buf[s.pos], nil
		}
		if err := s.more(); err != nil {
			return 0, err
		}
	}
}

// more reads more input after buf[:end]. It drops the bytes before pos and
// grows the buffer when the bytes left fill more than half of it. Then it
// reads until the buffer has at least twice as many bytes from pos as
// before, or the reader ends or fails. Reading that much keeps the cost of
// reading a long record again from its start linear. more returns io.EOF
// when the input had already ended, and the reader's error once the bytes
// read before the error are used up.
func (s *Scanner) more() error {
	if s.eof {
		return io.EOF
	}
	if s.rerr != nil {
		return s.rerr
	}
	n := s.end - s.pos
	if s.pos > 0 {
		copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.end, s.pos = n, 0
	}
	need := max(n, s.minRead)
	if len(s.buf)-n < need {
		grown := make([]byte, max(2*len(s.buf), n+need))
		copy(grown, s.buf[:n])
		s.buf = grown
	}
	for empty := 0; s.end < n+need; {
		m, err := s.r.Read(s.buf[s.end:])
		s.end += m
		if err != nil {
			if err == io.EOF {
				s.eof = true
			} else {
				s.rerr = err
			}
			break
		}
		if m == 0 {
			if empty++; empty >= 100 {
				s.rerr = io.ErrNoProgress
				break
			}
		}
	}
	return nil
}

// fail ends the stream with an *Error at the current position.
func (s *Scanner) fail(msg string) error {
	s.done = true
	return &Error{Position: s.position, Msg: msg}
}

// failSyntax ends the stream with the last syntax error.
func (s *Scanner) failSyntax() error {
	return s.fail(fmt.Sprintf("invalid JSON at byte offset %d: %s", s.errOffset, s.errText))
}

// failEnd ends the stream when the input ended or failed inside a value.
func (s *Scanner) failEnd(err error) error {
	if err == io.EOF {
		return s.fail("invalid JSON: unexpected end of input")
	}
	s.done = true
	return err
}
