package jsonscan

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The parsing functions below work on b, the buffered input, from an index
// i, and return the index just past what they read. A negative result is
// one of these codes instead.
const (
	// short means b ended before the value did: more input is needed.
	short = -1
	// bad means the input is not JSON; the scanner holds the details.
	bad = -2
)

// maxDepth is the nesting limit of encoding/json: a value may hold at most
// this many levels of arrays and objects.
const maxDepth = 10000

// plainASCII marks the bytes that stand for themselves inside a string and
// need no decoding: printable ASCII other than the quote and the backslash.
// plainByte also admits the bytes of multi-byte UTF-8 sequences, which a
// string that is only skipped need not check.
var plainASCII, plainByte [256]bool

func init() {
	for c := 0x20; c < 0x100; c++ {
		plainByte[c] = c != '"' && c != '\\'
		plainASCII[c] = plainByte[c] && c < utf8.RuneSelf
	}
}

func isDigit(c byte) bool { return c-'0' < 10 }

func isHex(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 6
}

// skipWS returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipWS(b []byte, i int) int {
	for ; i < len(b); i++ {
		c := b[i]
		if c > ' ' || (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
			return i
		}
	}
	return i
}

// syntax records that b[i] may not stand where it does and returns bad.
// context completes "invalid character 'x' ...".
func (s *Scanner) syntax(b []byte, i int, context string) int {
	s.errOffset = s.base + int64(i) + 1
	s.errText = "invalid character " + charText(b[i]) + " " + context
	return bad
}

// syntaxText records a syntax error with a text of its own at b[i].
func (s *Scanner) syntaxText(i int, text string) int {
	s.errOffset = s.base + int64(i) + 1
	s.errText = text
	return bad
}

// escape checks the escape sequence whose backslash is at b[i].
func (s *Scanner) escape(b []byte, i int) int {
	if i+1 >= len(b) {
		return short
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		for k := i + 2; k < i+6; k++ {
			if k >= len(b) {
				return short
			}
			if !isHex(b[k]) {
				return s.syntax(b, k, "in \\u hexadecimal character escape")
			}
		}
		return i + 6
	}
	return s.syntax(b, i+1, "in string escape code")
}

// Strings are scanned eight bytes at a time: stops flags, in the high bit
// of each byte of x, the bytes that end a run of plain bytes: the quote,
// the backslash and control characters. A flag can be wrong only above a
// right one, so the lowest flag is always right.
const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

func stops(x uint64) uint64 {
	q := x ^ (ones * '"')
	e := x ^ (ones * '\\')
	return ((q-ones)&^q | (e-ones)&^e | (x-ones*0x20)&^x) & high
}

// plainRun returns the index of the first byte at or after i that is not
// in plainByte, or len(b).
func plainRun(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := stops(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(b) && plainByte[b[i]] {
		i++
	}
	return i
}

// asciiRun returns the index of the first byte at or after i that is not
// in plainASCII, or len(b).
func asciiRun(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := stops(x) | x&high; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(b) && plainASCII[b[i]] {
		i++
	}
	return i
}

// skipString checks the string whose opening quote is at b[i]. Invalid
// UTF-8 is no error (it decodes to U+FFFD), so only control characters
// and escapes are checked.
func (s *Scanner) skipString(b []byte, i int) int {
	i++
	for {
		if i = plainRun(b, i); i >= len(b) {
			return short
		}
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			if i = s.escape(b, i); i < 0 {
				return i
			}
		default:
			return s.syntax(b, i, "in string literal")
		}
	}
}

// scanString checks the string whose opening quote is at b[i] like
// skipString, and also reports whether its body is plain printable ASCII
// that decodes to itself.
func (s *Scanner) scanString(b []byte, i int) (end int, plain bool) {
	i++
	plain = true
	for {
		if i = asciiRun(b, i); i >= len(b) {
			return short, false
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, plain
		case c == '\\':
			plain = false
			if i = s.escape(b, i); i < 0 {
				return i, false
			}
		case c >= utf8.RuneSelf:
			plain = false
			i++
		default:
			return s.syntax(b, i, "in string literal"), false
		}
	}
}

