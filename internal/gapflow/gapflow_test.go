package gapflow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/gapflow"
)

// A finding's decisions outlive rebuilds; it resolves itself when the data
// stops showing it and reopens when it comes back, each step in its history.
func TestDecisionsPersistAndFindingsResolveThemselves(t *testing.T) {
	wh, _ := demotest.BuiltWithGaps(t, demo.Options{People: 8, Clients: 4, Projects: 8, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	ctx := context.Background()
	db := wh.DB()
	var open, tracked int
	db.QueryRow(`SELECT count(*) FROM marts.gaps WHERE status = 'open'`).Scan(&open)
	db.QueryRow(`SELECT count(*) FROM workflow.gap_state WHERE status = 'open'`).Scan(&tracked)
	if open == 0 || tracked != open {
		t.Fatalf("%d open findings, %d tracked", open, tracked)
	}
	var key string
	db.QueryRow(`SELECT finding_key FROM marts.gaps WHERE status = 'open' ORDER BY amount_at_stake DESC LIMIT 1`).Scan(&key)
	at := time.Now().UTC()
	if err := gapflow.Decide(ctx, db, key, gapflow.Decision{Status: gapflow.Ignored, Actor: "ana@x.test"}, at); err == nil {
		t.Error("ignored without a reason")
	}
	if err := gapflow.Decide(ctx, db, "C99/nothing", gapflow.Decision{Status: gapflow.Acknowledged}, at); !errors.Is(err, gapflow.ErrNoFinding) {
		t.Errorf("unknown finding: %v", err)
	}
	snooze := at.AddDate(0, 0, 14).Truncate(24 * time.Hour)
	err := gapflow.Decide(ctx, db, key, gapflow.Decision{Status: gapflow.Acknowledged, Snooze: snooze, Owner: "Kim Murphy",
		Comment: "chasing the client", Actor: "ana@x.test"}, at)
	if err != nil {
		t.Fatal(err)
	}
	// A rebuild keeps the decision.
	if err := gapflow.Track(ctx, db, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var status, owner string
	var until time.Time
	db.QueryRow(`SELECT status, owner_override, snoozed_until FROM workflow.gap_state WHERE finding_key = ?`, key).Scan(&status, &owner, &until)
	if status != "acknowledged" || owner != "Kim Murphy" || !until.Equal(snooze) {
		t.Errorf("after a rebuild: %s, %s, %v", status, owner, until)
	}
	// The data no longer shows it: resolved; it shows again: reopened.
	row := `SELECT * FROM marts.gaps WHERE finding_key = '` + key + `'`
	if _, err := db.Exec(`CREATE TEMP TABLE kept AS `+row+`; DELETE FROM marts.gaps WHERE finding_key = ?`, key); err != nil {
		t.Fatal(err)
	}
	gapflow.Track(ctx, db, at.Add(2*time.Hour))
	db.QueryRow(`SELECT status FROM workflow.gap_state WHERE finding_key = ?`, key).Scan(&status)
	if status != "resolved" {
		t.Errorf("a finding no longer found is %s", status)
	}
	db.Exec(`INSERT INTO marts.gaps SELECT * FROM kept`)
	gapflow.Track(ctx, db, at.Add(3*time.Hour))
	db.QueryRow(`SELECT status FROM workflow.gap_state WHERE finding_key = ?`, key).Scan(&status)
	var history []string
	rows, _ := db.Query(`SELECT kind FROM workflow.gap_events WHERE finding_key = ? ORDER BY happened_at, rowid`, key)
	for rows.Next() {
		var k string
		rows.Scan(&k)
		history = append(history, k)
	}
	want := []string{"found", "status", "snoozed", "assigned", "comment", "resolved", "reopened"}
	if status != "open" || len(history) != len(want) {
		t.Fatalf("status %s, history %v, want open and %v", status, history, want)
	}
	for i := range want {
		if history[i] != want[i] {
			t.Errorf("history %v, want %v", history, want)
			break
		}
	}
}
