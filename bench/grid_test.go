package bench

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/crmagg/crmagg/demo"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

// BenchmarkGroups sweeps the number of groups on a prepared table of 1e5
// records: group by UF_CRM_SEGMENT with 1 to 10,000 distinct values.
func BenchmarkGroups(b *testing.B) {
	s := Schema()
	const n = 100_000
	for _, groups := range []int{1, 10, 100, 1_000, 10_000} {
		t, err := engine.NewTable(s, engine.Maps(ContactRecords(n, groups)), engine.TableOptions{})
		if err != nil {
			b.Fatal(err)
		}
		plan := compile(b, s, `{"groupBy": "UF_CRM_SEGMENT", "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}, {"field": "UF_CRM_LTV", "function": "max"}]}`)
		b.Run(fmt.Sprintf("records=%d/groups=%d", n, groups), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := plan.RunTable(context.Background(), t); err != nil {
					b.Fatal(err)
				}
			}
			reportPerRecord(b, n)
		})
	}
}

// BenchmarkFilters sweeps filter kinds on a prepared table of 1e6 records.
func BenchmarkFilters(b *testing.B) {
	s := Schema()
	const n = 1_000_000
	t := table(b, s, n)
	for _, f := range []struct{ name, filter string }{
		{"none", `{}`},
		{"eq", `{"typeId": "CLIENT"}`},
		{"in50", `{"@assignedById": [` + idList() + `]}`},
		{"ne", `{"!typeId": "PARTNER"}`},
		{"range-money", `{">=UF_CRM_LTV": 50000, "<UF_CRM_LTV": 150000}`},
		{"or", `{"$or": [{"typeId": "SUPPLIER"}, {"sourceId": {"$in": ["WEB", "CALL"]}}]}`},
		{"contains", `{"%UF_CRM_SEGMENT": "s1"}`},
	} {
		plan := compile(b, s, `{"filter": `+f.filter+`, "groupBy": "typeId", "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}]}`)
		b.Run(fmt.Sprintf("records=%d/filter=%s", n, f.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := plan.RunTable(context.Background(), t); err != nil {
					b.Fatal(err)
				}
			}
			reportPerRecord(b, n)
		})
	}
}

func idList() string {
	var buf bytes.Buffer
	for i, id := range AssigneeIDs() {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(strconv.Itoa(id))
	}
	return buf.String()
}

// BenchmarkRecords sweeps the record count of the target query on a
// prepared table.
func BenchmarkRecords(b *testing.B) {
	s := Schema()
	plan := compile(b, s, Request())
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		t := table(b, s, n)
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := plan.RunTable(context.Background(), t); err != nil {
					b.Fatal(err)
				}
			}
			reportPerRecord(b, n)
		})
	}
}

// BenchmarkCompile measures compiling a dashboard request and the target
// request, whose filter holds a list of 50 ids.
func BenchmarkCompile(b *testing.B) {
	s := demoSchema(b)
	for _, r := range []struct{ name, body string }{
		{"dashboard", `{"filter": {"assignedById": 1, ">=createdAt": "2025-01-01"}, "groupBy": ["typeId", "UF_CRM_TIER"], "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}, {"field": "UF_CRM_LTV", "function": "avg"}]}`},
		{"target", Request()},
	} {
		body := []byte(r.body)
		b.Run("request="+r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := engine.Compile(s, body, engine.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConcurrentRequests is the mock-server load: many goroutines
// compiling and running small dashboard requests on one table of the
// demo contacts.
func BenchmarkConcurrentRequests(b *testing.B) {
	s, t := demoTable(b)
	bodies := [][]byte{
		[]byte(`{"groupBy": "typeId"}`),
		[]byte(`{"filter": {"assignedById": 1}, "groupBy": "typeId"}`),
		[]byte(`{"aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}], "groupBy": "UF_CRM_SEGMENT"}`),
		[]byte(`{"groupBy": ["typeId", "sourceId"], "aggregate": [{"field": "UF_CRM_SCORE", "function": "avg"}]}`),
		[]byte(`{}`),
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			plan, err := engine.Compile(s, bodies[i%len(bodies)], engine.Options{})
			if err != nil {
				b.Error(err)
				return
			}
			res, err := plan.RunTable(context.Background(), t)
			if err != nil {
				b.Error(err)
				return
			}
			engine.AppendResponse(nil, res)
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// demoTable loads the demo contacts with the demo portal's schema.
func demoTable(tb testing.TB) (*schema.Schema, *engine.Table) {
	s := demoSchema(tb)
	r, err := demo.Records("contacts")
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	t, err := engine.NewTable(s, engine.NewJSONSource(r), engine.TableOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return s, t
}

func demoSchema(tb testing.TB) *schema.Schema {
	base, err := schema.Builtin("contacts")
	if err != nil {
		tb.Fatal(err)
	}
	body, err := demo.Fields("contacts")
	if err != nil {
		tb.Fatal(err)
	}
	portal, err := schema.Load("contacts", body)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := base.WithUserFields(portal)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// demoLikeRecords returns n records made from the demo contacts, repeated
// with ids and timestamps shifted so that columns unique in the demo stay
// unique.
func demoLikeRecords(tb testing.TB, n int) []map[string]any {
	r, err := demo.Records("contacts")
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	src := engine.NewJSONSource(r)
	var base []map[string]any
	for {
		rec, err := src.Next()
		if err != nil {
			break
		}
		base = append(base, rec)
	}
	out := make([]map[string]any, n)
	for i := range out {
		copyNo := i / len(base)
		rec := make(map[string]any, len(base[i%len(base)]))
		for k, v := range base[i%len(base)] {
			rec[k] = v
		}
		if copyNo > 0 {
			rec["id"] = strconv.Itoa(i + 1)
			for _, key := range []string{"createdAt", "updatedAt"} {
				if text, ok := rec[key].(string); ok && len(text) >= 19 {
					// Shift the seconds digits so each copy has its own instants.
					rec[key] = text[:17] + fmt.Sprintf("%02d", copyNo%60) + text[19:]
				}
			}
		}
		out[i] = rec
	}
	return out
}

// BenchmarkTableMemory builds a table of 1e6 demo-like contacts with every
// standard field and UF and reports the Go heap it holds per record.
func BenchmarkTableMemory(b *testing.B) {
	s := demoSchema(b)
	const n = 1_000_000
	recs := demoLikeRecords(b, n)
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t, err := engine.NewTable(s, engine.Maps(recs), engine.TableOptions{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-bytes/record")
		runtime.KeepAlive(t)
	}
}

// BenchmarkTableBuild builds a table of the demo contacts from JSON Lines.
func BenchmarkTableBuild(b *testing.B) {
	s := demoSchema(b)
	r, err := demo.Records("contacts")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(r)
	r.Close()
	data := buf.Bytes()
	n := bytes.Count(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.NewTable(s, engine.NewJSONSource(bytes.NewReader(data)), engine.TableOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
