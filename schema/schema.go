package schema

import (
	"errors"
	"fmt"
	"strings"
)

// Schema is the ordered set of fields of one entity. A Schema is immutable
// once built and safe for concurrent use.
type Schema struct {
	// Entity is the entity name, such as "contacts".
	Entity string
	// Fields are in schema order: the order of the built-in table, or the
	// order of the keys of a loaded fields body.
	Fields []*Field

	byName map[string]*Field
	// ufByFold maps a UF name with case and underscores removed to every UF
	// that folds to it.
	ufByFold map[string][]*Field
}

// New builds a schema from fields in schema order. It sets each field's
// Index and UF flag (a name that looks like a UF makes it one) and fails on
// an empty or repeated name. The fields must not be changed afterwards.
func New(entity string, fields []*Field) (*Schema, error) {
	s := &Schema{
		Entity:   entity,
		Fields:   fields,
		byName:   make(map[string]*Field, len(fields)),
		ufByFold: make(map[string][]*Field),
	}
	for i, f := range fields {
		if f.Name == "" {
			return nil, fmt.Errorf("schema: field %d of %s has an empty name", i, entity)
		}
		if _, dup := s.byName[f.Name]; dup {
			return nil, fmt.Errorf("schema: field %q appears twice in %s", f.Name, entity)
		}
		f.Index = i
		if LooksLikeUF(f.Name) {
			f.UF = true
		}
		if f.UF {
			f.Role = FilterOnly
			key := foldUF(f.Name)
			s.ufByFold[key] = append(s.ufByFold[key], f)
		}
		s.byName[f.Name] = f
	}
	return s, nil
}

// WithUserFields returns a schema with the standard fields of s followed by
// the user fields of other, in other's order. The demo portal uses it to add
// its UFs to a built-in schema.
func (s *Schema) WithUserFields(other *Schema) (*Schema, error) {
	fields := make([]*Field, 0, len(s.Fields)+len(other.Fields))
	for _, f := range s.Fields {
		if !f.UF {
			copied := *f
			fields = append(fields, &copied)
		}
	}
	for _, f := range other.Fields {
		if f.UF {
			copied := *f
			fields = append(fields, &copied)
		}
	}
	return New(s.Entity, fields)
}

// LooksLikeUF reports whether a name is spelled as a user field: it starts
// with "UF_", or with "uf" followed by an upper-case letter or "_".
func LooksLikeUF(name string) bool {
	if strings.HasPrefix(name, "UF_") {
		return true
	}
	if len(name) > 2 && name[0] == 'u' && name[1] == 'f' {
		c := name[2]
		return c == '_' || (c >= 'A' && c <= 'Z')
	}
	return false
}

// foldUF lowers the case of a UF name and drops its underscores, so that
// UF_CRM_LTV and ufCrmLtv, or UF_CRM_44_1721812915476 and
// ufCrm44_1721812915476, fold to the same key.
func foldUF(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "")
}

// ErrUnknownField and ErrAmbiguousField are wrapped by *LookupError.
var (
	ErrUnknownField   = errors.New("unknown field")
	ErrAmbiguousField = errors.New("ambiguous field")
)

// LookupError reports a name that resolves to no field or to several UFs.
type LookupError struct {
	Name string
	// Candidates are the UFs an ambiguous name matches, in schema order.
	Candidates []*Field
	Err        error
}

func (e *LookupError) Error() string {
	if e.Err == ErrAmbiguousField {
		return fmt.Sprintf("field '%s' is ambiguous: it matches %s", e.Name, joinNames(e.Candidates))
	}
	return fmt.Sprintf("field '%s' is not in the schema", e.Name)
}

func (e *LookupError) Unwrap() error { return e.Err }

// Lookup resolves a field name as a request or a record key spells it: the
// field with exactly that name, else the one UF whose name is equal once
// case and underscores are ignored. It fails with a *LookupError when no
// field matches or several UFs do.
func (s *Schema) Lookup(name string) (*Field, error) {
	if f, ok := s.byName[name]; ok {
		return f, nil
	}
	matches := s.ufByFold[foldUF(name)]
	switch len(matches) {
	case 0:
		return nil, &LookupError{Name: name, Err: ErrUnknownField}
	case 1:
		return matches[0], nil
	default:
		return nil, &LookupError{Name: name, Candidates: matches, Err: ErrAmbiguousField}
	}
}

// Field returns the field with exactly that name, or nil.
func (s *Schema) Field(name string) *Field {
	return s.byName[name]
}

// UserFieldNames returns the names of the UFs in schema order.
func (s *Schema) UserFieldNames() []string {
	var names []string
	for _, f := range s.Fields {
		if f.UF {
			names = append(names, f.Name)
		}
	}
	return names
}

// AggregatableNames returns the names of the standard fields that may be
// grouped by and counted, in schema order.
func (s *Schema) AggregatableNames() []string {
	var names []string
	for _, f := range s.Fields {
		if !f.UF && f.Groupable() {
			names = append(names, f.Name)
		}
	}
	return names
}

// FieldNames returns every field name in schema order.
func (s *Schema) FieldNames() []string {
	names := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		names[i] = f.Name
	}
	return names
}

func joinNames(fields []*Field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
