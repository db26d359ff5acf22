package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

func scratchSchema(t *testing.T) *schema.Schema {
	s, err := schema.Load("contacts", []byte(`{"typeId":{"type":"crm_status"},"UF_CRM_TAGS":{"type":"string","isDynamic":true,"isMultiple":true},"UF_CRM_N":{"type":"integer","isMultiple":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScratchDeepBody(t *testing.T) {
	s := scratchSchema(t)
	for _, n := range []int{10000, 20000, 40000} {
		body := `{"filter":` + strings.Repeat("[", n) + strings.Repeat("]", 0)
		start := time.Now()
		_, err := engine.Compile(s, []byte(body), engine.Options{MaxBodyBytes: 4 << 20})
		fmt.Println(n, time.Since(start), err != nil, len(fmt.Sprint(err)))
		body = `{"filter":` + strings.Repeat("[", n/2) + strings.Repeat("]", n/2) + "}"
		start = time.Now()
		_, err = engine.Compile(s, []byte(body), engine.Options{MaxBodyBytes: 4 << 20})
		fmt.Println(n, time.Since(start), err)
	}
}

func TestScratchMultipleDup(t *testing.T) {
	s := scratchSchema(t)
	for _, n := range []int{5000, 20000} {
		items := make([]any, n)
		for i := range items {
			items[i] = "a"
		}
		p, _ := engine.Compile(s, []byte(`{"groupBy":"UF_CRM_TAGS"}`), engine.Options{})
		start := time.Now()
		_, err := p.Run(context.Background(), engine.Maps([]map[string]any{{"UF_CRM_TAGS": items}}))
		fmt.Println("map dup", n, time.Since(start), err)
		tab, _ := engine.NewTable(s, engine.Maps([]map[string]any{{"UF_CRM_TAGS": items}}), engine.TableOptions{})
		start = time.Now()
		_, err = p.RunTable(context.Background(), tab)
		fmt.Println("table dup", n, time.Since(start), err)
	}
}

func TestScratchBigRecord(t *testing.T) {
	rec := `{"a":"` + strings.Repeat("x", 3<<20) + `"}`
	for _, in := range []string{
		rec,
		`{"data":"` + strings.Repeat("x", 3<<20) + `"}`,
		`{"data":[` + rec + `],"success":true}`,
		`{"success":true,"data":[` + rec + `]}`,
		`[` + rec + `]`,
	} {
		src := engine.NewJSONSource(strings.NewReader(in))
		var err error
		n := 0
		for {
			_, err = src.Next()
			if err != nil {
				break
			}
			n++
		}
		fmt.Println(in[:12], n, err == io.EOF, err)
	}
	_ = bytes.MinRead
}
