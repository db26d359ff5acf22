// Package jsonpeers compares JSON parsers on the record stream of the
// crmagg benchmarks: JSON Lines of 100,000 contact records, from which each
// parser takes the four fields the target query reads (typeId, sourceId,
// assignedById and UF_CRM_LTV) as text. The hand-written scanner of crmagg
// is internal to its module, so its benchmark on the same data and task is
// BenchmarkScanner in internal/jsonscan; see README.md.
package jsonpeers

import (
	"bufio"
	"bytes"
	stdjson "encoding/json"
	"errors"
	"io"

	"github.com/bytedance/sonic"
	"github.com/bytedance/sonic/ast"
	"github.com/go-json-experiment/json/jsontext"
	goccy "github.com/goccy/go-json"
	"github.com/valyala/fastjson"
)

// fieldNames are the fields each record is asked for, in slot order.
var fieldNames = [4]string{"typeId", "sourceId", "assignedById", "UF_CRM_LTV"}

// A parser reads a stream of records from r and calls emit with the four
// fields of each, as text: a string's value, or a number's literal.
type parser struct {
	name string
	read func(r io.Reader, emit func(*[4]string)) error
}

var parsers = []parser{
	{"StdMap", stdMap},
	{"StdStruct", stdStruct},
	{"Fastjson", fastjsonLines},
	{"SonicStruct", sonicStruct},
	{"SonicGet", sonicGet},
	{"GoccyStruct", goccyStruct},
	{"GoccyStructAny", goccyStructAny},
	{"GoccyMap", goccyMap},
	{"JSONText", jsontextTokens},
}

// record is the struct that the struct decoders fill. The number arrives
// as its text, as the engine needs it.
type record struct {
	TypeID       string         `json:"typeId"`
	SourceID     string         `json:"sourceId"`
	AssignedByID stdjson.Number `json:"assignedById"`
	LTV          string         `json:"UF_CRM_LTV"`
}

// anyRecord takes the four fields whatever their JSON type, as the engine
// must (a field of the wrong type is an invalid value, not an error).
type anyRecord struct {
	TypeID       any `json:"typeId"`
	SourceID     any `json:"sourceId"`
	AssignedByID any `json:"assignedById"`
	LTV          any `json:"UF_CRM_LTV"`
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case stdjson.Number: // goccy.Number is the same type
		return string(v)
	}
	return ""
}

func fromMap(m map[string]any) *[4]string {
	var f [4]string
	for i, name := range fieldNames {
		f[i] = text(m[name])
	}
	return &f
}

