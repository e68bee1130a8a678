// Package models builds the warehouse's staging, core and marts schemas from
// SQL files. Models reference each other with {{ ref "core.people" }} or plain
// schema-qualified names; the runner orders them as a DAG, rejects cycles,
// materializes each one, skips models whose SQL and inputs are unchanged,
// and runs the data tests declared in each file's header.
//
// Header directives, one per comment line at the top of a file:
//
//	-- materialized: view | table | incremental
//	-- partition: entry_date [by day | week | month] [, person_key [via source_person_key]]
//	-- test: unique(col[, col...])
//	-- test: not_null(col[, col...])
//	-- test: relationships(col -> core.other.col)
//	-- test: accepted_values(col: a, b, c)
//
// An incremental model over raw tables (one row per raw record: source,
// source_id) is built from the raw rows changed since its last build. A
// partitioned incremental model, whose rows of a period are made from rows
// of the same period of its partitioned inputs, rebuilds only the periods
// whose rows its inputs changed in this build, and runs its data tests on
// the days it changed when they passed before. A key after the date column
// splits each period by that column too (a person's day): a model keyed
// so rebuilds only the keys its keyed inputs changed, and its unkeyed
// inputs' changed periods whole; via names the column of its rows holding
// the key its inputs know them by, when its own key is another (the
// canonical person). {{ days_built }} is the
// span of days such a build makes rows for, one row (first_day, last_day),
// for SQL that makes rows from a calendar; {{ built "day" "key" }} is the
// condition that a day (and key) is one such a build makes (true in a
// whole build).
//
// Files under tests/ are SQL assertions: each returns the rows that fail.
//
// In DuckDB the JSON arrows bind more loosely than AND, IS NULL and
// comparisons: write (payload->>'x') IS NULL, not payload->>'x' IS NULL.
package models
