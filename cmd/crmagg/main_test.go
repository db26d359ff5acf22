package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type cliResult struct {
	status         int
	stdout, stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(args, strings.NewReader(stdin), &stdout, &stderr)
	return cliResult{status: status, stdout: stdout.String(), stderr: stderr.String()}
}

type envelope struct {
	Success bool `json:"success"`
	Data    struct {
		Count      int64                             `json:"count"`
		Aggregates map[string]map[string]json.Number `json:"aggregates"`
		Groups     []map[string]any                  `json:"groups"`
		Meta       map[string]any                    `json:"meta"`
	} `json:"data"`
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func decodeEnvelope(t *testing.T, out string) envelope {
	t.Helper()
	var env envelope
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("stdout is not one JSON envelope: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", out)
	}
	return env
}

func TestQueryDemoDocumentedRequests(t *testing.T) {
	// The requests of the endpoint's documentation, on the demo portal.
	all := runCLI(t, "", "query", "{}")
	if all.status != exitOK {
		t.Fatalf("{}: status %d, stderr %s", all.status, all.stderr)
	}
	env := decodeEnvelope(t, all.stdout)
	if env.Data.Count != 20000 || env.Data.Meta["recordsProcessed"] != json.Number("0") {
		t.Errorf("{} on the demo contacts: count %d, meta %v; want 20000 and nothing processed", env.Data.Count, env.Data.Meta)
	}

	main := runCLI(t, "", "query", `{"filter": {"assignedById": 1}, "groupBy": "typeId"}`)
	env = decodeEnvelope(t, main.stdout)
	if main.status != exitOK || env.Data.Count == 0 || len(env.Data.Groups) == 0 {
		t.Fatalf("main example: status %d, %s", main.status, main.stdout)
	}
	var sum int64
	for _, g := range env.Data.Groups {
		n, _ := g["count"].(json.Number).Int64()
		sum += n
	}
	processed, _ := env.Data.Meta["recordsProcessed"].(json.Number).Int64()
	if sum != processed {
		t.Errorf("group counts add up to %d, recordsProcessed is %d", sum, processed)
	}

	uf := runCLI(t, "", "query", `{"aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}], "groupBy": "UF_CRM_SEGMENT"}`)
	env = decodeEnvelope(t, uf.stdout)
	if uf.status != exitOK || env.Data.Aggregates["UF_CRM_LTV"]["sum"] == "" {
		t.Errorf("UF example: status %d, %s", uf.status, uf.stdout)
	}

	multi := runCLI(t, "", "query", `{"groupBy": ["typeId", "sourceId"]}`)
	if multi.status != exitOK {
		t.Errorf("groupBy array: status %d, %s", multi.status, multi.stderr)
	}

	bad := runCLI(t, "", "query", `{"groupBy": "name"}`)
	env = decodeEnvelope(t, bad.stdout)
	want := "groupBy field 'name' is not aggregatable on this entity. Available: typeId, sourceId, assignedById"
	if bad.status != exitRejected || env.Success || env.Error.Code != "INVALID_PARAMS" || env.Error.Message != want {
		t.Errorf("error example: status %d, %s", bad.status, bad.stdout)
	}
}

func TestQueryDemoEntities(t *testing.T) {
	for _, tt := range []struct{ entity, request string }{
		{"deals", `{"groupBy": "stageId", "aggregate": [{"field": "amount", "function": "sum"}, {"field": "UF_CRM_MARGIN", "function": "avg"}]}`},
		{"deals", `{"groupBy": "UF_CRM_REGION"}`},
		{"tasks", `{"groupBy": "responsibleId", "aggregate": [{"field": "UF_CRM_COST", "function": "max"}, {"field": "timeEstimate", "function": "sum"}]}`},
		{"tasks", `{"groupBy": "UF_CRM_BILLABLE"}`},
		{"contacts", `{"groupBy": ["UF_CRM_TIER", "UF_CRM_VIP"], "aggregate": [{"field": "UF_CRM_SCORE", "function": "avg"}, {"field": "UF_CRM_ORDERS", "function": "sum"}, {"field": "UF_CRM_1700000000", "function": "min"}]}`},
		{"contacts", `{"groupBy": "UF_CRM_TAGS", "filter": {"UF_CRM_FIRST_ORDER": {"$gte": "2025-01-01"}}}`},
	} {
		res := runCLI(t, "", "query", "--entity", tt.entity, tt.request)
		env := decodeEnvelope(t, res.stdout)
		if res.status != exitOK || !env.Success || len(env.Data.Groups) == 0 {
			t.Errorf("%s %s: status %d\n%s%s", tt.entity, tt.request, res.status, res.stdout, res.stderr)
		}
	}
}

