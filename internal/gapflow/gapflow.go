// Package gapflow keeps what people decide about the gaps ledger's
// findings across builds. marts.gaps is rebuilt from the data every time;
// workflow.gap_state remembers each finding by its stable key: its status
// (open, acknowledged, ignored with a reason, resolved), a snooze, who owns
// it, and workflow.gap_events its history — found, changed, resolved when
// it stopped being found, reopened, and every decision and comment.
package gapflow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Statuses a person may set.
const (
	Open         = "open"
	Acknowledged = "acknowledged"
	Ignored      = "ignored"
	Resolved     = "resolved"
)

// Track brings workflow.gap_state up to date with marts.gaps as built at
// at: new findings open, findings still found are seen again (and
// reopened if they had been resolved), a changed amount is recorded, and a
// finding no longer found is resolved. Run it after every build in which
// marts.gaps was built or kept; it changes nothing twice.
func Track(ctx context.Context, db *sql.DB, at time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	steps := []string{
		// Found for the first time.
		`INSERT INTO workflow.gap_events
		SELECT g.finding_key, $1, 'found', 'build', format('at stake {}', coalesce(g.amount_at_stake::VARCHAR, '—'))
		FROM marts.gaps g LEFT JOIN workflow.gap_state s USING (finding_key)
		WHERE g.status = 'open' AND s.finding_key IS NULL`,
		`INSERT INTO workflow.gap_state (finding_key, check_id, status, owner, first_seen, last_seen, amount_at_stake, counted_amount,
			hours_at_stake, record_key, client_key, person_key, detail, source_url, updated_at)
		SELECT g.finding_key, g.check_id, 'open', g.owner, $1, $1, g.amount_at_stake, g.counted_amount, g.hours_at_stake, g.record_key,
			g.client_key, g.person_key, g.detail, g.source_url, $1
		FROM marts.gaps g LEFT JOIN workflow.gap_state s USING (finding_key)
		WHERE g.status = 'open' AND s.finding_key IS NULL`,
		// Found again after it was resolved.
		`INSERT INTO workflow.gap_events
		SELECT s.finding_key, $1, 'reopened', 'build', 'found again'
		FROM workflow.gap_state s JOIN marts.gaps g USING (finding_key)
		WHERE g.status = 'open' AND s.status = 'resolved' AND s.last_seen < $1`,
		// The money at stake moved.
		`INSERT INTO workflow.gap_events
		SELECT s.finding_key, $1, 'changed', 'build', format('at stake {} → {}', coalesce(s.amount_at_stake::VARCHAR, '—'), coalesce(g.amount_at_stake::VARCHAR, '—'))
		FROM workflow.gap_state s JOIN marts.gaps g USING (finding_key)
		WHERE g.status = 'open' AND s.amount_at_stake IS DISTINCT FROM g.amount_at_stake AND s.last_seen < $1`,
		`UPDATE workflow.gap_state s SET
			status = CASE WHEN s.status = 'resolved' AND s.last_seen < $1 THEN 'open' ELSE s.status END,
			resolved_at = NULL, last_seen = $1, owner = g.owner, amount_at_stake = g.amount_at_stake, counted_amount = g.counted_amount,
			hours_at_stake = g.hours_at_stake, record_key = g.record_key, client_key = g.client_key, person_key = g.person_key,
			detail = g.detail, source_url = g.source_url,
			updated_at = CASE WHEN s.status = 'resolved' AND s.last_seen < $1 THEN $1 ELSE s.updated_at END
		FROM marts.gaps g
		WHERE g.finding_key = s.finding_key AND g.status = 'open'`,
		// No longer found: resolved by the data itself.
		`INSERT INTO workflow.gap_events
		SELECT s.finding_key, $1, 'resolved', 'build', 'no longer found'
		FROM workflow.gap_state s
		WHERE s.resolved_at IS NULL AND s.finding_key NOT IN (SELECT finding_key FROM marts.gaps WHERE status = 'open')`,
		`UPDATE workflow.gap_state SET status = 'resolved', resolved_at = $1, updated_at = $1
		WHERE resolved_at IS NULL AND finding_key NOT IN (SELECT finding_key FROM marts.gaps WHERE status = 'open')`,
	}
	for _, q := range steps {
		if _, err := tx.ExecContext(ctx, q, at); err != nil {
			return fmt.Errorf("gaps workflow: %w", err)
		}
	}
	return tx.Commit()
}

// Decision is what a person sets on a finding; empty fields leave it as
// it is.
type Decision struct {
	Status   string    // open, acknowledged, ignored (Reason required), resolved
	Reason   string    // why, for ignored (and resolved by hand)
	Snooze   time.Time // hide it until this day; the zero time leaves it
	Unsnooze bool      // show it again now
	Owner    string    // assign it to someone
	Comment  string
	Actor    string // who decides: an email, or "cli"
}

// ErrNoFinding means no finding has that key (yet).
var ErrNoFinding = errors.New("no finding with that key (`conflux gaps --format json` lists them)")

// Decide records d on the finding key, each change as an event.
func Decide(ctx context.Context, db *sql.DB, key string, d Decision, at time.Time) error {
	switch d.Status {
	case "", Open, Acknowledged, Resolved:
	case Ignored:
		if strings.TrimSpace(d.Reason) == "" {
			return errors.New("ignoring a finding needs a reason")
		}
	default:
		return fmt.Errorf("status %q: use open, acknowledged, ignored or resolved", d.Status)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM workflow.gap_state WHERE finding_key = ?`, key).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrNoFinding
	}
	event := func(kind, detail string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO workflow.gap_events VALUES (?, ?, ?, ?, ?)`, key, at, kind, d.Actor, detail)
		return err
	}
	set := func(assign string, args ...any) error {
		_, err := tx.ExecContext(ctx, `UPDATE workflow.gap_state SET `+assign+`, updated_at = ? WHERE finding_key = ?`, append(args, at, key)...)
		return err
	}
	if d.Status != "" {
		detail := d.Status
		if d.Reason != "" {
			detail += ": " + d.Reason
		}
		if err := set(`status = ?, reason = ?`, d.Status, nullIfEmpty(d.Reason)); err != nil {
			return err
		}
		if err := event("status", detail); err != nil {
			return err
		}
	}
	if !d.Snooze.IsZero() {
		if err := set(`snoozed_until = ?`, d.Snooze); err != nil {
			return err
		}
		if err := event("snoozed", "until "+d.Snooze.Format(time.DateOnly)); err != nil {
			return err
		}
	}
	if d.Unsnooze {
		if err := set(`snoozed_until = NULL`); err != nil {
			return err
		}
		if err := event("snoozed", "no longer"); err != nil {
			return err
		}
	}
	if d.Owner != "" {
		if err := set(`owner_override = ?`, d.Owner); err != nil {
			return err
		}
		if err := event("assigned", d.Owner); err != nil {
			return err
		}
	}
	if c := strings.TrimSpace(d.Comment); c != "" {
		if err := event("comment", c); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
