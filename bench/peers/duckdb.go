package peers

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"
)

// DuckDB is an in-memory DuckDB database with the Columns in a table
// contacts(typeId, sourceId, assignedById, amount) and the target query
// prepared.
type DuckDB struct {
	db   *sql.DB
	stmt *sql.Stmt
}

// DuckDBOptions are the table's key types and DuckDB's thread count.
type DuckDBOptions struct {
	// Enum makes typeId and sourceId ENUM columns instead of VARCHAR.
	Enum bool
	// Threads is DuckDB's threads setting. 0 keeps its default.
	Threads int
}

// OpenDuckDB loads c into a new in-memory database through the Appender.
// It prepares the query for the assignees ids and a type other than
// excludedType. Empty keys and absent amounts are NULL.
func OpenDuckDB(ctx context.Context, c *Columns, ids []int, excludedType string, opts DuckDBOptions) (*DuckDB, error) {
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	d := &DuckDB{db: db}
	if err := d.load(ctx, c, ids, excludedType, opts); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

func (d *DuckDB) load(ctx context.Context, c *Columns, ids []int, excludedType string, opts DuckDBOptions) error {
	var setup []string
	if opts.Threads > 0 {
		setup = append(setup, "SET threads = "+strconv.Itoa(opts.Threads))
	}
	typeCol, sourceCol := "VARCHAR", "VARCHAR"
	if opts.Enum {
		setup = append(setup,
			"CREATE TYPE type_id AS ENUM ("+sqlList(c.TypeNames[1:])+")",
			"CREATE TYPE source_id AS ENUM ("+sqlList(c.SourceNames[1:])+")")
		typeCol, sourceCol = "type_id", "source_id"
	}
	setup = append(setup, "CREATE TABLE contacts (typeId "+typeCol+", sourceId "+sourceCol+
		", assignedById INTEGER, amount DECIMAL(18,2))")
	for _, q := range setup {
		if _, err := d.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("peers: DuckDB statement %q failed: %w", q, err)
		}
	}

	if err := d.appendColumns(ctx, c); err != nil {
		return err
	}
	var err error
	d.stmt, err = d.db.PrepareContext(ctx, Query(ids, excludedType))
	return err
}

// appendColumns appends the records through the Appender. It releases its
// connection before returning, because the pool has only one.
func (d *DuckDB) appendColumns(ctx context.Context, c *Columns) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(raw any) error {
		app, err := duckdb.NewAppenderFromConn(raw.(driver.Conn), "", "contacts")
		if err != nil {
			return err
		}
		for i := range c.Len {
			var typ, src, assignee, amount driver.Value
			if code := c.Type[i]; code != 0 {
				typ = c.TypeNames[code]
			}
			if code := c.Source[i]; code != 0 {
				src = c.SourceNames[code]
			}
			if code := c.Assignee[i]; code != 0 {
				assignee = int32(c.Assignees[code])
			}
			if c.HasAmount(i) {
				amount = duckdb.Decimal{Width: 18, Scale: 2, Value: big.NewInt(c.Cents[i])}
			}
			if err := app.AppendRow(typ, src, assignee, amount); err != nil {
				app.Close()
				return fmt.Errorf("peers: appending record %d to DuckDB failed: %w", i, err)
			}
		}
		return app.Close()
	})
}

// Query is the SQL text of the target query.
func Query(ids []int, excludedType string) string {
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.Itoa(id)
	}
	return "SELECT typeId, sourceId, count(*), sum(amount), avg(amount), min(amount), max(amount)" +
		" FROM contacts WHERE assignedById IN (" + strings.Join(list, ", ") + ")" +
		" AND (typeId IS NULL OR typeId <> " + sqlString(excludedType) + ") GROUP BY ALL"
}

func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func sqlList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = sqlString(n)
	}
	return strings.Join(quoted, ", ")
}

// Run runs the prepared query and reads its rows.
func (d *DuckDB) Run(ctx context.Context) ([]Group, error) {
	rows, err := d.stmt.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var (
			typ, src      sql.NullString
			count         int64
			sum, min, max any
			avg           sql.NullFloat64
		)
		if err := rows.Scan(&typ, &src, &count, &sum, &avg, &min, &max); err != nil {
			return nil, err
		}
		g := Group{TypeID: typ.String, SourceID: src.String, Count: count}
		if avg.Valid {
			g.HasValues = true
			g.Avg = decimal.NewFromFloat(avg.Float64)
			if g.Sum, err = decimalCents(sum); err == nil {
				if g.Min, err = decimalCents(min); err == nil {
					g.Max, err = decimalCents(max)
				}
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func decimalCents(v any) (int64, error) {
	d, ok := v.(duckdb.Decimal)
	if !ok || d.Value == nil {
		return 0, fmt.Errorf("peers: DuckDB returned %T for a DECIMAL, expected duckdb.Decimal", v)
	}
	return cents(decimal.NewFromBigInt(d.Value, -int32(d.Scale))), nil
}

// Close closes the database.
func (d *DuckDB) Close() error {
	if d.stmt != nil {
		d.stmt.Close()
	}
	return d.db.Close()
}
