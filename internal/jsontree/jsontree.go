// Package jsontree parses a JSON document into a tree that keeps the order
// of object keys, the exact text of numbers, and the byte offset of every
// value. Request validation needs all three: checks run in key order,
// numbers are exact decimals, and errors point at the offending node.
package jsontree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
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

// Parse parses data, which must hold exactly one JSON value. It rejects
// invalid UTF-8 and, because a repeated key makes the request ambiguous, an
// object that repeats a key.
func Parse(data []byte) (*Node, error) {
	if !utf8.Valid(data) {
		offset := invalidUTF8Offset(data)
		return nil, &SyntaxError{Offset: offset, Msg: fmt.Sprintf("invalid UTF-8 at byte offset %d", offset)}
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	p := parser{dec: dec}
	root, err := p.value("")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &SyntaxError{Offset: dec.InputOffset(), Msg: fmt.Sprintf("invalid JSON: unexpected data after the top-level value at byte offset %d", dec.InputOffset())}
	}
	return root, nil
}

type parser struct {
	dec *json.Decoder
}

func (p *parser) value(pointer string) (*Node, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntaxError(err)
	}
	return p.fromToken(tok, pointer)
}

func (p *parser) fromToken(tok json.Token, pointer string) (*Node, error) {
	switch t := tok.(type) {
	case nil:
		return &Node{Kind: Null}, nil
	case bool:
		return &Node{Kind: Bool, Bool: t}, nil
	case json.Number:
		return &Node{Kind: Number, Text: string(t)}, nil
	case string:
		return &Node{Kind: String, Text: t}, nil
	case json.Delim:
		if t == '[' {
			return p.array(pointer)
		}
		if t == '{' {
			return p.object(pointer)
		}
	}
	return nil, &SyntaxError{Offset: p.dec.InputOffset(), Msg: fmt.Sprintf("invalid JSON at byte offset %d", p.dec.InputOffset())}
}

func (p *parser) array(pointer string) (*Node, error) {
	n := &Node{Kind: Array}
	for p.dec.More() {
		item, err := p.value(pointer + "/" + strconv.Itoa(len(n.Items)))
		if err != nil {
			return nil, err
		}
		n.Items = append(n.Items, item)
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, p.syntaxError(err)
	}
	return n, nil
}

func (p *parser) object(pointer string) (*Node, error) {
	n := &Node{Kind: Object}
	var seen map[string]bool
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return nil, p.syntaxError(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, &SyntaxError{Offset: p.dec.InputOffset(), Msg: "invalid JSON: object key is not a string"}
		}
		if seen == nil {
			seen = make(map[string]bool)
		}
		if seen[key] {
			where := pointer
			if where == "" {
				where = "the top level"
			}
			return nil, &SyntaxError{Offset: p.dec.InputOffset(), Pointer: pointer,
				Msg: fmt.Sprintf("duplicate key '%s' in the object at %s", key, where)}
		}
		seen[key] = true

		value, err := p.value(pointer + "/" + EscapePointer(key))
		if err != nil {
			return nil, err
		}
		n.Members = append(n.Members, Member{Key: key, Value: value})
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, p.syntaxError(err)
	}
	return n, nil
}

func (p *parser) syntaxError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{Offset: se.Offset, Msg: fmt.Sprintf("invalid JSON at byte offset %d: %s", se.Offset, se.Error())}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &SyntaxError{Offset: p.dec.InputOffset(), Msg: "invalid JSON: unexpected end of input"}
	}
	return &SyntaxError{Offset: p.dec.InputOffset(), Msg: "invalid JSON: " + err.Error()}
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
