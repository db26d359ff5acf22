package httpapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/httpapi"
)

func TestNewRejectsInvalidConfig(t *testing.T) {
	s := loadSchema(t, "contacts", `{"typeId": {"type": "crm_status"}}`)
	other := loadSchema(t, "contacts", `{"typeId": {"type": "crm_status"}}`)
	table := mapsTable(t, s, "")
	fetch := func(context.Context) (engine.Source, error) { return engine.Maps(nil), nil }
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	moscowTable, err := engine.NewTable(s, engine.Maps(nil), engine.TableOptions{Location: moscow})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name    string
		entity  []httpapi.Entity
		message string
	}{
		{"empty name", []httpapi.Entity{{Table: table}}, "invalid entity name"},
		{"slash in name", []httpapi.Entity{{Name: "crm/contacts", Table: table}}, "invalid entity name"},
		{"no source", []httpapi.Entity{{Name: "contacts", Schema: s}}, "exactly one record source"},
		{"two sources", []httpapi.Entity{{Name: "contacts", Table: table, Fetch: fetch}}, "exactly one record source"},
		{"fetch without schema", []httpapi.Entity{{Name: "contacts", Fetch: fetch}}, "has no schema"},
		{"schema not the table's", []httpapi.Entity{{Name: "contacts", Schema: other, Table: table}}, "not the schema its Table"},
		{"repeated name", []httpapi.Entity{{Name: "contacts", Table: table}, {Name: "contacts", Table: table}}, "given twice"},
		{"fields body not json", []httpapi.Entity{{Name: "contacts", Table: table, FieldsBody: []byte(`{`)}}, "invalid FieldsBody"},
		{"table in another zone", []httpapi.Entity{{Name: "contacts", Table: moscowTable}}, "time zone Europe/Moscow"},
		{"fields body an array", []httpapi.Entity{{Name: "contacts", Table: table, FieldsBody: []byte(`[]`)}}, "invalid FieldsBody"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := httpapi.New(httpapi.Config{Entities: tc.entity})
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("New: error %v, want one containing %q", err, tc.message)
			}
		})
	}
}

