package jsonscan_test

import (
	"testing"

	"github.com/crmagg/crmagg/internal/jsonscan"
)

// FuzzScannerAgainstEncodingJSON reads the same bytes with a Scanner and
// with jsonref.Reader, which decodes with encoding/json, and checks that
// they return the same records and stop the same way at the same position
// (see agree for the messages that may differ). A Scanner is tried with a
// plain reader and with one byte at a time into a one-byte buffer.
//
// sel selects the keys that the Scanner requests: all of them when sel is
// 0, else those whose bytes add up to an even number once sel is added.
// The reference records are cut down to the same keys.
func FuzzScannerAgainstEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`{"id": 1, "name": "a"}` + "\n" + `{"id": 2}`,
		`[{"id": 1}, {"id": "x\u00e9"}]`,
		`{"success": true, "data": [{"id": 1}], "total": 1}`,
		`{"data": [{"id": 1}], "success": true}`,
		`{"a": [1, {"b": null}], "a": -0.5e3}`,
		"{\"k\": \"\\ud800\\udc00\xff\"}",
	} {
		f.Add([]byte(seed), byte(0))
		f.Add([]byte(seed), byte(1))
	}
	f.Fuzz(func(t *testing.T, input []byte, sel byte) {
		ref := viaEngine(input, 0)
		for _, r := range readers {
			var got outcome
			if sel == 0 {
				got = viaScanner(r.make(input), 0)
			} else {
				got = viaScannerSome(r.make(input), sel)
			}
			want := ref
			if sel != 0 {
				want.records = nil
				for _, rec := range ref.records {
					some := make(map[string]any)
					for k, v := range rec {
						if wanted([]byte(k), sel) {
							some[k] = v
						}
					}
					want.records = append(want.records, some)
				}
			}
			if d := agree(input, jsonscan.DefaultMaxRecordBytes, got, want); d != "" {
				t.Errorf("%s reader, sel %d, on %q: %s", r.name, sel, input, d)
			}
		}
	})
}

func wanted(key []byte, sel byte) bool {
	sum := sel
	for _, c := range key {
		sum += c
	}
	return sum%2 == 0
}

// viaScannerSome reads with a Scanner that requests the keys that wanted
// selects, each in a slot of its own.
func viaScannerSome(s *jsonscan.Scanner, sel byte) outcome {
	slots := map[string]int{}
	var rec map[string]any
	want := func(k []byte) int {
		if !wanted(k, sel) {
			return -1
		}
		if n, ok := slots[string(k)]; ok {
			return n
		}
		slots[string(k)] = len(slots)
		return len(slots) - 1
	}
	set := func(slot int, key string, v any) {
		if slots[key] != slot {
			panic("key handed over in the wrong slot")
		}
		rec[key] = v
	}
	return readAll(s, 0, func() map[string]any {
		rec = make(map[string]any)
		return rec
	}, want, set)
}
