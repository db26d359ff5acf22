package jsonpeers

import (
	"bytes"
	"runtime"
	"sync"
	"testing"

	"github.com/crmagg/crmagg/bench"
)

const records = 100000

var lines = sync.OnceValue(func() []byte {
	return bench.JSONLines(bench.ContactRecords(records, 10))
})

// tally sums what a parser took from the records, so that every parser
// can be checked against the same total and none can skip its work. It is
// the same sum as BenchmarkScanner's in internal/jsonscan.
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

// want is the tally of the data, taken with encoding/json.
var want = sync.OnceValue(func() tally {
	var t tally
	if err := stdMap(bytes.NewReader(lines()), t.add); err != nil {
		panic(err)
	}
	return t
})

// BenchmarkParse runs each parser over the data, checks its tally against
// encoding/json's, and reports ns/record and allocs/record besides MB/s.
// Each parser starts after a garbage collection, so that none pays for the
// garbage of the one before.
func BenchmarkParse(b *testing.B) {
	data := lines()
	want := want()
	for _, p := range parsers {
		b.Run(p.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			n := 0
			for b.Loop() {
				var got tally
				if err := p.read(bytes.NewReader(data), got.add); err != nil {
					b.Fatal(err)
				}
				if got != want {
					b.Fatalf("tally %+v, want %+v", got, want)
				}
				n++
			}
			runtime.ReadMemStats(&after)
			total := float64(n) * records
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/record")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/record")
		})
	}
}
