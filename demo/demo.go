// Package demo embeds a made-up Bitrix24 CRM portal for examples, tests and
// benchmarks of crmagg: about 20,000 contacts, 20,000 deals and 20,000 tasks
// with their field schemas.
//
// For each entity the package returns two things. Fields returns the JSON
// body of GET /v1/{entity}/fields of the VibeCode Entity API, with the
// standard fields first and the user fields (UF) after them. Records
// returns the records as JSON Lines, one object per line, in the shape that
// GET /v1/{entity} returns them.
//
// The data is shaped like a real portal's, mess included. A few employees own
// most records. Status, source and stage codes are the ones Bitrix24 uses.
// Numbers and ids arrive as JSON numbers or numeric strings, booleans as
// "Y"/"N" or true/false, money as "1500|RUB" in five currencies, and
// datetimes with a UTC offset. A small share of values is empty ("", null,
// "|RUB" or a missing key), and a smaller share of money values is
// malformed ("1 500|RUB", "1500,50|RUB", "abc", "12|RUB|X") or uses PHP's
// exponent form ("1.0E+5|RUB").
//
// The files under data/ are the output of Generate, which draws every value
// from a PCG generator with a fixed seed and so produces the same bytes on
// every run. To regenerate them after changing the generator, run from the
// repository root:
//
//	go run ./demo/internal/gendemo
//
// A test fails when the embedded files and Generate disagree.
package demo

import (
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"path"
)

//go:embed data
var data embed.FS

// Entities returns the names of the demo entities: contacts, deals and tasks.
func Entities() []string {
	names := make([]string, len(entities))
	for i, e := range entities {
		names[i] = e.name
	}
	return names
}

// Fields returns the JSON body of GET /v1/{entity}/fields for a demo entity.
// An unknown entity is an error wrapping ErrUnknownEntity.
func Fields(entity string) ([]byte, error) {
	if _, err := findEntity(entity); err != nil {
		return nil, err
	}
	return data.ReadFile(path.Join("data", entity, "fields.json"))
}

// Records opens the records of a demo entity as JSON Lines, decompressing
// them while they are read. The caller must close the reader. An unknown
// entity is an error wrapping ErrUnknownEntity.
func Records(entity string) (io.ReadCloser, error) {
	if _, err := findEntity(entity); err != nil {
		return nil, err
	}
	f, err := data.Open(path.Join("data", entity, "records.jsonl.gz"))
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open demo %s records: %w", entity, err)
	}
	return &recordsReader{Reader: zr, file: f}, nil
}

// recordsReader closes both the gzip reader and the embedded file.
type recordsReader struct {
	*gzip.Reader
	file fs.File
}

func (r *recordsReader) Close() error {
	err := r.Reader.Close()
	if fileErr := r.file.Close(); err == nil {
		err = fileErr
	}
	return err
}
