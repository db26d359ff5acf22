package jsonscan

import (
	"fmt"
	"strconv"
)

// Error reports a record stream that cannot be read: malformed JSON, a
// record that is not an object, a record over the size limit, or a
// malformed list envelope. Its text has the form of engine.InputError, so
// a caller can convert one into the other field by field.
type Error struct {
	// Position is the 0-based position of the record being read.
	Position int64
	Msg      string
}

func (e *Error) Error() string {
	return fmt.Sprintf("record %d: %s", e.Position, e.Msg)
}

// charText names a byte in a syntax error message the way encoding/json
// does: in single quotes, with Go escapes for control characters.
func charText(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	q := strconv.Quote(string(rune(c)))
	return "'" + q[1:len(q)-1] + "'"
}

// describe names a value in the message about the envelope's success
// member, as the engine does.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// kindText names the JSON type of a record that is not an object, from its
// first byte.
func kindText(c byte) string {
	switch c {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	}
	return "a number"
}
