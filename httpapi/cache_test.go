package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/crmagg/crmagg/httpapi"
)

func TestCacheSkipsSecondCompile(t *testing.T) {
	srv, h := startServer(t, httpapi.Config{Entities: []httpapi.Entity{{Name: "contacts", Table: contactsTable(t)}}})
	body := `{"groupBy": "typeId", "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}]}`
	post := func(body string) response {
		return call{path: "/v1/contacts/aggregate", body: body}.do(t, context.Background(), http.DefaultClient, srv.URL)
	}

	first := post(body)
	if st := h.Stats(); st.Compiles != 1 || st.CacheHits != 0 || st.Cached != 1 {
		t.Fatalf("after the first request: %+v, want 1 compile, 0 hits, 1 cached", st)
	}
	second := post(body)
	if st := h.Stats(); st.Compiles != 1 || st.CacheHits != 1 {
		t.Errorf("after the same request again: %+v, want still 1 compile and 1 hit", st)
	}
	if string(first.body) != string(second.body) {
		t.Errorf("the cached plan returned another response:\n%s\n%s", first.body, second.body)
	}

	// The key is the exact body: other spacing compiles again.
	post(strings.ReplaceAll(body, " ", ""))
	if st := h.Stats(); st.Compiles != 2 {
		t.Errorf("a respaced body: Compiles = %d, want 2", st.Compiles)
	}

	// Rejected bodies are not cached.
	post(`{"groupBy": "name"}`)
	post(`{"groupBy": "name"}`)
	if st := h.Stats(); st.Compiles != 4 || st.Cached != 2 {
		t.Errorf("an invalid body twice: %+v, want 4 compiles and 2 cached", st)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	srv, h := startServer(t, httpapi.Config{
		Entities:  []httpapi.Entity{{Name: "contacts", Table: contactsTable(t)}},
		CacheSize: 2,
	})
	post := func(body string) {
		r := call{path: "/v1/contacts/aggregate", body: body}.do(t, context.Background(), http.DefaultClient, srv.URL)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", body, r.status, r.body)
		}
	}
	a, b, c := `{"groupBy": "typeId"}`, `{"groupBy": "sourceId"}`, `{"groupBy": "assignedById"}`

	post(a)
	post(b)
	post(a) // a is now the most recently used, b the least
	post(c) // evicts b
	if st := h.Stats(); st.Compiles != 3 || st.Cached != 2 {
		t.Fatalf("after a, b, a, c: %+v, want 3 compiles and 2 cached", st)
	}
	post(a)
	if st := h.Stats(); st.Compiles != 3 {
		t.Errorf("a was evicted: Compiles = %d, want 3", st.Compiles)
	}
	post(b)
	if st := h.Stats(); st.Compiles != 4 {
		t.Errorf("b was kept: Compiles = %d, want 4", st.Compiles)
	}
}

func TestCacheOff(t *testing.T) {
	srv, h := startServer(t, httpapi.Config{
		Entities:  []httpapi.Entity{{Name: "contacts", Table: contactsTable(t)}},
		CacheSize: -1,
	})
	for range 2 {
		call{path: "/v1/contacts/aggregate", body: `{}`}.do(t, context.Background(), http.DefaultClient, srv.URL)
	}
	if st := h.Stats(); st.Compiles != 2 || st.CacheHits != 0 || st.Cached != 0 {
		t.Errorf("with the cache off: %+v, want 2 compiles and nothing cached", st)
	}
}

func TestCacheSkipsLargeBodies(t *testing.T) {
	srv, h := startServer(t, httpapi.Config{Entities: []httpapi.Entity{{Name: "contacts", Table: contactsTable(t)}}})
	body := `{"filter": {"name": "` + strings.Repeat("x", 70<<10) + `"}}`
	for range 2 {
		r := call{path: "/v1/contacts/aggregate", body: body}.do(t, context.Background(), http.DefaultClient, srv.URL)
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	}
	if st := h.Stats(); st.Compiles != 2 || st.Cached != 0 {
		t.Errorf("a 70 KiB body twice: %+v, want 2 compiles and nothing cached", st)
	}
}

func TestCacheSeparatesEntities(t *testing.T) {
	// The same body against two schemas must compile twice: the plan of
	// one entity cannot run for the other.
	small := loadSchema(t, "contacts", `{"typeId": {"type": "crm_status"}}`)
	srv, h := startServer(t, httpapi.Config{Entities: []httpapi.Entity{
		{Name: "contacts", Table: contactsTable(t)},
		{Name: "people", Table: mapsTable(t, small, `{"typeId": "CLIENT"}`)},
	}})
	for _, entity := range []string{"contacts", "people"} {
		r := call{path: "/v1/" + entity + "/aggregate", body: `{"groupBy": "typeId"}`}.do(t, context.Background(), http.DefaultClient, srv.URL)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", entity, r.status, r.body)
		}
	}
	if st := h.Stats(); st.Compiles != 2 {
		t.Errorf("one body on two entities: Compiles = %d, want 2", st.Compiles)
	}
}