func TestQueryRecordsFromStdin(t *testing.T) {
	records := `{"id": 1, "typeId": "CLIENT", "assignedById": 1}
{"id": 2, "typeId": "CLIENT", "assignedById": "1"}
{"id": 3, "typeId": "PARTNER", "assignedById": 2}
`
	res := runCLI(t, records, "query", `{"filter": {"assignedById": 1}, "groupBy": "typeId"}`, "--records", "-")
	want := `{"success":true,"data":{"count":2,"aggregates":{},"groups":[{"typeId":"CLIENT","count":2,"aggregates":{}}],` +
		`"meta":{"totalRecords":2,"recordsProcessed":2,"truncated":false,"groupTotal":1,"groupsTruncated":false}}}` + "\n"
	if res.status != exitOK || res.stdout != want {
		t.Errorf("status %d\n got %s\nwant %s%s", res.status, res.stdout, want, res.stderr)
	}

	envelopeInput := `{"success": true, "data": [{"typeId": "A"}, {"typeId": "B"}], "total": 2}`
	res = runCLI(t, envelopeInput, "query", "--records", "-")
	if env := decodeEnvelope(t, res.stdout); env.Data.Count != 2 {
		t.Errorf("list envelope on stdin: %s", res.stdout)
	}
}

func TestQueryUnknownUFWithoutFields(t *testing.T) {
	res := runCLI(t, `{"typeId": "A"}`, "query", "--records", "-", `{"groupBy": "UF_CRM_LTV"}`)
	env := decodeEnvelope(t, res.stdout)
	if res.status != exitRejected || !strings.Contains(env.Error.Message, "pass --fields") {
		t.Errorf("status %d, %s", res.status, res.stdout)
	}
}

func TestQueryFieldsFile(t *testing.T) {
	dir := t.TempDir()
	fields := filepath.Join(dir, "fields.json")
	records := filepath.Join(dir, "records.json")
	request := filepath.Join(dir, "request.json")
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(fields, `{"success": true, "data": {"typeId": {"type": "crm_status"}, "UF_CRM_LTV": {"type": "money", "isDynamic": true}}}`)
	write(records, `[{"typeId": "A", "ufCrmLtv": "10.5|RUB"}, {"typeId": "A", "UF_CRM_LTV": "1|USD"}]`)
	write(request, `{"aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}]}`)

	res := runCLI(t, "", "query", "--fields", fields, "--records", records, "--request", request, "--pretty")
	if res.status != exitOK || !strings.Contains(res.stdout, "\"sum\": 11.5") || !strings.HasPrefix(res.stdout, "{\n  \"success\": true,") {
		t.Errorf("status %d\n%s%s", res.status, res.stdout, res.stderr)
	}

	// --fields with no --records reads the demo records with that schema.
	res = runCLI(t, "", "query", "--fields", fields, `{"aggregate": [{"field": "UF_CRM_LTV", "function": "count"}]}`)
	env := decodeEnvelope(t, res.stdout)
	if res.status != exitOK || env.Data.Count != 20000 {
		t.Errorf("fields over demo records: status %d, %s", res.status, res.stdout)
	}

	// Another entity is accepted with --fields and --records.
	res = runCLI(t, "", "query", "--entity", "leads", "--fields", fields, "--records", records, `{"groupBy": "UF_CRM_LTV"}`)
	if res.status != exitOK {
		t.Errorf("entity leads: status %d, %s%s", res.status, res.stdout, res.stderr)
	}
	res = runCLI(t, "", "query", "--entity", "leads", "--fields", fields, "--records", records, `{"groupBy": "typeId"}`)
	if res.status != exitRejected {
		t.Errorf("standard field of another entity must be filter-only: status %d, %s", res.status, res.stdout)
	}
}

