package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/httpapi"
	"github.com/crmagg/crmagg/schema"
)

const testKeys = `{"keys": [
	{"key": "vibe_api_full", "scopes": ["crm", "task"]},
	{"key": "vibe_api_crm", "scopes": ["crm"]},
	{"key": "vibe_api_notokens", "scopes": ["crm", "task"], "tokens": false},
	{"key": "vibe_app_dashboard", "scopes": ["crm"]}
]}`

// fixture contains the URLs of two servers. The api server serves the demo
// contacts and a few tasks behind the test keys. The limits server serves a
// small strict entity with a group cap of 2 and no authentication.
type fixture struct {
	api, limits string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	keys, err := httpapi.ParseKeys([]byte(testKeys))
	if err != nil {
		t.Fatal(err)
	}
	tasksSchema, err := schema.Builtin("tasks")
	if err != nil {
		t.Fatal(err)
	}
	tasks := mapsTable(t, tasksSchema, `{"status": 2, "responsibleId": 1}
{"status": 5, "responsibleId": 1}`)
	api, _ := startServer(t, httpapi.Config{
		Entities: []httpapi.Entity{
			{Name: "contacts", Table: contactsTable(t)},
			{Name: "tasks", Table: tasks},
		},
		Auth: keys,
	})

	items := loadSchema(t, "items", `{
		"UF_CRM_KIND": {"type": "string", "isDynamic": true},
		"UF_CRM_N": {"type": "integer", "isDynamic": true}
	}`)
	limits, _ := startServer(t, httpapi.Config{
		Entities: []httpapi.Entity{
			{Name: "items", Table: mapsTable(t, items, `{"UF_CRM_KIND": "a", "UF_CRM_N": 1}
{"UF_CRM_KIND": "b", "UF_CRM_N": "abc"}
{"UF_CRM_KIND": "c", "UF_CRM_N": 3}`)},
			{Name: "broken", Schema: items, Fetch: func(context.Context) (engine.Source, error) {
				return nil, errors.New("the record store at db.internal refused the connection")
			}},
		},
		Options: engine.Options{Strict: true, MaxGroups: 2},
	})
	return fixture{api: api.URL, limits: limits.URL}
}

// chunkedBody hides the length of a body so that the client sends it
// chunked, with no Content-Length.
type chunkedBody struct{ io.Reader }

