// Package engine answers aggregate requests of the VibeCode Entity API
// (POST /v1/{entity}/aggregate) in process: it validates a request body
// against a schema, compiles it into a Plan, streams records through the
// plan and returns the response the HTTP API would return.
//
// # Compile once, run many
//
// Compile checks the body in the API's order (a JSON object; unknown keys
// in strict mode; groupBy; aggregate element by element, function before
// field; the filter in key order) and reports the first failure as an
// *apierr.Error with code INVALID_PARAMS or INVALID_FILTER_OPERATOR. A body
// with a repeated key or invalid UTF-8 is INVALID_PARAMS too. The Plan it
// returns is immutable: many goroutines may call Run on one Plan at once.
//
//	plan, err := engine.Compile(s, body, engine.Options{})
//	if err != nil { ... } // an *apierr.Error: write it with AppendErrorResponse
//	res, err := plan.Run(ctx, engine.NewJSONSource(r))
//	if err != nil { ... }
//	os.Stdout.Write(engine.AppendResponse(nil, res))
//
// # Execution
//
// Run counts every record that matches the filter and aggregates the first
// Options.RecordLimit of them (5000 by default, as the API does). A request
// with no groupBy and no aggregate other than the record count aggregates
// nothing. sum, avg, min and max are exact decimals; avg is rounded half to
// even to 10 places by default; money amounts are summed whatever their
// currency. Groups are keyed by typed value (1, "1" and 1.0 are one integer
// key; one instant spelled in two zones is one datetime key), ordered by
// count descending, then by key values ascending with null last.
//
// # Malformed records
//
// A value that cannot be read as its field's type is skipped by every
// function, puts the record in the null group of a groupBy field, and is
// counted in Meta.InvalidValues; a filter reads it as empty. In strict mode
// the run stops instead with a *DataError naming the record's position and
// the field. A record stream that is not valid JSON, holds a record that is
// not an object or one over the size limit fails with an *InputError
// naming the record's position; no record is skipped silently.
//
// # Limits
//
// Options holds every limit with its default: request body 1 MiB, filter
// depth 16, 1,000 conditions, 10,000 values in one list, 100,000 distinct
// groups (TOO_MANY_GROUPS past it), 1 MiB per record (JSONSource), exponent
// ±1000 and 1,000 significant digits per number. A run checks its context
// before every record of a stream, every 1024 groups one record is added
// to, and every block of 1024 rows of a table, and returns ctx.Err() once
// it is done; a JSONSource stops reading once the context is done.
//
// # Tables and shards
//
// NewTable stores records by column for repeated queries, and RunTable
// splits the rows among GOMAXPROCS goroutines with results identical to
// Run over the same records, record limit included. RunPartial and
// RunTablePartial return a mergeable Partial, so shards aggregated anywhere
// combine with Partial.Merge.
//
// # Output
//
// AppendResponse and AppendErrorResponse write the envelopes as compact
// JSON in the API's key order, numbers in plain notation with no trailing
// fractional zeros, and no HTML escaping.
package engine
