// Package harvest reads Harvest API v2 (https://help.getharvest.com/api-v2/).
// It is the reference connector the others copy: one constructor, a stream
// table, cursor paging through links.next, updated_since with a lookback
// overlap, and a periodic full read whose key-set diff finds hard deletes,
// which Harvest never reports.
package harvest
