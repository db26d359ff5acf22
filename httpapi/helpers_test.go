package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/crmagg/crmagg/demo"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/httpapi"
	"github.com/crmagg/crmagg/schema"
)

// loadDemoTable loads a demo entity as the crmagg command does: the
// built-in standard fields plus the demo portal's user fields.
func loadDemoTable(entity string) (*engine.Table, error) {
	builtin, err := schema.Builtin(entity)
	if err != nil {
		return nil, err
	}
	fields, err := demo.Fields(entity)
	if err != nil {
		return nil, err
	}
	portal, err := schema.Load(entity, fields)
	if err != nil {
		return nil, err
	}
	s, err := builtin.WithUserFields(portal)
	if err != nil {
		return nil, err
	}
	records, err := demo.Records(entity)
	if err != nil {
		return nil, err
	}
	defer records.Close()
	return engine.NewTable(s, engine.NewJSONSource(records), engine.TableOptions{})
}

var demoContacts = sync.OnceValues(func() (*engine.Table, error) { return loadDemoTable("contacts") })

// contactsTable returns the demo contacts, loaded once for all tests.
func contactsTable(tb testing.TB) *engine.Table {
	tb.Helper()
	table, err := demoContacts()
	if err != nil {
		tb.Fatalf("loading the demo contacts: %v", err)
	}
	return table
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// mapsTable builds a table from records written as JSON Lines.
func mapsTable(tb testing.TB, s *schema.Schema, jsonLines string) *engine.Table {
	tb.Helper()
	table, err := engine.NewTable(s, engine.NewJSONSource(strings.NewReader(jsonLines)), engine.TableOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return table
}

func loadSchema(tb testing.TB, entity, fields string) *schema.Schema {
	tb.Helper()
	s, err := schema.Load(entity, []byte(fields))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// startServer serves a new Handler on a loopback port for the test.
func startServer(tb testing.TB, cfg httpapi.Config) (*httptest.Server, *httpapi.Handler) {
	tb.Helper()
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	h, err := httpapi.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv, h
}

// call describes one HTTP request of a test.
type call struct {
	method      string
	path        string
	body        string
	contentType string // "" sends application/json; "-" sends none
	apiKey      string
	bearer      string
	header      http.Header
}

type response struct {
	status int
	header http.Header
	body   []byte
	env    envelope
}

type envelope struct {
	Success bool            `json:"success"`
	Data    json.RawMessage `json:"data"`
	Error   struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (c call) do(tb testing.TB, ctx context.Context, client *http.Client, baseURL string) response {
	tb.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, method, baseURL+c.path, body)
	if err != nil {
		tb.Fatal(err)
	}

	switch c.contentType {
	case "":
		req.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.apiKey != "" {
		req.Header.Set("X-Api-Key", c.apiKey)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for name, values := range c.header {
		req.Header[name] = values
	}

	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, c.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the response: %v", method, c.path, err)
	}

	r := response{status: resp.StatusCode, header: resp.Header, body: data}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &r.env); err != nil {
			tb.Fatalf("%s %s: the response is not a JSON envelope: %v\n%s", method, c.path, err, data)
		}
	}
	return r
}

// syncBuffer is a bytes.Buffer that a logger and a test may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
