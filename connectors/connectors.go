package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Connector turns one tool's API into streams of raw records.
type Connector interface {
	// Name is the vendor type, e.g. "harvest".
	Name() string
	// Streams lists what the connector can read, in a sensible sync order.
	Streams() []Stream
	// Check makes one cheap authenticated call.
	Check(ctx context.Context) error
}

// Stream is one collection of records read incrementally.
type Stream struct {
	Name       string // "time_entries"
	PrimaryKey string // JSON field holding the record id, e.g. "id"
	Cursor     string // field used as the incremental cursor; "" means full refresh
	// Read emits pages starting after the cursor from; from is nil on the
	// first sync. Read must return emit's error unchanged.
	Read func(ctx context.Context, from Cursor, emit func(Page) error) error
}

// Cursor is a connector-defined JSON value saved with each committed page.
// Only the connector that wrote it interprets it.
type Cursor json.RawMessage

// Record is one vendor object kept exactly as sent.
type Record struct {
	ID        string
	UpdatedAt time.Time // zero when the vendor gives none
	Payload   json.RawMessage
}

// Page is the unit of commit: its records, tombstones and Next cursor are
// written in one transaction.
type Page struct {
	Records []Record
	Deleted []string // ids the vendor reports as deleted
	Next    Cursor   // where to resume once this page is committed
	// Total is the vendor's count of records in the whole pass, for
	// progress bars; 0 when unknown.
	Total int
	// Scan is set when the page belongs to a full read used to find records
	// deleted upstream without a tombstone (a key-set diff).
	Scan *Scan
}

// Scan identifies a full read of a stream. When the page with Done set
// commits, every stored record not seen during scan ID is marked deleted.
// A window scan re-reads only the recent records: then only stored records
// whose payload field Field (an ISO date) is on or after From are diffed.
type Scan struct {
	ID    string
	Done  bool
	Field string // e.g. "spent_date"; empty for a scan of the whole stream
	From  string // YYYY-MM-DD
}

// Sentinel errors connectors wrap so callers can branch with errors.Is.
var (
	// ErrAuth means the credentials were refused; the user must fix config or reconnect.
	ErrAuth = errors.New("credentials refused")
	// ErrRateLimited means the vendor's quota is exhausted beyond what a retry can wait out.
	ErrRateLimited = errors.New("rate limit exhausted")
	// ErrMalformed means the vendor sent a body that could not be decoded.
	ErrMalformed = errors.New("malformed response")
)

// Explained is an error a connector rewrote for its user: Error is the
// advice alone, Is matches Kind (ErrAuth, ...), Unwrap gives the cause.
type Explained struct {
	Kind  error
	Msg   string
	Cause error
}

func (e *Explained) Error() string        { return e.Msg }
func (e *Explained) Unwrap() error        { return e.Cause }
func (e *Explained) Is(target error) bool { return e.Kind != nil && target == e.Kind }
