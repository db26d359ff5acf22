package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/demo"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/httpapi"
)

// Timeouts of the HTTP server. ReadTimeout covers a 1 MiB body on a slow
// link; WriteTimeout bounds the handler, run included.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	// shutdownTimeout is how long a stopping server waits for requests in
	// flight before it closes their connections.
	shutdownTimeout = 15 * time.Second
)

type serveFlags struct {
	addr      string
	dataDir   string
	keysPath  string
	limit     int
	strict    bool
	tz        string
	maxBody   int64
	cacheSize int
	slowRun   time.Duration
}

func newServeFlagSet(f *serveFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("crmagg serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "`HOST:PORT` to listen on; port 0 picks a free port")
	fs.StringVar(&f.dataDir, "data", "", "portal `DIR` with ENTITY/fields.json and ENTITY/records.jsonl or ENTITY/records.json per entity; default: the demo portal")
	fs.StringVar(&f.keysPath, "keys", "", "JSON `FILE` of API keys with their scopes; without it every request is accepted")
	fs.IntVar(&f.limit, "limit", engine.DefaultRecordLimit, "most matching records to aggregate per request; 0 means no limit")
	fs.BoolVar(&f.strict, "strict", false, "reject unknown request keys and respond 500 INVALID_RECORD on the first invalid record value")
	fs.StringVar(&f.tz, "tz", "UTC", "IANA time zone of datetimes written without an offset, and of datetime group keys")
	fs.Int64Var(&f.maxBody, "max-body", httpapi.DefaultMaxBodyBytes, "largest request body in `BYTES`; a larger one gets 413 PAYLOAD_TOO_LARGE")
	fs.IntVar(&f.cacheSize, "cache", httpapi.DefaultCacheSize, "compiled requests to keep in the LRU cache; 0 turns the cache off")
	fs.DurationVar(&f.slowRun, "slow", httpapi.DefaultSlowRun, "run duration from which a run is logged as slow; 0 turns the slow-run log off")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: crmagg serve [flags]\n\n"+
			"Serves POST /v1/{entity}/aggregate, GET /v1/{entity}/fields and GET /healthz over HTTP\n"+
			"from a portal directory or the embedded demo portal, until SIGINT or SIGTERM.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs
}

func parseServeArgs(args []string, stdout io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := newServeFlagSet(f)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil, err
		}
		return nil, usagef("%v; run 'crmagg serve -h' for the flags", err)
	}
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q; serve takes flags only", shorten(fs.Arg(0)))
	case f.limit < 0:
		return nil, usagef("invalid --limit %d: it must be 0 (no limit) or more", f.limit)
	case f.maxBody <= 0:
		return nil, usagef("invalid --max-body %d: it must be a positive number of bytes", f.maxBody)
	case f.cacheSize < 0:
		return nil, usagef("invalid --cache %d: it must be 0 (no cache) or more", f.cacheSize)
	case f.slowRun < 0:
		return nil, usagef("invalid --slow %v: it must be 0 (off) or more", f.slowRun)
	}
	return f, nil
}

// loadZone reads --tz as query does: an IANA name, never "Local".
func loadZone(tz string) (*time.Location, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" || strings.EqualFold(tz, "local") {
		return nil, usagef("invalid --tz %q: give an IANA zone name such as UTC or Europe/Moscow", tz)
	}
	return loc, nil
}

// runServe serves until SIGINT or SIGTERM. A second signal during the
// graceful shutdown ends the process at once.
func runServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	return serve(ctx, args, stdout, stderr)
}

// serve loads the portal, listens, and shuts down gracefully once ctx is
// done. It logs to stderr and returns the exit status: 0 after a clean
// stop, 1 when the portal, the keys or the listener fail, 2 on a usage
// error.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseServeArgs(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var loc *time.Location
	if err == nil {
		loc, err = loadZone(f.tz)
	}
	if err != nil {
		fmt.Fprintf(stderr, "crmagg serve: %v\n", err)
		return exitUsage
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	srv, ln, err := prepareServer(f, loc, logger)
	if err != nil {
		logger.Error("crmagg serve failed to start", slog.Any("error", err))
		return exitInput
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	logger.Info("listening", slog.String("addr", addr), slog.String("url", "http://"+addr))

	select {
	case err := <-served:
		logger.Error("the HTTP server stopped", slog.Any("error", err))
		return exitInput
	case <-ctx.Done():
	}

	logger.Info("shutting down", slog.Duration("timeout", shutdownTimeout))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still running after the shutdown timeout; closing their connections", slog.Any("error", err))
		srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		logger.Error("the HTTP server stopped", slog.Any("error", err))
		return exitInput
	}
	logger.Info("stopped")
	return exitOK
}