// skipNumber checks the number that starts at b[i] ('-' or a digit). A
// number may end with the input: at the end of b it is complete only when
// no more input will come.
func (s *Scanner) skipNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
		if i >= len(b) {
			return short
		}
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case c-'1' < 9:
		i++
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return s.syntax(b, i, "in numeric literal")
	}
	if i >= len(b) {
		return s.numberEnd(i)
	}
	if b[i] == '.' {
		i++
		if i >= len(b) {
			return short
		}
		if !isDigit(b[i]) {
			return s.syntax(b, i, "after decimal point in numeric literal")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		if i >= len(b) {
			return s.numberEnd(i)
		}
	}
	if b[i] == 'e' || b[i] == 'E' {
		i++
		if i >= len(b) {
			return short
		}
		if b[i] == '+' || b[i] == '-' {
			i++
			if i >= len(b) {
				return short
			}
		}
		if !isDigit(b[i]) {
			return s.syntax(b, i, "in exponent of numeric literal")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		if i >= len(b) {
			return s.numberEnd(i)
		}
	}
	return i
}

// numberEnd decides a number that reaches the end of the buffer.
func (s *Scanner) numberEnd(i int) int {
	if s.eof && i == s.end {
		return i
	}
	return short
}

// skipLiteral checks that b[i:] spells lit (true, false or null), whose
// first byte has been seen.
func (s *Scanner) skipLiteral(b []byte, i int, lit string) int {
	if i+len(lit) <= len(b) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	for k := 1; k < len(lit); k++ {
		if i+k >= len(b) {
			return short
		}
		if b[i+k] != lit[k] {
			return s.syntax(b, i+k, "in literal "+lit+" (expecting "+charText(lit[k])+")")
		}
	}
	return i + len(lit)
}

// skipValue checks the value that starts at b[i], inside d levels of
// arrays and objects, without decoding it.
func (s *Scanner) skipValue(b []byte, i, d int) int {
	switch c := b[i]; c {
	case '"':
		return s.skipString(b, i)
	case '{':
		return s.skipObject(b, i, d+1)
	case '[':
		return s.skipArray(b, i, d+1)
	case 't':
		return s.skipLiteral(b, i, "true")
	case 'f':
		return s.skipLiteral(b, i, "false")
	case 'n':
		return s.skipLiteral(b, i, "null")
	default:
		if c == '-' || isDigit(c) {
			return s.skipNumber(b, i)
		}
	}
	return s.syntax(b, i, "looking for beginning of value")
}

// skipObject checks the object whose '{' is at b[i] and is at level d.
func (s *Scanner) skipObject(b []byte, i, d int) int {
	if d > maxDepth {
		return s.syntaxText(i, "exceeded max depth")
	}
	if i = skipWS(b, i+1); i >= len(b) {
		return short
	}
	if b[i] == '}' {
		return i + 1
	}
	for {
		if b[i] != '"' {
			return s.syntax(b, i, "looking for beginning of object key string")
		}
		if i = s.skipString(b, i); i < 0 {
			return i
		}
		if i = s.colon(b, i); i < 0 {
			return i
		}
		if i = s.skipValue(b, i, d); i < 0 {
			return i
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

// skipArray checks the array whose '[' is at b[i] and is at level d.
func (s *Scanner) skipArray(b []byte, i, d int) int {
	if d > maxDepth {
		return s.syntaxText(i, "exceeded max depth")
	}
	if i = skipWS(b, i+1); i >= len(b) {
		return short
	}
	if b[i] == ']' {
		return i + 1
	}
	for {
		if i = s.skipValue(b, i, d); i < 0 {
			return i
		}
		if i = skipWS(b, i); i >= len(b) {
			return short
		}
		switch b[i] {
		case ',':
			if i = skipWS(b, i+1); i >= len(b) {
				return short
			}
		case ']':
			return i + 1
		default:
			return s.syntax(b, i, "after array element")
		}
	}
}

// colon reads the ':' after an object key that ends at b[i], and the
// whitespace around it, and returns the index of the value.
func (s *Scanner) colon(b []byte, i int) int {
	if i < len(b) && b[i] == ':' {
		i++
	} else {
		if i = skipWS(b, i); i >= len(b) {
			return short
		}
		if b[i] != ':' {
			return s.syntax(b, i, "after object key")
		}
		i++
	}
	if i < len(b) && b[i] > ' ' {
		return i
	}
	if i = skipWS(b, i); i >= len(b) {
		return short
	}
	return i
}

// decodeValue decodes the value that starts at b[i], inside d levels of
// arrays and objects, as encoding/json with UseNumber does. slot selects
// the intern table of short strings and numbers, and -1 turns interning
// off.
func (s *Scanner) decodeValue(b []byte, i, d, slot int) (int, any) {
	switch c := b[i]; c {
	case '"':
		end, plain := s.scanString(b, i)
		if end < 0 {
			return end, nil
		}
		body := b[i+1 : end-1]
		if !plain {
			body = s.unquote(body)
		}
		return end, s.internString(body, slot)
	case '{':
		return s.decodeObject(b, i, d+1)
	case '[':
		return s.decodeArray(b, i, d+1)
	case 't':
		return s.skipLiteral(b, i, "true"), true
	case 'f':
		return s.skipLiteral(b, i, "false"), false
	case 'n':
		return s.skipLiteral(b, i, "null"), nil
	default:
		if c == '-' || isDigit(c) {
			end := s.skipNumber(b, i)
			if end < 0 {
				return end, nil
			}
			return end, s.internNumber(b[i:end], slot)
		}
	}
	return s.syntax(b, i, "looking for beginning of value"), nil
}

// decodeObject decodes the object whose '{' is at b[i] and is at level d
// into a map. A repeated key keeps its last value.
func (s *Scanner) decodeObject(b []byte, i, d int) (int, any) {
	if d > maxDepth {
		return s.syntaxText(i, "exceeded max depth"), nil
	}
	m := make(map[string]any)
	if i = skipWS(b, i+1); i >= len(b) {
		return short, nil
	}
	if b[i] == '}' {
		return i + 1, m
	}
	for {
		if b[i] != '"' {
			return s.syntax(b, i, "looking for beginning of object key string"), nil
		}
		end, plain := s.scanString(b, i)
		if end < 0 {
			return end, nil
		}
		body := b[i+1 : end-1]
		if !plain {
			body = s.unquote(body)
		}
		key := string(body)
		if i = s.colon(b, end); i < 0 {
			return i, nil
		}
		var v any
		if i, v = s.decodeValue(b, i, d, -1); i < 0 {
			return i, nil
		}
		m[key] = v
		if i = skipWS(b, i); i >= len(b) {
			return short, nil
		}
		switch b[i] {
		case ',':
			if i = skipWS(b, i+1); i >= len(b) {
				return short, nil
			}
		case '}':
			return i + 1, m
		default:
			return s.syntax(b, i, "after object key:value pair"), nil
		}
	}
}

// decodeArray decodes the array whose '[' is at b[i] and is at level d.
func (s *Scanner) decodeArray(b []byte, i, d int) (int, any) {
	if d > maxDepth {
		return s.syntaxText(i, "exceeded max depth"), nil
	}
	a := make([]any, 0)
	if i = skipWS(b, i+1); i >= len(b) {
		return short, nil
	}
	if b[i] == ']' {
		return i + 1, a
	}
	for {
		var v any
		if i, v = s.decodeValue(b, i, d, -1); i < 0 {
			return i, nil
		}
		a = append(a, v)
		if i = skipWS(b, i); i >= len(b) {
			return short, nil
		}
		switch b[i] {
		case ',':
			if i = skipWS(b, i+1); i >= len(b) {
				return short, nil
			}
		case ']':
			return i + 1, a
		default:
			return s.syntax(b, i, "after array element"), nil
		}
	}
}

// unquote decodes the body of a string that scanString accepted, the way
// encoding/json does: escapes are resolved, a \u surrogate pair makes one
// rune, and a lone surrogate or a byte that is not valid UTF-8 becomes
// U+FFFD. The result is body itself when nothing changes, else it lives
// in the scanner's scratch space until the next call.
func (s *Scanner) unquote(body []byte) []byte {
	r := 0
	for r < len(body) {
		c := body[r]
		if c == '\\' {
			break
		}
		if c < utf8.RuneSelf {
			r++
			continue
		}
		rr, size := utf8.DecodeRune(body[r:])
		if rr == utf8.RuneError && size == 1 {
			break
		}
		r += size
	}
	if r == len(body) {
		return body
	}
	out := append(s.scratch[:0], body[:r]...)
	for r < len(body) {
		c := body[r]
		switch {
		case c == '\\':
			e := body[r+1]
			r += 2
			switch e {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				rr := hex4(body[r : r+4])
				r += 4
				if utf16.IsSurrogate(rr) {
					if r+6 <= len(body) && body[r] == '\\' && body[r+1] == 'u' {
						pair := utf16.DecodeRune(rr, hex4(body[r+2:r+6]))
						if pair != unicode.ReplacementChar {
							r += 6
							out = utf8.AppendRune(out, pair)
							break
						}
					}
					rr = unicode.ReplacementChar
				}
				out = utf8.AppendRune(out, rr)
			default: // '"', '\\' and '/' stand for themselves
				out = append(out, e)
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			r++
		default:
			rr, size := utf8.DecodeRune(body[r:])
			r += size
			out = utf8.AppendRune(out, rr)
		}
	}
	s.scratch = out[:0]
	return out
}

// hex4 reads four hexadecimal digits that scanString checked.
func hex4(h []byte) rune {
	var r rune
	for _, c := range h[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// number is the type numbers decode to.
type number = json.Number
