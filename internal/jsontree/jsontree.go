// Package jsontree parses a JSON document into a tree that keeps the order
// of object keys, the exact text of numbers, and the byte offset of every
// value. Request validation needs all three: checks run in key order,
// numbers are exact decimals, and errors point at the offending node.
package jsontree

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a node.
type Kind uint8

// Node kinds.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// String returns the JSON name of the kind, as error messages use it.
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	default:
		return "object"
	}
}

// Node is one JSON value.
type Node struct {
	Kind Kind
	// Bool is the value of a Bool node.
	Bool bool
	// Text is the decoded value of a String node or the literal text of a
	// Number node.
	Text string
	// Items are the elements of an Array node.
	Items []*Node
	// Members are the key/value pairs of an Object node in document order.
	Members []Member
}

// Member is one key/value pair of an object.
type Member struct {
	Key   string
	Value *Node
}

// Get returns the value of the first member named key, or nil.
func (n *Node) Get(key string) *Node {
	for _, m := range n.Members {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}

// Any converts the node to the Go value encoding/json would produce with
// UseNumber, except that objects keep no order.
func (n *Node) Any() any {
	switch n.Kind {
	case Null:
		return nil
	case Bool:
		return n.Bool
	case Number:
		return json.Number(n.Text)
	case String:
		return n.Text
	case Array:
		out := make([]any, len(n.Items))
		for i, item := range n.Items {
			out[i] = item.Any()
		}
		return out
	default:
		out := make(map[string]any, len(n.Members))
		for _, m := range n.Members {
			out[m.Key] = m.Value.Any()
		}
		return out
	}
}

// SyntaxError describes a document that could not be parsed into a tree.
type SyntaxError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int64
	// Pointer is the JSON Pointer of the object holding a duplicate key.
	Pointer string
	Msg     string
}

func (e *SyntaxError) Error() string { return e.Msg }

// MaxDepth bounds the nesting of arrays and objects, as encoding/json does,
// so a body of nested brackets cannot exhaust the stack.
const MaxDepth = 10000

// Parse parses data, which must hold exactly one JSON value. It rejects
// invalid UTF-8 and, because a repeated key makes the request ambiguous, an
// object that repeats a key.
func Parse(data []byte) (*Node, error) {
	if !utf8.Valid(data) {
		offset := invalidUTF8Offset(data)
		return nil, &SyntaxError{Offset: offset, Msg: fmt.Sprintf("invalid UTF-8 at byte offset %d", offset)}
	}

	p := parser{data: data}
	p.skipSpace()
	root, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(data) {
		return nil, &SyntaxError{Offset: int64(p.pos), Msg: fmt.Sprintf("invalid JSON: unexpected data after the top-level value at byte offset %d", p.pos)}
	}
	return root, nil
}

// parser is a recursive-descent parser over the whole document. path holds
// the keys and indexes above the current value; the JSON Pointer is built
// from it only when an error needs one.
type parser struct {
	data []byte
	pos  int
	path []string
}

func (p *parser) pointer() string {
	var b strings.Builder
	for _, token := range p.path {
		b.WriteByte('/')
		b.WriteString(EscapePointer(token))
	}
	return b.String()
}

func (p *parser) fail(format string, args ...any) error {
	if p.pos >= len(p.data) {
		return &SyntaxError{Offset: int64(p.pos), Msg: "invalid JSON: unexpected end of input"}
	}
	return &SyntaxError{Offset: int64(p.pos), Msg: fmt.Sprintf("invalid JSON at byte offset %d: ", p.pos) + fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*Node, error) {
	if p.pos >= len(p.data) {
		return nil, p.fail("")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		text, err := p.string()
		if err != nil {
			return nil, err
		}
		return &Node{Kind: String, Text: text}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", &Node{Kind: Bool, Bool: true})
	case c == 'f':
		return p.literal("false", &Node{Kind: Bool})
	case c == 'n':
		return p.literal("null", &Node{Kind: Null})
	default:
		return nil, p.fail("invalid character %q looking for the beginning of a value", rune(c))
	}
}

func (p *parser) literal(word string, n *Node) (*Node, error) {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		return nil, p.fail("invalid literal, expected %s", word)
	}
	p.pos += len(word)
	return n, nil
}

