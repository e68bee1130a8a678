package warehouse

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Querier runs read queries as Arrow: the warehouse itself, or a View of it
// restricted to what one reader may see.
type Querier interface {
	QueryArrow(ctx context.Context, query string, args ...any) (*Table, error)
}

// Restriction narrows what a reader sees of the canonical, mart and
// workflow tables: Rows is each table's filter (a SQL predicate over its
// columns, "" for every row, "false" for none) and Mask the columns that
// read as NULL. Name tells restrictions apart: each gets its own schema of
// views, made once per build.
type Restriction struct {
	Name string
	Rows func(table string, columns []string) string
	Mask func(table, column string) bool
}

// restrictedRE finds the tables a View rewrites: core, marts, workflow and
// snapshots (closed months as they were).
// Seeds (settings) are read as they are; reports read neither raw nor
// staging, and meta never.
var restrictedRE = regexp.MustCompile(`\b(core|marts|workflow|snapshots)\.([a-z_][a-z0-9_]*)\b`)

// View is the warehouse as a Restriction lets one reader see it: every
// query's core.x, marts.x and workflow.x are rewritten to views that filter
// rows and blank columns, so a report needs no code of its own to be safe.
type View struct {
	w      *Warehouse
	schema string
}

type viewCache struct {
	mu      sync.Mutex
	version map[string]string // restriction schema → the build its views were made for
}

// Restricted returns the View of r, making its views when the tables
// changed since they were made.
func (w *Warehouse) Restricted(ctx context.Context, r *Restriction) (*View, error) {
	schema := "restricted_" + r.Name
	var version string
	if err := w.db.QueryRowContext(ctx, `SELECT coalesce(max(built_at)::VARCHAR, '') || '/' || (SELECT count(*) FROM information_schema.tables
		WHERE table_schema IN ('core', 'marts', 'workflow', 'snapshots'))::VARCHAR FROM meta.model_runs`).Scan(&version); err != nil {
		return nil, err
	}
	w.views.mu.Lock()
	defer w.views.mu.Unlock()
	if w.views.version == nil {
		w.views.version = map[string]string{}
	}
	if w.views.version[schema] != version {
		if err := w.makeViews(ctx, schema, r); err != nil {
			return nil, err
		}
		w.views.version[schema] = version
	}
	return &View{w: w, schema: schema}, nil
}

func (w *Warehouse) makeViews(ctx context.Context, schema string, r *Restriction) error {
	rows, err := w.db.QueryContext(ctx, `SELECT table_schema || '.' || table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema IN ('core', 'marts', 'workflow', 'snapshots') ORDER BY table_schema, table_name, ordinal_position`)
	if err != nil {
		return err
	}
	type column struct{ name, typ string }
	tables := map[string][]column{}
	var order []string
	for rows.Next() {
		var table, name, typ string
		if err := rows.Scan(&table, &name, &typ); err != nil {
			rows.Close()
			return err
		}
		if _, ok := tables[table]; !ok {
			order = append(order, table)
		}
		tables[table] = append(tables[table], column{name, typ})
	}
	rows.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE SCHEMA IF NOT EXISTS %q;\n", schema)
	for _, table := range order {
		var names, selects []string
		for _, c := range tables[table] {
			names = append(names, c.name)
			if r.Mask != nil && r.Mask(table, c.name) {
				selects = append(selects, fmt.Sprintf("NULL::%s AS %q", c.typ, c.name))
			} else {
				selects = append(selects, fmt.Sprintf("%q", c.name))
			}
		}
		where := ""
		if r.Rows != nil {
			if p := r.Rows(table, names); p != "" {
				where = " WHERE " + p
			}
		}
		fmt.Fprintf(&b, "CREATE OR REPLACE VIEW %q.%q AS SELECT %s FROM %s%s;\n", schema, strings.Replace(table, ".", "__", 1),
			strings.Join(selects, ", "), table, where)
	}
	if _, err := w.db.ExecContext(ctx, b.String()); err != nil {
		return fmt.Errorf("restricted views %s: %w", schema, err)
	}
	return nil
}

// Rewrite points a query's tables at the view's schema.
func (v *View) Rewrite(query string) string {
	return restrictedRE.ReplaceAllString(query, `"`+v.schema+`"."${1}__${2}"`)
}

// QueryArrow runs query against the views.
func (v *View) QueryArrow(ctx context.Context, query string, args ...any) (*Table, error) {
	return v.w.QueryArrow(ctx, v.Rewrite(query), args...)
}
