package engine

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, src Source) ([]map[string]any, error) {
	t.Helper()
	var out []map[string]any
	for {
		rec, err := src.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func TestJSONSourceForms(t *testing.T) {
	tests := []struct {
		name  string
		input string
		ids   []string
	}{
		{"lines", "{\"id\": 1}\n{\"id\": 2}\n", []string{"1", "2"}},
		{"lines without newline", `{"id": 1} {"id": 2}`, []string{"1", "2"}},
		{"array", ` [{"id": 1}, {"id": 2}] `, []string{"1", "2"}},
		{"empty array", `[]`, nil},
		{"empty input", "  \n", nil},
		{"envelope", `{"success": true, "data": [{"id": 1}, {"id": 2}], "total": 2}`, []string{"1", "2"}},
		{"envelope with data first", `{"data": [{"id": 1}], "success": true}`, []string{"1"}},
		{"first record with a data key", `{"id": 1, "data": [1, 2]}` + "\n" + `{"id": 2}`, []string{"1", "2"}},
		{"repeated key keeps the last", `{"id": 1, "id": 3}`, []string{"3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := readAll(t, NewJSONSource(strings.NewReader(tt.input)))
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range recs {
				ids = append(ids, stringOf(r["id"]))
			}
			if strings.Join(ids, ",") != strings.Join(tt.ids, ",") {
				t.Errorf("ids = %v, want %v", ids, tt.ids)
			}
		})
	}
}

func stringOf(v any) string {
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

func TestJSONSourceErrors(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		position int64
		want     string
	}{
		{"not an object", "{\"id\": 1}\n[1]\n", 1, "not a JSON object but an array"},
		{"number record", "{\"id\": 1}\n{\"id\": 2}\n7\n", 2, "not a JSON object but a number"},
		{"null in array", `[{"id": 1}, null]`, 1, "but null"},
		{"malformed", "{\"id\": 1}\n{\"id\": }\n", 1, "invalid JSON"},
		{"truncated", `{"id": 1`, 0, "unexpected end"},
		{"truncated array", `[{"id": 1},`, 1, "invalid JSON"},
		{"after array", `[{"id": 1}] {"id": 2}`, 1, "after the array"},
		{"envelope success false", `{"success": false, "data": []}`, 0, `"success": true`},
		{"envelope data not array", `{"success": true, "data": {}}`, 0, `"data" must be an array`},
		{"envelope without data", `{"success": true}`, 0, `no "data" array`},
		{"envelope bad record", `{"success": true, "data": [{"id": 1}, "x"]}`, 1, "but a string"},
		{"after envelope", `{"success": true, "data": []} {}`, 0, "after the list envelope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, NewJSONSource(strings.NewReader(tt.input)))
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error = %v, want *InputError", err)
			}
			if ie.Position != tt.position || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q at %d, want %q at %d", err, ie.Position, tt.want, tt.position)
			}
			if !errors.Is(err, ErrInput) {
				t.Errorf("error does not wrap ErrInput")
			}
		})
	}
}

func TestJSONSourceRecordLimit(t *testing.T) {
	big := `{"id": 1, "comments": "` + strings.Repeat("x", 100) + `"}`
	src := NewJSONSource(strings.NewReader(`{"id": 0}` + "\n" + big))
	src.MaxRecordBytes = 100
	_, err := readAll(t, src)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Position != 1 || !strings.Contains(err.Error(), "longer than 100 bytes") {
		t.Errorf("error = %v, want record 1 over the limit", err)
	}

	src = NewJSONSource(strings.NewReader(big))
	src.MaxRecordBytes = int64(len(big))
	if _, err := readAll(t, src); err != nil {
		t.Errorf("a record of exactly the limit: %v", err)
	}
}
