package dashboards

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/conflux-dev/conflux/internal/gapflow"
	"github.com/conflux-dev/conflux/reports"
)

type findingView struct {
	pageView
	Key, CheckID, Check, Detail, Status, Owner, SourceURL string
	Snoozed                                               bool
	Facts                                                 [][2]string
	History                                               *tableView
	Exports                                               []link
}

var historyColumns = []Column{{"happened_at", "When", "text"}, {"kind", "What", "text"}, {"actor", "Who", "text"}, {"detail", "", "wrap"}}

// handleFinding is one finding of the gaps ledger: what it is, what has
// been decided, the forms to decide, and its history.
func (s *Server) handleFinding(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := r.PathValue("key")
	v := findingView{Key: key}
	var amount, counted, hours sql.NullFloat64
	var reason, override, owner, record, source sql.NullString
	var snoozed sql.NullTime
	var first, last time.Time
	var resolved sql.NullTime
	err := s.queryRow(ctx, `SELECT s.check_id, coalesce(c.name, s.check_id), coalesce(s.detail, ''), s.status, s.reason,
			s.owner, s.owner_override, s.amount_at_stake, s.counted_amount, s.hours_at_stake, s.record_key, s.source_url,
			s.snoozed_until, s.first_seen, s.last_seen, s.resolved_at
		FROM workflow.gap_state s LEFT JOIN marts.gap_checks c USING (check_id) WHERE s.finding_key = ?`, []any{key},
		&v.CheckID, &v.Check, &v.Detail, &v.Status, &reason, &owner, &override, &amount, &counted, &hours, &record, &source,
		&snoozed, &first, &last, &resolved)
	if errors.Is(err, sql.ErrNoRows) {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("no finding %q in the gaps ledger", key))
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	v.pageView = s.pageView(ctx, v.Check)
	v.Owner = owner.String
	if override.Valid {
		v.Owner = override.String
	}
	v.SourceURL = source.String
	v.Snoozed = snoozed.Valid && snoozed.Time.After(time.Now())
	status := v.Status
	if v.Snoozed {
		status += ", snoozed until " + snoozed.Time.Format("2 Jan 2006")
	}
	if reason.Valid {
		status += " (" + reason.String + ")"
	}
	num := func(f sql.NullFloat64, unit string) string {
		if !f.Valid {
			return "—"
		}
		if unit == "h" {
			return reports.Grouped(f.Float64, 2) + " h"
		}
		return v.Currency + " " + money(f.Float64)
	}
	v.Facts = [][2]string{
		{"Check", v.CheckID}, {"Owner", v.Owner}, {"Status", status}, {"At stake", num(amount, "")},
		{"Counted in totals", num(counted, "")}, {"Hours", num(hours, "h")}, {"Record", record.String},
		{"First found", first.Format("2 Jan 2006 15:04")}, {"Last found", last.Format("2 Jan 2006 15:04")},
	}
	if resolved.Valid {
		v.Facts = append(v.Facts, [2]string{"Stopped being found", resolved.Time.Format("2 Jan 2006 15:04")})
	}
	params := map[string]string{"finding": key}
	v.Exports = exportLinks("gap_history", params)
	tbl, err := s.runReport(ctx, "gap_history", params)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	defer tbl.Release()
	if tbl.NumRows() > 0 {
		v.History = tableSpec{panel: Panel{Columns: historyColumns}}.build(tbl)
	}
	s.render(w, r, "finding", v)
}

// handleDecideFinding records a decision on a finding from its page's
// forms, then goes back to the page.
func (s *Server) handleDecideFinding(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if !s.findingVisible(r, key) {
		s.fail(w, r, http.StatusNotFound, gapflow.ErrNoFinding)
		return
	}
	d := gapflow.Decision{Actor: viewerOf(r.Context()).Actor()}
	switch r.PostFormValue("action") {
	case "acknowledge":
		d.Status = gapflow.Acknowledged
	case "resolve":
		d.Status = gapflow.Resolved
	case "reopen":
		d.Status = gapflow.Open
	case "ignore":
		d.Status, d.Reason = gapflow.Ignored, r.PostFormValue("reason")
	case "snooze":
		until, err := time.Parse(time.DateOnly, r.PostFormValue("until"))
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, fmt.Errorf("snooze until %q: give a date", r.PostFormValue("until")))
			return
		}
		d.Snooze = until
	case "unsnooze":
		d.Unsnooze = true
	case "assign":
		d.Owner = r.PostFormValue("owner")
	case "comment":
		d.Comment = r.PostFormValue("comment")
	default:
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("action %q: acknowledge, resolve, reopen, ignore, snooze, unsnooze, assign or comment", r.PostFormValue("action")))
		return
	}
	err := gapflow.Decide(r.Context(), s.opts.Warehouse.DB(), key, d, time.Now().UTC())
	switch {
	case errors.Is(err, gapflow.ErrNoFinding):
		s.fail(w, r, http.StatusNotFound, err)
		return
	case err != nil:
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	s.log.Info("gap decision", "finding", key, "action", r.PostFormValue("action"))
	s.audit(r, d.Actor, "gap", r.PostFormValue("action")+" "+key)
	http.Redirect(w, r, "/gaps/"+url.PathEscape(key), http.StatusSeeOther)
}

// findingVisible reports whether the viewer's restriction lets them see
// the finding (a lead decides on their clients' and teams' findings only).
func (s *Server) findingVisible(r *http.Request, key string) bool {
	var n int
	err := s.queryRow(r.Context(), `SELECT count(*) FROM workflow.gap_state WHERE finding_key = ?`, []any{key}, &n)
	return err == nil && n > 0
}
