package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
	"github.com/shopspring/decimal"
)

// testCase is one end-to-end case: a schema, records, a request, options
// and the expected outcome. The format is described in
// testdata/conformance/README.md.
type testCase struct {
	ID      string          `json:"id"`
	Schema  json.RawMessage `json:"schema"`
	Entity  string          `json:"entity"`
	Records json.RawMessage `json:"records"`
	Request json.RawMessage `json:"request"`
	Options struct {
		Limit      *int   `json:"limit"`
		Strict     bool   `json:"strict"`
		TZ         string `json:"tz"`
		GroupLimit int    `json:"groupLimit"`
		MaxGroups  int    `json:"maxGroups"`
		AvgPlaces  int    `json:"avgPlaces"`
	} `json:"options"`
	Expect json.RawMessage `json:"expect"`
	Note   string          `json:"note"`
}

// knownFailures lists cases that are expected to fail, with the reason.
var knownFailures = map[string]string{}

func loadCases(t *testing.T, pattern string) []testCase {
	t.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil || len(paths) == 0 {
		t.Fatalf("no case files match %s (err %v)", pattern, err)
	}
	var cases []testCase
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
		line := 0
		for sc.Scan() {
			line++
			text := bytes.TrimSpace(sc.Bytes())
			if len(text) == 0 {
				continue
			}
			var c testCase
			if err := json.Unmarshal(text, &c); err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			if c.ID == "" {
				t.Fatalf("%s:%d: case without an id", path, line)
			}
			cases = append(cases, c)
		}
	}
	return cases
}

func TestConformanceCases(t *testing.T) {
	runCases(t, loadCases(t, "../testdata/conformance/*.jsonl"))
}

func TestEndToEndCases(t *testing.T) {
	runCases(t, loadCases(t, "../testdata/cases/*.jsonl"))
}

func runCases(t *testing.T, cases []testCase) {
	seen := make(map[string]bool)
	for _, c := range cases {
		if seen[c.ID] {
			t.Errorf("case id %s appears twice", c.ID)
		}
		seen[c.ID] = true
		t.Run(c.ID, func(t *testing.T) {
			if reason, ok := knownFailures[c.ID]; ok {
				t.Skip("known failure: " + reason)
			}
			runCase(t, c)
		})
	}
}

func caseSchema(t *testing.T, c testCase) (*schema.Schema, error) {
	t.Helper()
	entity := c.Entity
	if entity == "" {
		entity = "contacts"
	}
	if len(c.Schema) > 0 {
		return schema.Load(entity, c.Schema)
	}
	s, err := schema.Builtin(entity)
	if err != nil {
		t.Fatalf("case names no schema and entity %q has no built-in one: %v", entity, err)
	}
	return s, nil
}

func caseOptions(t *testing.T, c testCase) engine.Options {
	t.Helper()
	opts := engine.Options{
		Strict:     c.Options.Strict,
		GroupLimit: c.Options.GroupLimit,
		MaxGroups:  c.Options.MaxGroups,
		AvgPlaces:  c.Options.AvgPlaces,
	}
	if c.Options.Limit != nil {
		opts.RecordLimit = *c.Options.Limit
		if *c.Options.Limit == 0 {
			opts.RecordLimit = -1
		}
	}
	if c.Options.TZ != "" {
		loc, err := time.LoadLocation(c.Options.TZ)
		if err != nil {
			t.Fatalf("invalid tz in case: %v", err)
		}
		opts.Location = loc
	}
	return opts
}

type expectation struct {
	Success *bool `json:"success"`
	Error   *struct {
		Code            string   `json:"code"`
		MessageContains []string `json:"messageContains"`
	} `json:"error"`
	InputError *struct {
		MessageContains []string `json:"messageContains"`
	} `json:"inputError"`
	DataError *struct {
		MessageContains []string `json:"messageContains"`
		Position        int64    `json:"position"`
	} `json:"dataError"`
}

