package inputs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/conflux-dev/conflux/connectors/files"
)

// Shapes are the inputs the Settings page edits (time is not an input).
var Shapes = []string{"costs", "rate_cards", "project_terms", "milestones", "budgets", "targets", "fx_rates"}

// Row is one input row and where it lives.
type Row struct {
	ID     string // "<source>|<raw id>" for a file's row, "app|<n>" for meta.inputs
	Shape  string
	Place  string // inputs/costs.csv row 4, sheet Rates row 2, or "entered here"
	Values map[string]string
	// The last edit made here, if any.
	EditedBy string
	EditedAt time.Time
}

// Store reads and edits the inputs. Sources are the files sources: name
// → folder. With none, rows are kept in meta.inputs.
type Store struct {
	DB      *sql.DB
	Sources map[string]string
	// People are the emails the tools know (a cost of anyone else is a
	// typo); nil skips the check.
	People func(ctx context.Context) (map[string]bool, error)
}

// ProblemsError is an edit refused, with every problem it would cause.
type ProblemsError struct{ Problems []files.Problem }

func (e *ProblemsError) Error() string {
	var s []string
	for _, p := range e.Problems {
		s = append(s, p.String())
	}
	return "the change is not saved: " + strings.Join(s, "; ")
}

// ErrNoRow is an edit of a row that is not there (any more).
var ErrNoRow = errors.New("no such input row (changed since the page was read? reload it)")

// ErrStale is an edit of a file row that changed in the file since it was
// last synced: the row's number may now name another row.
var ErrStale = errors.New("the file changed since it was last synced, so this row may have moved: refresh (sync), then edit again")

// sameRow reports whether the cells of a file's row (by the shape's
// columns at idx) read as the values the last sync stored.
func sameRow(shape string, rec []string, idx []int, stored map[string]string, decimalComma, workbook bool) bool {
	cells := map[string]string{}
	for i, c := range files.Columns(shape) {
		if idx[i] >= 0 && idx[i] < len(rec) {
			cells[c] = rec[idx[i]]
		}
	}
	now, _ := files.NormalizeAs(shape, cells, decimalComma, workbook)
	for _, c := range files.Columns(shape) {
		if now[c] != stored[c] {
			return false
		}
	}
	return true
}

// Source is the files source new rows are written to: the first by name.
func (s *Store) Source() (name, dir string) {
	var names []string
	for n := range s.Sources {
		names = append(names, n)
	}
	if len(names) == 0 {
		return "", ""
	}
	slices.Sort(names)
	return names[0], s.Sources[names[0]]
}

