package schema

import (
	"fmt"
	"slices"
	"strings"
)

// standardField is one row of a built-in schema.
type standardField struct {
	name string
	typ  string
	role Role
}

// builtins lists the standard fields of each entity in schema order:
// aggregatable fields first, as error messages list them.
var builtins = map[string][]standardField{
	"contacts": {
		{"typeId", "crm_status", Categorical},
		{"sourceId", "crm_status", Categorical},
		{"assignedById", "user", Categorical},
		{"id", "integer", FilterOnly},
		{"name", "string", FilterOnly},
		{"lastName", "string", FilterOnly},
		{"secondName", "string", FilterOnly},
		{"post", "string", FilterOnly},
		{"companyId", "integer", FilterOnly},
		{"opened", "boolean", FilterOnly},
		{"createdAt", "datetime", FilterOnly},
		{"updatedAt", "datetime", FilterOnly},
		{"birthdate", "date", FilterOnly},
		{"comments", "string", FilterOnly},
	},
	"deals": {
		{"amount", "double", Numeric},
		{"stageId", "crm_status", Categorical},
		{"stageSemanticId", "string", Categorical},
		{"categoryId", "crm_category", Categorical},
		{"assignedById", "user", Categorical},
		{"sourceId", "crm_status", Categorical},
		{"id", "integer", FilterOnly},
		{"title", "string", FilterOnly},
		{"currency", "crm_currency", FilterOnly},
		{"companyId", "integer", FilterOnly},
		{"contactId", "integer", FilterOnly},
		{"closed", "boolean", FilterOnly},
		{"createdAt", "datetime", FilterOnly},
		{"updatedAt", "datetime", FilterOnly},
		{"closedAt", "datetime", FilterOnly},
	},
	"tasks": {
		{"timeEstimate", "integer", Numeric},
		{"status", "integer", Categorical},
		{"priority", "integer", Categorical},
		{"responsibleId", "user", Categorical},
		{"groupId", "integer", Categorical},
		{"id", "integer", FilterOnly},
		{"title", "string", FilterOnly},
		{"createdDate", "datetime", FilterOnly},
		{"deadline", "datetime", FilterOnly},
		{"closedDate", "datetime", FilterOnly},
	},
}

// BuiltinEntities returns the entities that have a built-in schema, sorted.
func BuiltinEntities() []string {
	names := make([]string, 0, len(builtins))
	for name := range builtins {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Builtin returns the built-in schema of an entity: its standard fields and
// no user fields. It fails for an entity with no built-in schema.
func Builtin(entity string) (*Schema, error) {
	rows, ok := builtins[entity]
	if !ok {
		return nil, fmt.Errorf("schema: no built-in schema for entity %q; built-in: %s", entity, strings.Join(BuiltinEntities(), ", "))
	}
	fields := make([]*Field, len(rows))
	for i, row := range rows {
		fields[i] = &Field{Name: row.name, Type: row.typ, Kind: KindOf(row.typ), Role: row.role}
	}
	return New(entity, fields)
}

// builtinRole returns the role a standard field of entity has in the
// built-in schema, or FilterOnly.
func builtinRole(entity, name string) Role {
	for _, row := range builtins[entity] {
		if row.name == name {
			return row.role
		}
	}
	return FilterOnly
}