func runCase(t *testing.T, c testCase) {
	var want expectation
	if err := json.Unmarshal(c.Expect, &want); err != nil {
		t.Fatalf("invalid expect: %v", err)
	}

	out, err := executeCase(t, c)

	switch {
	case want.InputError != nil:
		if err == nil || !(errors.Is(err, engine.ErrInput) || isLoadError(err)) {
			t.Fatalf("got error %v, output %s; want an input error", err, out)
		}
		checkContains(t, err.Error(), want.InputError.MessageContains)
	case want.DataError != nil:
		var de *engine.DataError
		if !errors.As(err, &de) {
			t.Fatalf("got error %v, output %s; want a data error", err, out)
		}
		if de.Position != want.DataError.Position {
			t.Errorf("data error position = %d, want %d", de.Position, want.DataError.Position)
		}
		checkContains(t, err.Error(), want.DataError.MessageContains)
	case want.Success != nil && !*want.Success:
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		var got struct {
			Success bool `json:"success"`
			Error   struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		if got.Success || got.Error.Code != want.Error.Code {
			t.Fatalf("got %s, want error code %s", out, want.Error.Code)
		}
		checkContains(t, got.Error.Message, want.Error.MessageContains)
	default:
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		checkPlainNumbers(t, out)
		var got, wantDoc any
		decodeExact(t, out, &got)
		decodeExact(t, c.Expect, &wantDoc)
		if diff := matchJSON("", wantDoc, got); diff != "" {
			t.Errorf("%s\ngot  %s\nwant %s", diff, out, c.Expect)
		}
	}
}

func isLoadError(err error) bool {
	var le *schema.LoadError
	return errors.As(err, &le)
}

// executeCase returns the response envelope, or the error that ended the
// run before a response (an input, load or data error).
func executeCase(t *testing.T, c testCase) ([]byte, error) {
	t.Helper()
	s, err := caseSchema(t, c)
	if err != nil {
		return nil, err
	}
	opts := caseOptions(t, c)

	plan, err := engine.Compile(s, c.Request, opts)
	if err != nil {
		e := apierr.As(err)
		if e == nil {
			return nil, err
		}
		return engine.AppendErrorResponse(nil, e), nil
	}
	records := c.Records
	if len(records) == 0 {
		records = []byte("[]")
	}
	res, err := plan.Run(context.Background(), engine.NewJSONSource(bytes.NewReader(records)))
	out, err := envelopeOf(res, err)

	// The prepared table must give the same bytes, or the same error.
	tableOut, tableErr := runOnTable(t, s, plan, opts, records)
	if (err == nil) != (tableErr == nil) || string(out) != string(tableOut) {
		t.Errorf("table run differs from the stream run:\nstream %s %v\ntable  %s %v", out, err, tableOut, tableErr)
	}
	var de, tde *engine.DataError
	if errors.As(err, &de) && (!errors.As(tableErr, &tde) || de.Position != tde.Position || de.Field != tde.Field) {
		t.Errorf("table data error %v, stream data error %v", tableErr, err)
	}
	return out, err
}

func envelopeOf(res *engine.Result, err error) ([]byte, error) {
	if err != nil {
		if e := apierr.As(err); e != nil {
			return engine.AppendErrorResponse(nil, e), nil
		}
		return nil, err
	}
	return engine.AppendResponse(nil, res), nil
}

func runOnTable(t *testing.T, s *schema.Schema, plan *engine.Plan, opts engine.Options, records []byte) ([]byte, error) {
	t.Helper()
	table, err := engine.NewTable(s, engine.NewJSONSource(bytes.NewReader(records)),
		engine.TableOptions{Location: opts.Location, MaxExponent: opts.MaxExponent})
	if err != nil {
		return nil, err
	}
	return envelopeOf(plan.RunTable(context.Background(), table))
}

func checkContains(t *testing.T, msg string, parts []string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("message %q does not contain %q", msg, p)
		}
	}
}

// checkPlainNumbers fails on numbers written with an exponent, with
// trailing fractional zeros or as -0.
func checkPlainNumbers(t *testing.T, out []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		n, ok := tok.(json.Number)
		if !ok {
			continue
		}
		s := string(n)
		if strings.ContainsAny(s, "eE") || (strings.Contains(s, ".") && strings.HasSuffix(s, "0")) || s == "-0" {
			t.Errorf("number %s is not in plain canonical notation", s)
		}
	}
}

func decodeExact(t *testing.T, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, data)
	}
}

// matchJSON reports the first place where got differs from want. Objects
// in want must have each of their keys in got with a matching value; arrays
// match element by element; numbers compare as exact decimals.
func matchJSON(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %v, want an object", path, got)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s/%s: missing", path, k)
			}
			if d := matchJSON(path+"/"+k, wv, gv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: got %v, want %d elements", path, got, len(w))
		}
		for i := range w {
			if d := matchJSON(fmt.Sprintf("%s/%d", path, i), w[i], g[i]); d != "" {
				return d
			}
		}
		return ""
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return fmt.Sprintf("%s: got %v, want number %s", path, got, w)
		}
		wd, err1 := decimal.NewFromString(string(w))
		gd, err2 := decimal.NewFromString(string(g))
		if err1 != nil || err2 != nil || !wd.Equal(gd) {
			return fmt.Sprintf("%s: got %s, want %s", path, g, w)
		}
		return ""
	default:
		if want != got {
			return fmt.Sprintf("%s: got %#v, want %#v", path, got, want)
		}
		return ""
	}
}
