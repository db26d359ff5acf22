package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/crmagg/crmagg/httpapi"
)

func TestFieldsFromSchema(t *testing.T) {
	s := loadSchema(t, "contacts", `{
		"typeId": {"type": "crm_status", "title": "Type"},
		"UF_CRM_TIER": {"type": "enumeration", "isDynamic": true, "title": "Tier",
			"items": [{"ID": "41", "VALUE": "Bronze"}, {"ID": "42", "VALUE": "Silver"}]},
		"UF_CRM_TAGS": {"type": "string", "isMultiple": true, "isDynamic": true}
	}`)
	srv, _ := startServer(t, httpapi.Config{Entities: []httpapi.Entity{{Name: "contacts", Table: mapsTable(t, s, "")}}})

	r := call{method: "GET", path: "/v1/contacts/fields"}.do(t, context.Background(), http.DefaultClient, srv.URL)
	want := `{"success":true,"data":{` +
		`"typeId":{"type":"crm_status","isMultiple":false,"isDynamic":false,"title":"Type"},` +
		`"UF_CRM_TIER":{"type":"enumeration","isMultiple":false,"isDynamic":true,"title":"Tier","items":[{"ID":"41","VALUE":"Bronze"},{"ID":"42","VALUE":"Silver"}]},` +
		`"UF_CRM_TAGS":{"type":"string","isMultiple":true,"isDynamic":true,"title":""}}}` + "\n"
	if r.status != http.StatusOK || string(r.body) != want {
		t.Errorf("status %d, body\n%s\nwant\n%s", r.status, r.body, want)
	}
}

func TestFieldsBodySupplied(t *testing.T) {
	s := loadSchema(t, "contacts", `{"typeId": {"type": "crm_status"}}`)
	table := mapsTable(t, s, "")
	cases := []struct {
		name, supplied, want string
	}{
		{"envelope kept as is", `{"success": true, "data": {"typeId": {"type": "crm_status"}}}`,
			`{"success": true, "data": {"typeId": {"type": "crm_status"}}}` + "\n"},
		{"bare object wrapped", `{"typeId": {"type": "crm_status", "title": "Type"}}`,
			`{"success":true,"data":{"typeId":{"type":"crm_status","title":"Type"}}}` + "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := startServer(t, httpapi.Config{Entities: []httpapi.Entity{
				{Name: "contacts", Table: table, FieldsBody: []byte(tc.supplied)},
			}})
			r := call{method: "GET", path: "/v1/contacts/fields"}.do(t, context.Background(), http.DefaultClient, srv.URL)
			if string(r.body) != tc.want {
				t.Errorf("body %q, want %q", r.body, tc.want)
			}
		})
	}
}

func TestFieldsHeadHasLength(t *testing.T) {
	srv, _ := startServer(t, httpapi.Config{Entities: []httpapi.Entity{{Name: "contacts", Table: contactsTable(t)}}})
	get := call{method: "GET", path: "/v1/contacts/fields"}.do(t, context.Background(), http.DefaultClient, srv.URL)
	head := call{method: "HEAD", path: "/v1/contacts/fields"}.do(t, context.Background(), http.DefaultClient, srv.URL)
	if head.status != http.StatusOK || len(head.body) != 0 {
		t.Fatalf("HEAD: status %d, body %q", head.status, head.body)
	}
	if head.header.Get("Content-Length") != get.header.Get("Content-Length") {
		t.Errorf("HEAD Content-Length %q, GET %q", head.header.Get("Content-Length"), get.header.Get("Content-Length"))
	}
}