// prepareServer loads the portal and the keys and opens the listener.
func prepareServer(f *serveFlags, loc *time.Location, logger *slog.Logger) (*http.Server, net.Listener, error) {
	cfg := httpapi.Config{
		Options:      engine.Options{RecordLimit: f.limit, Strict: f.strict, Location: loc},
		MaxBodyBytes: f.maxBody,
		CacheSize:    f.cacheSize,
		SlowRun:      f.slowRun,
		Logger:       logger,
	}
	if f.limit == 0 {
		cfg.Options.RecordLimit = -1
	}
	entities, err := loadPortal(f, cfg.Options, logger)
	if err != nil {
		return nil, nil, err
	}
	if f.cacheSize == 0 {
		cfg.CacheSize = -1
	}
	if f.slowRun == 0 {
		cfg.SlowRun = -1
	}
	for _, e := range entities {
		cfg.Entities = append(cfg.Entities, e.Entity)
	}

	if f.keysPath != "" {
		keys, err := httpapi.LoadKeys(f.keysPath)
		if err != nil {
			return nil, nil, err
		}
		cfg.Auth = keys
		logger.Info("API keys loaded", slog.String("file", f.keysPath), slog.Int("keys", keys.Len()))
	} else {
		logger.Warn("no --keys file: every request is accepted without an API key")
	}

	api, err := httpapi.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	health, err := healthBody(entities)
	if err != nil {
		return nil, nil, err
	}

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{
		Handler:           withHealth(api, health),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return srv, ln, nil
}

// portalEntity is one loaded entity and its record count for /healthz.
type portalEntity struct {
	httpapi.Entity
	records int
}

// loadPortal loads the entities of --data, or the demo portal without it,
// into prepared tables. Schemas and records are read as query reads them,
// and the tables are built with the time zone and exponent bound of opts,
// as RunTable requires.
func loadPortal(f *serveFlags, opts engine.Options, logger *slog.Logger) ([]portalEntity, error) {
	var sources []*queryFlags
	if f.dataDir == "" {
		for _, name := range demo.Entities() {
			sources = append(sources, &queryFlags{entity: name})
		}
	} else {
		found, err := findEntities(f.dataDir)
		if err != nil {
			return nil, err
		}
		sources = found
	}

	entities := make([]portalEntity, 0, len(sources))
	for _, src := range sources {
		e, err := loadEntity(src, opts)
		if err != nil {
			return nil, err
		}
		logger.Info("entity loaded", slog.String("entity", e.Name), slog.Int("records", e.records),
			slog.Int("fields", len(e.Table.Schema().Fields)), slog.String("source", recordsName(src)))
		entities = append(entities, e)
	}
	return entities, nil
}

func loadEntity(src *queryFlags, opts engine.Options) (portalEntity, error) {
	s, _, err := loadSchema(src, nil)
	if err != nil {
		return portalEntity{}, err
	}
	var fieldsBody []byte
	if src.fieldsPath != "" {
		fieldsBody, err = os.ReadFile(src.fieldsPath)
	} else {
		fieldsBody, err = demo.Fields(src.entity)
	}
	if err != nil {
		return portalEntity{}, err
	}

	records, closeRecords, err := openRecords(src, nil)
	if err != nil {
		return portalEntity{}, err
	}
	defer closeRecords()
	table, err := engine.NewTable(s, records, engine.TableOptions{Location: opts.Location, MaxExponent: opts.MaxExponent})
	if err != nil {
		return portalEntity{}, fmt.Errorf("reading records from %s: %w", recordsName(src), err)
	}
	return portalEntity{
		Entity:  httpapi.Entity{Name: src.entity, Table: table, FieldsBody: fieldsBody},
		records: table.Len(),
	}, nil
}

// findEntities lists the entities of a portal directory: each
// subdirectory with fields.json or a records file, in name order. Such
// a subdirectory must hold fields.json and exactly one of records.jsonl and
// records.json.
func findEntities(dir string) ([]*queryFlags, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var found []*queryFlags
	for _, entry := range entries {
		sub := filepath.Join(dir, entry.Name())
		if info, err := os.Stat(sub); err != nil || !info.IsDir() {
			continue
		}
		fields := filepath.Join(sub, "fields.json")
		var records []string
		for _, name := range []string{"records.jsonl", "records.json"} {
			if fileExists(filepath.Join(sub, name)) {
				records = append(records, filepath.Join(sub, name))
			}
		}
		hasFields := fileExists(fields)
		switch {
		case !hasFields && len(records) == 0:
			continue
		case !hasFields:
			return nil, fmt.Errorf("%s has records but no fields.json; add the GET /v1/%s/fields body there", sub, entry.Name())
		case len(records) == 0:
			return nil, fmt.Errorf("%s has fields.json but no records.jsonl or records.json", sub)
		case len(records) > 1:
			return nil, fmt.Errorf("%s has both records.jsonl and records.json; keep one of them", sub)
		}
		found = append(found, &queryFlags{entity: entry.Name(), fieldsPath: fields, recordsPath: records[0]})
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("no entity found in %s: add a subdirectory per entity, such as contacts/, with fields.json and records.jsonl", dir)
	}
	return found, nil
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// healthBody returns the /healthz response: {"status":"ok","entities":
// {"contacts":20000,...}} with the record count of each entity.
func healthBody(entities []portalEntity) ([]byte, error) {
	counts := make(map[string]int, len(entities))
	for _, e := range entities {
		counts[e.Name] = e.records
	}
	body, err := json.Marshal(struct {
		Status   string         `json:"status"`
		Entities map[string]int `json:"entities"`
	}{"ok", counts})
	if err != nil {
		return nil, err
	}
	return append(body, '\n'), nil
}

// withHealth serves GET and HEAD /healthz, without authentication, and
// passes every other request to api.
func withHealth(api http.Handler, health []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			api.ServeHTTP(w, r)
			return
		}
		status, body := http.StatusOK, health
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			status = http.StatusMethodNotAllowed
			body = engine.AppendErrorResponse(nil, apierr.New(apierr.MethodNotAllowed,
				fmt.Sprintf("method %s is not allowed on /healthz. Allowed: GET, HEAD", r.Method)))
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}
