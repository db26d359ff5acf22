package jsonscan_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/crmagg/crmagg/internal/jsonref"
	"github.com/crmagg/crmagg/internal/jsonscan"
)

// outcome is what a reader made of a stream: the records it returned and
// how it stopped.
type outcome struct {
	records []map[string]any
	// err is nil when the stream ended with io.EOF.
	err error
	// position and msg describe err when it is an input error.
	position int64
	msg      string
}

func (o outcome) String() string {
	if o.err == nil {
		return fmt.Sprintf("%d records, no error", len(o.records))
	}
	return fmt.Sprintf("%d records, error %v", len(o.records), o.err)
}

// viaEngine reads input with jsonref.Reader, the reference reader.
func viaEngine(input []byte, limit int64) outcome {
	src := jsonref.New(bytes.NewReader(input))
	src.MaxRecordBytes = limit
	var o outcome
	for {
		rec, err := src.Next()
		if err == io.EOF {
			return o
		}
		if err != nil {
			o.err = err
			var ie *jsonref.Error
			if errors.As(err, &ie) {
				o.position, o.msg = ie.Position, ie.Msg
			}
			return o
		}
		o.records = append(o.records, rec)
	}
}

// viaScanner reads with s, wanting every key.
func viaScanner(s *jsonscan.Scanner, limit int64) outcome {
	var rec map[string]any
	return readAll(s, limit, func() map[string]any {
		rec = make(map[string]any)
		return rec
	}, func([]byte) int { return 0 }, func(_ int, key string, v any) { rec[key] = v })
}

// readAll reads with s until it stops. fresh makes the map that set fills
// for each record.
func readAll(s *jsonscan.Scanner, limit int64, fresh func() map[string]any,
	want func([]byte) int, set func(int, string, any)) outcome {
	s.MaxRecordBytes = limit
	var o outcome
	for {
		rec := fresh()
		err := s.Next(want, set)
		if err == io.EOF {
			return o
		}
		if err != nil {
			o.err = err
			var se *jsonscan.Error
			if errors.As(err, &se) {
				o.position, o.msg = se.Position, se.Msg
			}
			return o
		}
		o.records = append(o.records, rec)
	}
}

// readers makes the readers a Scanner is tried with: a plain one, and
// one that returns a byte at a time into a Scanner that starts with a
// one-byte buffer, so that every value crosses the end of the buffer.
var readers = []struct {
	name string
	make func([]byte) *jsonscan.Scanner
}{
	{"plain", func(in []byte) *jsonscan.Scanner { return jsonscan.New(bytes.NewReader(in)) }},
	{"tiny", func(in []byte) *jsonscan.Scanner {
		return jsonscan.NewTiny(iotest.OneByteReader(bytes.NewReader(in)))
	}},
}

// agree describes how got (from a Scanner) and ref (from the reference reader) differ
// on input, or returns "" when they agree. Records and positions must be
// the same, and so must error messages, with two exceptions. Two messages
// about malformed JSON may differ in the byte offset and in the wording of
// the syntax error. A record longer than the limit may be reported as too
// long where the reference reader, which reads the whole record first, finds it
// malformed.
func agree(input []byte, limit int64, got, ref outcome) string {
	if len(got.records) != len(ref.records) {
		return fmt.Sprintf("scanner: %v; reference: %v", got, ref)
	}
	for i := range got.records {
		if !reflect.DeepEqual(got.records[i], ref.records[i]) {
			return fmt.Sprintf("record %d: scanner %#v, reference %#v", i, got.records[i], ref.records[i])
		}
	}
	if (got.err == nil) != (ref.err == nil) {
		return fmt.Sprintf("scanner: %v; reference: %v", got, ref)
	}
	if got.err == nil {
		return ""
	}
	if got.msg == "" || ref.msg == "" {
		return fmt.Sprintf("an error that is not an input error: scanner %v, reference %v", got.err, ref.err)
	}
	if got.position != ref.position {
		return fmt.Sprintf("positions differ: scanner %v; engine %v", got.err, ref.err)
	}
	switch {
	case got.msg == ref.msg:
	case isSyntax(got.msg) && isSyntax(ref.msg):
	case strings.HasPrefix(got.msg, "record is longer than") && isSyntax(ref.msg) && int64(len(input)) > limit:
	default:
		return fmt.Sprintf("messages differ: scanner %q; reference %q", got.msg, ref.msg)
	}
	return ""
}

func isSyntax(msg string) bool { return strings.HasPrefix(msg, "invalid JSON") }

func limitOrDefault(limit int64) int64 {
	if limit > 0 {
		return limit
	}
	return jsonscan.DefaultMaxRecordBytes
}

// checkAgainstEngine reads input with the reference reader and with Scanners over
// every reader, and fails t where they differ.
func checkAgainstEngine(t *testing.T, input []byte, limit int64) {
	t.Helper()
	ref := viaEngine(input, limit)
	for _, r := range readers {
		got := viaScanner(r.make(input), limit)
		if d := agree(input, limitOrDefault(limit), got, ref); d != "" {
			t.Errorf("%s reader on %q: %s", r.name, input, d)
		}
	}
}
