package filter_test

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/filter"
	"github.com/crmagg/crmagg/schema"
)

func Example() {
	s, err := schema.Builtin("deals")
	if err != nil {
		panic(err)
	}

	src := `{">=amount": 1000, "$or": [{"stageId": "WON"}, {"%title": "renewal"}]}`
	f, err := filter.Compile(s, []byte(src), filter.Options{})
	if err != nil {
		panic(err)
	}

	deals := []map[string]any{
		{"amount": json.Number("1500"), "stageId": "WON", "title": "Licenses"},
		{"amount": "2300.50", "stageId": "NEW", "title": "Annual Renewal"},
		{"amount": 999.99, "stageId": "WON", "title": "Small"},
		{"stageId": "WON", "title": "No amount"},
	}
	for _, deal := range deals {
		// Match takes the values in schema order.
		values := make([]any, len(s.Fields))
		for key, v := range deal {
			field, err := s.Lookup(key)
			if err != nil {
				panic(err)
			}
			values[field.Index] = v
		}
		fmt.Println(deal["title"], f.Match(values))
	}
	fmt.Println("reads fields", f.Fields())
	// Output:
	// Licenses true
	// Annual Renewal true
	// Small false
	// No amount false
	// reads fields [0 1 7]
}

func ExampleCompile_error() {
	s, err := schema.Builtin("contacts")
	if err != nil {
		panic(err)
	}

	_, err = filter.Compile(s, []byte(`{"typeId": "CLIENT", "opened": {"$gt": "N"}}`), filter.Options{})
	e := apierr.As(err)
	fmt.Println(e.Code)
	fmt.Println(e.Message)
	fmt.Println(e.Pointer)
	// Output:
	// INVALID_FILTER_OPERATOR
	// filter operator '$gt' is not allowed on boolean field 'opened'. Allowed: $eq, $ne, $in, $nin
	// /opened/$gt
}

func ExampleCompileURL() {
	s, err := schema.Builtin("contacts")
	if err != nil {
		panic(err)
	}

	q, err := url.ParseQuery("filter[typeId][$in][]=CLIENT&filter[typeId][$in][]=PARTNER&filter[!name]=")
	if err != nil {
		panic(err)
	}
	f, err := filter.CompileURL(s, q, filter.Options{})
	if err != nil {
		panic(err)
	}

	values := make([]any, len(s.Fields))
	values[0] = "PARTNER" // typeId
	fmt.Println(f.Match(values))
	values[4] = "Anna" // name
	fmt.Println(f.Match(values))
	// Output:
	// false
	// true
}
