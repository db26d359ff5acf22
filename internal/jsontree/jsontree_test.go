package jsontree

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, "unexpected end of input"},
		{`{"a": 1,}`, "object key must be a string"},
		{`{"a" 1}`, "expected ':'"},
		{`[1 2]`, "after array element"},
		{`01`, "unexpected data after the top-level value"},
		{`1.`, "unexpected end of input"},
		{`1.x`, "digits expected after the decimal point"},
		{`1e+]`, "digits expected in the exponent"},
		{"\"a\x01\"", "invalid control character"},
		{`"\q"`, "invalid escape character"},
		{`"\u12G4"`, `invalid \u escape`},
		{`tru`, "expected true"},
		{"\"\xff\"", "invalid UTF-8 at byte offset 1"},
		{`{"a": {"b": 1, "b": 2}}`, "duplicate key 'b' in the object at /a"},
		{`{"a": 1, "a": 2}`, "duplicate key 'a' in the object at the top level"},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), "nesting deeper than 10000 levels"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

func TestParseKeepsOrderAndText(t *testing.T) {
	n, err := Parse([]byte(` {"z": 1.50, "a": [true, null, "\u00e9\ud83d\ude00\ud800x"], "m": {}} `))
	if err != nil {
		t.Fatal(err)
	}
	if n.Members[0].Key != "z" || n.Members[0].Value.Text != "1.50" || n.Members[1].Key != "a" {
		t.Errorf("members = %+v", n.Members)
	}
	if got := n.Members[1].Value.Items[2].Text; got != "é😀\ufffdx" {
		t.Errorf("string = %q", got)
	}
	if got := string(n.AppendJSON(nil)); got != `{"z":1.50,"a":[true,null,"é😀�x"],"m":{}}` {
		t.Errorf("AppendJSON = %s", got)
	}
}

// FuzzParseAgainstEncodingJSON checks that Parse accepts what encoding/json
// accepts, apart from repeated keys, and decodes the same values.
func FuzzParseAgainstEncodingJSON(f *testing.F) {
	for _, seed := range []string{`{}`, `{"a": [1, -2.5e3, "x\n"]}`, `"\ud800\u0041"`, `[{"a": {"b": null}}]`, `{"a": 1, "a": 2}`, `1 2`, "\"\xff\""} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(data)
		var want any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		refErr := dec.Decode(&want)
		if refErr == nil {
			if _, tailErr := dec.Token(); tailErr != io.EOF {
				refErr = errTrailing
			}
		}
		if err != nil {
			if refErr == nil && !strings.Contains(err.Error(), "duplicate key") && !strings.Contains(err.Error(), "invalid UTF-8") {
				t.Fatalf("Parse rejects %q (%v), encoding/json accepts it", data, err)
			}
			return
		}
		if refErr != nil {
			t.Fatalf("Parse accepts %q, encoding/json rejects it: %v", data, refErr)
		}
		if got := n.Any(); !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %#v, encoding/json decodes %#v", data, got, want)
		}
		back, err := Parse(n.AppendJSON(nil))
		if err != nil || !reflect.DeepEqual(back.Any(), want) {
			t.Fatalf("AppendJSON of %q does not parse back: %v", data, err)
		}
	})
}

var errTrailing = &SyntaxError{Msg: "trailing data"}