func TestScopeConfigurable(t *testing.T) {
	keys, err := httpapi.ParseKeys([]byte(`{"keys": [{"key": "vibe_api_reports", "scopes": ["reports"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := startServer(t, httpapi.Config{
		Entities: []httpapi.Entity{
			{Name: "contacts", Table: contactsTable(t), Scope: "reports"},
			{Name: "people", Table: contactsTable(t)},
		},
		Auth: keys,
	})
	ok := call{path: "/v1/contacts/aggregate", body: `{}`, apiKey: "vibe_api_reports"}.do(t, context.Background(), http.DefaultClient, srv.URL)
	if ok.status != http.StatusOK {
		t.Errorf("contacts with scope reports: status %d, body %s", ok.status, ok.body)
	}
	denied := call{path: "/v1/people/aggregate", body: `{}`, apiKey: "vibe_api_reports"}.do(t, context.Background(), http.DefaultClient, srv.URL)
	if denied.env.Error.Code != "SCOPE_DENIED" {
		t.Errorf("people with the default crm scope: got %s, want SCOPE_DENIED", denied.body)
	}
}

func TestDefaultScope(t *testing.T) {
	for entity, want := range map[string]string{"contacts": "crm", "deals": "crm", "tasks": "task", "leads": "crm"} {
		if got := httpapi.DefaultScope(entity); got != want {
			t.Errorf("DefaultScope(%q) = %q, want %q", entity, got, want)
		}
	}
}

func TestAuthenticatorErrorIsInternal(t *testing.T) {
	logs := &syncBuffer{}
	srv, _ := startServer(t, httpapi.Config{
		Entities: []httpapi.Entity{{Name: "contacts", Table: contactsTable(t)}},
		Auth: httpapi.AuthenticatorFunc(func(context.Context, httpapi.Credentials, string) error {
			return context.DeadlineExceeded
		}),
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	r := call{path: "/v1/contacts/aggregate", body: `{}`, apiKey: "vibe_api_x"}.do(t, context.Background(), http.DefaultClient, srv.URL)
	if r.status != http.StatusInternalServerError || r.env.Error.Code != "INTERNAL_ERROR" {
		t.Errorf("status %d, body %s; want 500 INTERNAL_ERROR", r.status, r.body)
	}
	if !waitFor(func() bool { return strings.Contains(logs.String(), "deadline exceeded") }) {
		t.Errorf("the log does not hold the authenticator's error:\n%s", logs.String())
	}
}

func TestAuthenticatorReceivesCredentials(t *testing.T) {
	var got httpapi.Credentials
	var gotScope string
	srv, _ := startServer(t, httpapi.Config{
		Entities: []httpapi.Entity{{Name: "tasks", Table: contactsTable(t)}},
		Auth: httpapi.AuthenticatorFunc(func(_ context.Context, cred httpapi.Credentials, scope string) error {
			got, gotScope = cred, scope
			return nil
		}),
	})
	call{path: "/v1/tasks/aggregate", body: `{}`, apiKey: "vibe_app_x",
		header: http.Header{"Authorization": {"bearer  tok-1 "}}}.do(t, context.Background(), http.DefaultClient, srv.URL)
	if got.APIKey != "vibe_app_x" || got.Bearer != "tok-1" || gotScope != "task" {
		t.Errorf("Authenticate got %+v and scope %q; want key vibe_app_x, bearer tok-1, scope task", got, gotScope)
	}
}

func TestLogsHoldFingerprintNotKey(t *testing.T) {
	keys, err := httpapi.ParseKeys([]byte(testKeys))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, _ := startServer(t, httpapi.Config{
		Entities: []httpapi.Entity{{Name: "contacts", Table: contactsTable(t)}},
		Auth:     keys,
		SlowRun:  time.Nanosecond,
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
	})
	call{path: "/v1/contacts/aggregate", body: `{"groupBy": "typeId"}`, apiKey: "vibe_api_full"}.do(t, context.Background(), http.DefaultClient, srv.URL)
	call{path: "/v1/contacts/aggregate", body: `{}`, apiKey: "vibe_api_secret_unknown"}.do(t, context.Background(), http.DefaultClient, srv.URL)
	call{path: "/v1/contacts/aggregate", body: `{}`, apiKey: "vibe_app_dashboard", bearer: "session-secret"}.do(t, context.Background(), http.DefaultClient, srv.URL)

	if !waitFor(func() bool { return strings.Count(logs.String(), `"msg":"request"`) == 3 }) {
		t.Fatalf("want three request records:\n%s", logs.String())
	}
	out := logs.String()
	for _, secret := range []string{"vibe_api_full", "vibe_api_secret_unknown", "vibe_app_dashboard", "session-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains the secret %q:\n%s", secret, out)
		}
	}
	for _, key := range []string{"vibe_api_full", "vibe_api_secret_unknown"} {
		if !strings.Contains(out, `"key":"`+httpapi.KeyFingerprint(key)+`"`) {
			t.Errorf("the log lacks the fingerprint of %s:\n%s", key, out)
		}
	}
	for _, want := range []string{`"msg":"slow run"`, `"code":"INVALID_API_KEY"`, `"level":"WARN"`, `"status":200`, `"entity":"contacts"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
}

func TestKeyFingerprint(t *testing.T) {
	fp := httpapi.KeyFingerprint("vibe_api_full")
	if len(fp) != 8 || strings.Trim(fp, "0123456789abcdef") != "" {
		t.Errorf("KeyFingerprint = %q, want 8 lower-case hex digits", fp)
	}
	if bytes.Equal([]byte(fp), []byte(httpapi.KeyFingerprint("vibe_api_fulL"))) {
		t.Error("two keys share a fingerprint")
	}
}
