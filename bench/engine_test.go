package bench

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

var (
	dataOnce  sync.Map // n → []map[string]any
	tableOnce sync.Map // n → *engine.Table
)

func records(n int) []map[string]any {
	if v, ok := dataOnce.Load(n); ok {
		return v.([]map[string]any)
	}
	recs := ContactRecords(n, 10)
	dataOnce.Store(n, recs)
	return recs
}

func table(tb testing.TB, s *schema.Schema, n int) *engine.Table {
	if v, ok := tableOnce.Load(n); ok {
		return v.(*engine.Table)
	}
	t, err := engine.NewTable(s, engine.Maps(records(n)), engine.TableOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	tableOnce.Store(n, t)
	return t
}

func compile(tb testing.TB, s *schema.Schema, body string) *engine.Plan {
	p, err := engine.Compile(s, []byte(body), engine.Options{RecordLimit: -1})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// reportPerRecord adds ns/record, the unit the targets are stated in.
func reportPerRecord(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/record")
}

// BenchmarkQuery runs the target query over each source kind.
func BenchmarkQuery(b *testing.B) {
	s := Schema()
	plan := compile(b, s, Request())
	ctx := context.Background()

	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("source=table/records=%d", n), func(b *testing.B) {
			t := table(b, s, n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := plan.RunTable(ctx, t); err != nil {
					b.Fatal(err)
				}
			}
			reportPerRecord(b, n)
		})
	}
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("source=maps/records=%d", n), func(b *testing.B) {
			recs := records(n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := plan.Run(ctx, engine.Maps(recs)); err != nil {
					b.Fatal(err)
				}
			}
			reportPerRecord(b, n)
		})
		b.Run(fmt.Sprintf("source=jsonl/records=%d", n), func(b *testing.B) {
			data := JSONLines(records(n))
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := plan.Run(ctx, engine.NewJSONSource(bytes.NewReader(data))); err != nil {
					b.Fatal(err)
				}
			}
			reportPerRecord(b, n)
		})
	}
}

func bytesReader(data []byte) *bytes.Reader { return bytes.NewReader(data) }
