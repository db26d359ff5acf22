package httpapi

import (
	"errors"
	"strconv"

	"github.com/crmagg/crmagg/internal/jsontree"
	"github.com/crmagg/crmagg/schema"
)

// appendFieldsResponse appends the response of GET /v1/{entity}/fields for
// a schema: the envelope with one descriptor per field in schema order,
// with type, isMultiple, isDynamic, title and, for enumerations, items.
func appendFieldsResponse(dst []byte, s *schema.Schema) []byte {
	dst = append(dst, `{"success":true,"data":{`...)
	for i, f := range s.Fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsontree.AppendString(dst, f.Name)
		dst = append(dst, `:{"type":`...)
		dst = jsontree.AppendString(dst, f.Type)
		dst = append(dst, `,"isMultiple":`...)
		dst = strconv.AppendBool(dst, f.Multiple)
		dst = append(dst, `,"isDynamic":`...)
		dst = strconv.AppendBool(dst, f.UF)
		dst = append(dst, `,"title":`...)
		dst = jsontree.AppendString(dst, f.Title)
		if f.Kind == schema.KindEnumeration || len(f.Items) > 0 {
			dst = appendItems(dst, f.Items)
		}
		dst = append(dst, '}')
	}
	return append(dst, "}}\n"...)
}

func appendItems(dst []byte, items []schema.Item) []byte {
	dst = append(dst, `,"items":[`...)
	for i, item := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"ID":`...)
		dst = jsontree.AppendString(dst, item.ID)
		dst = append(dst, `,"VALUE":`...)
		dst = jsontree.AppendString(dst, item.Value)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// fieldsEnvelope returns the fields response for a body a caller supplied:
// an object with a "success" member is the envelope and is returned as is, and
// any other object is the bare data object, which it wraps.
func fieldsEnvelope(body []byte) ([]byte, error) {
	root, err := jsontree.Parse(body)
	if err != nil {
		return nil, errors.New("invalid FieldsBody: " + err.Error())
	}
	if root.Kind != jsontree.Object {
		return nil, errors.New("invalid FieldsBody: expected a JSON object, got " + root.Kind.String())
	}
	var out []byte
	if root.Get("success") != nil {
		out = append(out, body...)
	} else {
		out = append(out, `{"success":true,"data":`...)
		out = root.AppendJSON(out)
		out = append(out, '}')
	}
	if out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out, nil
}
