// Package bench holds the benchmarks of crmagg and the data they run on:
// contact-like records with skewed assignees, a money UF in several
// currencies and a few malformed values. The separate module bench/peers
// runs the same data and query on other engines.
package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/crmagg/crmagg/schema"
)

// The benchmark data are contact-like records: skewed assignees among 200
// users, five contact types, nine sources, and a money UF in several
// currencies with a few empty and malformed values.

// FieldsBody is the GET /v1/contacts/fields body of the benchmark records.
const FieldsBody = `{
  "id": {"type": "integer"},
  "typeId": {"type": "crm_status"},
  "sourceId": {"type": "crm_status"},
  "assignedById": {"type": "user"},
  "UF_CRM_LTV": {"type": "money", "isDynamic": true},
  "UF_CRM_SEGMENT": {"type": "string", "isDynamic": true},
  "UF_CRM_ORDERS": {"type": "integer", "isDynamic": true}
}`

var (
	contactTypes = []string{"CLIENT", "CLIENT", "CLIENT", "SUPPLIER", "PARTNER", "OTHER"}
	sources      = []string{"CALL", "EMAIL", "WEB", "ADVERTISING", "PARTNER", "RECOMMENDATION", "TRADE_SHOW", "WEBFORM", "OTHER"}
	currencies   = []string{"RUB", "RUB", "RUB", "USD", "EUR", "KZT"}
)

// AssigneeIDs are the 50 users the target query keeps.
func AssigneeIDs() []int {
	ids := make([]int, 50)
	for i := range ids {
		ids[i] = i * 3
	}
	return ids
}

// Request is the query the performance targets are stated for: assignees
// in a list of 50, type not PARTNER, grouped by type and source, with
// count and sum, avg, min and max of the money UF.
func Request() string {
	var ids []string
	for _, id := range AssigneeIDs() {
		ids = append(ids, strconv.Itoa(id))
	}
	return `{"filter": {"@assignedById": [` + strings.Join(ids, ",") + `], "!typeId": "PARTNER"},
	"groupBy": ["typeId", "sourceId"],
	"aggregate": [{"field": "*", "function": "count"},
		{"field": "UF_CRM_LTV", "function": "sum"}, {"field": "UF_CRM_LTV", "function": "avg"},
		{"field": "UF_CRM_LTV", "function": "min"}, {"field": "UF_CRM_LTV", "function": "max"}]}`
}

// Schema returns the schema of FieldsBody.
func Schema() *schema.Schema {
	s, err := schema.Load("contacts", []byte(FieldsBody))
	if err != nil {
		panic(err) // FieldsBody is a constant that loads
	}
	return s
}

// ContactRecords returns n records as encoding/json with UseNumber would
// decode them. segments sets how many distinct UF_CRM_SEGMENT values
// there are, for sweeps over the group count.
func ContactRecords(n, segments int) []map[string]any {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	recs := make([]map[string]any, n)
	for i := range recs {
		// Squaring a uniform draw skews assignees towards low ids.
		u := rng.Float64()
		assignee := int(u * u * 200)
		ltv := fmt.Sprintf("%d.%02d|%s", rng.IntN(200000), rng.IntN(100), currencies[rng.IntN(len(currencies))])
		switch rng.IntN(50) {
		case 0:
			ltv = ""
		case 1:
			ltv = "1 500|RUB"
		}
		recs[i] = map[string]any{
			"id":             json.Number(strconv.Itoa(i + 1)),
			"typeId":         contactTypes[rng.IntN(len(contactTypes))],
			"sourceId":       sources[rng.IntN(len(sources))],
			"assignedById":   json.Number(strconv.Itoa(assignee)),
			"UF_CRM_LTV":     ltv,
			"UF_CRM_SEGMENT": "S" + strconv.Itoa(rng.IntN(segments)),
			"UF_CRM_ORDERS":  json.Number(strconv.Itoa(rng.IntN(40))),
		}
	}
	return recs
}

// JSONLines encodes records as JSON Lines.
func JSONLines(recs []map[string]any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range recs {
		enc.Encode(r)
	}
	return buf.Bytes()
}
