// Package closing closes months: it freezes a month's marts into
// snapshots.* with the month's source rows, lets a closed month be
// reopened (audited, its snapshot kept), makes the marts.*_reported views
// that show a closed month as it was closed, and after each build records
// in marts.restatements every change to a closed month since its close,
// traced to the entry or invoice that changed it.
package closing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Mart is a mart a close freezes: Month is the SQL of the month a row
// belongs to, so a close takes its rows and marts.<Name>_reported reads
// them from the snapshot while the month stays closed.
type Mart struct{ Name, Month string }

// Marts are the marts a close freezes: the month marts, the month's
// person days, and the person weeks ending in the month (a week belongs to
// the month of its Sunday).
var Marts = []Mart{
	{"project_month", "month"}, {"client_month", "month"}, {"team_month", "month"},
	{"agency_month", "month"}, {"retainer_month", "month"},
	{"person_day", "date_trunc('month', date)::DATE"},
	{"person_week", "date_trunc('month', week_start + 6)::DATE"},
}

// martMonth is the month expression of the mart called name.
func martMonth(name string) string {
	for _, m := range Marts {
		if m.Name == name {
			return m.Month
		}
	}
	return "month"
}

// Close is one close of a month.
type Close struct {
	Month      time.Time
	Version    int
	ClosedAt   time.Time
	ClosedBy   string
	ReopenedAt *time.Time
	ReopenedBy string
	Reason     string
}

// Errors a caller turns into a usage error.
var (
	ErrClosed    = errors.New("already closed")
	ErrNotClosed = errors.New("not closed")
	ErrRunning   = errors.New("still running")
	ErrNotBuilt  = errors.New("the marts are not built yet: run `conflux build` first")
	ErrNoReason  = errors.New("a reason is required: say why the month is reopened (it is kept with the close)")
)

