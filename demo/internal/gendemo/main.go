// Command gendemo writes the data files of the demo portal that package
// demo embeds. Run it from the repository root after changing the
// generator:
//
//	go run ./demo/internal/gendemo
//
// For each entity it writes DIR/<entity>/fields.json and
// DIR/<entity>/records.jsonl.gz, the JSON Lines compressed with gzip at
// the best compression level.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/crmagg/crmagg/demo"
)

func main() {
	outDir := flag.String("out", filepath.Join("demo", "data"), "write each entity's files into a subdirectory of `DIR`")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "gendemo: unexpected argument %q; the only option is -out DIR\n", flag.Arg(0))
		os.Exit(2)
	}

	for _, entity := range demo.Entities() {
		if err := writeEntity(*outDir, entity); err != nil {
			fmt.Fprintf(os.Stderr, "gendemo: %v\n", err)
			os.Exit(1)
		}
	}
}

func writeEntity(outDir, entity string) error {
	fields, records, err := demo.Generate(entity)
	if err != nil {
		return err
	}

	compressed, err := compress(records)
	if err != nil {
		return fmt.Errorf("compress %s records: %w", entity, err)
	}

	dir := filepath.Join(outDir, entity)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "fields.json"), fields, 0o644); err != nil {
		return err
	}
	recordsPath := filepath.Join(dir, "records.jsonl.gz")
	if err := os.WriteFile(recordsPath, compressed, 0o644); err != nil {
		return err
	}

	fmt.Printf("%s: %d bytes of records, %d compressed\n", recordsPath, len(records), len(compressed))
	return nil
}

// compress gzips data with no file name and a zero modification time in
// the header, so the output depends only on data and the gzip library.
func compress(data []byte) ([]byte, error) {
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
