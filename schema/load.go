package schema

import (
	"fmt"
	"strings"

	"github.com/crmagg/crmagg/internal/jsontree"
)

// LoadError reports a fields body that cannot be loaded.
type LoadError struct {
	// Field is the field whose descriptor is wrong, or "" for the body.
	Field string
	Msg   string
}

func (e *LoadError) Error() string {
	if e.Field == "" {
		return "schema: invalid fields body: " + e.Msg
	}
	return fmt.Sprintf("schema: invalid descriptor of field '%s': %s", e.Field, e.Msg)
}

// Load builds a schema from the JSON body of GET /v1/{entity}/fields: the
// whole envelope {"success": true, "data": {...}} or the bare data object,
// keyed by field name with descriptors holding at least "type". Fields keep
// the order of the keys. A standard field takes its role from the built-in
// schema of the same entity, else it is filter-only; a field is a UF when
// its descriptor says "isDynamic": true or its name looks like one.
//
// Load fails with a *LoadError on malformed JSON, an envelope without
// "success": true or a data object, a descriptor that is not an object or
// lacks a string "type", and a repeated field name.
func Load(entity string, body []byte) (*Schema, error) {
	root, err := jsontree.Parse(body)
	if err != nil {
		return nil, &LoadError{Msg: err.Error()}
	}
	if root.Kind != jsontree.Object {
		return nil, &LoadError{Msg: "expected a JSON object, got " + root.Kind.String()}
	}

	data := root
	if success := root.Get("success"); success != nil {
		if success.Kind != jsontree.Bool || !success.Bool {
			return nil, &LoadError{Msg: "the envelope does not say \"success\": true"}
		}
		data = root.Get("data")
		if data == nil || data.Kind != jsontree.Object {
			return nil, &LoadError{Msg: "the envelope has no \"data\" object"}
		}
	}

	fields := make([]*Field, 0, len(data.Members))
	for _, m := range data.Members {
		f, err := loadField(entity, m.Key, m.Value)
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
	s, err := New(entity, fields)
	if err != nil {
		return nil, &LoadError{Msg: strings.TrimPrefix(err.Error(), "schema: ")}
	}
	return s, nil
}

func loadField(entity, name string, desc *jsontree.Node) (*Field, error) {
	if desc.Kind != jsontree.Object {
		return nil, &LoadError{Field: name, Msg: "expected an object, got " + desc.Kind.String()}
	}
	typ := desc.Get("type")
	if typ == nil || typ.Kind != jsontree.String || typ.Text == "" {
		return nil, &LoadError{Field: name, Msg: "\"type\" must be a non-empty string"}
	}

	f := &Field{Name: name, Type: typ.Text, Kind: KindOf(typ.Text)}
	var err error
	if f.Multiple, err = flag(name, desc, "isMultiple"); err != nil {
		return nil, err
	}
	if f.UF, err = flag(name, desc, "isDynamic"); err != nil {
		return nil, err
	}
	if title := desc.Get("title"); title != nil && title.Kind == jsontree.String {
		f.Title = title.Text
	}
	if items := desc.Get("items"); items != nil && items.Kind != jsontree.Null {
		if f.Items, err = loadItems(name, items); err != nil {
			return nil, err
		}
	}
	if !f.UF && !LooksLikeUF(name) {
		f.Role = builtinRole(entity, name)
	}
	return f, nil
}

// flag reads an optional boolean descriptor key. Bitrix writes some flags
// as "Y"/"N", so those spellings are accepted too.
func flag(field string, desc *jsontree.Node, key string) (bool, error) {
	v := desc.Get(key)
	if v == nil || v.Kind == jsontree.Null {
		return false, nil
	}
	if v.Kind == jsontree.Bool {
		return v.Bool, nil
	}
	if v.Kind == jsontree.String && (v.Text == "Y" || v.Text == "N") {
		return v.Text == "Y", nil
	}
	return false, &LoadError{Field: field, Msg: fmt.Sprintf("%q must be a boolean", key)}
}

func loadItems(field string, items *jsontree.Node) ([]Item, error) {
	if items.Kind != jsontree.Array {
		return nil, &LoadError{Field: field, Msg: "\"items\" must be an array"}
	}
	out := make([]Item, 0, len(items.Items))
	for i, item := range items.Items {
		if item.Kind != jsontree.Object {
			return nil, &LoadError{Field: field, Msg: fmt.Sprintf("item %d must be an object", i)}
		}
		id := item.Get("ID")
		if id == nil || (id.Kind != jsontree.String && id.Kind != jsontree.Number) {
			return nil, &LoadError{Field: field, Msg: fmt.Sprintf("item %d needs an \"ID\" string or number", i)}
		}
		var label string
		if v := item.Get("VALUE"); v != nil && v.Kind == jsontree.String {
			label = v.Text
		}
		out = append(out, Item{ID: id.Text, Value: label})
	}
	return out, nil
}