func TestQueryExitStatuses(t *testing.T) {
	dir := t.TempDir()
	badRecords := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(badRecords, []byte("{\"typeId\": \"A\"}\n{oops}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badFields := filepath.Join(dir, "fields.json")
	if err := os.WriteFile(badFields, []byte(`{"x": {"title": "no type"}}`), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		stdin  string
		args   []string
		status int
		stderr string
	}{
		{"no command", "", nil, exitUsage, "Usage"},
		{"unknown command", "", []string{"serve2"}, exitUsage, "unknown command"},
		{"unknown flag", "", []string{"query", "--bogus"}, exitUsage, "-bogus"},
		{"unknown entity", "", []string{"query", "--entity", "leads"}, exitUsage, `unknown entity "leads"`},
		{"invalid tz", "", []string{"query", "--tz", "Mars/Base"}, exitUsage, `invalid --tz "Mars/Base"`},
		{"second request", "", []string{"query", "{}", "--pretty", "{}"}, exitUsage, "more than one request"},
		{"request twice", "", []string{"query", "{}", "--request", "x.json"}, exitUsage, "both a request argument"},
		{"negative limit", "", []string{"query", "--limit", "-1"}, exitUsage, "invalid --limit -1"},
		{"stdin twice", "", []string{"query", "--records", "-", "--request", "-"}, exitUsage, "both read stdin"},
		{"malformed records", "", []string{"query", "--records", badRecords}, exitInput, "record 1: invalid JSON"},
		{"missing records file", "", []string{"query", "--records", filepath.Join(dir, "none")}, exitInput, "no such file"},
		{"bad fields file", "", []string{"query", "--fields", badFields}, exitInput, `field 'x'`},
		{"strict invalid value", `{"UF_X": 1}` + "\n" + `{"typeId": ["A", "B"]}`, []string{"query", "--strict", "--records", "-", `{"groupBy": "typeId"}`}, exitInput, "record 1: invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, tt.stdin, tt.args...)
			if res.status != tt.status {
				t.Errorf("status = %d, want %d (stderr %q)", res.status, tt.status, res.stderr)
			}
			if res.stdout != "" {
				t.Errorf("stdout = %q, want nothing", res.stdout)
			}
			if !strings.Contains(res.stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", res.stderr, tt.stderr)
			}
			if tt.status != exitUsage || tt.name != "no command" {
				if lines := strings.Count(strings.TrimSpace(res.stderr), "\n"); lines > 0 {
					t.Errorf("stderr holds %d lines, want one message: %q", lines+1, res.stderr)
				}
			}
		})
	}
}

func TestQueryOptions(t *testing.T) {
	records := `{"UF_X": 1}
{"seen": "2026-01-01T00:30:00Z"}
`
	res := runCLI(t, records, "query", "--limit", "1", "--records", "-", `{"groupBy": "assignedById"}`)
	env := decodeEnvelope(t, res.stdout)
	if env.Data.Meta["truncated"] != true || env.Data.Meta["recordsProcessed"] != json.Number("1") {
		t.Errorf("--limit 1: %s", res.stdout)
	}
	res = runCLI(t, records, "query", "--limit", "0", "--records", "-", `{"groupBy": "assignedById"}`)
	env = decodeEnvelope(t, res.stdout)
	if env.Data.Meta["truncated"] != false || env.Data.Meta["recordsProcessed"] != json.Number("2") {
		t.Errorf("--limit 0: %s", res.stdout)
	}
	res = runCLI(t, "", "query", "--strict", `{"groupBy": "typeId", "limit": 3}`)
	if res.status != exitRejected || !strings.Contains(res.stdout, "unknown request key 'limit'") {
		t.Errorf("--strict unknown key: %d %s", res.status, res.stdout)
	}
}

func TestQueryTimeZone(t *testing.T) {
	fields := filepath.Join(t.TempDir(), "fields.json")
	if err := os.WriteFile(fields, []byte(`{"UF_CRM_SEEN": {"type": "datetime", "isDynamic": true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	records := `{"UF_CRM_SEEN": "2026-01-01T00:30:00Z"}` + "\n" + `{"UF_CRM_SEEN": "2026-01-01T03:30:00+03:00"}` + "\n"
	res := runCLI(t, records, "query", "--tz", "Europe/Moscow", "--fields", fields, "--records", "-", `{"groupBy": "UF_CRM_SEEN"}`)
	if !strings.Contains(res.stdout, `{"UF_CRM_SEEN":"2026-01-01T03:30:00+03:00","count":2`) {
		t.Errorf("datetime group in Europe/Moscow: %s%s", res.stdout, res.stderr)
	}
}
