package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/crmagg/crmagg/apierr"
	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

// Defaults applied where a Config field is zero.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultCacheSize    = 256
	DefaultSlowRun      = time.Second
)

// Allow header values of the two endpoints.
const (
	allowAggregate = "POST"
	allowFields    = "GET, HEAD"
)

// Entity is one entity the handler serves: its schema and where its records
// come from. Exactly one of Table and Fetch is set.
type Entity struct {
	// Name is the {entity} path segment, such as "contacts".
	Name string

	// Schema is the entity's field schema. When nil, the schema of Table
	// is used. With a Table, Schema must be nil or the table's schema.
	Schema *schema.Schema

	// Table is a prepared set of records, built once by engine.NewTable
	// and shared by every request.
	Table *engine.Table

	// Fetch returns the records for one request. The context is the
	// request's: it is cancelled when the client goes away. When the
	// source also implements io.Closer, the handler closes it after the
	// run.
	Fetch func(ctx context.Context) (engine.Source, error)

	// FieldsBody, when set, is the body GET /v1/{entity}/fields returns:
	// the envelope {"success": true, "data": {...}} as is, or a bare data
	// object, which the handler wraps in the envelope. When nil, the
	// handler writes the descriptors of Schema in schema order.
	FieldsBody []byte

	// Scope is the scope an API key needs to use the entity; "" means
	// DefaultScope(Name).
	Scope string
}

// Config configures a Handler. The zero value of each field means its
// default.
type Config struct {
	// Entities are the entities served; their names must be distinct.
	Entities []Entity

	// Options apply to every compilation and run. Options.MaxBodyBytes is
	// replaced by MaxBodyBytes, so that the engine never rejects a body
	// the handler has accepted.
	Options engine.Options

	// Auth checks the credentials of each request. When nil, every request
	// is accepted without an API key.
	Auth Authenticator

	// MaxBodyBytes caps the request body; a larger body is rejected with
	// 413 PAYLOAD_TOO_LARGE. 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// CacheSize is how many compiled requests the handler keeps, least
	// recently used first out. 0 means DefaultCacheSize and a negative
	// value turns the cache off.
	CacheSize int

	// SlowRun is the run duration from which a run is logged as slow at
	// level WARN. 0 means DefaultSlowRun and a negative value turns the
	// slow-run log off.
	SlowRun time.Duration

	// Logger receives one record per request, plus slow runs and errors.
	// nil means slog.Default().
	Logger *slog.Logger
}

// Stats are counters of a Handler since it was built.
type Stats struct {
	// Compiles counts calls of engine.Compile, successful or not.
	Compiles int64
	// CacheHits counts requests whose compiled plan came from the cache.
	CacheHits int64
	// Cached is the number of compiled requests in the cache now.
	Cached int
}

// Handler serves POST /v1/{entity}/aggregate and GET /v1/{entity}/fields.
// It is safe for concurrent use.
type Handler struct {
	entities map[string]*entityState
	names    []string
	opts     engine.Options
	auth     Authenticator
	maxBody  int64
	slowRun  time.Duration
	log      *slog.Logger
	cache    *planCache

	compiles  atomic.Int64
	cacheHits atomic.Int64
}

type entityState struct {
	Entity
	scope string
	// fieldsBody is the complete response of the fields endpoint.
	fieldsBody []byte
}

