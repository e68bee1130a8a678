package closing_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/internal/alerts"
	"github.com/conflux-dev/conflux/internal/closing"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

var opts = demo.Options{People: 8, Clients: 4, Projects: 8, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}

// A closed month's figures do not move when a late entry and a late
// invoice arrive; the restatement lists both, with their hours and value,
// and explains the project's whole change; reopening and closing again
// keeps both snapshots.
func TestAClosedMonthStaysClosedAndItsRestatementsExplainTheChange(t *testing.T) {
	ctx := context.Background()
	a := demo.Generate(opts)
	fakes, err := demo.StartFakes(a)
	if err != nil {
		t.Fatal(err)
	}
	defer fakes.Close()
	conn, err := harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: fakes.HarvestURL})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	db := wh.DB()
	syncAndBuild := func() {
		t.Helper()
		if _, err := sync.Run(ctx, wh, sync.Source{Name: "harvest", Connector: conn}, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: demotest.Seeds(a)}); err != nil {
			t.Fatal(err)
		}
	}
	syncAndBuild()
	may := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)

	// The busiest T&M project of May, and one of its billable entries to copy.
	var project, sourceID string
	if err := db.QueryRow(`SELECT v.project_key, arg_max(v.source_id, v.billable_value) FROM marts.entry_values v JOIN core.projects p USING (project_key)
		WHERE v.month = ? AND p.billing_model = 'tm' AND v.billable GROUP BY 1 ORDER BY sum(v.hours) DESC LIMIT 1`, may).Scan(&project, &sourceID); err != nil {
		t.Fatal(err)
	}
	figures := func(view string) (revenue, hours float64) {
		t.Helper()
		if err := db.QueryRow(`SELECT revenue, worked_h FROM marts.`+view+` WHERE month = ? AND project_key = ?`, may, project).Scan(&revenue, &hours); err != nil {
			t.Fatal(err)
		}
		return
	}
	shownRevenue, shownHours := figures("project_month_reported")
	// The project's balances at May's end, and the findings open now.
	var wantWIP, wantDeferred float64
	if err := db.QueryRow(`WITH e AS (SELECT sum(revenue) AS v FROM marts.project_month WHERE project_key = $1 AND month <= $2),
		i AS (SELECT coalesce(sum(net_amount_reporting) FILTER (WHERE upper(coalesce(status, '')) NOT IN ('VOIDED', 'VOID', 'DELETED')), 0) AS v
			FROM core.invoices WHERE project_key = $1 AND issue_date < $3)
		SELECT round(greatest(0, e.v - i.v), 2), round(greatest(0, i.v - e.v), 2) FROM e, i`, project, may, may.AddDate(0, 1, 0)).Scan(&wantWIP, &wantDeferred); err != nil {
		t.Fatal(err)
	}
	var openGaps int
	db.QueryRow(`SELECT count(*) FROM workflow.gap_state WHERE status IN ('open', 'acknowledged')`).Scan(&openGaps)
	// The person who logged the copied entry: their day (30 May, a Friday)
	// closes with May, and their week of 26 May ends on 1 June, so it
	// stays live with June.
	var person string
	db.QueryRow(`SELECT person_key FROM marts.entry_values WHERE source_id = ?`, sourceID).Scan(&person)
	personFigures := func() (day, week float64) {
		t.Helper()
		db.QueryRow(`SELECT coalesce(sum(worked_h), 0) FROM marts.person_day_reported WHERE person_key = ? AND date = DATE '2025-05-30'`, person).Scan(&day)
		db.QueryRow(`SELECT coalesce(sum(worked_h), 0) FROM marts.person_week_reported WHERE person_key = ? AND week_start = DATE '2025-05-26'`, person).Scan(&week)
		return
	}
	dayBefore, weekBefore := personFigures()
	var invoicedBefore float64
	db.QueryRow(`SELECT sum(invoiced_amount) FROM marts.client_month_reported WHERE month = ?`, may).Scan(&invoicedBefore)

	if _, err := closing.Do(ctx, db, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "fin@x.test", time.Now()); !errors.Is(err, closing.ErrRunning) {
		t.Errorf("closing June on its first day: %v; want it refused as still running", err)
	}
	t1, t2, t3 := time.Date(2025, 6, 5, 9, 0, 0, 0, time.UTC), time.Date(2025, 6, 20, 9, 0, 0, 0, time.UTC), time.Date(2025, 6, 25, 9, 0, 0, 0, time.UTC)
	c, err := closing.Do(ctx, db, may, "fin@x.test", t1)
	if err != nil || c.Version != 1 {
		t.Fatalf("close May: %+v %v", c, err)
	}
	var wip, deferred float64
	if err := db.QueryRow(`SELECT wip, deferred FROM snapshots.balances WHERE month = ? AND version = 1 AND project_key = ?`, may, project).Scan(&wip, &deferred); err != nil {
		t.Fatalf("the project's balances at close: %v", err)
	}
	if wip != wantWIP || deferred != wantDeferred || wip+deferred == 0 {
		t.Errorf("balances at close: WIP %v, deferred %v; want %v and %v", wip, deferred, wantWIP, wantDeferred)
	}
	var frozenGaps int
	db.QueryRow(`SELECT count(*) FROM snapshots.gaps WHERE month = ? AND version = 1`, may).Scan(&frozenGaps)
	if frozenGaps != openGaps || openGaps == 0 {
		t.Errorf("%d findings kept at close; %d were open", frozenGaps, openGaps)
	}
	if _, err := closing.Do(ctx, db, may, "fin@x.test", time.Now()); !errors.Is(err, closing.ErrClosed) {
		t.Errorf("closing May twice: %v", err)
	}

	// A late entry of 3.5 h in May, and a late invoice dated in May.
	var payload string
	if err := db.QueryRow(`SELECT payload::VARCHAR FROM raw.harvest__time_entries WHERE id = ?`, sourceID).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	var entry map[string]any
	json.Unmarshal([]byte(payload), &entry)
	rate := entry["billable_rate"].(float64)
	entry["id"], entry["hours"], entry["rounded_hours"], entry["spent_date"] = 987654321, 3.5, 3.5, "2025-05-30"
	entry["updated_at"], entry["is_billed"], entry["invoice"] = time.Now().UTC().Format(time.RFC3339), false, nil
	if err := fakes.Harvest.Put("time_entries", []map[string]any{entry}); err != nil {
		t.Fatal(err)
	}
	var invoicePayload string
	if err := db.QueryRow(`SELECT payload::VARCHAR FROM raw.harvest__invoices WHERE payload->>'issue_date' LIKE '2025-05-%' LIMIT 1`).Scan(&invoicePayload); err != nil {
		t.Fatal(err)
	}
	var invoice map[string]any
	json.Unmarshal([]byte(invoicePayload), &invoice)
	invoice["id"], invoice["number"], invoice["updated_at"] = 987654322, "LATE-1", time.Now().UTC().Format(time.RFC3339)
	lines, _ := invoice["line_items"].([]any)
	for i, l := range lines {
		l.(map[string]any)["id"] = 987654400 + i
	}
	if err := fakes.Harvest.Put("invoices", []map[string]any{invoice}); err != nil {
		t.Fatal(err)
	}
	syncAndBuild()

	liveRevenue, liveHours := figures("project_month")
	if r, hrs := figures("project_month_reported"); r != shownRevenue || hrs != shownHours {
		t.Errorf("May as shown moved after the close: revenue %v → %v, hours %v → %v", shownRevenue, r, shownHours, hrs)
	}
	if math.Abs(liveHours-shownHours-3.5) > 1e-9 || math.Abs(liveRevenue-shownRevenue-3.5*rate) > 0.005 {
		t.Fatalf("live May: hours %v → %v, revenue %v → %v; want +3.5 h and +%v", shownHours, liveHours, shownRevenue, liveRevenue, 3.5*rate)
	}
	if day, week := personFigures(); day != dayBefore || week != weekBefore+3.5 {
		t.Errorf("%s on 30 May: %v h → %v h (a closed day: want it unmoved); week of 26 May %v h → %v h (June's: want +3.5)", person, dayBefore, day, weekBefore, week)
	}
	var invoicedShown float64
	db.QueryRow(`SELECT sum(invoiced_amount) FROM marts.client_month_reported WHERE month = ?`, may).Scan(&invoicedShown)
	if invoicedShown != invoicedBefore {
		t.Errorf("May's invoiced as shown moved: %v → %v", invoicedBefore, invoicedShown)
	}

	var cause, record string
	var hours, value, revenue float64
	var changedAt, syncedAt, wantChanged, wantSynced time.Time
	if err := db.QueryRow(`SELECT cause, record_key, hours_change, value_change, revenue_change, changed_at, synced_at FROM marts.restatements
		WHERE month = ? AND record_key LIKE '%987654321'`, may).Scan(&cause, &record, &hours, &value, &revenue, &changedAt, &syncedAt); err != nil {
		t.Fatalf("the late entry is not a restatement: %v", err)
	}
	// When the tool changed it and when the sync saw it, from its raw row.
	db.QueryRow(`SELECT updated_at, synced_at FROM raw.harvest__time_entries WHERE id = '987654321'`).Scan(&wantChanged, &wantSynced)
	if !changedAt.Equal(wantChanged) || !syncedAt.Equal(wantSynced) || wantSynced.IsZero() {
		t.Errorf("the late entry changed at %v, synced at %v; its raw row says %v and %v", changedAt, syncedAt, wantChanged, wantSynced)
	}
	if cause != "time added" || hours != 3.5 || math.Abs(value-math.Round(3.5*rate*100)/100) > 1e-9 || revenue != value {
		t.Errorf("the late entry's restatement: %s %s %v h, value %v, revenue %v; want time added, 3.5 h, %v", cause, record, hours, value, revenue, 3.5*rate)
	}
	var total float64
	db.QueryRow(`SELECT sum(revenue_change) FROM marts.restatements WHERE month = ? AND project_key = ?`, may, project).Scan(&total)
	if math.Abs(total-(liveRevenue-shownRevenue)) > 0.01 {
		t.Errorf("the project's restatements add to %v; its revenue moved %v", total, liveRevenue-shownRevenue)
	}
	var invCause string
	var invoiced float64
	if err := db.QueryRow(`SELECT cause, invoiced_change FROM marts.restatements WHERE month = ? AND record_key LIKE '%987654322'`, may).Scan(&invCause, &invoiced); err != nil {
		t.Fatalf("the late invoice is not a restatement: %v", err)
	}
	var net float64
	db.QueryRow(`SELECT net_amount_reporting FROM core.invoices WHERE source_id = '987654322'`).Scan(&net)
	if invCause != "invoice added" || invoiced != math.Round(net*100)/100 || net == 0 {
		t.Errorf("the late invoice: %s %v; want invoice added %v", invCause, invoiced, net)
	}

	// A rule of kind restated finds May.
	e := &alerts.Engine{DB: db, Config: config.Alerts{Rules: []config.Rule{{Name: "restated", Kind: "restated", Severity: "warning"}}}}
	found, _, err := e.Test(ctx, "restated")
	if err != nil || len(found) != 1 || found[0].Key != "2025-05/v1" || found[0].Title != "May 2025 restated since its close" {
		t.Errorf("the restated rule: %+v %v", found, err)
	}

	// Reopened, the month is live; closed again, it is version 2 and both
	// snapshots are kept.
	if err := closing.Reopen(ctx, db, may, "fin@x.test", "", time.Now()); err == nil {
		t.Error("reopened without a reason")
	}
	if err := closing.Reopen(ctx, db, may, "fin@x.test", "late timesheet", t2); err != nil {
		t.Fatal(err)
	}
	if r, _ := figures("project_month_reported"); r != liveRevenue {
		t.Errorf("reopened May shows %v; want the live %v", r, liveRevenue)
	}
	if c, err = closing.Do(ctx, db, may, "fin@x.test", t3); err != nil || c.Version != 2 {
		t.Fatalf("close May again: %+v %v", c, err)
	}
	list, err := closing.List(ctx, db)
	if err != nil || len(list) != 2 || list[0].Version != 2 || list[1].ReopenedAt == nil || list[1].Reason != "late timesheet" {
		t.Fatalf("closes: %+v %v", list, err)
	}
	// As of a day: before the close, live; while version 1 stood, as it was
	// closed; reopened, live; closed again, version 2.
	for day, want := range map[string]float64{"2025-06-04": liveRevenue, "2025-06-10": shownRevenue, "2025-06-21": liveRevenue, "2025-06-26": liveRevenue} {
		d, _ := time.Parse(time.DateOnly, day)
		var got float64
		if err := db.QueryRow(`SELECT revenue FROM `+closing.AsOf("project_month", d)+` WHERE month = ? AND project_key = ?`, may, project).Scan(&got); err != nil {
			t.Fatalf("as of %s: %v", day, err)
		}
		if got != want {
			t.Errorf("as of %s May shows %v; want %v", day, got, want)
		}
	}
	var versions, left int
	db.QueryRow(`SELECT count(DISTINCT close_version) FROM snapshots.project_month WHERE close_month = ?`, may).Scan(&versions)
	db.QueryRow(`SELECT count(*) FROM marts.restatements WHERE month = ?`, may).Scan(&left)
	if versions != 2 || left != 0 {
		t.Errorf("%d snapshot versions (want 2), %d restatements after closing again (want 0)", versions, left)
	}
}
