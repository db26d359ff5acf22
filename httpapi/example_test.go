package httpapi_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/httpapi"
	"github.com/crmagg/crmagg/schema"
)

func Example() {
	s, _ := schema.Load("contacts", []byte(`{
		"typeId": {"type": "crm_status", "title": "Type"},
		"UF_CRM_LTV": {"type": "money", "isDynamic": true, "title": "Lifetime value"}
	}`))
	table, _ := engine.NewTable(s, engine.NewJSONSource(strings.NewReader(`
{"typeId": "CLIENT", "UF_CRM_LTV": "1500|RUB"}
{"typeId": "CLIENT", "UF_CRM_LTV": "250.50|USD"}
{"typeId": "PARTNER", "UF_CRM_LTV": "|RUB"}
`)), engine.TableOptions{})
	keys, _ := httpapi.ParseKeys([]byte(`{"keys": [{"key": "vibe_api_demo", "scopes": ["crm"]}]}`))

	h, err := httpapi.New(httpapi.Config{
		Entities: []httpapi.Entity{{Name: "contacts", Table: table}},
		Auth:     keys,
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	for _, key := range []string{"vibe_api_demo", ""} {
		req := httptest.NewRequest(http.MethodPost, "/v1/contacts/aggregate",
			strings.NewReader(`{"groupBy": "typeId", "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}]}`))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("X-Api-Key", key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Print(rec.Code, " ", rec.Body.String())
	}
	// Output:
	// 200 {"success":true,"data":{"count":3,"aggregates":{"UF_CRM_LTV":{"sum":1750.5}},"groups":[{"typeId":"CLIENT","count":2,"aggregates":{"UF_CRM_LTV":{"sum":1750.5}}},{"typeId":"PARTNER","count":1,"aggregates":{"UF_CRM_LTV":{"sum":0}}}],"meta":{"totalRecords":3,"recordsProcessed":3,"truncated":false,"groupTotal":2,"groupsTruncated":false}}}
	// 401 {"success":false,"error":{"code":"MISSING_API_KEY","message":"the X-Api-Key header is missing; send the API key in it"}}
}
