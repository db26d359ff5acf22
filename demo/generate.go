package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownEntity is wrapped by the error that Generate, Fields and Records
// return for an entity the demo portal does not have.
var ErrUnknownEntity = errors.New("unknown demo entity")

// entity describes how one entity of the demo portal is generated.
type entity struct {
	name string
	// seed is the first PCG seed word. Changing it changes every record.
	seed   uint64
	fields []field
	write  func(g *generator, out *bytes.Buffer)
}

// entities lists the demo entities in the order Entities returns them.
var entities = []entity{
	{name: "contacts", seed: 0x636f6e7461637473, fields: contactFields, write: writeContacts},
	{name: "deals", seed: 0x6465616c73, fields: dealFields, write: writeDeals},
	{name: "tasks", seed: 0x7461736b73, fields: taskFields, write: writeTasks},
}

func findEntity(name string) (entity, error) {
	for _, e := range entities {
		if e.name == name {
			return e, nil
		}
	}
	names := make([]string, len(entities))
	for i, e := range entities {
		names[i] = e.name
	}
	return entity{}, fmt.Errorf("%w %q; known: %s", ErrUnknownEntity, name, strings.Join(names, ", "))
}

// field is the descriptor of one field in the body of GET /v1/{entity}/fields.
// The struct order of its members is the key order in that body.
type field struct {
	name       string
	Type       string     `json:"type"`
	IsMultiple bool       `json:"isMultiple"`
	IsDynamic  bool       `json:"isDynamic"`
	Title      string     `json:"title"`
	Items      []enumItem `json:"items,omitempty"`
}

// enumItem is one value of an enumeration field. ID is a string of digits,
// and records refer to the item by that id.
type enumItem struct {
	ID    string `json:"ID"`
	Value string `json:"VALUE"`
}

// standard returns the descriptor of a standard field.
func standard(name, typ, title string) field {
	return field{name: name, Type: typ, Title: title}
}

// userField returns the descriptor of a user field (UF).
func userField(name, typ, title string) field {
	return field{name: name, Type: typ, IsDynamic: true, Title: title}
}

func multiple(f field) field {
	f.IsMultiple = true
	return f
}

func withItems(f field, items ...enumItem) field {
	f.Items = items
	return f
}

// Generate builds the demo data of one entity: the JSON body of
// GET /v1/{entity}/fields, indented by two spaces, and the entity's records
// as JSON Lines, one compact object per line, in ascending id order.
//
// The output depends only on the entity name. It is byte for byte the same
// on every run, platform and Go release, which a test checks against the
// files embedded in this package.
func Generate(entityName string) (fields, records []byte, err error) {
	e, err := findEntity(entityName)
	if err != nil {
		return nil, nil, err
	}

	fields, err = encodeFields(e.fields)
	if err != nil {
		return nil, nil, fmt.Errorf("encode %s fields: %w", e.name, err)
	}

	var out bytes.Buffer
	e.write(newGenerator(e.seed), &out)
	return fields, out.Bytes(), nil
}

// encodeFields writes the response envelope {"success":true,"data":{...}}
// with the fields in slice order, so that no map decides the key order.
func encodeFields(fields []field) ([]byte, error) {
	var compact bytes.Buffer
	compact.WriteString(`{"success":true,"data":{`)
	for i, f := range fields {
		if i > 0 {
			compact.WriteByte(',')
		}
		descriptor, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.name, err)
		}
		compact.WriteString(quote(f.name))
		compact.WriteByte(':')
		compact.Write(descriptor)
	}
	compact.WriteString("}}")

	var indented bytes.Buffer
	if err := json.Indent(&indented, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	indented.WriteByte('\n')
	return indented.Bytes(), nil
}

// recordWriter writes one record as a compact JSON object on its own line.
// Values arrive as raw JSON text, and the value omitted leaves the key out.
type recordWriter struct {
	out   *bytes.Buffer
	empty bool
}

func beginRecord(out *bytes.Buffer) *recordWriter {
	out.WriteByte('{')
	return &recordWriter{out: out, empty: true}
}

func (w *recordWriter) set(key, rawValue string) {
	if rawValue == omitted {
		return
	}
	if !w.empty {
		w.out.WriteByte(',')
	}
	w.empty = false
	w.out.WriteString(quote(key))
	w.out.WriteByte(':')
	w.out.WriteString(rawValue)
}

func (w *recordWriter) end() {
	w.out.WriteString("}\n")
}
