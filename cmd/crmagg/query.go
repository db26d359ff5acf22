package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/demo"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

// usageError is a problem with the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

type queryFlags struct {
	entity      string
	fieldsPath  string
	recordsPath string
	requestPath string
	limit       int
	strict      bool
	tz          string
	pretty      bool

	request    string
	hasRequest bool
}

// newQueryFlagSet returns the flags of query. Parse errors are returned,
// not printed, so that a usage error prints one message.
func newQueryFlagSet(f *queryFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("crmagg query", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.entity, "entity", "contacts", "entity whose built-in schema and demo records to use: contacts, deals or tasks; another name needs --fields")
	fs.StringVar(&f.fieldsPath, "fields", "", "`FILE` with the GET /v1/{entity}/fields body to load the schema from, envelope or bare data object")
	fs.StringVar(&f.recordsPath, "records", "", "`FILE` of records (JSON Lines, a JSON array or the GET /v1/{entity} list envelope); - reads stdin; default: the demo records")
	fs.StringVar(&f.requestPath, "request", "", "`FILE` holding the request body; - reads stdin")
	fs.IntVar(&f.limit, "limit", engine.DefaultRecordLimit, "most matching records to aggregate; 0 means no limit")
	fs.BoolVar(&f.strict, "strict", false, "reject unknown request keys and fail on the first invalid record value")
	fs.StringVar(&f.tz, "tz", "UTC", "IANA time zone of datetimes written without an offset, and of datetime group keys")
	fs.BoolVar(&f.pretty, "pretty", false, "indent the output by two spaces")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: crmagg query [flags] [REQUEST]\n\n"+
			"Runs one aggregate request, given as JSON text or with --request (none means {}),\n"+
			"and prints the response envelope. Flags and REQUEST may come in any order.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseQueryArgs parses flags and the request argument in any order: the
// flag package stops at the first argument, so parsing resumes after it.
func parseQueryArgs(args []string, stdout io.Writer) (*queryFlags, error) {
	f := &queryFlags{}
	fs := newQueryFlagSet(f)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fs.Usage()
				return nil, err
			}
			return nil, usagef("%v; run 'crmagg query -h' for the flags", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if f.hasRequest {
			return nil, usagef("more than one request argument: %q; pass one JSON request", shorten(rest[0]))
		}
		f.request, f.hasRequest = rest[0], true
		args = rest[1:]
	}

	if f.hasRequest && f.requestPath != "" {
		return nil, usagef("both a request argument and --request %s were given; pass one request", f.requestPath)
	}
	if f.limit < 0 {
		return nil, usagef("invalid --limit %d: it must be 0 (no limit) or more", f.limit)
	}
	if f.recordsPath == "-" && f.requestPath == "-" {
		return nil, usagef("--records and --request both read stdin; give one of them a file")
	}
	if f.fieldsPath == "-" && (f.recordsPath == "-" || f.requestPath == "-") {
		return nil, usagef("--fields and another flag both read stdin; give all but one of them a file")
	}
	known := slices.Contains(demo.Entities(), f.entity)
	if !known && f.fieldsPath == "" {
		return nil, usagef("unknown entity %q; built-in entities: %s (another entity needs --fields)",
			f.entity, strings.Join(demo.Entities(), ", "))
	}
	if !known && f.recordsPath == "" {
		return nil, usagef("entity %q has no demo records; pass --records", f.entity)
	}
	return f, nil
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func runQuery(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, err := parseQueryArgs(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "crmagg query: %v\n", err)
		return exitUsage
	}

	loc, err := time.LoadLocation(f.tz)
	if err != nil || f.tz == "" || strings.EqualFold(f.tz, "local") {
		fmt.Fprintf(stderr, "crmagg query: invalid --tz %q: give an IANA zone name such as UTC or Europe/Moscow\n", f.tz)
		return exitUsage
	}

	status, err := query(f, loc, stdin, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "crmagg query: %v\n", err)
	}
	return status
}

