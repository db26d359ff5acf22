package jsonpeers

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// conformanceCases are inputs on which a parser can part from what the
// engine needs, which is what encoding/json does. It takes a repeated key's
// last value and turns invalid UTF-8 and lone surrogates into U+FFFD. It
// rejects what the JSON grammar rejects even in members that are not read,
// accepts a field of any type, and reads records however they are laid out.
var conformanceCases = []struct{ name, input string }{
	{"plain", `{"typeId": "A", "assignedById": 7}`},
	{"repeated key", `{"typeId": "A", "typeId": "B"}`},
	{"escaped key", `{"type\u0049d": "A"}`},
	{"invalid UTF-8", "{\"typeId\": \"a\xffb\"}"},
	{"lone surrogate", `{"typeId": "\ud800"}`},
	{"number in a string field", `{"typeId": 5}`},
	{"string in a number field", `{"assignedById": "7"}`},
	{"control character elsewhere", "{\"x\": \"a\tb\", \"typeId\": \"A\"}"},
	{"bad escape elsewhere", `{"x": "\q", "typeId": "A"}`},
	{"leading zero elsewhere", `{"x": 01, "typeId": "A"}`},
	{"bad literal elsewhere", `{"x": nul, "typeId": "A"}`},
	{"garbage after a record", `{"typeId": "A"} x`},
	{"record over two lines", "{\"typeId\":\n\"A\"}"},
	{"two records on a line", `{"typeId": "A"} {"typeId": "B"}`},
}

// TestConformance shows, with -v, where each parser parts from
// encoding/json on conformanceCases. It fails only if encoding/json
// itself cannot be run; the findings are in README.md.
func TestConformance(t *testing.T) {
	type result struct {
		records [][4]string
		err     error
	}
	read := func(p parser, in string) (res result) {
		defer func() {
			if r := recover(); r != nil {
				res.err = fmt.Errorf("panic: %v", r)
			}
		}()
		res.err = p.read(strings.NewReader(in), func(f *[4]string) { res.records = append(res.records, *f) })
		return res
	}
	var report strings.Builder
	for _, c := range conformanceCases {
		want := read(parsers[0], c.input)
		fmt.Fprintf(&report, "%-28s encoding/json: %s\n", c.name, describe(want.records, want.err))
		for _, p := range parsers[1:] {
			got := read(p, c.input)
			if (got.err == nil) == (want.err == nil) && (got.err != nil || reflect.DeepEqual(got.records, want.records)) {
				continue
			}
			fmt.Fprintf(&report, "%-28s   %s: %s\n", "", p.name, describe(got.records, got.err))
		}
	}
	t.Log("\n" + report.String())
}

func describe(recs [][4]string, err error) string {
	if err != nil {
		return fmt.Sprintf("%q, then error", recs)
	}
	return fmt.Sprintf("%q", recs)
}
