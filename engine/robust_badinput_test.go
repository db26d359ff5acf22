package engine_test

// The bad-input catalogue: testdata/badinput/*.jsonl holds end-to-end cases
// in the format of testdata/cases (testdata/conformance/README.md), run by
// the same runCase, so each one goes through the stream and the table
// paths. Two fields are added for input that no JSON value can express:
//
//   - "requestText": the request body as raw text, used instead of
//     "request".
//   - "recordsText": the record stream as raw text, used instead of
//     "records".
//
// In both, \xNN stands for the byte NN (written \\xNN in the JSONL file),
// so that invalid UTF-8 and control bytes can be written down, and
// <<repeat N|TEXT>> stands for TEXT written N times, so that deep nesting
// and huge values stay one short line.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

type badCase struct {
	testCase
	RequestText *string `json:"requestText"`
	RecordsText *string `json:"recordsText"`
}

var (
	badRepeat = regexp.MustCompile(`<<repeat ([0-9]+)\|(.*?)>>`)
	badByte   = regexp.MustCompile(`\\x[0-9a-fA-F]{2}`)
)

// expandBadText applies the \xNN and <<repeat N|TEXT>> notations.
func expandBadText(t *testing.T, s string) []byte {
	t.Helper()
	s = badRepeat.ReplaceAllStringFunc(s, func(m string) string {
		parts := badRepeat.FindStringSubmatch(m)
		n, err := strconv.Atoi(parts[1])
		if err != nil || n > 64<<20 {
			t.Fatalf("bad repeat count in %q", m)
		}
		return strings.Repeat(parts[2], n)
	})
	return badByte.ReplaceAllFunc([]byte(s), func(m []byte) []byte {
		b, _ := strconv.ParseUint(string(m[2:]), 16, 8)
		return []byte{byte(b)}
	})
}

func loadBadCases(t *testing.T, pattern string) []testCase {
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
		for line := 1; sc.Scan(); line++ {
			text := bytes.TrimSpace(sc.Bytes())
			if len(text) == 0 {
				continue
			}
			var c badCase
			if err := json.Unmarshal(text, &c); err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			if c.ID == "" || len(c.Expect) == 0 {
				t.Fatalf("%s:%d: a case needs an id and an expect", path, line)
			}
			if c.RequestText != nil {
				if len(c.Request) > 0 {
					t.Fatalf("%s:%d: request and requestText both given", path, line)
				}
				c.Request = expandBadText(t, *c.RequestText)
			}
			if c.RecordsText != nil {
				if len(c.Records) > 0 {
					t.Fatalf("%s:%d: records and recordsText both given", path, line)
				}
				c.Records = expandBadText(t, *c.RecordsText)
				if len(c.Records) == 0 {
					c.Records = []byte(" ") // an empty stream, not the runner's default "[]"
				}
			}
			cases = append(cases, c.testCase)
		}
	}
	return cases
}

func TestBadInputCases(t *testing.T) {
	runCases(t, loadBadCases(t, "../testdata/badinput/*.jsonl"))
}

func TestExpandBadText(t *testing.T) {
	got := expandBadText(t, `a\xffb<<repeat 3|[>>\x00<<repeat 2|}>>`)
	if want := []byte("a\xffb[[[\x00}}"); !bytes.Equal(got, want) {
		t.Errorf("expandBadText = %q, want %q", got, want)
	}
}