func query(f *queryFlags, loc *time.Location, stdin io.Reader, stdout io.Writer) (int, error) {
	s, hint, err := loadSchema(f, stdin)
	if err != nil {
		return exitInput, err
	}
	body, err := readRequest(f, stdin)
	if err != nil {
		return exitInput, err
	}

	opts := engine.Options{
		RecordLimit:   f.limit,
		Strict:        f.strict,
		Location:      loc,
		UnknownUFHint: hint,
	}
	if f.limit == 0 {
		opts.RecordLimit = -1
	}

	plan, err := engine.Compile(s, body, opts)
	if err != nil {
		return writeRejection(f, stdout, err)
	}
	src, closeRecords, err := openRecords(f, stdin)
	if err != nil {
		return exitInput, err
	}
	defer closeRecords()

	res, err := plan.Run(context.Background(), src)
	if err != nil {
		var de *engine.DataError
		switch {
		case apierr.As(err) != nil:
			return writeRejection(f, stdout, err)
		case errors.As(err, &de):
			return exitInput, fmt.Errorf("strict mode: %w", err)
		}
		return exitInput, fmt.Errorf("reading records from %s: %w", recordsName(f), err)
	}
	return exitOK, write(f, stdout, engine.AppendResponse(nil, res))
}

// writeRejection prints the envelope of an API error with status 3 and
// passes any other error on with status 1.
func writeRejection(f *queryFlags, stdout io.Writer, err error) (int, error) {
	e := apierr.As(err)
	if e == nil {
		return exitInput, err
	}
	if werr := write(f, stdout, engine.AppendErrorResponse(nil, e)); werr != nil {
		return exitInput, werr
	}
	return exitRejected, nil
}

func write(f *queryFlags, stdout io.Writer, out []byte) error {
	if f.pretty {
		out = engine.Indent(out)
	}
	_, err := stdout.Write(out)
	return err
}

// loadSchema picks the schema: --fields when given; the built-in standard
// fields alone for user records; the demo portal's schema otherwise. The
// hint goes into unknown-UF messages when the schema has no UFs.
func loadSchema(f *queryFlags, stdin io.Reader) (*schema.Schema, string, error) {
	if f.fieldsPath != "" {
		body, err := readFile(f.fieldsPath, stdin)
		if err != nil {
			return nil, "", err
		}
		s, err := schema.Load(f.entity, body)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", f.fieldsPath, err)
		}
		return s, "", nil
	}

	builtin, err := schema.Builtin(f.entity)
	if err != nil {
		return nil, "", err
	}
	if f.recordsPath != "" {
		return builtin, "The schema has no user fields: pass --fields FILE with the portal's GET /v1/" + f.entity + "/fields body", nil
	}
	body, err := demo.Fields(f.entity)
	if err != nil {
		return nil, "", err
	}
	portal, err := schema.Load(f.entity, body)
	if err != nil {
		return nil, "", fmt.Errorf("demo fields of %s: %w", f.entity, err)
	}
	s, err := builtin.WithUserFields(portal)
	return s, "", err
}

func readRequest(f *queryFlags, stdin io.Reader) ([]byte, error) {
	switch {
	case f.hasRequest:
		return []byte(f.request), nil
	case f.requestPath != "":
		return readFile(f.requestPath, stdin)
	}
	return []byte("{}"), nil
}

func readFile(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(path)
}

func recordsName(f *queryFlags) string {
	switch f.recordsPath {
	case "":
		return "the demo " + f.entity
	case "-":
		return "stdin"
	}
	return f.recordsPath
}

func openRecords(f *queryFlags, stdin io.Reader) (engine.Source, func(), error) {
	var r io.ReadCloser
	switch f.recordsPath {
	case "":
		demoRecords, err := demo.Records(f.entity)
		if err != nil {
			return nil, nil, err
		}
		r = demoRecords
	case "-":
		r = io.NopCloser(stdin)
	default:
		file, err := os.Open(f.recordsPath)
		if err != nil {
			return nil, nil, err
		}
		r = file
	}
	return engine.NewJSONSource(r), func() { r.Close() }, nil
}