// New builds a Handler. It rejects an entity name that is empty, contains
// "/" or is repeated. It also rejects an entity with no record source or two
// of them, with no schema, with a schema or read options that differ from
// its table's, or with a FieldsBody that is not a JSON object.
func New(cfg Config) (*Handler, error) {
	h := &Handler{
		entities: make(map[string]*entityState, len(cfg.Entities)),
		opts:     cfg.Options,
		auth:     cfg.Auth,
		maxBody:  cfg.MaxBodyBytes,
		slowRun:  cfg.SlowRun,
		log:      cfg.Logger,
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	h.opts.MaxBodyBytes = int(h.maxBody)
	if h.slowRun == 0 {
		h.slowRun = DefaultSlowRun
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	switch {
	case cfg.CacheSize == 0:
		h.cache = newPlanCache(DefaultCacheSize)
	case cfg.CacheSize > 0:
		h.cache = newPlanCache(cfg.CacheSize)
	}

	for i := range cfg.Entities {
		e, err := prepareEntity(cfg.Entities[i], h.opts)
		if err != nil {
			return nil, err
		}
		if _, dup := h.entities[e.Name]; dup {
			return nil, fmt.Errorf("httpapi: entity %q is given twice", e.Name)
		}
		h.entities[e.Name] = e
		h.names = append(h.names, e.Name)
	}
	return h, nil
}

func prepareEntity(e Entity, opts engine.Options) (*entityState, error) {
	if e.Name == "" || strings.Contains(e.Name, "/") {
		return nil, fmt.Errorf("httpapi: invalid entity name %q: it must be one non-empty path segment", e.Name)
	}
	if (e.Table == nil) == (e.Fetch == nil) {
		return nil, fmt.Errorf("httpapi: entity %q needs exactly one record source, Table or Fetch", e.Name)
	}
	if e.Table != nil {
		if e.Schema == nil {
			e.Schema = e.Table.Schema()
		} else if e.Schema != e.Table.Schema() {
			return nil, fmt.Errorf("httpapi: entity %q: Schema is not the schema its Table was built for", e.Name)
		}
		if err := checkTableOptions(e.Table.Options(), opts); err != nil {
			return nil, fmt.Errorf("httpapi: entity %q: %w", e.Name, err)
		}
	}
	if e.Schema == nil {
		return nil, fmt.Errorf("httpapi: entity %q has no schema", e.Name)
	}

	state := &entityState{Entity: e, scope: e.Scope}
	if state.scope == "" {
		state.scope = DefaultScope(e.Name)
	}
	if e.FieldsBody != nil {
		body, err := fieldsEnvelope(e.FieldsBody)
		if err != nil {
			return nil, fmt.Errorf("httpapi: entity %q: %w", e.Name, err)
		}
		state.fieldsBody = body
	} else {
		state.fieldsBody = appendFieldsResponse(nil, e.Schema)
	}
	return state, nil
}

// checkTableOptions checks that plans compiled with opts can run on a
// table built with tableOpts: RunTable rejects a plan whose time zone or
// exponent bound differs from the table's.
func checkTableOptions(tableOpts engine.TableOptions, opts engine.Options) error {
	tableZone, planZone := time.UTC, time.UTC
	if tableOpts.Location != nil {
		tableZone = tableOpts.Location
	}
	if opts.Location != nil {
		planZone = opts.Location
	}
	if tableZone.String() != planZone.String() || tableOpts.MaxExponent != opts.MaxExponent {
		return fmt.Errorf("the table was built with time zone %s and MaxExponent %d, but Config.Options has %s and %d; "+
			"build the table with the same Location and MaxExponent", tableZone, tableOpts.MaxExponent, planZone, opts.MaxExponent)
	}
	return nil
}

// Stats returns the handler's counters.
func (h *Handler) Stats() Stats {
	st := Stats{Compiles: h.compiles.Load(), CacheHits: h.cacheHits.Load()}
	if h.cache != nil {
		st.Cached = h.cache.len()
	}
	return st
}

// requestLog collects what the request log record reports.
type requestLog struct {
	start   time.Time
	entity  string
	keyHash string
	status  int
	code    apierr.Code
	err     error
	cached  bool
	records int64
}

// ServeHTTP checks a request in this order and responds with the first
// failure: the path (NOT_FOUND, ENTITY_NOT_FOUND), the method
// (METHOD_NOT_ALLOWED), authentication, the content type
// (UNSUPPORTED_MEDIA_TYPE), the body size (PAYLOAD_TOO_LARGE), and the
// request itself (INVALID_PARAMS, INVALID_FILTER_OPERATOR, and the run's
// TOO_MANY_GROUPS and INVALID_RECORD).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rl := &requestLog{start: time.Now()}
	defer h.logRequest(r, rl)

	name, endpoint, ok := splitPath(r.URL.Path)
	if !ok {
		h.writeError(w, rl, apierr.New(apierr.NotFound, fmt.Sprintf(
			"no endpoint at %s %s; the API serves POST /v1/{entity}/aggregate and GET /v1/{entity}/fields", r.Method, r.URL.Path)))
		return
	}
	rl.entity = name
	e, ok := h.entities[name]
	if !ok {
		h.writeError(w, rl, apierr.New(apierr.EntityNotFound, fmt.Sprintf(
			"entity '%s' is not found. Available: %s", name, strings.Join(h.names, ", "))))
		return
	}

	allow := allowAggregate
	if endpoint == "fields" {
		allow = allowFields
	}
	if !methodAllowed(r.Method, endpoint) {
		w.Header().Set("Allow", allow)
		h.writeError(w, rl, apierr.New(apierr.MethodNotAllowed, fmt.Sprintf(
			"method %s is not allowed on %s. Allowed: %s", r.Method, r.URL.Path, allow)))
		return
	}

	if err := h.authenticate(r, e, rl); err != nil {
		h.writeFailure(w, rl, err)
		return
	}

	if endpoint == "fields" {
		h.write(w, rl, http.StatusOK, e.fieldsBody)
		return
	}
	h.serveAggregate(w, r, e, rl)
}

func methodAllowed(method, endpoint string) bool {
	if endpoint == "fields" {
		return method == http.MethodGet || method == http.MethodHead
	}
	return method == http.MethodPost
}

// splitPath splits /v1/{entity}/{endpoint} with endpoint aggregate or
// fields.
func splitPath(path string) (entity, endpoint string, ok bool) {
	rest, found := strings.CutPrefix(path, "/v1/")
	if !found {
		return "", "", false
	}
	entity, endpoint, found = strings.Cut(rest, "/")
	if !found || entity == "" || (endpoint != "aggregate" && endpoint != "fields") {
		return "", "", false
	}
	return entity, endpoint, true
}

func (h *Handler) authenticate(r *http.Request, e *entityState, rl *requestLog) error {
	if h.auth == nil {
		return nil
	}
	key := r.Header.Get("X-Api-Key")
	if key == "" {
		return apierr.New(apierr.MissingAPIKey, "the X-Api-Key header is missing; send the API key in it")
	}
	rl.keyHash = KeyFingerprint(key)
	cred := Credentials{APIKey: key, Bearer: bearerToken(r.Header.Get("Authorization"))}
	return h.auth.Authenticate(r.Context(), cred, e.scope)
}

// bearerToken returns the token of an Authorization header that uses the
// Bearer scheme, or "". The scheme name is case-insensitive (RFC 9110).
func bearerToken(header string) string {
	scheme, token, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func (h *Handler) serveAggregate(w http.ResponseWriter, r *http.Request, e *entityState, rl *requestLog) {
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		h.writeError(w, rl, err)
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		h.writeFailure(w, rl, err)
		return
	}

	plan, err := h.compile(e, body, rl)
	if err != nil {
		h.writeFailure(w, rl, err)
		return
	}

	res, err := h.run(r.Context(), e, plan, body)
	if err != nil {
		h.writeFailure(w, rl, err)
		return
	}
	rl.records = res.Meta.RecordsProcessed
	h.write(w, rl, http.StatusOK, engine.AppendResponse(nil, res))
}

// checkContentType accepts a missing Content-Type and application/json
// with any parameters.
func checkContentType(header string) *apierr.Error {
	if header == "" {
		return nil
	}
	mediaType, _, err := mime.ParseMediaType(header)
	if err == nil && mediaType == "application/json" {
		return nil
	}
	return apierr.New(apierr.UnsupportedMediaType, fmt.Sprintf(
		"content type '%s' is not supported; send the request body as application/json", header))
}

// readBody reads at most h.maxBody bytes of the body. An empty body reads
// as {}, the request that counts every record.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := apierr.New(apierr.PayloadTooLarge, fmt.Sprintf(
		"the request body is larger than the limit of %d bytes", h.maxBody))
	if r.ContentLength > h.maxBody {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return nil, tooLarge
	case err != nil:
		return nil, fmt.Errorf("reading the request body: %w", err)
	case len(body) == 0:
		return []byte("{}"), nil
	}
	return body, nil
}

