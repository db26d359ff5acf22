// Package httpapi serves the aggregate endpoint of the VibeCode Entity API
// over HTTP from records held in process, so that a client written for the
// real API can be pointed at a local server. A Handler serves
//
//	POST /v1/{entity}/aggregate   the aggregate request of package engine
//	GET  /v1/{entity}/fields      the field descriptors of the entity
//
// for each Entity it is given, with the API's success and error envelopes
// and the HTTP status of each error code (apierr.Code.HTTPStatus).
//
// # Embedding
//
//	s, _ := schema.Load("contacts", fieldsBody)
//	table, err := engine.NewTable(s, engine.NewJSONSource(recordsFile), engine.TableOptions{})
//	if err != nil { ... }
//	h, err := httpapi.New(httpapi.Config{
//		Entities: []httpapi.Entity{{Name: "contacts", Table: table}},
//		Auth:     keys, // from httpapi.LoadKeys; nil accepts every request
//	})
//	if err != nil { ... }
//	http.ListenAndServe("127.0.0.1:8080", h)
//
// A table must be built with the Location and MaxExponent of
// Config.Options, which New checks. An entity whose records live elsewhere
// sets Entity.Fetch instead of Table; it is called once per request with
// the request's context.
//
// # Checks
//
// A request is checked in this order, and the response reports the first
// failure:
//
//  1. the path: 404 NOT_FOUND for a path that is not /v1/{entity}/aggregate
//     or /v1/{entity}/fields, 404 ENTITY_NOT_FOUND for an unknown entity;
//  2. the method: 405 METHOD_NOT_ALLOWED with an Allow header (POST on
//     aggregate, GET and HEAD on fields);
//  3. authentication, when Config.Auth is set: 401 MISSING_API_KEY without
//     an X-Api-Key header, then whatever the Authenticator returns;
//  4. the content type: 415 UNSUPPORTED_MEDIA_TYPE unless it is missing or
//     application/json, with any parameters;
//  5. the body size: 413 PAYLOAD_TOO_LARGE past Config.MaxBodyBytes (1 MiB
//     by default); the body is read through http.MaxBytesReader;
//  6. the request: 400 INVALID_PARAMS or INVALID_FILTER_OPERATOR from
//     engine.Compile, then the run's 400 TOO_MANY_GROUPS or, in strict mode,
//     500 INVALID_RECORD.
//
// The fields endpoint has no body, so steps 4 to 6 apply to aggregate only.
// An empty aggregate body is read as {}, the request that counts every
// record. A failure of the record source or of the Authenticator is 500
// INTERNAL_ERROR, and its detail goes to the log, not to the client.
//
// # Authentication
//
// Keys, built from a keys file by LoadKeys, implements the API's rules: an
// unknown key is INVALID_API_KEY, an application key (prefix "vibe_app_")
// without an Authorization: Bearer token is INVALID_APP_KEY, a key without
// tokens is TOKEN_MISSING, and a key without the entity's scope is 403
// SCOPE_DENIED. The scope of an entity is Entity.Scope, or "task" for tasks
// and "crm" for other entities. Another key store implements Authenticator.
//
// # Runs, cache and logs
//
// Every run is bounded by the request's context, so a client that goes away
// stops its run. Compiled requests are kept in a least-recently-used cache
// keyed by schema and exact body bytes (Config.CacheSize entries, 256 by
// default; bodies over 64 KiB are not cached), so a dashboard that repeats
// a query compiles it once. Stats reports compilations and cache hits.
//
// Each request is logged with log/slog (method, path, entity, status, code,
// duration), and so is every run slower than Config.SlowRun. An API key is
// never logged; the log carries KeyFingerprint, the first 8 hex digits of
// its SHA-256.
package httpapi
