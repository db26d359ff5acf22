package schema

import "strings"

// Kind determines how values of a field are read, compared, grouped and written.
// Every declared type maps to exactly one kind.
type Kind uint8

// Field kinds.
const (
	// KindString fields compare byte for byte; a number stored in one is
	// its text as written.
	KindString Kind = iota
	// KindInteger fields hold integral decimals: integer fields and the
	// Bitrix reference types that are integer ids (user, crm_company, ...).
	KindInteger
	// KindDouble fields hold any exact decimal.
	KindDouble
	// KindMoney fields hold "amount|CURRENCY" values.
	KindMoney
	// KindBoolean fields hold Y/N, true/false or 1/0.
	KindBoolean
	// KindDate fields hold calendar dates; a time part is dropped as written.
	KindDate
	// KindDateTime fields hold instants; a value without an offset is read
	// in the configured time zone.
	KindDateTime
	// KindEnumeration fields hold the integer id of one of the field's items.
	KindEnumeration
)

var kindNames = [...]string{"string", "integer", "double", "money", "boolean", "date", "datetime", "enumeration"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + string(rune('0'+k)) + ")"
}

// IsNumber reports whether values of the kind are decimals that sum, avg,
// min and max can read.
func (k Kind) IsNumber() bool {
	return k == KindInteger || k == KindDouble || k == KindMoney
}

// KindOf returns the kind of a declared Bitrix field type. Reference types
// that hold ids read as integers; every other unknown type, such as an
// application's "rest_12_geo", reads as a string.
func KindOf(typ string) Kind {
	switch typ {
	case "integer", "user", "employee", "crm_category", "crm_company", "crm_contact", "file":
		return KindInteger
	case "double":
		return KindDouble
	case "money":
		return KindMoney
	case "boolean":
		return KindBoolean
	case "date":
		return KindDate
	case "datetime":
		return KindDateTime
	case "enumeration":
		return KindEnumeration
	}
	if strings.HasPrefix(typ, "iblock_") {
		return KindInteger
	}
	return KindString
}

// Role is the set of operations a request may apply to a standard field.
type Role uint8

// Roles of standard fields. User fields carry no role of their own: any UF
// may be grouped by and counted, and numeric UFs may be summed.
const (
	// FilterOnly fields may appear in a filter only.
	FilterOnly Role = iota
	// Categorical fields may also be grouped by and counted.
	Categorical
	// Numeric fields may also take sum, avg, min and max.
	Numeric
)

func (r Role) String() string {
	switch r {
	case Categorical:
		return "categorical"
	case Numeric:
		return "numeric"
	default:
		return "filter-only"
	}
}

// Item is one value of an enumeration field.
type Item struct {
	ID    string
	Value string
}

// Field describes one field of a schema. Fields are immutable once their
// schema is built.
type Field struct {
	// Name is the field's name as the schema spells it.
	Name string
	// Type is the declared Bitrix type, such as "crm_status" or "money".
	Type string
	// Kind follows from Type.
	Kind Kind
	// Multiple is true when the value is an array of elements.
	Multiple bool
	// UF is true for a user field.
	UF bool
	// Role applies to standard fields; it is FilterOnly for user fields,
	// whose abilities follow from UF and Kind.
	Role  Role
	Title string
	// Items are the values of an enumeration field. Ids missing from Items
	// are still valid values.
	Items []Item
	// Index is the field's position in Schema.Fields.
	Index int
}

// Groupable reports whether the field may appear in groupBy and in count.
func (f *Field) Groupable() bool {
	return f.UF || f.Role == Categorical || f.Role == Numeric
}

// Summable reports whether sum, avg, min and max may read the field.
func (f *Field) Summable() bool {
	if f.UF {
		return f.Kind.IsNumber()
	}
	return f.Role == Numeric
}
