package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const portalFields = `{"success": true, "data": {
  "id": {"type": "integer", "isDynamic": false},
  "typeId": {"type": "crm_status"},
  "name": {"type": "string"},
  "UF_CRM_LTV": {"type": "money", "isDynamic": true},
  "ufCrm_1700000001": {"type": "double", "isDynamic": true},
  "UF_CRM_44_1721812915476": {"type": "integer", "isDynamic": true},
  "UF_CRM_4_41": {"type": "string", "isDynamic": true},
  "UF_CRM_44_1": {"type": "string", "isDynamic": true},
  "UF_CRM_TIER": {"type": "enumeration", "isDynamic": true, "items": [{"ID": "79", "VALUE": "Gold"}]},
  "UF_CRM_GEO": {"type": "rest_12_geo", "isDynamic": true, "isMultiple": true},
  "CUSTOM": {"type": "iblock_element", "isDynamic": true}
}}`

func loadPortal(t *testing.T) *Schema {
	t.Helper()
	s, err := Load("contacts", []byte(portalFields))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLookupSpellings(t *testing.T) {
	s := loadPortal(t)
	tests := []struct{ name, want string }{
		{"UF_CRM_LTV", "UF_CRM_LTV"},
		{"ufCrmLtv", "UF_CRM_LTV"},
		{"uf_crm_ltv", "UF_CRM_LTV"},
		{"UF_CRM_1700000001", "ufCrm_1700000001"},
		{"ufCrm1700000001", "ufCrm_1700000001"},
		{"ufCrm44_1721812915476", "UF_CRM_44_1721812915476"},
		{"typeId", "typeId"},
	}
	for _, tt := range tests {
		f, err := s.Lookup(tt.name)
		if err != nil {
			t.Errorf("Lookup(%q) error = %v", tt.name, err)
			continue
		}
		if f.Name != tt.want {
			t.Errorf("Lookup(%q) = %s, want %s", tt.name, f.Name, tt.want)
		}
	}
}

func TestLookupFailures(t *testing.T) {
	s := loadPortal(t)

	_, err := s.Lookup("ufCrm441")
	var le *LookupError
	if !errors.As(err, &le) || !errors.Is(err, ErrAmbiguousField) {
		t.Fatalf("Lookup(ufCrm441) error = %v, want ambiguous", err)
	}
	names := []string{le.Candidates[0].Name, le.Candidates[1].Name}
	if diff := cmp.Diff([]string{"UF_CRM_4_41", "UF_CRM_44_1"}, names); diff != "" {
		t.Errorf("candidates (-want +got):\n%s", diff)
	}

	// Standard fields resolve by exact name only.
	for _, name := range []string{"TYPEID", "type_id", "UF_CRM_NOPE"} {
		if _, err := s.Lookup(name); !errors.Is(err, ErrUnknownField) {
			t.Errorf("Lookup(%q) error = %v, want ErrUnknownField", name, err)
		}
	}
}

func TestLoadRolesAndKinds(t *testing.T) {
	s := loadPortal(t)
	tests := []struct {
		name     string
		kind     Kind
		uf       bool
		role     Role
		multiple bool
	}{
		{"id", KindInteger, false, FilterOnly, false},
		{"typeId", KindString, false, Categorical, false},
		{"UF_CRM_LTV", KindMoney, true, FilterOnly, false},
		{"UF_CRM_TIER", KindEnumeration, true, FilterOnly, false},
		{"UF_CRM_GEO", KindString, true, FilterOnly, true},
		{"CUSTOM", KindInteger, true, FilterOnly, false},
	}
	for _, tt := range tests {
		f := s.Field(tt.name)
		if f == nil {
			t.Fatalf("field %s missing", tt.name)
		}
		if f.Kind != tt.kind || f.UF != tt.uf || f.Role != tt.role || f.Multiple != tt.multiple {
			t.Errorf("%s = kind %s uf %v role %s multiple %v; want %s %v %s %v",
				tt.name, f.Kind, f.UF, f.Role, f.Multiple, tt.kind, tt.uf, tt.role, tt.multiple)
		}
	}
	if got := s.Field("UF_CRM_TIER").Items; len(got) != 1 || got[0].ID != "79" || got[0].Value != "Gold" {
		t.Errorf("UF_CRM_TIER items = %v", got)
	}
	if diff := cmp.Diff([]string{"typeId"}, s.AggregatableNames()); diff != "" {
		t.Errorf("AggregatableNames (-want +got):\n%s", diff)
	}
}

func TestLoadBareDataAndOtherEntity(t *testing.T) {
	s, err := Load("leads", []byte(`{"stageId": {"type": "crm_status"}, "ufCrmX": {"type": "double"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if f := s.Field("stageId"); f.Role != FilterOnly {
		t.Errorf("stageId of an entity without a built-in schema has role %s, want filter-only", f.Role)
	}
	if f := s.Field("ufCrmX"); !f.UF || !f.Summable() {
		t.Errorf("ufCrmX should be a summable UF by its spelling")
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ body, want string }{
		{`[]`, "expected a JSON object"},
		{`{"success": false, "error": {}}`, `"success": true`},
		{`{"success": true}`, `no "data" object`},
		{`{"a": 1}`, "field 'a'"},
		{`{"a": {}}`, `"type" must be a non-empty string`},
		{`{"a": {"type": 5}}`, `"type" must be`},
		{`{"a": {"type": "string", "isMultiple": "maybe"}}`, `"isMultiple" must be a boolean`},
		{`{"a": {"type": "enumeration", "items": [{"VALUE": "x"}]}}`, `"ID"`},
		{`{"a": {"type": "string"}, "a": {"type": "string"}}`, "duplicate key 'a'"},
		{`{"a": `, "unexpected end"},
	}
	for _, tt := range tests {
		_, err := Load("contacts", []byte(tt.body))
		var le *LoadError
		if !errors.As(err, &le) {
			t.Errorf("Load(%s) error = %v, want *LoadError", tt.body, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%s) error = %q, want it to contain %q", tt.body, err, tt.want)
		}
	}
}

func TestBuiltinOrder(t *testing.T) {
	for entity, want := range map[string][]string{
		"contacts": {"typeId", "sourceId", "assignedById"},
		"deals":    {"amount", "stageId", "stageSemanticId", "categoryId", "assignedById", "sourceId"},
		"tasks":    {"timeEstimate", "status", "priority", "responsibleId", "groupId"},
	} {
		s, err := Builtin(entity)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, s.AggregatableNames()); diff != "" {
			t.Errorf("%s aggregatable (-want +got):\n%s", entity, diff)
		}
	}
	if _, err := Builtin("leads"); err == nil || !strings.Contains(err.Error(), "contacts, deals, tasks") {
		t.Errorf("Builtin(leads) error = %v, want the list of entities", err)
	}
}

func TestReadValues(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	r := &Reader{Location: moscow}
	field := func(kind Kind) *Field { return &Field{Name: "f", Kind: kind} }

	tests := []struct {
		name  string
		kind  Kind
		raw   any
		state State
		want  string // canonical text of a valid value
	}{
		{"integer json number", KindInteger, jsonNumber("42"), Valid, "42"},
		{"integer string", KindInteger, "42", Valid, "42"},
		{"integer 1.0", KindInteger, jsonNumber("1.0"), Valid, "1"},
		{"integer 1E+1", KindInteger, "1E+1", Valid, "10"},
		{"integer 1.5", KindInteger, jsonNumber("1.5"), Invalid, ""},
		{"integer beyond 2^53", KindInteger, jsonNumber("9007199254740993"), Valid, "9007199254740993"},
		{"integer go int", KindInteger, 7, Valid, "7"},
		{"integer spaces", KindInteger, "  ", Invalid, ""},
		{"integer empty", KindInteger, "", Empty, ""},
		{"integer NaN", KindInteger, "NaN", Invalid, ""},
		{"double float64", KindDouble, 0.1, Valid, "0.1"},
		{"double exponent past bound", KindDouble, "1e1001", Invalid, ""},
		{"double bool", KindDouble, true, Invalid, ""},
		{"money", KindMoney, "1500.50|RUB", Valid, "1500.5|RUB"},
		{"money number", KindMoney, jsonNumber("1000"), Valid, "1000|"},
		{"money empty amount", KindMoney, "|RUB", Empty, ""},
		{"money spaces", KindMoney, "   ", Empty, ""},
		{"money comma", KindMoney, "1500,50|RUB", Invalid, ""},
		{"boolean Y", KindBoolean, "Y", Valid, "true"},
		{"boolean 0 number", KindBoolean, jsonNumber("0"), Valid, "false"},
		{"boolean true", KindBoolean, true, Valid, "true"},
		{"boolean yes", KindBoolean, "yes", Invalid, ""},
		{"date", KindDate, "2026-01-05", Valid, "2026-01-05"},
		{"date drops time as written", KindDate, "2026-01-05T23:00:00-05:00", Valid, "2026-01-05"},
		{"date invalid day", KindDate, "2026-02-30", Invalid, ""},
		{"datetime offset", KindDateTime, "2026-01-05T10:00:00+03:00", Valid, "2026-01-05T10:00:00+03:00"},
		{"datetime zone default", KindDateTime, "2026-01-05T10:00:00", Valid, "2026-01-05T10:00:00+03:00"},
		{"datetime Z", KindDateTime, "2026-01-05T07:00:00.500Z", Valid, "2026-01-05T10:00:00.5+03:00"},
		{"datetime bad", KindDateTime, "05.01.2026", Invalid, ""},
		{"enumeration id", KindEnumeration, "79", Valid, "79"},
		{"enumeration label", KindEnumeration, "Gold", Invalid, ""},
		{"string number text", KindString, jsonNumber("1.50"), Valid, "1.50"},
		{"string", KindString, "Straße", Valid, "Straße"},
		{"array in single field", KindString, []any{"a"}, Invalid, ""},
		{"empty array", KindString, []any{}, Empty, ""},
		{"object", KindString, map[string]any{}, Invalid, ""},
		{"null", KindString, nil, Empty, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := r.Read(field(tt.kind), tt.raw)
			if v.State != tt.state {
				t.Fatalf("Read(%v) state = %d, want %d", tt.raw, v.State, tt.state)
			}
			if v.State != Valid {
				return
			}
			if got := canonical(tt.kind, v, moscow); got != tt.want {
				t.Errorf("Read(%v) = %s, want %s", tt.raw, got, tt.want)
			}
		})
	}
}

func canonical(k Kind, v Value, loc *time.Location) string {
	switch k {
	case KindMoney:
		return v.Num.String() + "|" + v.Text
	case KindInteger, KindDouble, KindEnumeration:
		return v.Num.String()
	case KindBoolean:
		if v.Bool {
			return "true"
		}
		return "false"
	case KindDate:
		return FormatDate(v.Time)
	case KindDateTime:
		return FormatDateTime(v.Time, loc)
	}
	return v.Text
}

func TestReadElements(t *testing.T) {
	var r Reader
	f := &Field{Name: "tags", Kind: KindInteger, Multiple: true}
	vals, invalid := r.ReadElements(f, []any{"1", "", nil, "x", []any{"2"}, jsonNumber("3")}, nil)
	if len(vals) != 2 || vals[0].Num.String() != "1" || vals[1].Num.String() != "3" || invalid != 2 {
		t.Errorf("ReadElements = %v, %d invalid; want [1 3] and 2", vals, invalid)
	}
	vals, invalid = r.ReadElements(f, "5", nil)
	if len(vals) != 1 || invalid != 0 {
		t.Errorf("scalar in a multiple field: %v, %d invalid", vals, invalid)
	}
}

func jsonNumber(s string) json.Number { return json.Number(s) }
