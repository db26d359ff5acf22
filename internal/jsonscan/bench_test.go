package jsonscan_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"

	"github.com/crmagg/crmagg/bench"
	"github.com/crmagg/crmagg/internal/jsonscan"
)

// The benchmarks here run on the data and extract the fields of the
// parser comparison in bench/jsonpeers (see its README), so that their
// numbers can be put side by side.

const benchRecords = 100000

var benchLines = sync.OnceValue(func() []byte {
	return bench.JSONLines(bench.ContactRecords(benchRecords, 10))
})

// benchSlot maps the four fields of the target query to slots.
func benchSlot(key []byte) int {
	switch string(key) {
	case "typeId":
		return 0
	case "sourceId":
		return 1
	case "assignedById":
		return 2
	case "UF_CRM_LTV":
		return 3
	}
	return -1
}

// reportPerRecord adds ns/record and allocs/record to a benchmark that
// reads benchRecords records per iteration. The benchmark starts after a
// garbage collection, so that it does not pay for the garbage of another.
func reportPerRecord(b *testing.B, run func()) {
	data := benchLines()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		run()
		n++
	}
	runtime.ReadMemStats(&after)
	records := float64(n) * benchRecords
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/records, "ns/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/records, "allocs/record")
}

// BenchmarkScanner reads the records with a Scanner and takes the four
// fields as text, as the benchmarks of bench/jsonpeers do, and checks what
// it took against encoding/json.
func BenchmarkScanner(b *testing.B) {
	data := benchLines()
	expect := benchTally()
	runtime.GC()
	var fields [4]string
	set := func(slot int, _ string, v any) {
		switch v := v.(type) {
		case string:
			fields[slot] = v
		case json.Number:
			fields[slot] = string(v)
		}
	}
	reportPerRecord(b, func() {
		s := jsonscan.New(bytes.NewReader(data))
		var got tally
		for {
			fields = [4]string{}
			err := s.Next(benchSlot, set)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			got.add(&fields)
		}
		if got != expect {
			b.Fatalf("tally %+v, want %+v", got, expect)
		}
	})
}

// tally sums what a benchmark took from the records (the same sum as in
// bench/jsonpeers).
type tally struct {
	records int
	sum     int
}

func (t *tally) add(fields *[4]string) {
	t.records++
	for _, f := range fields {
		t.sum += len(f)
		if len(f) > 0 {
			t.sum += int(f[0])
		}
	}
}

var benchTally = sync.OnceValue(func() tally {
	var t tally
	dec := json.NewDecoder(bytes.NewReader(benchLines()))
	dec.UseNumber()
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			return t
		} else if err != nil {
			panic(err)
		}
		var f [4]string
		for key, v := range m {
			if slot := benchSlot([]byte(key)); slot >= 0 {
				f[slot] = fmt.Sprint(v)
			}
		}
		t.add(&f)
	}
})

// BenchmarkScannerSkipAll reads the records and hands nothing over: the
// cost of checking the JSON alone.
func BenchmarkScannerSkipAll(b *testing.B) {
	data := benchLines()
	reportPerRecord(b, func() {
		s := jsonscan.New(bytes.NewReader(data))
		for {
			err := s.Next(func([]byte) int { return -1 }, nil)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEngineJSONSource is the path the scanner replaces.
func BenchmarkEngineJSONSource(b *testing.B) {
	data := benchLines()
	reportPerRecord(b, func() {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		for {
			var rec map[string]any
			err := dec.Decode(&rec)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
