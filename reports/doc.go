// Package reports holds the named, parameterized queries over the marts.
// A report is a SQL file under sql/ whose header declares its title and
// typed parameters; it runs to Arrow record batches, and the same result is
// written as JSON (exact decimals), CSV or Arrow IPC, so an export always
// matches what a chart or table shows.
//
//	-- title: Utilization by week
//	-- param: from date = 0001-01-01
//	-- param: client string
//
// Parameters are written $name in the SQL; an empty string parameter is NULL.
package reports