// compile returns the plan of a body, from the cache when it was compiled
// before for the same schema.
func (h *Handler) compile(e *entityState, body []byte, rl *requestLog) (*engine.Plan, error) {
	key := cacheKey{schema: e.Schema, body: string(body)}
	if h.cache != nil {
		if plan, ok := h.cache.get(key); ok {
			h.cacheHits.Add(1)
			rl.cached = true
			return plan, nil
		}
	}
	h.compiles.Add(1)
	plan, err := engine.Compile(e.Schema, body, h.opts)
	if err != nil {
		return nil, err
	}
	if h.cache != nil && len(body) <= maxCachedBody {
		h.cache.add(key, plan)
	}
	return plan, nil
}

func (h *Handler) run(ctx context.Context, e *entityState, plan *engine.Plan, body []byte) (*engine.Result, error) {
	start := time.Now()
	var res *engine.Result
	var err error
	if e.Table != nil {
		res, err = plan.RunTable(ctx, e.Table)
	} else {
		res, err = h.runFetched(ctx, e, plan)
	}

	if elapsed := time.Since(start); h.slowRun > 0 && elapsed >= h.slowRun {
		h.log.LogAttrs(ctx, slog.LevelWarn, "slow run",
			slog.String("entity", e.Name),
			slog.Duration("duration", elapsed),
			slog.Int("bodyBytes", len(body)),
			slog.String("bodyHash", fingerprint(body)),
			slog.Any("groupBy", plan.GroupBy()))
	}
	return res, err
}

