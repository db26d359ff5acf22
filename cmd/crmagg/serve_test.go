package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/demo"
	"github.com/crmagg/crmagg/engine"
)

// logBuffer collects the log lines of a running serve and hands over the
// listening address once it is logged.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *logBuffer) add(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, line)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}

var listeningAddr = regexp.MustCompile(`msg=listening addr=(\S+)`)

// runningServer is a serve started by startServe.
type runningServer struct {
	addr   string
	logs   *logBuffer
	cancel context.CancelFunc
	// status receives serve's exit status once it returns.
	status chan int
}

// startServe runs serve with args plus --addr 127.0.0.1:0 in a goroutine
// and waits for its listening log line. The server stops at the end of the
// test unless the test stops it first.
func startServe(t *testing.T, args ...string) *runningServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logR, logW := io.Pipe()
	rs := &runningServer{logs: &logBuffer{}, cancel: cancel, status: make(chan int, 1)}

	addrs := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(logR)
		for scanner.Scan() {
			line := scanner.Text()
			rs.logs.add(line)
			if m := listeningAddr.FindStringSubmatch(line); m != nil {
				addrs <- m[1]
			}
		}
	}()
	go func() {
		status := serve(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), io.Discard, logW)
		logW.Close()
		rs.status <- status
		close(addrs)
	}()

	select {
	case addr, ok := <-addrs:
		if !ok {
			t.Fatalf("serve exited before listening:\n%s", rs.logs)
		}
		rs.addr = addr
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatalf("serve did not log its address:\n%s", rs.logs)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-rs.status:
		case <-time.After(time.Minute):
			t.Error("serve did not stop after its context was cancelled")
		}
	})
	return rs
}

func (rs *runningServer) url(path string) string { return "http://" + rs.addr + path }

