package dashboards

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/internal/access"
	"github.com/conflux-dev/conflux/internal/auth"

	"github.com/conflux-dev/conflux/internal/alerts"
)

type alertRow struct {
	Rule, Key, Severity, Title, Detail, Link, Status string
	FirstSeen, LastSeen, Resolved, Snoozed, AckBy    string
}

type deliveryRow struct {
	At, Target, Channel, Subject, Error, Link string
	Alerts, Attempts                          int
	OK                                        bool
}

type alertsView struct {
	pageView
	Open, Snoozed, Resolved []alertRow
	Deliveries              []deliveryRow
	MayDecide               bool
}

// readsAllAlerts is who reads every alert and message: admins and finance
// (and everyone when sign-in is off, who reads as an admin).
func readsAllAlerts(v access.Viewer) bool { return v.Role == auth.Admin || v.Role == auth.Finance }

// mayReadAlert reports whether the viewer reads a rule's alerts: everyone
// else reads those of the rules addressed to their role or address, as
// their mail would carry them — a budget's money never reaches ops unless
// a rule sends it there.
func (s *Server) mayReadAlert(v access.Viewer, rule string) bool {
	if readsAllAlerts(v) {
		return true
	}
	to := s.opts.AlertRecipients[rule]
	return slices.Contains(to, v.Role) || (v.Email != "" && slices.Contains(to, strings.ToLower(v.Email)))
}

// handleAlerts is the Alerts page: what the rules found (open, snoozed,
// resolved in the last 30 days) and the messages sent about them, as far
// as the viewer may read them.
func (s *Server) handleAlerts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	viewer := viewerOf(ctx)
	v := alertsView{pageView: s.pageView(ctx, "Alerts"), MayDecide: viewer.May(access.Alerts)}
	db := s.opts.Warehouse.DB()
	rows, err := db.QueryContext(ctx, `SELECT rule, key, severity, title, coalesce(detail, ''), coalesce(link, ''),
			strftime(first_seen, '%Y-%m-%d %H:%M'), strftime(last_seen, '%Y-%m-%d %H:%M'),
			coalesce(strftime(resolved_at, '%Y-%m-%d %H:%M'), ''), coalesce(strftime(snoozed_until, '%Y-%m-%d'), ''),
			coalesce(acknowledged_by, ''), resolved_at IS NOT NULL, coalesce(snoozed_until > now(), false)
		FROM workflow.alerts WHERE resolved_at IS NULL OR resolved_at > now() - INTERVAL 30 DAY
		ORDER BY level DESC, amount DESC NULLS LAST, rule, key`)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	for rows.Next() {
		var a alertRow
		var resolved, snoozed bool
		if err := rows.Scan(&a.Rule, &a.Key, &a.Severity, &a.Title, &a.Detail, &a.Link, &a.FirstSeen, &a.LastSeen, &a.Resolved, &a.Snoozed, &a.AckBy, &resolved, &snoozed); err != nil {
			rows.Close()
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		if !s.mayReadAlert(viewer, a.Rule) {
			continue
		}
		switch {
		case resolved:
			v.Resolved = append(v.Resolved, a)
		case snoozed:
			v.Snoozed = append(v.Snoozed, a)
		default:
			v.Open = append(v.Open, a)
		}
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT strftime(sent_at, '%Y-%m-%d %H:%M'), target, channel, subject, alerts, attempts, ok,
			coalesce(error, ''), coalesce(message_id, '')
		FROM workflow.alert_deliveries ORDER BY id DESC LIMIT 50`)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var d deliveryRow
		var id string
		if err := rows.Scan(&d.At, &d.Target, &d.Channel, &d.Subject, &d.Alerts, &d.Attempts, &d.OK, &d.Error, &id); err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		// A message's subject names its alerts: others read their own mail.
		if !readsAllAlerts(viewer) && (viewer.Email == "" || d.Target != "email:"+strings.ToLower(viewer.Email)) {
			continue
		}
		if s.opts.Outbox != nil && id != "" {
			d.Link = "/outbox/?id=" + url.QueryEscape(id)
		}
		v.Deliveries = append(v.Deliveries, d)
	}
	s.render(w, r, "alerts", v)
}

// handleDecideAlert acknowledges, snoozes or wakes one alert.
func (s *Server) handleDecideAlert(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rule, key := r.PostFormValue("rule"), r.PostFormValue("key")
	if !s.mayReadAlert(viewerOf(ctx), rule) {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("no alert %s / %s", rule, key))
		return
	}
	db := s.opts.Warehouse.DB()
	var err error
	switch action := r.PostFormValue("action"); action {
	case "acknowledge":
		err = alerts.Acknowledge(ctx, db, rule, key, viewerOf(ctx).Actor(), time.Now().UTC())
	case "snooze":
		until, perr := time.Parse(time.DateOnly, r.PostFormValue("until"))
		if perr != nil {
			s.fail(w, r, http.StatusBadRequest, errors.New("until: pick a date to snooze until"))
			return
		}
		err = alerts.Snooze(ctx, db, rule, key, until)
	case "unsnooze":
		err = alerts.Snooze(ctx, db, rule, key, time.Time{})
	default:
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("action %q: use acknowledge, snooze or unsnooze", action))
		return
	}
	switch {
	case errors.Is(err, alerts.ErrNoAlert), errors.Is(err, sql.ErrNoRows):
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("no alert %s / %s", rule, key))
		return
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.audit(r, viewerOf(ctx).Actor(), "alert", fmt.Sprintf("%s %s/%s", r.PostFormValue("action"), rule, key))
	http.Redirect(w, r, "/alerts", http.StatusSeeOther)
}

// handleOutbox shows the demo's received messages; outside the demo there
// is none.
func (s *Server) handleOutbox(w http.ResponseWriter, r *http.Request) {
	if s.opts.Outbox == nil {
		s.fail(w, r, http.StatusNotFound, errors.New("no outbox: only the demo keeps the messages it sends"))
		return
	}
	s.opts.Outbox.ServeHTTP(w, r)
}
