package demo_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/crmagg/crmagg/demo"
)

// fieldDescriptor is one entry of the fields body as a client reads it.
type fieldDescriptor struct {
	Type       string `json:"type"`
	IsMultiple bool   `json:"isMultiple"`
	IsDynamic  bool   `json:"isDynamic"`
	Title      string `json:"title"`
	Items      []struct {
		ID    string `json:"ID"`
		Value string `json:"VALUE"`
	} `json:"items"`
}

// schema is a decoded fields body with its field names in body order.
type schema struct {
	names  []string
	fields map[string]fieldDescriptor
}

func loadSchema(t *testing.T, entity string) schema {
	t.Helper()
	body, err := demo.Fields(entity)
	if err != nil {
		t.Fatalf("Fields(%q): %v", entity, err)
	}

	var envelope struct {
		Success bool            `json:"success"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		t.Fatalf("%s fields body is not JSON: %v", entity, err)
	}
	if !envelope.Success {
		t.Errorf("%s fields body: success is false", entity)
	}

	s := schema{fields: map[string]fieldDescriptor{}}
	if err := json.Unmarshal(envelope.Data, &s.fields); err != nil {
		t.Fatalf("%s fields data: %v", entity, err)
	}
	keys, err := objectKeys(envelope.Data)
	if err != nil {
		t.Fatalf("%s fields data: %v", entity, err)
	}
	s.names = keys
	return s
}

// objectKeys returns the keys of a JSON object in the order they appear.
func objectKeys(object []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(object))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object (first token %v, error %v)", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, tok.(string))
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("value of %q: %w", tok, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the object")
	}
	return keys, nil
}

// readRecordLines returns the embedded records of an entity, one line each,
// without the line ends.
func readRecordLines(t *testing.T, entity string) [][]byte {
	t.Helper()
	r, err := demo.Records(entity)
	if err != nil {
		t.Fatalf("Records(%q): %v", entity, err)
	}
	defer r.Close()

	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s records: %v", entity, err)
	}
	if len(data) == 0 || data[len(data)-1] != '\n' {
		t.Fatalf("%s records do not end with a newline", entity)
	}
	return bytes.Split(data[:len(data)-1], []byte("\n"))
}

func TestEntities(t *testing.T) {
	want := []string{"contacts", "deals", "tasks"}
	if got := demo.Entities(); !slices.Equal(got, want) {
		t.Errorf("Entities() = %q, want %q", got, want)
	}
}

func TestGenerateMatchesEmbeddedFiles(t *testing.T) {
	for _, entity := range demo.Entities() {
		t.Run(entity, func(t *testing.T) {
			fields, records, err := demo.Generate(entity)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}

			embeddedFields, err := demo.Fields(entity)
			if err != nil {
				t.Fatalf("Fields: %v", err)
			}
			if !bytes.Equal(fields, embeddedFields) {
				t.Errorf("embedded fields.json is not the output of Generate; regenerate it with go run ./demo/internal/gendemo. First difference at %s",
					firstDifference(embeddedFields, fields))
			}

			r, err := demo.Records(entity)
			if err != nil {
				t.Fatalf("Records: %v", err)
			}
			defer r.Close()
			embeddedRecords, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("read records: %v", err)
			}
			if !bytes.Equal(records, embeddedRecords) {
				t.Errorf("embedded records.jsonl.gz is not the output of Generate; regenerate it with go run ./demo/internal/gendemo. First difference at %s",
					firstDifference(embeddedRecords, records))
			}
		})
	}
}

// firstDifference describes where two texts first differ, by line.
func firstDifference(embedded, generated []byte) string {
	a := strings.Split(string(embedded), "\n")
	b := strings.Split(string(generated), "\n")
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("line %d:\nembedded:  %.300s\ngenerated: %.300s", i+1, a[i], b[i])
		}
	}
	return fmt.Sprintf("the end: embedded has %d lines, generated %d", len(a), len(b))
}

func TestGenerateIsRepeatable(t *testing.T) {
	fields1, records1, err := demo.Generate("tasks")
	if err != nil {
		t.Fatalf("first Generate: %v", err)
	}
	fields2, records2, err := demo.Generate("tasks")
	if err != nil {
		t.Fatalf("second Generate: %v", err)
	}
	if !bytes.Equal(fields1, fields2) {
		t.Error("two calls returned different fields")
	}
	if !bytes.Equal(records1, records2) {
		t.Error("two calls returned different records")
	}
}

func TestFieldsBodyLayout(t *testing.T) {
	for _, entity := range demo.Entities() {
		t.Run(entity, func(t *testing.T) {
			body, err := demo.Fields(entity)
			if err != nil {
				t.Fatalf("Fields: %v", err)
			}
			if !bytes.HasPrefix(body, []byte("{\n  \"success\": true,\n  \"data\": {\n    \"")) {
				t.Errorf("body does not start as the two-space indented envelope: %.60q", body)
			}
			if !bytes.HasSuffix(body, []byte("\n}\n")) {
				t.Errorf("body does not end with a closing brace and a newline: %q", body[max(0, len(body)-20):])
			}

			s := loadSchema(t, entity)
			seenUserField := false
			for _, name := range s.names {
				f := s.fields[name]
				isUserField := strings.HasPrefix(name, "UF_")
				if f.IsDynamic != isUserField {
					t.Errorf("field %s: isDynamic is %v, want %v", name, f.IsDynamic, isUserField)
				}
				if seenUserField && !isUserField {
					t.Errorf("standard field %s comes after a user field", name)
				}
				seenUserField = seenUserField || isUserField
				if f.Title == "" {
					t.Errorf("field %s has no title", name)
				}
			}
		})
	}
}

func TestEnumerationItems(t *testing.T) {
	digits := regexp.MustCompile(`^[0-9]+$`)
	for _, entity := range demo.Entities() {
		s := loadSchema(t, entity)
		for _, name := range s.names {
			f := s.fields[name]
			if f.Type != "enumeration" {
				if len(f.Items) > 0 {
					t.Errorf("%s.%s: type %s has items", entity, name, f.Type)
				}
				continue
			}
			if len(f.Items) == 0 {
				t.Errorf("%s.%s: enumeration has no items", entity, name)
			}
			for _, item := range f.Items {
				if !digits.MatchString(item.ID) {
					t.Errorf("%s.%s: item ID %q is not a string of digits", entity, name, item.ID)
				}
				if item.Value == "" {
					t.Errorf("%s.%s: item %s has no VALUE", entity, name, item.ID)
				}
			}
		}
	}
}

// fieldType is the type a field must have, with multiple true for a
// field whose value is an array.
type fieldType struct {
	name     string
	typ      string
	multiple bool
}

var requiredFields = map[string][]fieldType{
	"contacts": {
		{"id", "integer", false}, {"name", "string", false}, {"lastName", "string", false},
		{"secondName", "string", false}, {"post", "string", false}, {"companyId", "integer", false},
		{"opened", "boolean", false}, {"createdAt", "datetime", false}, {"updatedAt", "datetime", false},
		{"birthdate", "date", false}, {"comments", "string", false}, {"typeId", "crm_status", false},
		{"sourceId", "crm_status", false}, {"assignedById", "user", false},
		{"UF_CRM_LTV", "money", false}, {"UF_CRM_SEGMENT", "string", false},
		{"UF_CRM_SCORE", "double", false}, {"UF_CRM_ORDERS", "integer", false},
		{"UF_CRM_TIER", "enumeration", false}, {"UF_CRM_VIP", "boolean", false},
		{"UF_CRM_FIRST_ORDER", "date", false}, {"UF_CRM_LAST_VISIT", "datetime", false},
		{"UF_CRM_TAGS", "string", true}, {"UF_CRM_1700000000", "money", false},
	},
	"deals": {
		{"id", "integer", false}, {"title", "string", false}, {"amount", "double", false},
		{"currency", "crm_currency", false}, {"stageId", "crm_status", false},
		{"stageSemanticId", "string", false}, {"categoryId", "crm_category", false},
		{"assignedById", "user", false}, {"sourceId", "crm_status", false},
		{"companyId", "integer", false}, {"contactId", "integer", false}, {"closed", "boolean", false},
		{"createdAt", "datetime", false}, {"updatedAt", "datetime", false}, {"closedAt", "datetime", false},
		{"UF_CRM_MARGIN", "money", false}, {"UF_CRM_REGION", "enumeration", false},
		{"UF_CRM_PROBABILITY", "double", false}, {"UF_CRM_SEATS", "integer", false},
		{"UF_CRM_PRODUCTS", "string", true},
	},
	"tasks": {
		{"id", "integer", false}, {"title", "string", false}, {"timeEstimate", "integer", false},
		{"status", "integer", false}, {"priority", "integer", false}, {"responsibleId", "user", false},
		{"groupId", "integer", false}, {"createdDate", "datetime", false}, {"deadline", "datetime", false},
		{"closedDate", "datetime", false},
		{"UF_CRM_COST", "money", false}, {"UF_CRM_BILLABLE", "boolean", false},
		{"UF_CRM_HOURS", "double", false}, {"UF_CRM_INVOICE_DATE", "date", false},
	},
}

func TestRequiredFieldTypes(t *testing.T) {
	for _, entity := range demo.Entities() {
		s := loadSchema(t, entity)
		for _, want := range requiredFields[entity] {
			got, ok := s.fields[want.name]
			if !ok {
				t.Errorf("%s: field %s is missing", entity, want.name)
				continue
			}
			if got.Type != want.typ {
				t.Errorf("%s.%s: type %q, want %q", entity, want.name, got.Type, want.typ)
			}
			if got.IsMultiple != want.multiple {
				t.Errorf("%s.%s: isMultiple %v, want %v", entity, want.name, got.IsMultiple, want.multiple)
			}
		}
	}
}

func TestRecordKeysFollowSchema(t *testing.T) {
	for _, entity := range demo.Entities() {
		t.Run(entity, func(t *testing.T) {
			s := loadSchema(t, entity)
			lines := readRecordLines(t, entity)
			failures := 0
			for i, line := range lines {
				keys, err := objectKeys(line)
				if err != nil {
					t.Errorf("record %d is not a JSON object: %v: %.200s", i+1, err, line)
				} else if err := checkKeyOrder(keys, s.names); err != nil {
					t.Errorf("record %d: %v", i+1, err)
				} else {
					continue
				}
				if failures++; failures == 10 {
					t.Fatal("too many failures")
				}
			}
		})
	}
}

// checkKeyOrder returns an error unless every key is a field and the keys
// come in the order of the fields.
func checkKeyOrder(keys, fields []string) error {
	previous := -1
	for _, key := range keys {
		position := slices.Index(fields, key)
		if position < 0 {
			return fmt.Errorf("key %q is not a field", key)
		}
		if position <= previous {
			return fmt.Errorf("key %q is repeated or out of field order", key)
		}
		previous = position
	}
	return nil
}

func TestRecordCounts(t *testing.T) {
	for _, entity := range demo.Entities() {
		n := len(readRecordLines(t, entity))
		if n < 19_000 || n > 21_000 {
			t.Errorf("%s: %d records, want about 20,000", entity, n)
		}
	}
}

// TestValueVariety checks that the demo keeps the irregular values that
// real portals return, since engines are tested against them.
func TestValueVariety(t *testing.T) {
	cases := []struct {
		entity, field, description string
		match                      func(raw string) bool
	}{
		{"contacts", "UF_CRM_LTV", "money with a currency", matches(`^"[0-9]+(\.[0-9]{2})?\|(RUB|USD|EUR|KZT|BYN)"$`)},
		{"contacts", "UF_CRM_LTV", "money with no amount", equals(`"|RUB"`)},
		{"contacts", "UF_CRM_LTV", "money with a thousands separator", matches(`^"[0-9]{1,3}( [0-9]{3})+\|[A-Z]+"$`)},
		{"contacts", "UF_CRM_LTV", "money with a decimal comma", matches(`^"[0-9]+,[0-9]+\|[A-Z]+"$`)},
		{"contacts", "UF_CRM_LTV", "money with two currency separators", matches(`\|.*\|`)},
		{"deals", "UF_CRM_MARGIN", "money in exponent form", matches(`^"[0-9]\.[0-9]+E\+[0-9]+\|[A-Z]+"$`)},
		{"contacts", "UF_CRM_ORDERS", "integer as a string", matches(`^"[0-9]+"$`)},
		{"contacts", "UF_CRM_ORDERS", "integer as a number", matches(`^[0-9]+$`)},
		{"deals", "id", "id as a string", matches(`^"[0-9]+"$`)},
		{"deals", "amount", "fractional amount", matches(`^[0-9]+\.[0-9]+$`)},
		{"contacts", "UF_CRM_VIP", "boolean Y", equals(`"Y"`)},
		{"contacts", "UF_CRM_VIP", "boolean true", equals(`true`)},
		{"contacts", "UF_CRM_TAGS", "empty array", equals(`[]`)},
		{"contacts", "UF_CRM_TAGS", "array of several strings", matches(`^\["[^"]+"(,"[^"]+")+\]$`)},
		{"contacts", "typeId", "empty string", equals(`""`)},
		{"contacts", "typeId", "null", equals(`null`)},
		{"contacts", "birthdate", "date", matches(`^"[0-9]{4}-[0-9]{2}-[0-9]{2}"$`)},
		{"contacts", "createdAt", "datetime in +03:00", matches(`^"202[3-6]-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+03:00"$`)},
		{"contacts", "createdAt", "datetime in another offset", matches(`^"[^"]+T[^"]+[+-](0[0-24-9]|1[0-9]):00"$`)},
		{"deals", "stageId", "stage of pipeline 1", matches(`^"C1:[A-Z_]+"$`)},
		{"deals", "UF_CRM_REGION", "enumeration id as a number", matches(`^[0-9]+$`)},
	}

	records := map[string][]map[string]json.RawMessage{}
	for _, c := range cases {
		if _, ok := records[c.entity]; ok {
			continue
		}
		for _, line := range readRecordLines(t, c.entity) {
			var record map[string]json.RawMessage
			if err := json.Unmarshal(line, &record); err != nil {
				t.Fatalf("%s record: %v", c.entity, err)
			}
			records[c.entity] = append(records[c.entity], record)
		}
	}

	for _, c := range cases {
		n := 0
		for _, record := range records[c.entity] {
			if raw, ok := record[c.field]; ok && c.match(string(raw)) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s.%s: no record has a %s", c.entity, c.field, c.description)
		}
	}

	missing := 0
	for _, record := range records["contacts"] {
		if _, ok := record["typeId"]; !ok {
			missing++
		}
	}
	if missing == 0 {
		t.Error("contacts.typeId: no record leaves the key out")
	}
}

func matches(pattern string) func(string) bool {
	return regexp.MustCompile(pattern).MatchString
}

func equals(want string) func(string) bool {
	return func(raw string) bool { return raw == want }
}

func TestUnknownEntity(t *testing.T) {
	_, err := demo.Fields("leads")
	checkUnknownEntityError(t, "Fields", err)

	r, err := demo.Records("leads")
	if r != nil {
		t.Error("Records returned a reader for an unknown entity")
		r.Close()
	}
	checkUnknownEntityError(t, "Records", err)

	_, _, err = demo.Generate("leads")
	checkUnknownEntityError(t, "Generate", err)
}

func checkUnknownEntityError(t *testing.T, function string, err error) {
	t.Helper()
	const want = `unknown demo entity "leads"; known: contacts, deals, tasks`
	if err == nil {
		t.Errorf("%s(\"leads\") returned no error", function)
		return
	}
	if err.Error() != want {
		t.Errorf("%s error = %q, want %q", function, err, want)
	}
	if !errors.Is(err, demo.ErrUnknownEntity) {
		t.Errorf("%s error %q does not wrap ErrUnknownEntity", function, err)
	}
}

func TestRecordsReadersAreIndependent(t *testing.T) {
	first, err := demo.Records("deals")
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	second, err := demo.Records("deals")
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	defer second.Close()

	line1, err := bufio.NewReader(first).ReadString('\n')
	if err != nil {
		t.Fatalf("read first reader: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	line2, err := bufio.NewReader(second).ReadString('\n')
	if err != nil {
		t.Fatalf("read second reader: %v", err)
	}
	if line1 != line2 {
		t.Errorf("two readers start differently:\n%s%s", line1, line2)
	}
}

func ExampleRecords() {
	body, err := demo.Fields("deals")
	if err != nil {
		panic(err)
	}
	var fields struct {
		Data map[string]struct {
			Type string `json:"type"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &fields); err != nil {
		panic(err)
	}
	fmt.Println("amount is a", fields.Data["amount"].Type)
	fmt.Println("UF_CRM_MARGIN is", fields.Data["UF_CRM_MARGIN"].Type)

	records, err := demo.Records("deals")
	if err != nil {
		panic(err)
	}
	defer records.Close()
	lines := bufio.NewScanner(records)
	n := 0
	for lines.Scan() {
		n++
	}
	if err := lines.Err(); err != nil {
		panic(err)
	}
	fmt.Println(n, "deals")
	// Output:
	// amount is a double
	// UF_CRM_MARGIN is money
	// 20000 deals
}
