package engine_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

func Example() {
	s, _ := schema.Load("contacts", []byte(`{
		"typeId": {"type": "crm_status"},
		"UF_CRM_LTV": {"type": "money", "isDynamic": true}
	}`))
	records := strings.NewReader(`
{"typeId": "CLIENT", "UF_CRM_LTV": "1500|RUB"}
{"typeId": "CLIENT", "UF_CRM_LTV": "250.50|USD"}
{"typeId": "PARTNER", "UF_CRM_LTV": ""}
`)

	plan, err := engine.Compile(s, []byte(`{"groupBy": "typeId", "aggregate": [{"field": "UF_CRM_LTV", "function": "sum"}]}`), engine.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := plan.Run(context.Background(), engine.NewJSONSource(records))
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(engine.AppendResponse(nil, res))
	// Output:
	// {"success":true,"data":{"count":3,"aggregates":{"UF_CRM_LTV":{"sum":1750.5}},"groups":[{"typeId":"CLIENT","count":2,"aggregates":{"UF_CRM_LTV":{"sum":1750.5}}},{"typeId":"PARTNER","count":1,"aggregates":{"UF_CRM_LTV":{"sum":0}}}],"meta":{"totalRecords":3,"recordsProcessed":3,"truncated":false,"groupTotal":2,"groupsTruncated":false}}}
}

func ExampleCompile_error() {
	s, _ := schema.Builtin("contacts")
	_, err := engine.Compile(s, []byte(`{"groupBy": "name"}`), engine.Options{})
	if e := apierr.As(err); e != nil {
		os.Stdout.Write(engine.AppendErrorResponse(nil, e))
		fmt.Println(e.Code.HTTPStatus())
	}
	// Output:
	// {"success":false,"error":{"code":"INVALID_PARAMS","message":"groupBy field 'name' is not aggregatable on this entity. Available: typeId, sourceId, assignedById"}}
	// 400
}