func TestStatusCodes(t *testing.T) {
	f := newFixture(t)
	tooLarge := `{"filter": {"name": "` + strings.Repeat("x", httpapi.DefaultMaxBodyBytes) + `"}}`
	ok := `{"groupBy": "typeId"}`

	cases := []struct {
		name   string
		server string
		call   call
		status int
		code   string // "" for a success envelope
		allow  string
	}{
		{"aggregate", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_full"}, 200, "", ""},
		{"empty body counts all", f.api, call{path: "/v1/contacts/aggregate", apiKey: "vibe_api_full"}, 200, "", ""},
		{"no content type", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_full", contentType: "-"}, 200, "", ""},
		{"json with charset", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_full", contentType: "application/json; charset=utf-8"}, 200, "", ""},
		{"json upper case", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_full", contentType: "Application/JSON"}, 200, "", ""},
		{"fields", f.api, call{method: "GET", path: "/v1/contacts/fields", apiKey: "vibe_api_full"}, 200, "", ""},
		{"fields head", f.api, call{method: "HEAD", path: "/v1/contacts/fields", apiKey: "vibe_api_full"}, 200, "", ""},
		{"tasks with task scope", f.api, call{path: "/v1/tasks/aggregate", body: `{"groupBy": "status"}`, apiKey: "vibe_api_full"}, 200, "", ""},
		{"app key with bearer", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_app_dashboard", bearer: "session-1"}, 200, "", ""},

		{"invalid params", f.api, call{path: "/v1/contacts/aggregate", body: `{"groupBy": "name"}`, apiKey: "vibe_api_full"}, 400, "INVALID_PARAMS", ""},
		{"body not json", f.api, call{path: "/v1/contacts/aggregate", body: `{"groupBy": `, apiKey: "vibe_api_full"}, 400, "INVALID_PARAMS", ""},
		{"invalid filter operator", f.api, call{path: "/v1/contacts/aggregate", body: `{"filter": {"opened": {"$gt": 1}}}`, apiKey: "vibe_api_full"}, 400, "INVALID_FILTER_OPERATOR", ""},
		{"too many groups", f.limits, call{path: "/v1/items/aggregate", body: `{"groupBy": "UF_CRM_KIND"}`}, 400, "TOO_MANY_GROUPS", ""},
		{"strict unknown key", f.limits, call{path: "/v1/items/aggregate", body: `{"groupby": "UF_CRM_KIND"}`}, 400, "INVALID_PARAMS", ""},
		{"invalid record", f.limits, call{path: "/v1/items/aggregate", body: `{"aggregate": [{"field": "UF_CRM_N", "function": "sum"}]}`}, 500, "INVALID_RECORD", ""},
		{"source failure", f.limits, call{path: "/v1/broken/aggregate", body: `{}`}, 500, "INTERNAL_ERROR", ""},

		{"unknown entity", f.api, call{path: "/v1/leads/aggregate", body: ok, apiKey: "vibe_api_full"}, 404, "ENTITY_NOT_FOUND", ""},
		{"unknown entity fields", f.api, call{method: "GET", path: "/v1/leads/fields"}, 404, "ENTITY_NOT_FOUND", ""},
		{"list endpoint", f.api, call{method: "GET", path: "/v1/contacts", apiKey: "vibe_api_full"}, 404, "NOT_FOUND", ""},
		{"unknown endpoint", f.api, call{path: "/v1/contacts/count", apiKey: "vibe_api_full"}, 404, "NOT_FOUND", ""},
		{"trailing slash", f.api, call{path: "/v1/contacts/aggregate/", apiKey: "vibe_api_full"}, 404, "NOT_FOUND", ""},
		{"empty entity", f.api, call{path: "/v1//aggregate", apiKey: "vibe_api_full"}, 404, "NOT_FOUND", ""},
		{"root", f.api, call{method: "GET", path: "/"}, 404, "NOT_FOUND", ""},
		{"other version", f.api, call{path: "/v2/contacts/aggregate", apiKey: "vibe_api_full"}, 404, "NOT_FOUND", ""},

		{"get aggregate", f.api, call{method: "GET", path: "/v1/contacts/aggregate", apiKey: "vibe_api_full"}, 405, "METHOD_NOT_ALLOWED", "POST"},
		{"put aggregate", f.api, call{method: "PUT", path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_full"}, 405, "METHOD_NOT_ALLOWED", "POST"},
		{"post fields", f.api, call{path: "/v1/contacts/fields", body: ok, apiKey: "vibe_api_full"}, 405, "METHOD_NOT_ALLOWED", "GET, HEAD"},
		{"delete fields", f.api, call{method: "DELETE", path: "/v1/contacts/fields", apiKey: "vibe_api_full"}, 405, "METHOD_NOT_ALLOWED", "GET, HEAD"},

		{"payload too large", f.api, call{path: "/v1/contacts/aggregate", body: tooLarge, apiKey: "vibe_api_full"}, 413, "PAYLOAD_TOO_LARGE", ""},
		{"text plain", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_full", contentType: "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"form", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_full", contentType: "application/x-www-form-urlencoded"}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"json suffix type", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_full", contentType: "application/vnd.api+json"}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"malformed content type", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_full", contentType: "application/json; ="}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},

		{"missing key", f.api, call{path: "/v1/contacts/aggregate", body: ok}, 401, "MISSING_API_KEY", ""},
		{"missing key on fields", f.api, call{method: "GET", path: "/v1/contacts/fields"}, 401, "MISSING_API_KEY", ""},
		{"unknown key", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_nobody"}, 401, "INVALID_API_KEY", ""},
		{"unknown app key", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_app_nobody"}, 401, "INVALID_API_KEY", ""},
		{"prefix of a key", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_ful"}, 401, "INVALID_API_KEY", ""},
		{"app key without bearer", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_app_dashboard"}, 401, "INVALID_APP_KEY", ""},
		{"app key with basic auth", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_app_dashboard",
			header: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}}, 401, "INVALID_APP_KEY", ""},
		{"app key with empty bearer", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_app_dashboard",
			header: http.Header{"Authorization": {"Bearer "}}}, 401, "INVALID_APP_KEY", ""},
		{"token missing", f.api, call{path: "/v1/contacts/aggregate", body: ok, apiKey: "vibe_api_notokens"}, 401, "TOKEN_MISSING", ""},
		{"scope denied", f.api, call{path: "/v1/tasks/aggregate", body: `{}`, apiKey: "vibe_api_crm"}, 403, "SCOPE_DENIED", ""},
		{"scope denied on fields", f.api, call{method: "GET", path: "/v1/tasks/fields", apiKey: "vibe_app_dashboard", bearer: "session-1"}, 403, "SCOPE_DENIED", ""},
	}

	client := &http.Client{Timeout: 30 * time.Second}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.call.do(t, context.Background(), client, tc.server)
			if r.status != tc.status {
				t.Errorf("status %d, want %d; body %s", r.status, tc.status, r.body)
			}
			if got := r.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q, want application/json; charset=utf-8", got)
			}
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if tc.call.method == "HEAD" {
				if len(r.body) != 0 {
					t.Errorf("HEAD returned a body: %s", r.body)
				}
				return
			}
			if tc.code == "" {
				if !r.env.Success || len(r.env.Data) == 0 {
					t.Errorf("want a success envelope, got %s", r.body)
				}
				return
			}
			if r.env.Success || r.env.Error.Code != tc.code || r.env.Error.Message == "" {
				t.Errorf("got %s, want error code %s with a message", r.body, tc.code)
			}
		})
	}
}

func TestPayloadTooLargeChunked(t *testing.T) {
	h, err := httpapi.New(httpapi.Config{
		Entities:     []httpapi.Entity{{Name: "contacts", Table: contactsTable(t)}},
		MaxBodyBytes: 100,
		Logger:       discardLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := newLoopbackServer(t, h)

	for _, size := range []int{100, 101} {
		body := `{"filter": {"name": "` + strings.Repeat("x", size-len(`{"filter": {"name": ""}}`)) + `"}}`
		req, err := http.NewRequest(http.MethodPost, srv+"/v1/contacts/aggregate", chunkedBody{strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if req.ContentLength != -1 && req.ContentLength != 0 {
			t.Fatalf("the request has Content-Length %d; the test needs a chunked body", req.ContentLength)
		}
		want := http.StatusOK
		if size > 100 {
			want = http.StatusRequestEntityTooLarge
		}
		if resp.StatusCode != want {
			t.Errorf("chunked body of %d bytes with a limit of 100: status %d, want %d", size, resp.StatusCode, want)
		}
	}
}

func newLoopbackServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestCheckOrder(t *testing.T) {
	// Each request fails two checks; the earlier check in the order path,
	// method, authentication, content type, size, request must win.
	f := newFixture(t)
	tooLarge := strings.Repeat(" ", httpapi.DefaultMaxBodyBytes+1)
	cases := []struct {
		name string
		call call
		code string
	}{
		{"path before method", call{method: "GET", path: "/v1/contacts/list"}, "NOT_FOUND"},
		{"entity before method", call{method: "GET", path: "/v1/leads/aggregate"}, "ENTITY_NOT_FOUND"},
		{"entity before key", call{path: "/v1/leads/aggregate", body: `{}`}, "ENTITY_NOT_FOUND"},
		{"method before key", call{method: "GET", path: "/v1/contacts/aggregate"}, "METHOD_NOT_ALLOWED"},
		{"key before content type", call{path: "/v1/contacts/aggregate", body: `{}`, contentType: "text/plain"}, "MISSING_API_KEY"},
		{"scope before content type", call{path: "/v1/tasks/aggregate", body: `{}`, apiKey: "vibe_api_crm", contentType: "text/plain"}, "SCOPE_DENIED"},
		{"app key before content type", call{path: "/v1/contacts/aggregate", body: `{}`, apiKey: "vibe_app_dashboard", contentType: "text/plain"}, "INVALID_APP_KEY"},
		{"content type before size", call{path: "/v1/contacts/aggregate", body: tooLarge, apiKey: "vibe_api_full", contentType: "text/plain"}, "UNSUPPORTED_MEDIA_TYPE"},
		{"size before request", call{path: "/v1/contacts/aggregate", body: tooLarge + "{", apiKey: "vibe_api_full"}, "PAYLOAD_TOO_LARGE"},
		{"app key before tokens", call{path: "/v1/contacts/aggregate", body: `{}`, apiKey: "vibe_app_dashboard"}, "INVALID_APP_KEY"},
		{"tokens before scope", call{path: "/v1/tasks/aggregate", body: `{}`, apiKey: "vibe_api_notokens"}, "TOKEN_MISSING"},
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.call.do(t, context.Background(), client, f.api)
			if r.env.Error.Code != tc.code {
				t.Errorf("code %q (status %d), want %s; body %s", r.env.Error.Code, r.status, tc.code, r.body)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	f := newFixture(t)
	client := &http.Client{Timeout: 30 * time.Second}
	cases := []struct {
		call    call
		message string
	}{
		{call{path: "/v1/contacts/aggregate", body: `{"groupBy": "name"}`, apiKey: "vibe_api_full"},
			"groupBy field 'name' is not aggregatable on this entity. Available: typeId, sourceId, assignedById"},
		{call{path: "/v1/leads/aggregate", body: `{}`}, "entity 'leads' is not found. Available: contacts, tasks"},
		{call{path: "/v1/tasks/aggregate", body: `{}`, apiKey: "vibe_api_crm"}, "the API key lacks the 'task' scope that this entity needs"},
		{call{path: "/v1/broken/aggregate", body: `{}`}, "the request failed on the server; the server log has the cause"},
	}
	for _, tc := range cases {
		server := f.api
		if strings.Contains(tc.call.path, "broken") {
			server = f.limits
		}
		r := tc.call.do(t, context.Background(), client, server)
		if r.env.Error.Message != tc.message {
			t.Errorf("%s: message %q, want %q", tc.call.path, r.env.Error.Message, tc.message)
		}
	}
}

func TestAggregateBodyMatchesEngine(t *testing.T) {
	table := contactsTable(t)
	srv, _ := startServer(t, httpapi.Config{Entities: []httpapi.Entity{{Name: "contacts", Table: table}}})
	body := `{"filter": {"assignedById": 1}, "groupBy": "typeId", "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}]}`

	plan, err := engine.Compile(table.Schema(), []byte(body), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.RunTable(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	want := string(engine.AppendResponse(nil, res))

	r := call{path: "/v1/contacts/aggregate", body: body}.do(t, context.Background(), http.DefaultClient, srv.URL)
	if string(r.body) != want {
		t.Errorf("response body differs from the engine's:\n got %s\nwant %s", r.body, want)
	}
	if r.header.Get("Content-Length") != fmt.Sprint(len(want)) {
		t.Errorf("Content-Length %q, want %d", r.header.Get("Content-Length"), len(want))
	}
}

func TestConcurrentClients(t *testing.T) {
	srv, h := startServer(t, httpapi.Config{Entities: []httpapi.Entity{{Name: "contacts", Table: contactsTable(t)}}})
	bodies := []string{
		`{}`,
		`{"groupBy": "typeId"}`,
		`{"groupBy": ["typeId", "sourceId"], "aggregate": [{"field": "UF_CRM_LTV", "function": "avg"}]}`,
		`{"filter": {"assignedById": 1}, "aggregate": [{"field": "UF_CRM_LTV", "function": "max"}]}`,
		`{"groupBy": "name"}`,
	}
	client := &http.Client{Timeout: 60 * time.Second}

	// The expected bodies come from one client, before any concurrency.
	want := make([]string, len(bodies))
	for i, b := range bodies {
		want[i] = string(call{path: "/v1/contacts/aggregate", body: b}.do(t, context.Background(), client, srv.URL).body)
	}

	const clients, perClient = 8, 10
	var wg sync.WaitGroup
	errs := make(chan string, clients*perClient)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				n := (c + i) % len(bodies)
				r := call{path: "/v1/contacts/aggregate", body: bodies[n]}.do(t, context.Background(), client, srv.URL)
				if string(r.body) != want[n] {
					errs <- fmt.Sprintf("client %d, request %s: got %s, want %s", c, bodies[n], r.body, want[n])
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}

	// Four valid bodies compiled once each; the invalid one compiles on
	// every request because failures are not cached.
	st := h.Stats()
	invalidRequests := int64(1 + clients*perClient/len(bodies))
	if st.Compiles != int64(len(bodies)-1)+invalidRequests {
		t.Errorf("Compiles = %d, want %d", st.Compiles, int64(len(bodies)-1)+invalidRequests)
	}
}

// endlessSource yields the same record until its run stops reading. It
// counts the records read and records when it is closed.
type endlessSource struct {
	read     atomic.Int64
	started  chan struct{}
	closed   chan struct{}
	startOne sync.Once
	ctx      context.Context
	ctxDone  atomic.Bool
}

func (s *endlessSource) Next() (map[string]any, error) {
	if s.read.Add(1) == 10_000 {
		s.startOne.Do(func() { close(s.started) })
	}
	return map[string]any{"typeId": "CLIENT"}, nil
}

func (s *endlessSource) Close() error {
	s.ctxDone.Store(s.ctx.Err() != nil)
	close(s.closed)
	return nil
}

func TestClientDisconnectStopsRun(t *testing.T) {
	s, err := schema.Builtin("contacts")
	if err != nil {
		t.Fatal(err)
	}
	src := &endlessSource{started: make(chan struct{}), closed: make(chan struct{})}
	logs := &syncBuffer{}
	srv, _ := startServer(t, httpapi.Config{
		Entities: []httpapi.Entity{{Name: "contacts", Schema: s, Fetch: func(ctx context.Context) (engine.Source, error) {
			src.ctx = ctx
			return src, nil
		}}},
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/contacts/aggregate", strings.NewReader(`{"groupBy": "typeId"}`))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()

	select {
	case <-src.started:
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not start reading records")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("client error %v, want context.Canceled", err)
	}

	select {
	case <-src.closed:
	case <-time.After(20 * time.Second):
		t.Fatal("the run went on after the client disconnected: the source was never closed")
	}
	if !src.ctxDone.Load() {
		t.Error("the source was closed while the request context was still live")
	}
	read := src.read.Load()
	time.Sleep(50 * time.Millisecond)
	if after := src.read.Load(); after != read {
		t.Errorf("records were read after the run stopped: %d, then %d", read, after)
	}
	if !waitFor(func() bool { return strings.Contains(logs.String(), "context canceled") }) {
		t.Errorf("the request log does not record the cancellation:\n%s", logs.String())
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(cond func() bool) bool {
	for range 100 {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}