func (p *parser) number() (*Node, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case p.pos < len(p.data) && p.data[p.pos] >= '1' && p.data[p.pos] <= '9':
		p.digits()
	default:
		return nil, p.fail("invalid number")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return nil, p.fail("invalid number: digits expected after the decimal point")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return nil, p.fail("invalid number: digits expected in the exponent")
		}
	}
	return &Node{Kind: Number, Text: string(p.data[start:p.pos])}, nil
}

func (p *parser) digits() int {
	start := p.pos
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	return p.pos - start
}

// string parses a string at p.pos, decoding escapes as encoding/json does:
// a lone or misordered surrogate becomes U+FFFD.
func (p *parser) string() (string, error) {
	p.pos++ // the opening quote
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			text := string(p.data[start:p.pos])
			p.pos++
			return text, nil
		}
		if c == '\\' {
			return p.escapedString(start)
		}
		if c < 0x20 {
			return "", p.fail("invalid control character in string")
		}
		p.pos++
	}
	return "", p.fail("")
}

func (p *parser) escapedString(start int) (string, error) {
	buf := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("invalid control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.data) {
			p.pos = len(p.data)
			return "", p.fail("")
		}
		esc := p.data[p.pos+1]
		p.pos += 2
		switch esc {
		case '"', '\\', '/':
			buf = append(buf, esc)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := unicode.ReplacementChar
				if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
					save := p.pos
					p.pos += 2
					if low, ok := p.hex4(); ok {
						if combined := utf16.DecodeRune(r, low); combined != unicode.ReplacementChar {
							r2 = combined
						} else {
							p.pos = save
						}
					} else {
						return "", p.fail("invalid \\u escape")
					}
				}
				r = r2
			}
			buf = utf8.AppendRune(buf, r)
		default:
			p.pos--
			return "", p.fail("invalid escape character %q in string", rune(esc))
		}
	}
	return "", p.fail("")
}

func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		p.pos = len(p.data)
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}

func (p *parser) array(depth int) (*Node, error) {
	if depth > MaxDepth {
		return nil, p.fail("nesting deeper than %d levels", MaxDepth)
	}
	p.pos++
	n := &Node{Kind: Array}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return n, nil
	}
	for {
		p.path = append(p.path, strconv.Itoa(len(n.Items)))
		item, err := p.value(depth)
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		n.Items = append(n.Items, item)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			return n, nil
		default:
			return nil, p.fail("invalid character %q after array element", rune(p.data[p.pos]))
		}
	}
}

func (p *parser) object(depth int) (*Node, error) {
	if depth > MaxDepth {
		return nil, p.fail("nesting deeper than %d levels", MaxDepth)
	}
	p.pos++
	n := &Node{Kind: Object}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return n, nil
	}
	for {
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.fail("object key must be a string")
		}
		keyStart := p.pos
		key, err := p.string()
		if err != nil {
			return nil, err
		}
		for _, m := range n.Members {
			if m.Key == key {
				p.pos = keyStart
				pointer := p.pointer()
				where := pointer
				if where == "" {
					where = "the top level"
				}
				return nil, &SyntaxError{Offset: int64(keyStart), Pointer: pointer,
					Msg: fmt.Sprintf("duplicate key '%s' in the object at %s", key, where)}
			}
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.fail("expected ':' after object key")
		}
		p.pos++
		p.skipSpace()

		p.path = append(p.path, key)
		value, err := p.value(depth)
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		n.Members = append(n.Members, Member{Key: key, Value: value})

		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			return n, nil
		default:
			return nil, p.fail("invalid character %q after object value", rune(p.data[p.pos]))
		}
	}
}

// EscapePointer escapes one JSON Pointer reference token (RFC 6901).
func EscapePointer(token string) string {
	if !bytes.ContainsAny([]byte(token), "~/") {
		return token
	}
	var b bytes.Buffer
	for _, r := range token {
		switch r {
		case '~':
			b.WriteString("~0")
		case '/':
			b.WriteString("~1")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func invalidUTF8Offset(data []byte) int64 {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return int64(i)
		}
		i += size
	}
	return int64(len(data))
}
