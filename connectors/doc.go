// Package connectors holds the contract between a vendor connector and the
// sync engine: a connector exposes streams, a stream reads pages of raw vendor
// records, and each page carries the cursor to resume from once it commits.
//
// The package does no I/O. Vendor packages (connectors/harvest, ...) implement
// the contract; internal/sync joins it to the warehouse.
package connectors