// eachLine calls parse for each line of r, as parsers that take one
// document at a time need. It is right only for JSON Lines with one
// record per line.
func eachLine(r io.Reader, parse func([]byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20+1)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		if err := parse(sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// stdMap is the engine's path today: encoding/json's streaming decoder
// into map[string]any, with UseNumber.
func stdMap(r io.Reader, emit func(*[4]string)) error {
	dec := stdjson.NewDecoder(r)
	dec.UseNumber()
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		emit(fromMap(m))
	}
}

// stdStruct decodes with encoding/json's streaming decoder into a struct
// of the four fields.
func stdStruct(r io.Reader, emit func(*[4]string)) error {
	dec := stdjson.NewDecoder(r)
	for {
		var rec record
		if err := dec.Decode(&rec); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		emit(&[4]string{rec.TypeID, rec.SourceID, string(rec.AssignedByID), rec.LTV})
	}
}

// fastjsonLines parses each line with a reused fastjson.Parser and copies
// the four fields out.
func fastjsonLines(r io.Reader, emit func(*[4]string)) error {
	var p fastjson.Parser
	var num []byte
	return eachLine(r, func(line []byte) error {
		v, err := p.ParseBytes(line)
		if err != nil {
			return err
		}
		if v.Type() != fastjson.TypeObject {
			return errors.New("not an object")
		}
		var f [4]string
		for i, name := range fieldNames {
			switch fv := v.Get(name); {
			case fv == nil:
			case fv.Type() == fastjson.TypeString:
				f[i] = string(fv.GetStringBytes())
			case fv.Type() == fastjson.TypeNumber:
				num = fv.MarshalTo(num[:0])
				f[i] = string(num)
			}
		}
		emit(&f)
		return nil
	})
}

// sonicStruct decodes each line with sonic into the struct.
func sonicStruct(r io.Reader, emit func(*[4]string)) error {
	return eachLine(r, func(line []byte) error {
		var rec record
		if err := sonic.Unmarshal(line, &rec); err != nil {
			return err
		}
		emit(&[4]string{rec.TypeID, rec.SourceID, string(rec.AssignedByID), rec.LTV})
		return nil
	})
}

// sonicGet looks the four fields up in each line with sonic's lazy
// searcher, which skips what it does not need without building it.
func sonicGet(r io.Reader, emit func(*[4]string)) error {
	return eachLine(r, func(line []byte) error {
		var f [4]string
		for i, name := range fieldNames {
			n, err := sonic.Get(line, name)
			if err != nil {
				if errors.Is(err, ast.ErrNotExist) {
					continue
				}
				return err
			}
			switch n.TypeSafe() {
			case ast.V_STRING:
				f[i], err = n.String()
			case ast.V_NUMBER:
				f[i], err = n.Raw()
			}
			if err != nil {
				return err
			}
		}
		emit(&f)
		return nil
	})
}

// goccyStruct decodes each line with goccy/go-json into the struct.
func goccyStruct(r io.Reader, emit func(*[4]string)) error {
	return eachLine(r, func(line []byte) error {
		var rec record
		if err := goccy.Unmarshal(line, &rec); err != nil {
			return err
		}
		emit(&[4]string{rec.TypeID, rec.SourceID, string(rec.AssignedByID), rec.LTV})
		return nil
	})
}

// goccyStructAny decodes with goccy/go-json's streaming decoder, with
// UseNumber, into a struct of four fields of any type: the configuration
// whose results the engine could use as they are.
func goccyStructAny(r io.Reader, emit func(*[4]string)) error {
	dec := goccy.NewDecoder(r)
	dec.UseNumber()
	for {
		var rec anyRecord
		if err := dec.Decode(&rec); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		emit(&[4]string{text(rec.TypeID), text(rec.SourceID), text(rec.AssignedByID), text(rec.LTV)})
	}
}

// goccyMap decodes with goccy/go-json's streaming decoder into
// map[string]any, with UseNumber (its Unmarshal has no such option).
func goccyMap(r io.Reader, emit func(*[4]string)) error {
	dec := goccy.NewDecoder(r)
	dec.UseNumber()
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		emit(fromMap(m))
	}
}

// jsontextTokens reads the stream token by token with the jsontext decoder
// of go-json-experiment, which streams from the reader and checks the whole
// text. Members other than the four are skipped. By default the decoder
// rejects invalid UTF-8 and repeated keys, which encoding/json accepts, so
// it is set to allow both.
func jsontextTokens(r io.Reader, emit func(*[4]string)) error {
	var quoted [4][]byte
	for i, name := range fieldNames {
		quoted[i] = []byte(`"` + name + `"`)
	}
	dec := jsontext.NewDecoder(r, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	var buf []byte
	for {
		tok, err := dec.ReadToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if tok.Kind() != '{' {
			return errors.New("not an object")
		}
		var f [4]string
		for dec.PeekKind() != '}' {
			name, err := dec.ReadValue()
			if err != nil {
				return err
			}
			slot := -1
			if !bytes.Contains(name, []byte{'\\'}) {
				for i, q := range quoted {
					if bytes.Equal(name, q) {
						slot = i
						break
					}
				}
			} else {
				unq, _ := jsontext.AppendUnquote(nil, name)
				for i, n := range fieldNames {
					if string(unq) == n {
						slot = i
						break
					}
				}
			}
			if slot < 0 {
				if err := dec.SkipValue(); err != nil {
					return err
				}
				continue
			}
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			switch v.Kind() {
			case '"':
				// The decoder has checked the string. AppendUnquote
				// returns an error where it puts U+FFFD for invalid
				// UTF-8 or a lone surrogate, as encoding/json does, so
				// the error is ignored.
				buf, _ = jsontext.AppendUnquote(buf[:0], v)
				f[slot] = string(buf)
			case '0':
				f[slot] = string(v)
			default:
				f[slot] = ""
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		emit(&f)
	}
}
