package dashboards

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/conflux-dev/conflux/internal/closing"
)

type closesView struct {
	pageView
	Closes    []closing.Close
	LastMonth string // the month a close form offers first
}

// handleCloses lists the closes of months, with the forms to close a
// month and to reopen one.
func (s *Server) handleCloses(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	list, err := closing.List(ctx, s.opts.Warehouse.DB())
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	v := closesView{pageView: s.pageView(ctx, "Closed months"), Closes: list}
	var asOf time.Time
	if s.opts.Warehouse.DB().QueryRowContext(ctx, `SELECT as_of FROM seeds.org`).Scan(&asOf) == nil {
		v.LastMonth = time.Date(asOf.Year(), asOf.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format("2006-01")
	}
	s.render(w, r, "closes", v)
}

// handleClose closes or reopens a month from the page's forms.
func (s *Server) handleClose(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	db := s.opts.Warehouse.DB()
	month, err := closing.ParseMonth(r.PostFormValue("month"))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("month: %w", err))
		return
	}
	who := viewerOf(ctx).Actor()
	action := r.PostFormValue("action")
	switch action {
	case "close":
		_, err = closing.Do(ctx, db, month, who, time.Now())
	case "reopen":
		err = closing.Reopen(ctx, db, month, who, r.PostFormValue("reason"), time.Now())
	default:
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("action %q: use close or reopen", action))
		return
	}
	switch {
	case errors.Is(err, closing.ErrNoReason):
		s.fail(w, r, http.StatusBadRequest, err)
		return
	case closing.Refused(err):
		s.fail(w, r, http.StatusConflict, err)
		return
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.audit(r, who, "close", action+" "+month.Format("2006-01"))
	http.Redirect(w, r, "/closes", http.StatusSeeOther)
}