func (h *Handler) runFetched(ctx context.Context, e *entityState, plan *engine.Plan) (*engine.Result, error) {
	src, err := e.Fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetching the records: %w", err)
	}
	if closer, ok := src.(io.Closer); ok {
		defer func() {
			if err := closer.Close(); err != nil {
				h.log.LogAttrs(ctx, slog.LevelWarn, "closing the record source failed",
					slog.String("entity", e.Name), slog.Any("error", err))
			}
		}()
	}
	return plan.Run(ctx, src)
}

// writeFailure writes the error response for err: an *apierr.Error with its own status; a
// strict-mode invalid value with 500 INVALID_RECORD; anything else with
// 500 INTERNAL_ERROR, whose message hides the detail that the log keeps.
func (h *Handler) writeFailure(w http.ResponseWriter, rl *requestLog, err error) {
	rl.err = err
	if e := apierr.As(err); e != nil {
		h.writeError(w, rl, e)
		return
	}
	var dataErr *engine.DataError
	var inputErr *engine.InputError
	switch {
	case errors.As(err, &dataErr):
		h.writeError(w, rl, apierr.New(apierr.InvalidRecord, dataErr.Error()))
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		h.writeError(w, rl, apierr.New(apierr.InternalError, "the request was cancelled before the run finished"))
	case errors.As(err, &inputErr):
		h.writeError(w, rl, apierr.New(apierr.InternalError, "the stored records could not be read: "+inputErr.Error()))
	default:
		h.writeError(w, rl, apierr.New(apierr.InternalError, "the request failed on the server; the server log has the cause"))
	}
}

func (h *Handler) writeError(w http.ResponseWriter, rl *requestLog, e *apierr.Error) {
	rl.code = e.Code
	h.write(w, rl, e.Code.HTTPStatus(), engine.AppendErrorResponse(nil, e))
}

func (h *Handler) write(w http.ResponseWriter, rl *requestLog, status int, body []byte) {
	rl.status = status
	header := w.Header()
	header.Set("Content-Type", "application/json; charset=utf-8")
	header.Set("Content-Length", strconv.Itoa(len(body)))
	header.Set("X-Content-Type-Options", "nosniff")
	header.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// A write error means the client is gone; the request log records the
	// status all the same.
	_, _ = w.Write(body)
}

// logRequest writes one record per request: INFO for a success, WARN for
// a rejected request, ERROR for a server failure. It never logs the API
// key, only its fingerprint.
func (h *Handler) logRequest(r *http.Request, rl *requestLog) {
	level := slog.LevelInfo
	switch {
	case errors.Is(rl.err, context.Canceled):
		// The client went away: nothing failed on the server.
		level = slog.LevelWarn
	case rl.status >= 500:
		level = slog.LevelError
	case rl.status >= 400:
		level = slog.LevelWarn
	}
	ctx := context.WithoutCancel(r.Context())
	if !h.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", rl.status),
		slog.Duration("duration", time.Since(rl.start)),
		slog.String("remote", r.RemoteAddr),
	}
	if rl.entity != "" {
		attrs = append(attrs, slog.String("entity", rl.entity))
	}
	if rl.keyHash != "" {
		attrs = append(attrs, slog.String("key", rl.keyHash))
	}
	if rl.code != "" {
		attrs = append(attrs, slog.String("code", string(rl.code)))
	}
	if rl.status == http.StatusOK && strings.HasSuffix(r.URL.Path, "/aggregate") {
		attrs = append(attrs, slog.Bool("cached", rl.cached), slog.Int64("recordsProcessed", rl.records))
	}
	if rl.err != nil && apierr.As(rl.err) == nil {
		attrs = append(attrs, slog.Any("error", rl.err))
	}
	h.log.LogAttrs(ctx, level, "request", attrs...)
}