// Rows lists shape's rows from every files source (as last synced) and
// from meta.inputs, with the last edit of each.
func (s *Store) Rows(ctx context.Context, shape string) ([]Row, error) {
	var out []Row
	var names []string
	for n := range s.Sources {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, src := range names {
		var n int
		s.DB.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?`, src+"__"+shape).Scan(&n)
		if n == 0 {
			continue
		}
		rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT id, payload::VARCHAR FROM raw."%s__%s" WHERE deleted_at IS NULL
			ORDER BY payload->>'file', payload->>'sheet', (payload->>'row')::INTEGER`, src, shape))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, payload string
			if err := rows.Scan(&id, &payload); err != nil {
				rows.Close()
				return nil, err
			}
			var p map[string]any
			json.Unmarshal([]byte(payload), &p)
			r := Row{ID: src + "|" + id, Shape: shape, Values: map[string]string{}}
			for k, v := range p {
				r.Values[k] = fmt.Sprint(v)
			}
			r.Place = placeOf(r.Values)
			out = append(out, r)
		}
		rows.Close()
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT id, "values"::VARCHAR, updated_by, updated_at FROM meta.inputs WHERE shape = ? ORDER BY id`, shape)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		var values string
		r := Row{Shape: shape, Place: "entered here"}
		if err := rows.Scan(&id, &values, &r.EditedBy, &r.EditedAt); err != nil {
			return nil, err
		}
		json.Unmarshal([]byte(values), &r.Values)
		r.ID = "app|" + strconv.Itoa(id)
		out = append(out, r)
	}
	// The last edit of each file row, by its place.
	edits, err := s.DB.QueryContext(ctx, `SELECT place, arg_max(actor, edited_at), max(edited_at) FROM meta.input_edits WHERE shape = ? GROUP BY place`, shape)
	if err != nil {
		return nil, err
	}
	defer edits.Close()
	last := map[string]Row{}
	for edits.Next() {
		var place string
		var r Row
		if err := edits.Scan(&place, &r.EditedBy, &r.EditedAt); err != nil {
			return nil, err
		}
		last[place] = r
	}
	for i := range out {
		if e, ok := last[out[i].Place]; ok && out[i].EditedBy == "" {
			out[i].EditedBy, out[i].EditedAt = e.EditedBy, e.EditedAt
		}
	}
	return out, nil
}

func placeOf(v map[string]string) string {
	p := v["file"]
	if v["sheet"] != "" {
		p += " sheet " + v["sheet"]
	}
	return p + " row " + v["row"]
}

// Save adds (id "") or changes a row. A file's row is changed in its file;
// a new row goes to the first files source's <shape>.csv (made from the
// template when missing), else to meta.inputs. The file as changed must
// pass the same check a sync makes, or nothing is written.
func (s *Store) Save(ctx context.Context, shape, id string, typed map[string]string, by string, now time.Time) error {
	if !slices.Contains(Shapes, shape) {
		return fmt.Errorf("%q is not an input (%s)", shape, strings.Join(Shapes, ", "))
	}
	values, problems := files.Normalize(shape, typed)
	if len(problems) > 0 {
		return &ProblemsError{problems}
	}
	return s.change(ctx, shape, id, values, by, now)
}

// Delete removes a row from its file or from meta.inputs.
func (s *Store) Delete(ctx context.Context, shape, id, by string, now time.Time) error {
	return s.change(ctx, shape, id, nil, by, now)
}

func (s *Store) change(ctx context.Context, shape, id string, values map[string]string, by string, now time.Time) error {
	action := "edit"
	switch {
	case id == "":
		action = "add"
	case values == nil:
		action = "delete"
	}
	src, rawID, _ := strings.Cut(id, "|")
	if id == "" {
		if src, _ = s.Source(); src == "" {
			src = "app"
		}
	}
	if src == "app" {
		return s.changeApp(ctx, shape, rawID, values, action, by, now)
	}
	dir, ok := s.Sources[src]
	if !ok {
		return ErrNoRow
	}
	var before Row
	file, sheet, line := filepath.Join(dir, files.FileName(shape)), "", 0
	if id != "" {
		var payload string
		if err := s.DB.QueryRowContext(ctx, fmt.Sprintf(`SELECT payload::VARCHAR FROM raw."%s__%s" WHERE id = ? AND deleted_at IS NULL`, src, shape), rawID).Scan(&payload); err != nil {
			return ErrNoRow
		}
		var p map[string]any
		json.Unmarshal([]byte(payload), &p)
		before.Values = map[string]string{}
		for k, v := range p {
			before.Values[k] = fmt.Sprint(v)
		}
		// The payload's file is relative to the folder's parent.
		file = filepath.Join(filepath.Dir(dir), filepath.FromSlash(before.Values["file"]))
		sheet = before.Values["sheet"]
		line, _ = strconv.Atoi(before.Values["row"])
	}
	rel, _ := filepath.Rel(filepath.Dir(dir), file)
	rel = filepath.ToSlash(rel)
	place := rel
	if sheet != "" {
		place += " sheet " + sheet
	}
	var data []byte
	var err error
	if strings.EqualFold(filepath.Ext(file), ".csv") || strings.EqualFold(filepath.Ext(file), ".txt") {
		data, line, err = editCSV(file, shape, line, before.Values, values)
	} else {
		data, line, err = editXLSX(file, shape, sheet, line, before.Values, values)
	}
	if err != nil {
		return err
	}
	var people map[string]bool
	if s.People != nil {
		if people, err = s.People(ctx); err != nil {
			return err
		}
	}
	if problems := files.Check(rel, data, people); len(problems) > 0 {
		return &ProblemsError{problems}
	}
	if err := writeFile(file, data); err != nil {
		return err
	}
	return s.record(ctx, now, by, shape, fmt.Sprintf("%s row %d", place, line), action, before.Values, values)
}

func (s *Store) record(ctx context.Context, now time.Time, by, shape, place, action string, before, after map[string]string) error {
	js := func(v map[string]string) any {
		if v == nil {
			return nil
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	_, err := s.DB.ExecContext(ctx, `INSERT INTO meta.input_edits VALUES (?, ?, ?, ?, ?, ?, ?)`, now.UTC(), by, shape, place, action, js(before), js(after))
	return err
}

// changeApp keeps the row in meta.inputs, checking the shape's rows as a
// file of them would be checked.
func (s *Store) changeApp(ctx context.Context, shape, rawID string, values map[string]string, action, by string, now time.Time) error {
	rows, err := s.Rows(ctx, shape)
	if err != nil {
		return err
	}
	var before map[string]string
	var app [][]string
	cols := files.Columns(shape)
	found := action == "add"
	for _, r := range rows {
		if !strings.HasPrefix(r.ID, "app|") {
			continue
		}
		v := r.Values
		if r.ID == "app|"+rawID {
			before, found = v, true
			if values == nil {
				continue
			}
			v = values
		}
		line := make([]string, len(cols))
		for i, c := range cols {
			line[i] = v[c]
		}
		app = append(app, line)
	}
	if !found {
		return ErrNoRow
	}
	if action == "add" {
		line := make([]string, len(cols))
		for i, c := range cols {
			line[i] = values[c]
		}
		app = append(app, line)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(cols)
	w.WriteAll(app)
	var people map[string]bool
	if s.People != nil {
		if people, err = s.People(ctx); err != nil {
			return err
		}
	}
	if problems := files.Check("settings/"+files.FileName(shape), buf.Bytes(), people); len(problems) > 0 {
		for i := range problems {
			problems[i].File, problems[i].Row = "entered here", 0
		}
		return &ProblemsError{problems}
	}
	kept := map[string]string{}
	for k, v := range values {
		if v != "" {
			kept[k] = v
		}
	}
	body, _ := json.Marshal(kept)
	var place string
	switch action {
	case "add":
		var id int
		if err := s.DB.QueryRowContext(ctx, `INSERT INTO meta.inputs SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, ?, ? FROM meta.inputs RETURNING id`,
			shape, string(body), by, now.UTC(), by, now.UTC()).Scan(&id); err != nil {
			return err
		}
		place = "entered here #" + strconv.Itoa(id)
	case "edit":
		if _, err := s.DB.ExecContext(ctx, `UPDATE meta.inputs SET "values" = ?, updated_by = ?, updated_at = ? WHERE id = ?`, string(body), by, now.UTC(), rawID); err != nil {
			return err
		}
		place = "entered here #" + rawID
	case "delete":
		if _, err := s.DB.ExecContext(ctx, `DELETE FROM meta.inputs WHERE id = ?`, rawID); err != nil {
			return err
		}
		place = "entered here #" + rawID
	}
	return s.record(ctx, now, by, shape, place, action, before, values)
}

// editCSV returns the file with the row at line (1-based, as the source
// numbers rows) set to values, deleted (values nil), or, with line 0,
// values appended; a file that does not exist is made from the template.
// Columns the file lacks are added when a value needs them; numbers are
// written as the file writes them (decimal commas in a ;-separated file).
func editCSV(path, shape string, line int, stored, values map[string]string) ([]byte, int, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && line == 0 {
		// A new file: the template's notes, then the row.
		tmp := path + ".template"
		if err := files.Write(tmp, shape, []map[string]string{values}); err != nil {
			return nil, 0, err
		}
		raw, err = os.ReadFile(tmp)
		os.Remove(tmp)
		rows, _, _, _ := files.ReadCSV(raw)
		return raw, len(rows), err
	}
	if err != nil {
		return nil, 0, err
	}
	rows, delim, decimalComma, err := files.ReadCSV(raw)
	if err != nil {
		return nil, 0, fmt.Errorf("%s %v", path, err)
	}
	h := files.HeaderRow(rows)
	if h < 0 {
		return nil, 0, fmt.Errorf("%s has no header row", path)
	}
	cols := files.Columns(shape)
	idx := files.HeaderIndex(shape, rows[h])
	for i, c := range cols {
		if idx[i] < 0 && values[c] != "" {
			rows[h] = append(rows[h], c)
			idx[i] = len(rows[h]) - 1
		}
	}
	cell := func(c, v string) string {
		if decimalComma && v != "" {
			if _, err := strconv.ParseFloat(v, 64); err == nil && !strings.Contains(c, "date") && c != "from" && c != "to" && c != "accepted" {
				return strings.ReplaceAll(v, ".", ",")
			}
		}
		return v
	}
	switch {
	case line == 0:
		rec := make([]string, len(rows[h]))
		for i, c := range cols {
			if idx[i] >= 0 {
				rec[idx[i]] = cell(c, values[c])
			}
		}
		rows = append(rows, rec)
		line = len(rows)
	case line-1 <= h || line-1 >= len(rows):
		return nil, 0, ErrNoRow
	case !sameRow(shape, rows[line-1], files.HeaderIndex(shape, rows[h]), stored, decimalComma, false):
		return nil, 0, ErrStale
	case values == nil:
		rows = append(rows[:line-1], rows[line:]...)
	default:
		rec := rows[line-1]
		for len(rec) < len(rows[h]) {
			rec = append(rec, "")
		}
		for i, c := range cols {
			if idx[i] >= 0 {
				rec[idx[i]] = cell(c, values[c])
			}
		}
		rows[line-1] = rec
	}
	var buf bytes.Buffer
	if bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		buf.WriteString("\xef\xbb\xbf")
	}
	w := csv.NewWriter(&buf)
	w.Comma = delim
	w.WriteAll(rows)
	return buf.Bytes(), line, w.Error()
}

// editXLSX does what editCSV does in a workbook's sheet, keeping the
// workbook's other sheets and formatting.
func editXLSX(path, shape, sheet string, line int, stored, values map[string]string) ([]byte, int, error) {
	wb, err := excelize.OpenFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %v", path, err)
	}
	defer wb.Close()
	rows, err := wb.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, 0, fmt.Errorf("%s: sheet %s: %v", path, sheet, err)
	}
	h := files.HeaderRow(rows)
	if h < 0 || line-1 <= h || line-1 >= len(rows) {
		return nil, 0, ErrNoRow
	}
	if !sameRow(shape, rows[line-1], files.HeaderIndex(shape, rows[h]), stored, false, true) {
		return nil, 0, ErrStale
	}
	if values == nil {
		if err := wb.RemoveRow(sheet, line); err != nil {
			return nil, 0, err
		}
	} else {
		cols := files.Columns(shape)
		idx := files.HeaderIndex(shape, rows[h])
		for i, c := range cols {
			col := idx[i]
			if col < 0 {
				if values[c] == "" {
					continue
				}
				col = len(rows[h])
				rows[h] = append(rows[h], c)
				name, _ := excelize.CoordinatesToCellName(col+1, h+1)
				wb.SetCellValue(sheet, name, c)
			}
			name, _ := excelize.CoordinatesToCellName(col+1, line)
			var v any = values[c]
			if f, err := strconv.ParseFloat(values[c], 64); err == nil && values[c] != "" {
				v = f
			}
			if err := wb.SetCellValue(sheet, name, v); err != nil {
				return nil, 0, err
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), line, nil
}

// writeFile replaces path with data through a temporary file, so a reader
// never sees half a file.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".conflux-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
