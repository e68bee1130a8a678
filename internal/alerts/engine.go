package alerts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/internal/config"
)

// Alert is one thing a rule finds, with its life so far.
type Alert struct {
	Rule, Key, Severity, Title, Detail, Link string
	Level                                    int
	Amount                                   *float64
	FirstSeen, LastSeen                      time.Time
	Resolved, Snoozed                        *time.Time
	AcknowledgedBy                           string
}

// Kinds of notice: why an alert is in a message.
const (
	New      = "new"
	Worse    = "worse"
	Repeat   = "still open"
	Resolved = "resolved"
)

// Notice is an alert in a message, and why it is there.
type Notice struct {
	Alert
	Kind string
}

// Message is everything one recipient or channel is told in one run: a
// digest, never one message per alert.
type Message struct {
	Target  string // email:ADDRESS or a channel's name
	Channel string // email, slack, teams, webhook
	Notices []Notice
}

// Delivery is how a message went.
type Delivery struct {
	Message
	Subject   string
	Attempts  int
	Err       error
	MessageID string
}

// Result is what one run found and sent.
type Result struct {
	Rules      int
	Open       int
	Opened     int
	Resolved   int
	Deliveries []Delivery
	// RuleErrors are the rules that could not be evaluated, by name.
	RuleErrors map[string]error
}

// Failed counts the messages that could not be delivered.
func (r *Result) Failed() int {
	n := 0
	for _, d := range r.Deliveries {
		if d.Err != nil {
			n++
		}
	}
	return n
}

// Engine evaluates the rules and delivers what they find.
type Engine struct {
	DB     *sql.DB
	Config config.Alerts
	Org    string
	// BaseURL makes links absolute in messages (server.public_url, else the
	// address the server listens on).
	BaseURL string
	Now     func() time.Time
	Log     *slog.Logger
	// Backoff is the wait before each retry of a failed send (default 1s, 4s).
	Backoff []time.Duration
	HTTP    *http.Client
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Rule finds a configured rule by name.
func (e *Engine) Rule(name string) (config.Rule, bool) {
	i := slices.IndexFunc(e.Config.Rules, func(r config.Rule) bool { return r.Name == name })
	if i < 0 {
		return config.Rule{}, false
	}
	return e.Config.Rules[i], true
}

// Check runs nothing but asks the warehouse whether each rule's query is
// valid (tables, columns, the columns a custom rule must return). It
// names the rule's key in conflux.yaml and the fix.
func (e *Engine) Check(ctx context.Context) error {
	var errs []error
	for i, r := range e.Config.Rules {
		q, args, err := query(ctx, e.DB, r)
		if err == nil {
			_, err = describeArgs(ctx, e.DB, q, args)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("alerts.rules[%d] (%s): %s (fix the rule's %s, or run `conflux build` if the marts are not built yet)",
				i, r.Name, firstLine(err.Error()), map[bool]string{true: "query", false: "parameters"}[r.Kind == "sql"]))
		}
	}
	return errors.Join(errs...)
}

