package jsonscan_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/crmagg/crmagg/internal/jsonscan"
)

func TestForms(t *testing.T) {
	tests := []struct {
		name  string
		input string
		ids   string
	}{
		{"lines", "{\"id\": 1}\n{\"id\": 2}\n", "1,2"},
		{"lines without newline", `{"id": 1} {"id": 2}`, "1,2"},
		{"lines back to back", `{"id": 1}{"id": 2}`, "1,2"},
		{"lines with CRLF", "{\"id\": 1}\r\n{\"id\": 2}\r\n", "1,2"},
		{"array", ` [{"id": 1}, {"id": 2}] `, "1,2"},
		{"array without spaces", `[{"id":1},{"id":2}]`, "1,2"},
		{"empty array", `[]`, ""},
		{"empty input", "  \n", ""},
		{"no input", "", ""},
		{"envelope", `{"success": true, "data": [{"id": 1}, {"id": 2}], "total": 2}`, "1,2"},
		{"envelope with members before success", `{"total": 2, "success": true, "data": [{"id": 1}, {"id": 2}]}`, "1,2"},
		{"envelope with empty data", `{"success": true, "data": []}`, ""},
		{"envelope with data first", `{"data": [{"id": 1}], "success": true}`, "1"},
		{"envelope with data first and more after", `{"data": [{"id": 1}, {"id": 5}], "success": true, "total": 2}  `, "1,5"},
		{"envelope with two data members first", `{"data": [{"id": 1}], "data": [{"id": 2}], "success": true}`, "2"},
		{"envelope with data before and after success", `{"data": [{"id": 1}], "success": true, "data": [{"id": 2}]}`, "2"},
		{"envelope with success repeated", `{"success": true, "data": [{"id": 1}], "success": true}`, "1"},
		{"envelope with escaped keys", `{"succ\u0065ss": true, "d\u0061ta": [{"id": 1}]}`, "1"},
		{"first record with a data key", `{"id": 1, "data": [1, 2]}` + "\n" + `{"id": 2}`, "1,2"},
		{"first record with only a data key", `{"data": [{"id": 7}]}` + "\n" + `{"id": 2, "data": 3}`, ",2"},
		{"empty objects", `{} {}`, ","},
		{"repeated key keeps the last", `{"id": 1, "id": 3}`, "3"},
		{"escaped key", `{"i\u0064": 4}`, "4"},
		{"deepest value", `{} {"id": 1, "a": ` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`, ",1"},
		{"deepest value in the first object", `{"id": 1, "a": ` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range readers {
				got := viaScanner(r.make([]byte(tt.input)), 0)
				if got.err != nil {
					t.Fatalf("%s reader: %v", r.name, got.err)
				}
				var ids []string
				for _, rec := range got.records {
					n, _ := rec["id"].(json.Number)
					ids = append(ids, string(n))
				}
				if strings.Join(ids, ",") != tt.ids {
					t.Errorf("%s reader: ids = %v, want %s", r.name, ids, tt.ids)
				}
			}
			checkAgainstEngine(t, []byte(tt.input), 0)
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		position int64
		want     string
	}{
		{"not an object", "{\"id\": 1}\n[1]\n", 1, "not a JSON object but an array"},
		{"number record", "{\"id\": 1}\n{\"id\": 2}\n7\n", 2, "not a JSON object but a number"},
		{"number record at the end", "{\"id\": 1}\n7", 1, "not a JSON object but a number"},
		{"string record", `"x"`, 0, "not a JSON object but a string"},
		{"boolean record", `{} true`, 1, "not a JSON object but a boolean"},
		{"null in array", `[{"id": 1}, null]`, 1, "but null"},
		{"malformed", "{\"id\": 1}\n{\"id\": }\n", 1, "invalid JSON at byte offset"},
		{"malformed array record", "{\"id\": 1}\n[1, }\n", 1, "invalid JSON at byte offset"},
		{"truncated", `{"id": 1`, 0, "unexpected end of input"},
		{"truncated key", `{"id`, 0, "unexpected end of input"},
		{"truncated number", `{"id": 1} {"id": 1.`, 1, "unexpected end of input"},
		{"truncated literal", `{"id": tru`, 0, "unexpected end of input"},
		{"truncated array", `[{"id": 1},`, 1, "unexpected end of input"},
		{"unclosed array", `[{"id": 1}`, 1, "unexpected end of input"},
		{"trailing comma in array", `[{"id": 1},]`, 1, "invalid JSON at byte offset"},
		{"trailing comma in record", `{"id": 1,}`, 0, "invalid JSON at byte offset"},
		{"missing comma in array", `[{"id": 1} {"id": 2}]`, 1, "invalid JSON at byte offset"},
		{"array closed by a brace", `[{"id": 1}}`, 1, "invalid JSON at byte offset"},
		{"after array", `[{"id": 1}] {"id": 2}`, 1, "after the array"},
		{"closing bracket in lines", `{"id": 1} ]`, 1, "unexpected data after record 0"},
		{"closing brace first", `}`, 0, "unexpected data after record -1"},
		{"garbage", `{"id": 1} x`, 1, "invalid character 'x' looking for beginning of value"},
		{"form feed", "\f", 0, "invalid JSON at byte offset"},
		{"control character in a skipped string", "{\"a\": \"x\ty\"}", 0, "in string literal"},
		{"bad escape in a skipped string", `{"a": "\x"}`, 0, "in string escape code"},
		{"bad unicode escape", `{"a": "\u12g4"}`, 0, `in \u hexadecimal character escape`},
		{"leading zero", `{"a": 01}`, 0, "after object key:value pair"},
		{"bare minus", `{"a": -}`, 0, "in numeric literal"},
		{"bad fraction", `{"a": 1.e3}`, 0, "after decimal point in numeric literal"},
		{"bad exponent", `{"a": 1e+}`, 0, "in exponent of numeric literal"},
		{"bad literal", `{"a": nul}`, 0, "in literal null (expecting 'l')"},
		{"missing colon", `{"a" 1}`, 0, "after object key"},
		{"key not a string", `{1: 1}`, 0, "looking for beginning of object key string"},
		{"envelope success false", `{"success": false, "data": []}`, 0, `"success": true, got false`},
		{"envelope success a string", `{"success": "true", "data": []}`, 0, `got "true"`},
		{"envelope success null", `{"success": null}`, 0, `got null`},
		{"envelope success false after data", `{"success": true, "data": [{"id": 1}], "success": false}`, 1, `got false`},
		{"envelope success false after held data", `{"data": [{"id": 1}], "success": false}`, 0, `got false`},
		{"envelope data not array", `{"success": true, "data": {}}`, 0, `"data" must be an array`},
		{"envelope data a number", `{"success": true, "data": 5}`, 0, `"data" must be an array`},
		{"envelope data malformed", `{"success": true, "data": tx}`, 0, "invalid JSON"},
		{"envelope without data", `{"success": true}`, 0, `no "data" array`},
		{"envelope with held data not array", `{"data": 1, "success": true}`, 0, `no "data" array`},
		{"envelope bad record", `{"success": true, "data": [{"id": 1}, "x"]}`, 1, "but a string"},
		{"held envelope bad record", `{"data": [{"id": 1}, "x"], "success": true}`, 1, "but a string"},
		{"after envelope", `{"success": true, "data": []} {}`, 0, "after the list envelope"},
		{"after held envelope", `{"data": [], "success": true} {}`, 0, "after the list envelope"},
		{"envelope not closed", `{"success": true, "data": []`, 0, "unexpected end of input"},
		{"envelope trailing comma", `{"success": true, "data": [], }`, 0, "invalid JSON"},
		{"envelope missing comma", `{"success": true, "data": [] "x": 1}`, 0, "invalid JSON"},
		{"envelope malformed member", `{"success": true, "data": [], "x": [}`, 0, "invalid JSON"},
		{"first object trailing comma", `{"id": 1,}`, 0, "invalid JSON"},
		{"too deep", `{} {"a": ` + strings.Repeat("[", 10000), 1, "exceeded max depth"},
		{"too deep in the first object", `{"a": ` + strings.Repeat("[", 10001), 0, "exceeded max depth"},
		{"too deep in an array", `[{"a": ` + strings.Repeat("[", 10000), 0, "exceeded max depth"},
		{"too deep in held data", `{"data": [{"a": ` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}], "success": true}`, 0, "exceeded max depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range readers {
				got := viaScanner(r.make([]byte(tt.input)), 0)
				var se *jsonscan.Error
				if !errors.As(got.err, &se) {
					t.Fatalf("%s reader: error = %v, want *jsonscan.Error", r.name, got.err)
				}
				if se.Position != tt.position || !strings.Contains(se.Msg, tt.want) {
					t.Errorf("%s reader: error = %q at %d, want %q at %d", r.name, se.Msg, se.Position, tt.want, tt.position)
				}
			}
			checkAgainstEngine(t, []byte(tt.input), 0)
		})
	}
}

func TestNextAfterError(t *testing.T) {
	s := jsonscan.New(strings.NewReader(`{"a": 1} 5 {"a": 2}`))
	want := func([]byte) int { return -1 }
	set := func(int, string, any) {}
	if err := s.Next(want, set); err != nil {
		t.Fatal(err)
	}
	err := s.Next(want, set)
	if err == nil || err == io.EOF {
		t.Fatalf("error = %v, want an input error", err)
	}
	if want := "record 1: record is not a JSON object but a number"; err.Error() != want {
		t.Errorf("error text = %q, want %q", err, want)
	}
	if err := s.Next(want, set); err != io.EOF {
		t.Fatalf("after an error: %v, want io.EOF", err)
	}
	if s.Position() != 1 {
		t.Errorf("position = %d, want 1", s.Position())
	}
}

func TestRecordLimit(t *testing.T) {
	big := `{"id": 1, "comments": "` + strings.Repeat("x", 100) + `"}`
	tests := []struct {
		name     string
		input    string
		limit    int64
		position int64 // -1 for no error
	}{
		{"second line over", `{"id": 0}` + "\n" + big, 100, 1},
		{"second line at the limit", `{"id": 0}` + "\n" + big, int64(len(big)), -1},
		{"second line one over", `{"id": 0}` + "\n" + big, int64(len(big)) - 1, 1},
		{"first record at the limit", big, int64(len(big)), -1},
		{"first record over", big, 100, 0},
		{"array element at the limit", `[{"id": 0}, ` + big + `]`, int64(len(big)), -1},
		{"array element over", `[{"id": 0}, ` + big + `]`, int64(len(big)) - 1, 1},
		{"first array element over", `[` + big + `]`, int64(len(big)) - 1, 0},
		{"envelope element over", `{"success": true, "data": [{}, ` + big + `]}`, 100, 1},
		{"envelope itself is not limited", `{"success": true, "data": [{}, {}, {}], "x": "` + strings.Repeat("y", 300) + `"}`, 20, -1},
		{"member before success", `{"x": "` + strings.Repeat("y", 300) + `", "success": true, "data": []}`, 100, 0},
		{"not an object over", `"` + strings.Repeat("y", 300) + `"`, 100, 0},
		{"whitespace is not counted", "  " + big + "   \n", int64(len(big)), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range readers {
				got := viaScanner(r.make([]byte(tt.input)), tt.limit)
				var se *jsonscan.Error
				switch {
				case tt.position < 0 && got.err != nil:
					t.Errorf("%s reader: %v", r.name, got.err)
				case tt.position >= 0 && !errors.As(got.err, &se):
					t.Errorf("%s reader: error = %v, want one at %d", r.name, got.err, tt.position)
				case tt.position >= 0 && (se.Position != tt.position || !strings.Contains(se.Msg, "is longer than")):
					t.Errorf("%s reader: error = %v, want record %d over the limit", r.name, got.err, tt.position)
				}
			}
		})
	}
}

// TestRecordLimitAgainstEngine compares limits where the engine measures a
// record exactly: JSON Lines records after the first one.
func TestRecordLimitAgainstEngine(t *testing.T) {
	var in bytes.Buffer
	in.WriteString("{}\n")
	for n := range 40 {
		in.WriteString(`{"v": "` + strings.Repeat("é", n) + `"}` + "\n")
	}
	for limit := int64(8); limit < 100; limit++ {
		checkAgainstEngine(t, in.Bytes(), limit)
	}
}

// TestDecoding checks the decoded values against encoding/json.
func TestDecoding(t *testing.T) {
	inputs := []string{
		`{"s": "plain", "e": "", "n": -12.5e+3, "z": 0, "t": true, "f": false, "u": null}`,
		`{"esc": "a\"b\\c\/d\b\f\n\r\t", "uni": "\u00e9\u4e2d\uD83D\uDE00"}`,
		`{"lone high": "\ud800x", "lone low": "\udc00", "two highs": "\ud800\ud800\udc00", "high then escape": "\ud800\n"}`,
		"{\"bad utf8\": \"a\xffb\xc3\", \"surrogate in utf8\": \"\xed\xa0\x80\", \"ok\": \"\xef\xbf\xbd\"}",
		"{\"k\xff\": 1, \"k\\ufffd\": 2}",
		`{"arr": [1, "two", [3], {"four": 4}, [], {}], "obj": {"a": {"b": [null]}, "a": 2}}`,
		`{"big": 123456789012345678901234567890, "neg zero": -0, "exp": 1E400}`,
		`{"a": 1, "a": 2, "b": [], "b": {}}`,
		`{"` + strings.Repeat("k", 100) + `": "` + strings.Repeat("v", 100) + `"}`,
		manyKeys(1100),
	}
	for _, in := range inputs {
		checkAgainstEngine(t, []byte(in), 0)
		var ref map[string]any
		dec := json.NewDecoder(strings.NewReader(in))
		dec.UseNumber()
		if err := dec.Decode(&ref); err != nil {
			t.Fatal(err)
		}
		got := viaScanner(jsonscan.New(strings.NewReader(in)), 0)
		if got.err != nil || len(got.records) != 1 || !reflect.DeepEqual(got.records[0], ref) {
			t.Errorf("%q: got %v %#v, want %#v", in, got.err, got.records, ref)
		}
	}
}

// TestWantSome hands over only some keys, and checks the slots and the
// order of the calls.
func TestWantSome(t *testing.T) {
	in := `{"a": 1, "b": "x", "c": [1], "a": 2, "d\u0061": "y", "e": {"a": 1}}` + "\n" + `{"b": "z"}`
	s := jsonscan.New(strings.NewReader(in))

	slots := map[string]int{"a": 0, "da": 1, "b": 2}
	var wants []string
	want := func(k []byte) int {
		wants = append(wants, string(k))
		if n, ok := slots[string(k)]; ok {
			return n
		}
		return -1
	}

	var calls []string
	set := func(slot int, key string, v any) {
		calls = append(calls, key+"="+strings.TrimSpace(fmtValue(v))+"@"+string(rune('0'+slot)))
	}
	for {
		err := s.Next(want, set)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, "|")
	}

	wantCalls := "a=1@0 b=x@2 a=2@0 da=y@1 | b=z@2 |"
	if got := strings.Join(calls, " "); got != wantCalls {
		t.Errorf("calls = %s, want %s", got, wantCalls)
	}
	// The first record's keys are asked once each; the second record's
	// key "b" is at a place where "a" was, so it is asked too.
	if got := strings.Join(wants, ","); got != "a,b,c,a,da,e,b" {
		t.Errorf("want was asked for %s", got)
	}
}

func fmtValue(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// TestNoSetOnFailure checks that a record that fails hands nothing over.
func TestNoSetOnFailure(t *testing.T) {
	s := jsonscan.New(strings.NewReader(`{"a": 1, "b": }`))
	n := 0
	err := s.Next(func([]byte) int { return 0 }, func(int, string, any) { n++ })
	if err == nil || n != 0 {
		t.Errorf("err = %v, %d values handed over", err, n)
	}
}

// errReader fails after its text.
type errReader struct {
	text []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.text) == 0 {
		return 0, r.err
	}
	n := copy(p, r.text)
	r.text = r.text[n:]
	return n, nil
}

func TestReaderError(t *testing.T) {
	boom := errors.New("boom")
	s := jsonscan.New(&errReader{text: []byte(`{"a": 1} {"a": 2} {"a"`), err: boom})
	want := func([]byte) int { return -1 }
	set := func(int, string, any) {}
	for i := range 2 {
		if err := s.Next(want, set); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if err := s.Next(want, set); err != boom {
		t.Fatalf("error = %v, want the reader's", err)
	}
	if err := s.Next(want, set); err != io.EOF {
		t.Fatalf("after the reader's error: %v", err)
	}
}

func TestWantNil(t *testing.T) {
	s := jsonscan.New(strings.NewReader(`{"a": 1} {"a": [2]}`))
	n := 0
	for {
		err := s.Next(nil, nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d records, want 2", n)
	}
}

// TestAllocs checks that records whose wanted values repeat (short strings,
// numbers, with or without escapes) cost no allocation once seen, and that
// values that never repeat cost two (the string and its interface box).
func TestAllocs(t *testing.T) {
	var in bytes.Buffer
	for i := range 3000 {
		fmt.Fprintf(&in, `{"type": "CLIENT", "n": %d, "big": 123456, "esc": "\u00e9t\u00e9", "skip": [1, {"x": "y"}], "uniq": "v%d"}`+"\n", i%7, i)
	}
	for _, tt := range []struct {
		slots  map[string]int
		allocs float64
	}{
		{map[string]int{"type": 0, "n": 1, "big": 2, "esc": 3}, 0},
		{map[string]int{"type": 0, "n": 1, "big": 2, "esc": 3, "uniq": 4}, 2},
	} {
		s := jsonscan.New(bytes.NewReader(in.Bytes()))
		want := func(k []byte) int {
			if n, ok := tt.slots[string(k)]; ok {
				return n
			}
			return -1
		}
		var got [5]any
		set := func(slot int, _ string, v any) { got[slot] = v }
		for range 100 {
			if err := s.Next(want, set); err != nil {
				t.Fatal(err)
			}
		}
		allocs := testing.AllocsPerRun(1000, func() {
			if err := s.Next(want, set); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > tt.allocs+0.01 {
			t.Errorf("wanting %d keys: %.2f allocations per record, want %v", len(tt.slots), allocs, tt.allocs)
		}
		if got[0] != "CLIENT" || got[2] != json.Number("123456") || got[3] != "été" {
			t.Errorf("values %#v", got)
		}
	}
}

// manyKeys returns a record with n members, more than the Scanner keeps
// keys for, some of them escaped.
func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"k\u0030%d": [%d, {"x": "\u00e9"}]`, i, i)
	}
	b.WriteString("}")
	return b.String()
}