// Refused reports whether err is a close or reopen the state of the month
// (or a missing reason) refused, rather than a failure.
func Refused(err error) bool {
	for _, e := range []error{ErrClosed, ErrNotClosed, ErrRunning, ErrNotBuilt, ErrNoReason} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// ParseMonth reads 2026-10 as the month's first day.
func ParseMonth(s string) (time.Time, error) {
	m, err := time.Parse("2006-01", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a month (write YYYY-MM, e.g. 2026-10)", s)
	}
	return m, nil
}

// Hashes are what a close records of how the figures were made, so a
// restatement can say a config, mapping or model change moved them.
type Hashes struct{ Config, Models string }

// Do closes month: it must have ended by org.as_of and not be closed now.
// The snapshot is one transaction: a month is closed whole or not at all.
// It records how the last build made the figures (snapshots.build), then
// remakes the restatements.
func Do(ctx context.Context, db *sql.DB, month time.Time, by string, now time.Time) (Close, error) {
	c := Close{Month: month, ClosedAt: now.UTC(), ClosedBy: by}
	var h Hashes
	if err := db.QueryRowContext(ctx, `SELECT config_hash, model_hash FROM snapshots.build`).Scan(&h.Config, &h.Models); err != nil {
		return c, ErrNotBuilt
	}
	var asOf time.Time
	if err := db.QueryRowContext(ctx, `SELECT as_of FROM seeds.org`).Scan(&asOf); err != nil {
		return c, ErrNotBuilt
	}
	if month.AddDate(0, 1, 0).After(asOf.AddDate(0, 0, 1)) {
		return c, fmt.Errorf("%s is %w on %s (org.as_of): close a month once it has ended", month.Format("2006-01"), ErrRunning, asOf.Format(time.DateOnly))
	}
	for _, m := range Marts {
		if !exists(ctx, db, "marts", m.Name) {
			return c, ErrNotBuilt
		}
	}
	var closedAt sql.NullTime
	db.QueryRowContext(ctx, `SELECT max(closed_at) FROM snapshots.current WHERE month = ?`, month).Scan(&closedAt)
	if closedAt.Valid {
		return c, fmt.Errorf("%s is %w (on %s): `conflux reopen %s --reason …` first", month.Format("2006-01"), ErrClosed,
			closedAt.Time.UTC().Format("2 Jan 2006 15:04 UTC"), month.Format("2006-01"))
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM snapshots.closes WHERE month = ?`, month).Scan(&c.Version); err != nil {
		return c, err
	}
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO snapshots.closes (month, version, closed_at, closed_by, config_hash, model_hash) VALUES (?, ?, ?, ?, ?, ?)`,
			[]any{month, c.Version, c.ClosedAt, by, h.Config, h.Models}},
		{`INSERT INTO snapshots.entries SELECT ?, ?, entry_key, project_key, client_key, person_key, entry_date, hours, billable_hours,
			billable_value_reporting, cost_amount, source_url FROM marts.entry_values WHERE month = ?`, []any{month, c.Version, month}},
		{`INSERT INTO snapshots.invoices SELECT ?, ?, invoice_key, client_key, project_key, number, status, is_credit_note,
			` + effective("") + `, source_url FROM core.invoices WHERE date_trunc('month', issue_date) = ?`, []any{month, c.Version, month}},
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return c, fmt.Errorf("close %s: %w", month.Format("2006-01"), err)
		}
	}
	for _, m := range Marts {
		if err := snapshotMart(ctx, tx, m, month, c.Version); err != nil {
			return c, fmt.Errorf("close %s: %s: %w", month.Format("2006-01"), m.Name, err)
		}
	}
	// What the month carried: read once its marts are frozen, so the
	// month's own figures are the ones just closed.
	after := []struct {
		q    string
		args []any
	}{
		// Each project's balances at the month's end, as marts.project_financials
		// counts them: earned as the pages show it (earlier closed months as
		// closed), invoiced the ledger's issued lines.
		{fmt.Sprintf(`INSERT INTO snapshots.balances
			WITH e AS (SELECT project_key, sum(revenue) AS earned FROM marts.project_month_reported WHERE month <= DATE '%[1]s' GROUP BY ALL),
			i AS (SELECT project_key, sum(net_amount_reporting) AS invoiced FROM core.invoice_lines
				WHERE is_ledger AND project_key IS NOT NULL AND status NOT IN ('draft', 'submitted', 'voided', 'deleted')
					AND issue_date < DATE '%[2]s' GROUP BY ALL)
			SELECT DATE '%[1]s', %[3]d, project_key, p.client_key, round(coalesce(earned, 0), 2), round(coalesce(invoiced, 0), 2),
				round(greatest(0, coalesce(earned, 0) - coalesce(invoiced, 0)), 2), round(greatest(0, coalesce(invoiced, 0) - coalesce(earned, 0)), 2)
			FROM e FULL JOIN i USING (project_key) JOIN core.projects p USING (project_key)
			WHERE coalesce(earned, 0) <> 0 OR coalesce(invoiced, 0) <> 0`, month.Format(time.DateOnly), month.AddDate(0, 1, 0).Format(time.DateOnly), c.Version), nil},
		// The gap findings open (or acknowledged) at the close.
		{`INSERT INTO snapshots.gaps SELECT ?, ?, finding_key, check_id, status, client_key, person_key, record_key,
			amount_at_stake, counted_amount, hours_at_stake, detail, source_url
			FROM workflow.gap_state WHERE status IN ('open', 'acknowledged')`, []any{month, c.Version}},
	}
	for _, s := range after {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return c, fmt.Errorf("close %s: %w", month.Format("2006-01"), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return c, err
	}
	return c, remake(ctx, db)
}

// effective is an invoice's net amount in the reporting currency as it
// counts: nothing once voided or deleted.
func effective(alias string) string {
	if alias != "" {
		alias += "."
	}
	return fmt.Sprintf(`CASE WHEN upper(coalesce(%[1]sstatus, '')) IN ('VOIDED', 'VOID', 'DELETED') THEN 0 ELSE coalesce(%[1]snet_amount_reporting, 0) END`, alias)
}

