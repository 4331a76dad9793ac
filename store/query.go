package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// readOnlyConnector installs readOnlyAuthorizer on every connection of the read pool.
// mode=ro already makes writes to the archive fail; the authorizer also refuses what
// mode=ro allows (ATTACH creating files, temp tables, PRAGMA query_only=0) and turns
// every refusal into one recognisable error at prepare time.
type readOnlyConnector struct {
	driver.Connector
	allowTx bool // BEGIN/COMMIT allowed (the internal snapshot pool only)
}

func (c readOnlyConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := conn.(sqlite.AuthorizerRegisterer)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlite driver has no authorizer")
	}
	auth := readOnlyAuthorizer
	if c.allowTx {
		auth = func(action sqlite.AuthorizerActionCode, arg1, arg2, db, trigger string) sqlite.AuthorizerReturnCode {
			if action == sqlite.AuthTransaction {
				return sqlite.AuthorizerOK
			}
			return readOnlyAuthorizer(action, arg1, arg2, db, trigger)
		}
	}
	if err := r.RegisterAuthorizer(auth); err != nil {
		conn.Close()
		return nil, fmt.Errorf("install read-only authorizer: %w", err)
	}
	return conn, nil
}

// readPragmas may take an argument and still only read.
var readPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "table_list": true, "index_list": true, "index_info": true,
	"index_xinfo": true, "foreign_key_list": true, "foreign_key_check": true, "integrity_check": true,
	"quick_check": true, "function_list": true, "module_list": true, "pragma_list": true,
	"collation_list": true, "database_list": true, "compile_options": true,
}

// readOnlyAuthorizer allows reading statements only. BEGIN is refused too: a
// transaction left open by a query on a pooled connection would pin an old snapshot
// for every later read on it and keep checkpoints from resetting the WAL.
func readOnlyAuthorizer(action sqlite.AuthorizerActionCode, arg1, arg2, _, _ string) sqlite.AuthorizerReturnCode {
	switch action {
	case sqlite.AuthSelect, sqlite.AuthRead, sqlite.AuthFunction, sqlite.AuthRecursive:
		return sqlite.AuthorizerOK
	case sqlite.AuthPragma:
		// PRAGMA name; reads, PRAGMA name = value writes (except the listing pragmas
		// whose argument is a table or index name).
		if arg2 == "" || readPragmas[strings.ToLower(arg1)] {
			return sqlite.AuthorizerOK
		}
		return sqlite.AuthorizerDeny
	}
	return sqlite.AuthorizerDeny
}

// Result is the rows of a Query, with values as the driver returns them (int64,
// float64, string, []byte or nil) so callers can print or encode them without knowing
// the columns' types in advance.
type Result struct {
	Columns []string
	rows    *sql.Rows
	vals    []any
	err     error
}

// Query runs a read-only SQL statement for `forumarc query`. It runs on the read-only
// pool, so INSERT, UPDATE, DELETE, DDL, ATTACH and PRAGMA writes fail with ErrReadOnly
// and leave the archive unchanged. SQL SQLite cannot compile or evaluate (syntax
// errors, unknown columns) fails with ErrBadSQL. Given several statements it runs them
// all and returns the rows of the last: check SingleStatement first.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*Result, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, queryErr(err)
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, queryErr(err)
	}
	return &Result{Columns: cols, rows: rows}, nil
}

// ErrBadSQL: the statement is not one SQLite can run as written (a syntax error, an
// unknown table, column or function, more than one statement...). The error carries
// SQLite's message without the driver's noise, on one line.
var ErrBadSQL = errors.New("bad SQL")

func queryErr(err error) error {
	if err == nil {
		return nil
	}
	if c := classify(err); errors.Is(c, ErrReadOnly) {
		return fmt.Errorf("query: %w (%w)", ErrReadOnly, err)
	}
	if sqliteCode(err) == sqlite3.SQLITE_ERROR && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		// SQLITE_ERROR is SQLite's code for SQL it cannot compile or evaluate; I/O,
		// corruption, locking and interrupts have codes of their own.
		msg := sqliteNoise.ReplaceAllString(err.Error(), "")
		return fmt.Errorf("query: %w: %s", ErrBadSQL, strings.Join(strings.Fields(msg), " "))
	}
	return fmt.Errorf("query: %w", err)
}

// SingleStatement checks that q holds one SQL statement: one trailing semicolon (or
// several) and comments are fine, and so are semicolons inside string literals,
// quoted identifiers and comments. More than one statement is ErrBadSQL; Query itself
// would run them all and return the rows of the last. A CREATE TRIGGER, whose body
// holds semicolons, is let through: the read-only connection refuses it anyway.
func SingleStatement(q string) error {
	first, second := -1, -1
	inStmt := false
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			if j := strings.IndexByte(q[i:], '\n'); j >= 0 {
				i += j + 1
			} else {
				i = len(q)
			}
			continue
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			if j := strings.Index(q[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(q)
			}
			continue
		case c == ';':
			inStmt = false
			i++
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		}
		if !inStmt {
			inStmt = true
			if first < 0 {
				first = i
				if isCreateTrigger(q[i:]) {
					return nil
				}
			} else {
				second = i
				break
			}
		}
		switch c {
		case '\'', '"', '`', '[':
			closing := c
			if c == '[' {
				closing = ']'
			}
			// A doubled quote inside is the quote itself: skipping it as the end of
			// one literal and the start of the next gives the same result.
			if j := strings.IndexByte(q[i+1:], closing); j >= 0 {
				i += j + 2
			} else {
				i = len(q)
			}
		default:
			i++
		}
	}
	if second < 0 {
		return nil
	}
	rest := strings.Join(strings.Fields(q[second:]), " ")
	if r := []rune(rest); len(r) > 40 {
		rest = string(r[:40]) + "…"
	}
	return fmt.Errorf("query: %w: more than one statement (the second begins %q): run one at a time",
		ErrBadSQL, rest)
}

// isCreateTrigger reports whether the statement q starts with CREATE [TEMP] TRIGGER.
func isCreateTrigger(q string) bool {
	w := strings.Fields(strings.ToUpper(q[:min(len(q), 64)]))
	if len(w) > 2 && (w[1] == "TEMP" || w[1] == "TEMPORARY") {
		w = append(w[:1], w[2:]...) // CREATE TEMP TRIGGER reads as CREATE TRIGGER
	}
	return len(w) > 1 && w[0] == "CREATE" && w[1] == "TRIGGER"
}

// Next advances to the next row; false at the end or on error (see Err).
func (r *Result) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	vals := make([]any, len(r.Columns))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		r.err = queryErr(err)
		return false
	}
	r.vals = vals
	return true
}

// Values is the current row; the slice is fresh for every row.
func (r *Result) Values() []any { return r.vals }

// Err reports the error that ended Next, if any.
func (r *Result) Err() error {
	if r.err != nil {
		return r.err
	}
	return queryErr(r.rows.Err())
}

// Close releases the rows; always call it.
func (r *Result) Close() error { return r.rows.Close() }
