package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/crmagg/crmagg/httpapi"
)

// BenchmarkServeAggregate sends dashboard requests from parallel clients
// over loopback to a server that serves the demo contacts (20,000 records) and
// reports requests per second. Plans come from the cache after the first
// round, so the numbers measure HTTP handling plus the run.
func BenchmarkServeAggregate(b *testing.B) {
	h, err := httpapi.New(httpapi.Config{
		Entities: []httpapi.Entity{{Name: "contacts", Table: contactsTable(b)}},
		Logger:   discardLogger(),
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	transport := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	url := srv.URL + "/v1/contacts/aggregate"
	bodies := []string{
		`{}`,
		`{"groupBy": "typeId"}`,
		`{"filter": {"assignedById": 1}, "groupBy": "typeId"}`,
		`{"groupBy": "UF_CRM_SEGMENT", "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}]}`,
		`{"filter": {">=createdAt": "2025-01-01"}, "groupBy": ["typeId", "sourceId"], "aggregate": [{"field": "UF_CRM_LTV", "function": "avg"}]}`,
	}

	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := bodies[int(next.Add(1))%len(bodies)]
			resp, err := client.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("%s: status %d", body, resp.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