// snapshotMart copies the month's rows of marts.<m> into snapshots.<m>,
// made with the mart's columns at the first close and given any column a
// later version of the mart added.
func snapshotMart(ctx context.Context, tx *sql.Tx, mart Mart, month time.Time, version int) error {
	m := mart.Name
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS snapshots.%[1]s AS
		SELECT NULL::DATE AS close_month, NULL::INTEGER AS close_version, * FROM marts.%[1]s LIMIT 0`, m)); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT l.column_name, l.data_type FROM information_schema.columns l
		WHERE l.table_schema = 'marts' AND l.table_name = ? AND NOT EXISTS (SELECT 1 FROM information_schema.columns s
			WHERE s.table_schema = 'snapshots' AND s.table_name = ? AND s.column_name = l.column_name)`, m, m)
	if err != nil {
		return err
	}
	var add []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return err
		}
		add = append(add, fmt.Sprintf(`ALTER TABLE snapshots.%s ADD COLUMN "%s" %s`, m, name, typ))
	}
	rows.Close()
	for _, a := range add {
		if _, err := tx.ExecContext(ctx, a); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO snapshots.%[1]s BY NAME SELECT ?::DATE AS close_month, ?::INTEGER AS close_version, * FROM marts.%[1]s WHERE %[2]s = ?`, m, mart.Month),
		month, version, month)
	return err
}

// Reopen marks the month's standing close reopened; its snapshot stays,
// and the restatements are remade without it.
func Reopen(ctx context.Context, db *sql.DB, month time.Time, by, reason string, now time.Time) error {
	if strings.TrimSpace(reason) == "" {
		return ErrNoReason
	}
	res, err := db.ExecContext(ctx, `UPDATE snapshots.closes SET reopened_at = ?, reopened_by = ?, reopen_reason = ?
		WHERE month = ? AND reopened_at IS NULL`, now.UTC(), by, reason, month)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s is %w", month.Format("2006-01"), ErrNotClosed)
	}
	return remake(ctx, db)
}

// List is every close, newest month first.
func List(ctx context.Context, db *sql.DB) ([]Close, error) {
	rows, err := db.QueryContext(ctx, `SELECT month, version, closed_at, closed_by, reopened_at, coalesce(reopened_by, ''), coalesce(reopen_reason, '')
		FROM snapshots.closes ORDER BY month DESC, version DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Close
	for rows.Next() {
		var c Close
		var re sql.NullTime
		if err := rows.Scan(&c.Month, &c.Version, &c.ClosedAt, &c.ClosedBy, &re, &c.ReopenedBy, &c.Reason); err != nil {
			return nil, err
		}
		if re.Valid {
			c.ReopenedAt = &re.Time
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func exists(ctx context.Context, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, schema, table string) bool {
	var n int
	db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, schema, table).Scan(&n)
	return n > 0
}

// martsBuilt names the tables and views of the marts schema, in one look
// at the catalog.
func martsBuilt(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	built := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		built[name] = true
	}
	return built, rows.Err()
}

// remake is Refresh with how the last build made the figures: the
// restatements after a close or a reopen (the _reported views read the
// closes as they stand).
func remake(ctx context.Context, db *sql.DB) error {
	var h Hashes
	if err := db.QueryRowContext(ctx, `SELECT config_hash, model_hash FROM snapshots.build`).Scan(&h.Config, &h.Models); err != nil {
		return ErrNotBuilt
	}
	return Refresh(ctx, db, h)
}

// Refresh remakes the marts.*_reported views (a closed month from its
// snapshot, every other month live) and marts.restatements, and records h
// (how the figures are made now) in snapshots.build. Every build ends
// with it.
func Refresh(ctx context.Context, db *sql.DB, h Hashes) error {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE snapshots.build AS SELECT ?::VARCHAR AS config_hash, ?::VARCHAR AS model_hash, now() AS built_at`, h.Config, h.Models); err != nil {
		return err
	}
	built, err := martsBuilt(ctx, db)
	if err != nil {
		return err
	}
	for _, mart := range Marts {
		m := mart.Name
		if !built[m] {
			continue
		}
		// The snapshot table exists from the first build, empty until a
		// close, so every reader (and AsOf) can name it.
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS snapshots.%[1]s AS
			SELECT NULL::DATE AS close_month, NULL::INTEGER AS close_version, * FROM marts.%[1]s LIMIT 0`, m)); err != nil {
			return fmt.Errorf("snapshots.%s: %w", m, err)
		}
		{
			q := fmt.Sprintf(`CREATE OR REPLACE VIEW marts.%[1]s_reported AS
SELECT * FROM marts.%[1]s WHERE %[2]s NOT IN (SELECT month FROM snapshots.current)
UNION ALL BY NAME
SELECT * EXCLUDE (close_month, close_version) FROM snapshots.%[1]s s
WHERE EXISTS (SELECT 1 FROM snapshots.current c WHERE c.month = s.close_month AND c.version = s.close_version)`, m, mart.Month)
			if _, err := db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("marts.%s_reported: %w", m, err)
			}
		}
	}
	if !built["entry_values"] {
		return nil
	}
	residual := `SELECT NULL::DATE AS month, NULL AS project_key, NULL AS client_key, 0.0 AS d_revenue, 0.0 AS d_cost, 0.0 AS d_hours LIMIT 0`
	if built["project_month"] {
		residual = `SELECT coalesce(l.month, s.month) AS month, coalesce(l.project_key, s.project_key) AS project_key,
		coalesce(l.client_key, s.client_key) AS client_key,
		coalesce(l.revenue, 0) - coalesce(s.revenue, 0) AS d_revenue, coalesce(l.dl, 0) - coalesce(s.dl, 0) AS d_cost,
		coalesce(l.worked_h, 0) - coalesce(s.worked_h, 0) AS d_hours
	FROM (SELECT * FROM snapshots.project_month s WHERE EXISTS (SELECT 1 FROM c WHERE c.month = s.close_month AND c.version = s.close_version)) s
	FULL JOIN (SELECT * FROM marts.project_month WHERE month IN (SELECT month FROM c)) l ON l.month = s.month AND l.project_key = s.project_key`
	}
	touched, err := touchedSQL(ctx, db)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `CREATE OR REPLACE TABLE marts.restatements AS
WITH c AS (SELECT * FROM snapshots.current),
le AS (
	SELECT v.month, v.entry_key, v.project_key, v.client_key, v.person_key, v.entry_date, v.hours,
		v.billable_value_reporting AS value, v.cost_amount AS cost, v.source_url
	FROM marts.entry_values v WHERE v.month IN (SELECT month FROM c)
),
se AS (SELECT s.* FROM snapshots.entries s JOIN c USING (month, version)),
te AS (
	SELECT coalesce(l.month, s.month) AS month,
		CASE WHEN s.entry_key IS NULL THEN 'time added' WHEN l.entry_key IS NULL THEN 'time deleted' ELSE 'time edited' END AS cause,
		coalesce(l.project_key, s.project_key) AS project_key, coalesce(l.client_key, s.client_key) AS client_key,
		coalesce(l.person_key, s.person_key) AS person_key, coalesce(l.entry_key, s.entry_key) AS record_key,
		coalesce(l.hours, 0) - coalesce(s.hours, 0) AS hours_change,
		coalesce(l.value, 0) - coalesce(s.value, 0) AS value_change,
		coalesce(l.cost, 0) - coalesce(s.cost, 0) AS cost_change,
		coalesce(l.entry_date, s.entry_date) AS record_date, coalesce(l.source_url, s.source_url) AS source_url,
		CASE WHEN s.entry_key IS NULL THEN printf('%.2f h logged after the close', l.hours)
			WHEN l.entry_key IS NULL THEN printf('%.2f h deleted after the close', s.hours)
			ELSE printf('%.2f h → %.2f h', s.hours, l.hours) END AS detail
	FROM se s FULL JOIN le l ON l.month = s.month AND l.entry_key = s.entry_key AND l.project_key IS NOT DISTINCT FROM s.project_key
	WHERE s.entry_key IS NULL OR l.entry_key IS NULL OR s.hours <> l.hours OR s.value IS DISTINCT FROM l.value OR s.cost IS DISTINCT FROM l.cost
),
tm AS (
	SELECT te.*, CASE WHEN p.billing_model = 'tm' THEN value_change ELSE 0 END AS revenue_change
	FROM te LEFT JOIN core.projects p USING (project_key)
),
li AS (
	SELECT date_trunc('month', issue_date)::DATE AS month, invoice_key, client_key, project_key, number, status, is_credit_note,
		`+effective("i")+` AS amount, source_url, issue_date
	FROM core.invoices i WHERE date_trunc('month', issue_date)::DATE IN (SELECT month FROM c)
),
si AS (SELECT s.* FROM snapshots.invoices s JOIN c USING (month, version)),
ti AS (
	SELECT coalesce(l.month, s.month) AS month,
		CASE WHEN s.invoice_key IS NULL AND l.is_credit_note THEN 'credit note added' WHEN s.invoice_key IS NULL THEN 'invoice added'
			WHEN l.invoice_key IS NULL OR (l.amount = 0 AND s.amount <> 0) THEN 'invoice voided' ELSE 'invoice edited' END AS cause,
		coalesce(l.project_key, s.project_key) AS project_key, coalesce(l.client_key, s.client_key) AS client_key,
		coalesce(l.invoice_key, s.invoice_key) AS record_key, coalesce(l.amount, 0) - coalesce(s.amount, 0) AS invoiced_change,
		l.issue_date AS record_date, coalesce(l.source_url, s.source_url) AS source_url,
		coalesce(l.number, s.number) || ': ' || printf('%,.2f → %,.2f', coalesce(s.amount, 0), coalesce(l.amount, 0)) AS detail
	FROM si s FULL JOIN li l ON l.month = s.month AND l.invoice_key = s.invoice_key
	WHERE s.invoice_key IS NULL OR l.invoice_key IS NULL OR s.amount <> l.amount
),
pm AS (`+residual+`),
explained AS (
	SELECT month, project_key, sum(revenue_change) AS revenue, sum(cost_change) AS cost, sum(hours_change) AS hours FROM tm GROUP BY ALL
),
rest AS (
	SELECT pm.month, pm.project_key, pm.client_key,
		pm.d_revenue - coalesce(e.revenue, 0) AS revenue_change, pm.d_cost - coalesce(e.cost, 0) AS cost_change,
		pm.d_hours - coalesce(e.hours, 0) AS hours_change
	FROM pm LEFT JOIN explained e USING (month, project_key)
),
x AS (
	SELECT month, cause, project_key, client_key, person_key, record_key, record_date, hours_change, revenue_change, cost_change,
		0 AS invoiced_change, value_change, detail, source_url FROM tm
	UNION ALL
	SELECT month, cause, project_key, client_key, NULL, record_key, record_date, 0, 0, 0, invoiced_change, 0, detail, source_url FROM ti
	UNION ALL
	SELECT r.month,
		CASE WHEN c.config_hash <> $1 THEN 'config or mapping change' WHEN c.model_hash <> $2 THEN 'model change' ELSE 're-estimated' END,
		r.project_key, r.client_key, NULL, r.project_key, NULL, r.hours_change, r.revenue_change, r.cost_change, 0, 0,
		'what the entries do not explain: revenue earned by progress, retainers or caps, and costs re-rated', NULL
	FROM rest r JOIN c USING (month)
	WHERE abs(r.revenue_change) >= 0.005 OR abs(r.cost_change) >= 0.005 OR abs(r.hours_change) >= 0.0001
),
-- When the tool last changed each record listed, and when a sync saw it:
-- read for those records only, not the whole of the raw tables.
touched AS (`+touched+`)
SELECT c.month, c.version AS close_version, c.closed_at, x.cause, x.project_key, coalesce(x.client_key, p.client_key) AS client_key,
	x.person_key, x.record_key, x.record_date,
	round(x.hours_change, 4)::DECIMAL(14,4) AS hours_change, round(x.revenue_change, 2)::DECIMAL(18,2) AS revenue_change,
	round(x.cost_change, 2)::DECIMAL(18,2) AS cost_change, round(x.invoiced_change, 2)::DECIMAL(18,2) AS invoiced_change,
	round(x.value_change, 2)::DECIMAL(18,2) AS value_change, x.detail, x.source_url,
	t.changed_at, t.synced_at
FROM x JOIN c USING (month) LEFT JOIN core.projects p USING (project_key)
LEFT JOIN touched t ON t.record_key = x.record_key AND x.cause NOT IN ('config or mapping change', 'model change', 're-estimated')
ORDER BY c.month DESC, abs(x.revenue_change) + abs(x.invoiced_change) + abs(x.cost_change) DESC, x.record_key`, h.Config, h.Models)
	if err != nil {
		return fmt.Errorf("marts.restatements: %w", err)
	}
	return nil
}