// post sends one request and returns the status and the body.
func (rs *runningServer) post(t *testing.T, path, body string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rs.url(path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for name, values := range header {
		req.Header[name] = values
	}
	return do(t, req)
}

func (rs *runningServer) get(t *testing.T, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rs.url(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

// sameRequests run against serve and query; rejected ones included.
var sameRequests = []struct{ entity, body string }{
	{"contacts", `{}`},
	{"contacts", `{"filter": {"assignedById": 1}, "groupBy": "typeId"}`},
	{"contacts", `{"aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}], "groupBy": "UF_CRM_SEGMENT"}`},
	{"contacts", `{"filter": {">=createdAt": "2025-03-01T00:00:00"}, "groupBy": ["typeId", "sourceId"], "aggregate": [{"field": "UF_CRM_LTV", "function": "avg"}, {"field": "UF_CRM_LTV", "function": "max"}]}`},
	{"contacts", `{"groupBy": "createdAt"}`},
	{"contacts", `{"groupBy": "name"}`},
	{"contacts", `{"filter": {"opened": {"$gt": 1}}}`},
	{"contacts", `{"groupby": "typeId"}`},
	{"deals", `{"groupBy": "stageId", "aggregate": [{"field": "amount", "function": "sum"}, {"field": "amount", "function": "avg"}]}`},
	{"deals", `{"filter": {"$or": [{"stageSemanticId": "S"}, {">amount": 100000}]}, "groupBy": "categoryId"}`},
	{"tasks", `{"groupBy": ["status", "priority"], "aggregate": [{"field": "timeEstimate", "function": "sum"}]}`},
}

// checkSameAsQuery posts each request to the server and compares the
// bytes with crmagg query run with the same flags.
func checkSameAsQuery(t *testing.T, rs *runningServer, flags ...string) {
	t.Helper()
	for _, r := range sameRequests {
		var stdout, stderr bytes.Buffer
		args := append(append([]string{"query", "--entity", r.entity}, flags...), r.body)
		status := run(args, strings.NewReader(""), &stdout, &stderr)
		httpStatus, body := rs.post(t, "/v1/"+r.entity+"/aggregate", r.body, nil)

		// In strict mode query fails on an invalid stored value with exit
		// status 1; serve responds 500 INVALID_RECORD with the same text.
		if invalid, ok := strings.CutPrefix(stderr.String(), "crmagg query: strict mode: "); ok && status == exitInput {
			want := string(engine.AppendErrorResponse(nil, apierr.New(apierr.InvalidRecord, strings.TrimSuffix(invalid, "\n"))))
			if httpStatus != http.StatusInternalServerError || body != want {
				t.Errorf("%s %s with flags %v: status %d, body %s; want 500 %s", r.entity, r.body, flags, httpStatus, body, want)
			}
			continue
		}
		if status != exitOK && status != exitRejected {
			t.Fatalf("query %v: status %d, stderr %s", args, status, stderr.String())
		}
		if body != stdout.String() {
			t.Errorf("%s %s with flags %v:\nserve %s\nquery %s", r.entity, r.body, flags, body, stdout.String())
		}
		if (status == exitOK) != (httpStatus == http.StatusOK) {
			t.Errorf("%s %s: HTTP status %d, query exit status %d", r.entity, r.body, httpStatus, status)
		}
	}
}

func TestServeDemoEndToEnd(t *testing.T) {
	rs := startServe(t)
	if !strings.Contains(rs.logs.String(), "every request is accepted without an API key") {
		t.Errorf("serve without --keys did not log that it accepts every request:\n%s", rs.logs)
	}

	status, body := rs.get(t, "/healthz")
	want := `{"status":"ok","entities":{"contacts":20000,"deals":20000,"tasks":20000}}` + "\n"
	if status != http.StatusOK || body != want {
		t.Errorf("/healthz: status %d, body %s; want 200 %s", status, body, want)
	}

	status, body = rs.get(t, "/v1/deals/fields")
	demoFields, err := demo.Fields("deals")
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK || strings.TrimSpace(body) != strings.TrimSpace(string(demoFields)) {
		t.Errorf("/v1/deals/fields: status %d; the body is not the demo fields body:\n%.300s", status, body)
	}

	checkSameAsQuery(t, rs)

	status, body = rs.post(t, "/v1/leads/aggregate", `{}`, nil)
	if status != http.StatusNotFound || !strings.Contains(body, "ENTITY_NOT_FOUND") {
		t.Errorf("unknown entity: status %d, body %s", status, body)
	}
	status, _ = rs.post(t, "/healthz", `{}`, nil)
	if status != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: status %d, want 405", status)
	}
	if !strings.Contains(rs.logs.String(), "msg=request") {
		t.Errorf("requests are not logged:\n%s", rs.logs)
	}

	checkGracefulShutdown(t, rs)
}

// checkGracefulShutdown stops the server while a request is still sending
// its body, and checks that the request gets its response before serve returns.
func checkGracefulShutdown(t *testing.T, rs *runningServer) {
	t.Helper()
	conn, err := net.Dial("tcp", rs.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"groupBy": "typeId"}`
	fmt.Fprintf(conn, "POST /v1/contacts/aggregate HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		rs.addr, len(body), body[:5])
	time.Sleep(200 * time.Millisecond) // let the server read the headers

	rs.cancel()
	select {
	case status := <-rs.status:
		t.Fatalf("serve returned %d with a request in flight", status)
	case <-time.After(300 * time.Millisecond):
	}

	if _, err := io.WriteString(conn, body[5:]); err != nil {
		t.Fatalf("finishing the request during shutdown: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response during shutdown: %v", err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(data), `"groups":[`) {
		t.Errorf("request in flight during shutdown: status %d, body %s", resp.StatusCode, data)
	}

	select {
	case status := <-rs.status:
		if status != exitOK {
			t.Errorf("serve exit status %d after shutdown, want 0", status)
		}
		rs.status <- status // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after the last request finished")
	}
	if !strings.Contains(rs.logs.String(), "msg=stopped") {
		t.Errorf("serve did not log its stop:\n%s", rs.logs)
	}
	if c, err := net.DialTimeout("tcp", rs.addr, time.Second); err == nil {
		c.Close()
		t.Error("the server still accepts connections after shutdown")
	}
}

func TestServeFlagsMatchQuery(t *testing.T) {
	flags := []string{"--limit", "100", "--tz", "Europe/Moscow", "--strict"}
	rs := startServe(t, flags...)
	checkSameAsQuery(t, rs, flags...)
}

// writePortal writes a portal directory with a contacts entity in JSON
// Lines and a widgets entity as a JSON array.
func writePortal(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"contacts/fields.json": `{"success": true, "data": {
			"typeId": {"type": "crm_status", "title": "Type"},
			"UF_CRM_SCORE": {"type": "integer", "isDynamic": true, "title": "Score"}}}`,
		"contacts/records.jsonl": `{"typeId": "CLIENT", "UF_CRM_SCORE": 5}
{"typeId": "CLIENT", "UF_CRM_SCORE": "7"}
{"typeId": "PARTNER", "UF_CRM_SCORE": "abc"}
`,
		"widgets/fields.json":  `{"color": {"type": "string"}, "UF_SIZE": {"type": "double", "isDynamic": true}}`,
		"widgets/records.json": `[{"color": "red", "UF_SIZE": 1.5}, {"color": "blue", "UF_SIZE": "2.25"}]`,
		"notes/README.txt":     "not an entity",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestServeDataDirWithKeys(t *testing.T) {
	dir := writePortal(t)
	keysPath := filepath.Join(t.TempDir(), "keys.json")
	keys := `{"keys": [{"key": "vibe_api_test", "scopes": ["crm"]}, {"key": "vibe_app_test", "scopes": ["crm"]}]}`
	if err := os.WriteFile(keysPath, []byte(keys), 0o600); err != nil {
		t.Fatal(err)
	}
	rs := startServe(t, "--data", dir, "--keys", keysPath, "--max-body", "200")

	status, body := rs.get(t, "/healthz")
	if want := `{"status":"ok","entities":{"contacts":3,"widgets":2}}` + "\n"; body != want {
		t.Errorf("/healthz: status %d, body %s; want %s", status, body, want)
	}

	key := http.Header{"X-Api-Key": {"vibe_api_test"}}
	cases := []struct {
		path, body string
		header     http.Header
		status     int
		contains   string
	}{
		{"/v1/contacts/aggregate", `{"groupBy": "typeId", "aggregate": [{"field": "UF_CRM_SCORE", "function": "sum"}]}`, key, 200,
			`"groups":[{"typeId":"CLIENT","count":2,"aggregates":{"UF_CRM_SCORE":{"sum":12}}},{"typeId":"PARTNER","count":1,"aggregates":{"UF_CRM_SCORE":{"sum":0}}}]`},
		{"/v1/widgets/aggregate", `{"aggregate": [{"field": "UF_SIZE", "function": "sum"}]}`, key, 200, `"aggregates":{"UF_SIZE":{"sum":3.75}}`},
		{"/v1/contacts/aggregate", `{}`, nil, 401, "MISSING_API_KEY"},
		{"/v1/contacts/aggregate", `{}`, http.Header{"X-Api-Key": {"vibe_api_other"}}, 401, "INVALID_API_KEY"},
		{"/v1/contacts/aggregate", `{}`, http.Header{"X-Api-Key": {"vibe_app_test"}}, 401, "INVALID_APP_KEY"},
		{"/v1/contacts/aggregate", `{"filter": {"typeId": "` + strings.Repeat("x", 200) + `"}}`, key, 413, "PAYLOAD_TOO_LARGE"},
		{"/v1/notes/aggregate", `{}`, key, 404, "ENTITY_NOT_FOUND"},
	}
	for _, tc := range cases {
		status, body := rs.post(t, tc.path, tc.body, tc.header)
		if status != tc.status || !strings.Contains(body, tc.contains) {
			t.Errorf("%s %s: status %d, body %s; want %d with %s", tc.path, tc.body, status, body, tc.status, tc.contains)
		}
	}

	req, _ := http.NewRequest(http.MethodGet, rs.url("/v1/widgets/fields"), nil)
	req.Header.Set("X-Api-Key", "vibe_api_test")
	status, body = do(t, req)
	var fields struct {
		Success bool                       `json:"success"`
		Data    map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &fields); err != nil || status != 200 || !fields.Success || len(fields.Data) != 2 {
		t.Errorf("/v1/widgets/fields of a bare fields file: status %d, body %s", status, body)
	}

	if strings.Contains(rs.logs.String(), "vibe_api_test") {
		t.Errorf("the log contains an API key:\n%s", rs.logs)
	}
}

func TestServeStartErrors(t *testing.T) {
	portal := writePortal(t)
	noRecords := t.TempDir()
	os.MkdirAll(filepath.Join(noRecords, "contacts"), 0o755)
	os.WriteFile(filepath.Join(noRecords, "contacts", "fields.json"), []byte(`{}`), 0o644)
	twoRecords := writePortal(t)
	os.WriteFile(filepath.Join(twoRecords, "widgets", "records.jsonl"), nil, 0o644)
	badRecords := writePortal(t)
	os.WriteFile(filepath.Join(badRecords, "widgets", "records.json"), []byte(`[{"color": "red"}, 5]`), 0o644)
	badKeys := filepath.Join(t.TempDir(), "keys.json")
	os.WriteFile(badKeys, []byte(`{"keys": [{"key": "k", "scope": ["crm"]}]}`), 0o600)

	// An occupied port makes the listener fail.
	occupied, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer occupied.Close()

	cases := []struct {
		name    string
		args    []string
		status  int
		message string
	}{
		{"unknown flag", []string{"--port", "1"}, exitUsage, "flag provided but not defined"},
		{"argument", []string{"{}"}, exitUsage, "unexpected argument"},
		{"negative limit", []string{"--limit", "-1"}, exitUsage, "invalid --limit"},
		{"zero max body", []string{"--max-body", "0"}, exitUsage, "invalid --max-body"},
		{"negative cache", []string{"--cache", "-1"}, exitUsage, "invalid --cache"},
		{"bad zone", []string{"--tz", "Mars/Olympus"}, exitUsage, "invalid --tz"},
		{"local zone", []string{"--tz", "Local"}, exitUsage, "invalid --tz"},
		{"missing data dir", []string{"--data", filepath.Join(portal, "missing")}, exitInput, "no such file"},
		{"empty data dir", []string{"--data", t.TempDir()}, exitInput, "no entity found"},
		{"no records", []string{"--data", noRecords}, exitInput, "no records.jsonl or records.json"},
		{"two record files", []string{"--data", twoRecords}, exitInput, "both records.jsonl and records.json"},
		{"bad records", []string{"--data", badRecords}, exitInput, "records.json: record 1"},
		{"missing keys", []string{"--data", portal, "--keys", filepath.Join(portal, "keys.json")}, exitInput, "no such file"},
		{"bad keys", []string{"--data", portal, "--keys", badKeys}, exitInput, `unknown field \"scope\"`},
		{"port in use", []string{"--data", portal, "--addr", occupied.Addr().String()}, exitInput, "address already in use"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The context is already cancelled, so that a case that
			// starts by mistake stops at once instead of hanging.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var stderr bytes.Buffer
			status := serve(ctx, append([]string{"--addr", "127.0.0.1:0"}, tc.args...), io.Discard, &stderr)
			if status != tc.status {
				t.Errorf("status %d, want %d; stderr %s", status, tc.status, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.message) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.message)
			}
		})
	}
}

func TestServeHelp(t *testing.T) {
	r := runCLI(t, "", "serve", "-h")
	if r.status != exitOK || !strings.Contains(r.stdout, "Usage: crmagg serve") || !strings.Contains(r.stdout, "-max-body") {
		t.Errorf("serve -h: status %d, stdout %s", r.status, r.stdout)
	}
	top := runCLI(t, "", "help")
	if !strings.Contains(top.stdout, "crmagg serve") {
		t.Errorf("crmagg help does not list serve:\n%s", top.stdout)
	}
}
