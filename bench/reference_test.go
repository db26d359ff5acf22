package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/crmagg/crmagg/engine"
	"github.com/shopspring/decimal"
)

// TestReferenceLoopsAgree checks that both reference loops and the engine
// return the same groups, so the benchmarks compare equal work.
func TestReferenceLoopsAgree(t *testing.T) {
	recs := ContactRecords(20000, 10)
	s := Schema()
	plan, err := engine.Compile(s, []byte(Request()), engine.Options{RecordLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(context.Background(), engine.Maps(recs))
	if err != nil {
		t.Fatal(err)
	}

	naive := MapsDecimalLoop(recs)
	cols := EncodeColumns(recs)
	fast := ColumnLoop(cols)
	if len(res.Groups) != len(naive) {
		t.Fatalf("engine has %d groups, the maps loop %d", len(res.Groups), len(naive))
	}
	for _, g := range res.Groups {
		var key [2]string
		for i, v := range g.Values {
			key[i] = v.Text
		}
		want := naive[key]
		if want == nil || want.Count != g.Count {
			t.Fatalf("group %v: engine count %d, maps loop %+v", key, g.Count, want)
		}
		sum := g.Aggregates[0].Values[0].Value.Decimal
		if !sum.Equal(want.Sum) {
			t.Errorf("group %v: engine sum %s, maps loop %s", key, sum, want.Sum)
		}
		ti, si := indexOf(cols.TypeNames, key[0]), indexOf(cols.SourceNames, key[1])
		idx := ti*len(cols.SourceNames) + si
		if fast.Count[idx] != g.Count || !decimal.New(fast.Sum[idx], -2).Equal(sum) {
			t.Errorf("group %v: column loop count %d sum %d cents, engine %d %s", key, fast.Count[idx], fast.Sum[idx], g.Count, sum)
		}
		if min := g.Aggregates[0].Values[2].Value.Decimal; !min.Equal(decimal.New(fast.Min[idx], -2)) {
			t.Errorf("group %v: min %s, column loop %d cents", key, min, fast.Min[idx])
		}
	}
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

// BenchmarkReference runs the reference loops on the data of
// BenchmarkQuery, so that ratios come from one run.
func BenchmarkReference(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		recs := records(n)
		b.Run(fmt.Sprintf("loop=maps-decimal/records=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				MapsDecimalLoop(recs)
			}
			reportPerRecord(b, n)
		})
		cols := EncodeColumns(recs)
		b.Run(fmt.Sprintf("loop=columns/records=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ColumnLoop(cols)
			}
			reportPerRecord(b, n)
		})
		data := JSONLines(recs[:min(n, 100_000)])
		b.Run(fmt.Sprintf("loop=encoding-json-maps/records=%d", min(n, 100_000)), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				decodeMaps(b, data)
			}
			reportPerRecord(b, min(n, 100_000))
		})
	}
}

// decodeMaps decodes JSON Lines into maps with encoding/json, the baseline
// of the JSON Lines target.
func decodeMaps(b *testing.B, data []byte) {
	dec := json.NewDecoder(bytesReader(data))
	dec.UseNumber()
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			b.Fatal(err)
		}
	}
}