// recordStreams are the raw streams whose records a restatement traces:
// time and invoices.
var recordStreams = []string{"time_entries", "time_tracking_entries", "worklogs", "invoices", "credit_notes", "credit_memos"}

// touchedSQL is, per source record of recordStreams, when the tool last
// changed it (its updated_at, or when it was deleted) and when a sync saw
// that: the who and when of a restatement where the tool says.
func touchedSQL(ctx context.Context, db *sql.DB) (string, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' ORDER BY 1`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return "", err
		}
		source, stream, ok := strings.Cut(t, "__")
		if !ok || !slices.Contains(recordStreams, stream) {
			continue
		}
		// The ids of the records listed from this source, compared with
		// the raw id itself so the scan filters without building keys.
		parts = append(parts, fmt.Sprintf(`SELECT '%[1]s:' || id AS record_key, coalesce(deleted_at, updated_at) AS changed_at, synced_at FROM raw."%[2]s"
			WHERE id IN (SELECT substr(record_key, %[3]d) FROM x WHERE starts_with(record_key, '%[1]s:'))`, source, t, len(source)+2))
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(parts) == 0 {
		return `SELECT NULL::VARCHAR AS record_key, NULL::TIMESTAMPTZ AS changed_at, NULL::TIMESTAMPTZ AS synced_at LIMIT 0`, nil
	}
	return `SELECT record_key, max(changed_at) AS changed_at, max(synced_at) AS synced_at FROM (` + strings.Join(parts, " UNION ALL ") + `) GROUP BY ALL`, nil
}

// AsOf is what marts.<mart>_reported showed at the end of day: each month
// from the snapshot of the close that stood then (closed by that day and
// not reopened by it), every other month live. It is a subquery for a
// report's FROM.
func AsOf(mart string, day time.Time) string {
	end := day.AddDate(0, 0, 1).Format(time.DateOnly)
	stood := fmt.Sprintf(`SELECT month, max(version) AS version FROM snapshots.closes
		WHERE closed_at < TIMESTAMPTZ '%[1]s 00:00:00+00' AND (reopened_at IS NULL OR reopened_at >= TIMESTAMPTZ '%[1]s 00:00:00+00') GROUP BY month`, end)
	return fmt.Sprintf(`(SELECT * FROM marts.%[1]s WHERE %[3]s NOT IN (SELECT month FROM (%[2]s))
UNION ALL BY NAME
SELECT * EXCLUDE (close_month, close_version) FROM snapshots.%[1]s
WHERE (close_month, close_version) IN (SELECT (month, version) FROM (%[2]s)))`, mart, stood, martMonth(mart))
}
