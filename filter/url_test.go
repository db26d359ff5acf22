package filter

import (
	"net/url"
	"testing"

	"github.com/crmagg/crmagg/apierr"
	"github.com/google/go-cmp/cmp"
)

// urlRecords are the records of the URL tests.
var urlRecords = []string{
	`{"id": 1, "name": "Anna", "opened": "Y", "UF_CRM_TAGS": ["vip"], "amount": 10}`,
	`{"id": 2, "name": "Boris", "opened": "N", "UF_CRM_TAGS": ["b2b"], "amount": 250.5}`,
	`{"id": 3, "name": "", "UF_CRM_TAGS": []}`,
	`{"id": 12, "name": "anna", "opened": true, "amount": "99"}`,
}

func TestCompileURL(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		name  string
		query string
		want  []int
	}{
		{"no filter", "groupBy=typeId", []int{0, 1, 2, 3}},
		{"plain value", "filter[name]=Anna", []int{0}},
		{"value read by type", "filter[id]=12", []int{3}},
		{"boolean spelling", "filter[opened]=Y", []int{0, 3}},
		{"empty value means empty", "filter[name]=", []int{2}},
		{"negated empty", "filter[!name]=", []int{0, 1, 3}},
		{"operator", "filter[amount][$gte]=99", []int{1, 3}},
		{"two operators", "filter[amount][$gt]=10&filter[amount][$lt]=100", []int{3}},
		{"prefix", "filter[%3E%3Damount]=99", []int{1, 3}},
		{"list with brackets", "filter[id][$in][]=1&filter[id][$in][]=3", []int{0, 2}},
		{"list with indexes", "filter[@id][1]=3&filter[@id][0]=12", []int{2, 3}},
		{"index ten sorts after two", "filter[><id][10]=12&filter[><id][2]=2", []int{1, 2, 3}},
		{"plain list", "filter[id][]=2", []int{1}},
		{"list with empty", "filter[UF_CRM_TAGS][$in][]=vip&filter[UF_CRM_TAGS][$in][]=", []int{0, 2, 3}},
		{"contains", "filter[%25name]=NN", []int{0, 3}},
		{"like", "filter[%3D%25name]=%25s", []int{1}},
		{"or array", "filter[$or][0][id]=1&filter[$or][1][name]=Boris", []int{0, 1}},
		{"bitrix group", "filter[0][logic]=OR&filter[0][0][id]=1&filter[0][1][id]=2", []int{0, 1}},
		{"digit sub-filters", "filter[0][0][name]=Anna&filter[0][1][id]=1", []int{0}},
		{"group with fields", "filter[g][logic]=or&filter[g][id]=3&filter[g][opened]=N", []int{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			f, err := CompileURL(s, q, Options{})
			if err != nil {
				t.Fatalf("CompileURL(%s): %v", tc.query, err)
			}
			got := []int{}
			for i, record := range urlRecords {
				if f.Match(decodeRecord(t, s, record)) {
					got = append(got, i)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("matching records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileURLErrors(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		query string
		err   errorCase
	}{
		{"filter=x", errorCase{code: apierr.InvalidParams, message: "filter parameter 'filter' is malformed"}},
		{"filter[id=1", errorCase{code: apierr.InvalidParams, message: "'filter[id' is malformed"}},
		{"filter[id]x=1", errorCase{code: apierr.InvalidParams, message: "malformed"}},
		{"filter[]=1", errorCase{code: apierr.InvalidParams, message: "malformed"}},
		{"filter[id][][x]=1", errorCase{code: apierr.InvalidParams, message: "malformed"}},
		{"filter[id]=1&filter[id]=2", errorCase{code: apierr.InvalidParams,
			message: "=filter parameter 'filter[id]' is repeated. Add [] to its name to pass a list"}},
		{"filter[id]=1&filter[id][$gt]=2", errorCase{code: apierr.InvalidParams,
			message: "=filter parameter 'filter[id][$gt]' gives a value and sub-keys to the same name"}},
		{"filter[id][]=1&filter[id][0]=2", errorCase{code: apierr.InvalidParams, message: "value and sub-keys"}},
		{"filter[stageId]=1", errorCase{code: apierr.InvalidParams, pointer: "/stageId", field: "stageId", message: "'stageId' is not in the schema"}},
		{"filter[0]=1", errorCase{code: apierr.InvalidParams, pointer: "/0", field: "0", message: "'0' is not in the schema"}},
		{"filter[opened][$gt]=N", errorCase{code: apierr.InvalidFilterOperator, pointer: "/opened/$gt", field: "opened", message: "'$gt'"}},
		{"filter[id][$in]=1", errorCase{code: apierr.InvalidFilterOperator, pointer: "/id/$in", field: "id", message: "needs an array"}},
		{"filter[id][$in][]=x", errorCase{code: apierr.InvalidFilterOperator, pointer: "/id/$in/0", field: "id", message: `value "x"`}},
		{"filter[$or][]=x", errorCase{code: apierr.InvalidParams, pointer: "/$or/0", message: "must be an array of objects"}},
		{"filter[$or][id]=1", errorCase{code: apierr.InvalidParams, pointer: "/$or", message: "got object"}},
		{"filter[0][logic]=XOR", errorCase{code: apierr.InvalidFilterOperator, pointer: "/0/logic", message: "filter logic"}},
		{"filter[a]=1&filter[b]=1", errorCase{code: apierr.InvalidParams, pointer: "/a", field: "a", message: "'a'"}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = CompileURL(s, q, Options{})
			checkError(t, err, tc.err)
		})
	}
}

func TestCompileURLLimits(t *testing.T) {
	s := testSchema(t)
	q := url.Values{"filter[id][$in][]": {"1", "2", "3"}}
	_, err := CompileURL(s, q, Options{MaxListValues: 2})
	checkError(t, err, errorCase{code: apierr.InvalidParams, pointer: "/id/$in", field: "id", message: "has 3 values"})
}
