package auth

import (
	"context"
	"time"
)

// Entry is one line of the audit log.
type Entry struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Detail  string    `json:"detail"`
	Address string    `json:"address"`
}

// Audit records that actor did action; it never carries a password, token
// or session id — callers pass what was done, not with what.
func (s *Store) Audit(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta.audit VALUES (?, ?, ?, ?, ?)`, e.At, e.Actor, e.Action, e.Detail, e.Address)
	return err
}

// AuditLog lists what happened since a time, newest first.
func (s *Store) AuditLog(ctx context.Context, since time.Time) ([]Entry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT happened_at, coalesce(actor, ''), action, coalesce(detail, ''), coalesce(address, '')
		FROM meta.audit WHERE happened_at >= ? ORDER BY happened_at DESC`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.At, &e.Actor, &e.Action, &e.Detail, &e.Address); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
