// Package connectors holds the contract between a vendor connector and the
// sync engine: a connector exposes streams, a stream reads pages of raw vendor
// records, and each page carries the cursor to resume from once it commits.
//
// The package does no I/O. Vendor packages (connectors/harvest, ...) implement
// the contract; internal/sync joins it to the warehouse. A page's records are
// read token by token (NewDecoder, ReadRecord, DecodeArray): each keeps its
// bytes as the vendor sent them, and only its id and time of change are
// decoded.
package connectors
