package dashboards

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/connectors/files"
	"github.com/conflux-dev/conflux/internal/inputs"
)

type settingsView struct {
	pageView
	Sections []inputSection
	Where    string   // where a new row goes
	Problems []string // the last sync's problems with the files, or the refused edit's
	Saved    string
	Editable bool
}

type inputSection struct {
	Shape, Title, Doc string
	Columns           []string
	Rows              []inputs.Row
	YAML              int // rows conflux.yaml's finance: keys add, read-only here
}

var inputTitles = map[string]string{"costs": "People's costs", "rate_cards": "Rate cards", "project_terms": "Project terms",
	"milestones": "Milestones", "budgets": "Project budgets", "targets": "Utilization targets", "fx_rates": "FX rates"}

// seedOf is the seeds table each input feeds.
var seedOf = map[string]string{"costs": "costs", "rate_cards": "rate_cards", "project_terms": "project_terms",
	"milestones": "milestones", "budgets": "budgets", "targets": "role_targets", "fx_rates": "fx_rates"}

// handleSettings shows finance's inputs in tables, each row editable where
// it lives: its file, or the rows kept here.
func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request) {
	s.renderSettings(w, r, nil, r.URL.Query().Get("saved"))
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, problems []string, saved string) {
	ctx := r.Context()
	v := settingsView{pageView: s.pageView(ctx, "Settings"), Problems: problems, Saved: saved, Editable: s.opts.Inputs != nil}
	if s.opts.Inputs == nil {
		v.Problems = append(v.Problems, "This server edits no inputs: start it with `conflux serve`.")
		s.render(w, r, "settings", v)
		return
	}
	st := s.opts.Inputs
	if name, dir := st.Source(); name != "" {
		v.Where = fmt.Sprintf("New rows go to the files source %s (%s/<kind>.csv); a row from a file is changed in its file.", name, dir)
		if len(problems) == 0 {
			v.Problems = s.filesProblems(r, name)
		}
	} else {
		v.Where = "No files source is configured: rows entered here are kept in the warehouse (meta.inputs). Add a files source to keep them in spreadsheets."
	}
	db := s.opts.Warehouse.DB()
	for _, shape := range inputs.Shapes {
		rows, err := st.Rows(ctx, shape)
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		sec := inputSection{Shape: shape, Title: inputTitles[shape], Columns: files.Columns(shape), Rows: rows}
		if sh := files.ShapeNamed(shape); sh != nil {
			sec.Doc = sh.Doc
		}
		var seeded int
		if db.QueryRowContext(ctx, `SELECT count(*) FROM seeds.`+seedOf[shape]).Scan(&seeded) == nil && seeded > len(rows) {
			sec.YAML = seeded - len(rows)
		}
		v.Sections = append(v.Sections, sec)
	}
	s.render(w, r, "settings", v)
}

// filesProblems is the files source's last sync error, line by line.
func (s *Server) filesProblems(r *http.Request, source string) []string {
	rows, err := s.opts.Warehouse.DB().QueryContext(r.Context(), `SELECT error FROM (
		SELECT stream, arg_max(error, started_at) AS error FROM meta.sync_runs WHERE source = ? GROUP BY stream)
		WHERE error IS NOT NULL AND error <> '' ORDER BY stream`, source)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var msg string
		if rows.Scan(&msg) == nil {
			out = append(out, "The last sync of "+source+" refused: "+msg)
		}
	}
	return out
}

// handleSaveInput adds, changes or deletes one input row, then syncs the
// files source and builds so every page shows it.
func (s *Server) handleSaveInput(w http.ResponseWriter, r *http.Request) {
	if s.opts.Inputs == nil {
		s.fail(w, r, http.StatusNotFound, errors.New("this server edits no inputs"))
		return
	}
	ctx := r.Context()
	shape, id, action := r.PostFormValue("shape"), r.PostFormValue("id"), r.PostFormValue("action")
	if !slices.Contains(inputs.Shapes, shape) {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("shape %q: one of %v", shape, inputs.Shapes))
		return
	}
	who := viewerOf(ctx).Actor()
	var err error
	switch action {
	case "save":
		values := map[string]string{}
		for _, c := range files.Columns(shape) {
			values[c] = r.PostFormValue(c)
		}
		err = s.opts.Inputs.Save(ctx, shape, id, values, who, time.Now())
	case "delete":
		err = s.opts.Inputs.Delete(ctx, shape, id, who, time.Now())
	default:
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("action %q: use save or delete", action))
		return
	}
	var pe *inputs.ProblemsError
	switch {
	case errors.As(err, &pe):
		var lines []string
		for _, p := range pe.Problems {
			lines = append(lines, p.String())
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.renderSettings(w, r, append([]string{"Not saved: nothing was written."}, lines...), "")
		return
	case errors.Is(err, inputs.ErrNoRow):
		s.fail(w, r, http.StatusNotFound, err)
		return
	case errors.Is(err, inputs.ErrStale):
		s.fail(w, r, http.StatusConflict, err)
		return
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.audit(r, who, "input", fmt.Sprintf("%s %s %s", action, shape, id))
	req := RefreshRequest{Build: true}
	// A file's row syncs its source; a new row the first one's; a row kept
	// in the warehouse only needs the build.
	if name, _ := s.opts.Inputs.Source(); name != "" {
		if src, _, _ := strings.Cut(id, "|"); id != "" {
			name = src
		}
		if name != "app" {
			req.Sync, req.Sources = true, []string{name}
		}
	}
	s.Refresh(ctx, req)
	http.Redirect(w, r, "/settings?saved="+url.QueryEscape(inputTitles[shape])+"#"+shape, http.StatusSeeOther)
}
