// Package warehouse is the only code that opens the DuckDB file. It applies
// the numbered migrations, creates raw.<source>__<stream> tables, commits each
// sync page together with its cursor in one transaction, and answers queries.
package warehouse