func describeArgs(ctx context.Context, db *sql.DB, q string, args []any) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM ("+q+"\n) LIMIT 0", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// find runs one rule.
func (e *Engine) find(ctx context.Context, q querier, r config.Rule) ([]Alert, error) {
	text, args, err := query(ctx, e.DB, r)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("%s", firstLine(err.Error()))
	}
	defer rows.Close()
	var out []Alert
	seen := map[string]bool{}
	for rows.Next() {
		var key, title, detail, link sql.NullString
		var amount sql.NullFloat64
		var level sql.NullInt64
		if err := rows.Scan(&key, &title, &detail, &link, &amount, &level); err != nil {
			return nil, err
		}
		if !key.Valid || key.String == "" || seen[key.String] {
			return nil, fmt.Errorf("key %q is empty or repeated: a rule returns one row per alert with a stable key", key.String)
		}
		seen[key.String] = true
		a := Alert{Rule: r.Name, Key: key.String, Severity: r.Severity, Title: title.String, Detail: detail.String, Link: link.String, Level: int(level.Int64)}
		if !level.Valid {
			a.Level = 1
		}
		if amount.Valid {
			a.Amount = &amount.Float64
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Run evaluates every rule, records what each finds in workflow.alerts, and
// sends each recipient and channel one digest of what is new, worse, still
// open after the repeat interval, or resolved. A rule that fails or a send
// that fails is reported in the result, never as an error: the build it
// follows stays green. The error is for the warehouse itself failing.
func (e *Engine) Run(ctx context.Context) (*Result, error) {
	now := e.now()
	res := &Result{Rules: len(e.Config.Rules), RuleErrors: map[string]error{}}
	var names []string
	for _, r := range e.Config.Rules {
		names = append(names, r.Name)
		found, err := e.find(ctx, e.DB, r)
		if err != nil {
			res.RuleErrors[r.Name] = err
			e.log().Warn("alert rule failed", "rule", r.Name, "error", err)
			continue
		}
		opened, resolved, err := record(ctx, e.DB, r.Name, found, now)
		if err != nil {
			return res, err
		}
		res.Opened += opened
		res.Resolved += resolved
	}
	// A rule taken out of conflux.yaml resolves its alerts without a word.
	if _, err := e.DB.ExecContext(ctx, `UPDATE workflow.alerts SET resolved_at = ? WHERE resolved_at IS NULL AND NOT list_contains(?::VARCHAR[], rule)`, now, names); err != nil {
		return res, err
	}
	if err := e.DB.QueryRowContext(ctx, `SELECT count(*) FROM workflow.alerts WHERE resolved_at IS NULL`).Scan(&res.Open); err != nil {
		return res, err
	}
	msgs, err := e.plan(ctx, now, "")
	if err != nil {
		return res, err
	}
	for _, m := range msgs {
		d := e.deliver(ctx, m, now)
		res.Deliveries = append(res.Deliveries, d)
		if err := e.logDelivery(ctx, d, now); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Test evaluates one rule now and returns what it finds and what would be
// sent, recording and sending nothing.
func (e *Engine) Test(ctx context.Context, name string) ([]Alert, []Message, error) {
	r, ok := e.Rule(name)
	if !ok {
		var names []string
		for _, r := range e.Config.Rules {
			names = append(names, r.Name)
		}
		return nil, nil, fmt.Errorf("no alert rule %q (rules: %s)", name, strings.Join(names, ", "))
	}
	found, err := e.find(ctx, e.DB, r)
	if err != nil {
		return nil, nil, fmt.Errorf("alert rule %s: %w", name, err)
	}
	// Plan against what would be recorded, inside a transaction rolled back.
	tx, err := e.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	now := e.now()
	if _, _, err := record(ctx, tx, name, found, now); err != nil {
		return nil, nil, err
	}
	msgs, err := e.planIn(ctx, tx, now, name)
	return found, msgs, err
}

// record writes what a rule found: new alerts, the same ones seen again
// (reopened if they had cleared), and those no longer found resolved.
func record(ctx context.Context, db querier, rule string, found []Alert, now time.Time) (opened, resolved int, err error) {
	keys := make([]string, len(found))
	for i, a := range found {
		keys[i] = a.Key
	}
	res, err := db.ExecContext(ctx, `UPDATE workflow.alerts SET resolved_at = ? WHERE rule = ? AND resolved_at IS NULL AND NOT list_contains(?::VARCHAR[], key)`, now, rule, keys)
	if err != nil {
		return 0, 0, err
	}
	n, _ := res.RowsAffected()
	resolved = int(n)
	if len(found) == 0 {
		return 0, resolved, nil
	}
	// One statement for all of them: the rows travel as lists, unnested.
	var titles, details, links, severities []string
	var levels []int64
	var amounts []*float64
	for _, a := range found {
		titles, details, links, severities = append(titles, a.Title), append(details, a.Detail), append(links, a.Link), append(severities, a.Severity)
		levels, amounts = append(levels, int64(a.Level)), append(amounts, a.Amount)
	}
	var before int
	if err := queryRow(ctx, db, `SELECT count(*) FROM workflow.alerts WHERE rule = ? AND resolved_at IS NULL`, []any{rule}, &before); err != nil {
		return 0, 0, err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO workflow.alerts AS a (rule, key, severity, title, detail, link, level, amount, first_seen, last_seen)
		SELECT ?, unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),
			unnest(?::INTEGER[]), nullif(unnest(?::VARCHAR[]), '')::DOUBLE, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ
		ON CONFLICT (rule, key) DO UPDATE SET severity = excluded.severity, title = excluded.title, detail = excluded.detail,
			link = excluded.link, level = excluded.level, amount = excluded.amount, last_seen = excluded.last_seen,
			first_seen = CASE WHEN a.resolved_at IS NULL THEN a.first_seen ELSE excluded.first_seen END,
			acknowledged_by = CASE WHEN a.resolved_at IS NULL THEN a.acknowledged_by END,
			acknowledged_at = CASE WHEN a.resolved_at IS NULL THEN a.acknowledged_at END,
			resolved_at = NULL`,
		rule, keys, severities, titles, details, links, levels, floats(amounts), now, now)
	if err != nil {
		return 0, 0, err
	}
	var after int
	if err := queryRow(ctx, db, `SELECT count(*) FROM workflow.alerts WHERE rule = ? AND resolved_at IS NULL`, []any{rule}, &after); err != nil {
		return 0, 0, err
	}
	return after - (before - resolved), resolved, nil
}

// floats turns optional amounts into a list the driver binds (it binds
// no NULL in a list): exact decimal text, "" for none, read back with
// nullif(…, ”)::DOUBLE.
func floats(v []*float64) []string {
	out := make([]string, len(v))
	for i, f := range v {
		if f != nil {
			out[i] = strconv.FormatFloat(*f, 'g', -1, 64)
		}
	}
	return out
}

func queryRow(ctx context.Context, db querier, q string, args []any, dst ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	return rows.Scan(dst...)
}

func (e *Engine) plan(ctx context.Context, now time.Time, only string) ([]Message, error) {
	return e.planIn(ctx, e.DB, now, only)
}

type sent struct {
	state  string
	level  int
	amount *float64
	at     time.Time
}

// planIn decides, per alert and per target of its rule, what to say: new
// when the target was never told (or was told it resolved), worse when
// its band rose or its amount grew by worsen_step, still open when the
// repeat interval passed unacknowledged, resolved when it cleared after
// the target was told of it. Snoozed alerts say nothing until they clear.
func (e *Engine) planIn(ctx context.Context, db querier, now time.Time, only string) ([]Message, error) {
	rows, err := db.QueryContext(ctx, `SELECT rule, key, severity, title, coalesce(detail, ''), coalesce(link, ''), level, amount,
			first_seen, last_seen, resolved_at, snoozed_until, coalesce(acknowledged_by, '')
		FROM workflow.alerts a
		WHERE (? = '' OR rule = ?) AND (resolved_at IS NULL
			OR EXISTS (SELECT 1 FROM workflow.alert_sent s WHERE s.rule = a.rule AND s.key = a.key AND s.state = 'open'))
		ORDER BY level DESC, amount DESC NULLS LAST, rule, key`, only, only)
	if err != nil {
		return nil, err
	}
	var alerts []Alert
	for rows.Next() {
		var a Alert
		var amount sql.NullFloat64
		var resolvedAt, snoozed sql.NullTime
		if err := rows.Scan(&a.Rule, &a.Key, &a.Severity, &a.Title, &a.Detail, &a.Link, &a.Level, &amount,
			&a.FirstSeen, &a.LastSeen, &resolvedAt, &snoozed, &a.AcknowledgedBy); err != nil {
			rows.Close()
			return nil, err
		}
		if amount.Valid {
			a.Amount = &amount.Float64
		}
		if resolvedAt.Valid {
			a.Resolved = &resolvedAt.Time
		}
		if snoozed.Valid {
			a.Snoozed = &snoozed.Time
		}
		alerts = append(alerts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	told := map[[3]string]sent{}
	rows, err = db.QueryContext(ctx, `SELECT rule, key, target, state, level, amount, sent_at FROM workflow.alert_sent WHERE ? = '' OR rule = ?`, only, only)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k [3]string
		var s sent
		var amount sql.NullFloat64
		if err := rows.Scan(&k[0], &k[1], &k[2], &s.state, &s.level, &amount, &s.at); err != nil {
			rows.Close()
			return nil, err
		}
		if amount.Valid {
			s.amount = &amount.Float64
		}
		told[k] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	targets, err := e.targets(ctx, db)
	if err != nil {
		return nil, err
	}
	byTarget := map[string]*Message{}
	var order []string
	for _, a := range alerts {
		r, ok := e.Rule(a.Rule)
		if !ok {
			continue
		}
		repeat := e.Config.Repeat
		if r.RepeatSet {
			repeat = r.Repeat
		}
		for _, t := range targets[r.Name] {
			s, wasTold := told[[3]string{a.Rule, a.Key, t.target}]
			kind := ""
			snoozed := a.Snoozed != nil && a.Snoozed.After(now)
			switch {
			case a.Resolved != nil:
				if wasTold && s.state == "open" {
					kind = Resolved
				}
			case snoozed:
			case !wasTold || s.state != "open":
				kind = New
			case a.Level > s.level || (r.WorsenStep > 0 && a.Amount != nil && *a.Amount >= deref(s.amount)+r.WorsenStep):
				kind = Worse
			case repeat > 0 && a.AcknowledgedBy == "" && now.Sub(s.at) >= repeat:
				kind = Repeat
			}
			if kind == "" {
				continue
			}
			m := byTarget[t.target]
			if m == nil {
				m = &Message{Target: t.target, Channel: t.channel}
				byTarget[t.target] = m
				order = append(order, t.target)
			}
			m.Notices = append(m.Notices, Notice{Alert: a, Kind: kind})
		}
	}
	var out []Message
	for _, t := range order {
		out = append(out, *byTarget[t])
	}
	return out, nil
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

type target struct{ target, channel string }

// targets resolves each rule's recipients: its channels, and for email
// its addresses and the people who hold its roles (meta.users).
func (e *Engine) targets(ctx context.Context, db querier) (map[string][]target, error) {
	byRole, err := usersByRole(ctx, db)
	if err != nil {
		return nil, err
	}
	out := map[string][]target{}
	for _, r := range e.Config.Rules {
		var ts []target
		for _, ch := range r.Channels {
			if ch != "email" {
				i := slices.IndexFunc(e.Config.Channels, func(c config.Channel) bool { return c.Name == ch })
				if i >= 0 {
					ts = append(ts, target{ch, e.Config.Channels[i].Type})
				}
				continue
			}
			for _, m := range resolve(r.To, byRole) {
				ts = append(ts, target{"email:" + m, "email"})
			}
		}
		out[r.Name] = ts
	}
	return out, nil
}

// Recipients are the addresses to reaches: its own addresses, and the
// users who hold its roles (a schedule: entry's to, or a rule's).
func Recipients(ctx context.Context, db *sql.DB, to []string) ([]string, error) {
	byRole, err := usersByRole(ctx, db)
	if err != nil {
		return nil, err
	}
	return resolve(to, byRole), nil
}

func usersByRole(ctx context.Context, db querier) (map[string][]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT role, email FROM meta.users ORDER BY email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byRole := map[string][]string{}
	for rows.Next() {
		var role, email string
		if err := rows.Scan(&role, &email); err != nil {
			return nil, err
		}
		byRole[role] = append(byRole[role], email)
	}
	return byRole, rows.Err()
}

// resolve turns roles into their users' addresses, sorted, each once.
func resolve(to []string, byRole map[string][]string) []string {
	var out []string
	for _, t := range to {
		if strings.Contains(t, "@") {
			out = append(out, t)
		} else {
			out = append(out, byRole[t]...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// markSent records that the target was told of each notice.
func markSent(ctx context.Context, db querier, m Message, now time.Time) error {
	var rules, keys, states []string
	var levels []int64
	var amounts []*float64
	for _, n := range m.Notices {
		state := "open"
		if n.Kind == Resolved {
			state = "resolved"
		}
		rules, keys, states = append(rules, n.Rule), append(keys, n.Key), append(states, state)
		levels, amounts = append(levels, int64(n.Level)), append(amounts, n.Amount)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO workflow.alert_sent AS s (rule, key, target, state, level, amount, sent_at)
		SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), ?, unnest(?::VARCHAR[]), unnest(?::INTEGER[]), nullif(unnest(?::VARCHAR[]), '')::DOUBLE, ?::TIMESTAMPTZ
		ON CONFLICT (rule, key, target) DO UPDATE SET state = excluded.state, level = excluded.level, amount = excluded.amount, sent_at = excluded.sent_at`,
		rules, keys, m.Target, states, levels, floats(amounts), now)
	return err
}

func (e *Engine) logDelivery(ctx context.Context, d Delivery, now time.Time) error {
	var errText any
	if d.Err != nil {
		errText = d.Err.Error()
	}
	_, err := e.DB.ExecContext(ctx, `INSERT INTO workflow.alert_deliveries (sent_at, target, channel, subject, alerts, attempts, ok, error, message_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, now, d.Target, d.Channel, d.Subject, len(d.Notices), d.Attempts, d.Err == nil, errText, nullIfEmpty(d.MessageID))
	if err != nil {
		return err
	}
	if d.Err == nil {
		return markSent(ctx, e.DB, d.Message, now)
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Acknowledge marks an open alert seen: it is not repeated, though it is
// still sent if it worsens.
func Acknowledge(ctx context.Context, db *sql.DB, rule, key, who string, at time.Time) error {
	return change(ctx, db, `UPDATE workflow.alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE rule = ? AND key = ?`, who, at, rule, key)
}

// Snooze silences an alert until the time given (zero wakes it).
func Snooze(ctx context.Context, db *sql.DB, rule, key string, until time.Time) error {
	var u any
	if !until.IsZero() {
		u = until
	}
	return change(ctx, db, `UPDATE workflow.alerts SET snoozed_until = ? WHERE rule = ? AND key = ?`, u, rule, key)
}

// ErrNoAlert is a rule and key workflow.alerts does not hold.
var ErrNoAlert = errors.New("no such alert")

func change(ctx context.Context, db *sql.DB, q string, args ...any) error {
	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoAlert
	}
	return nil
}
