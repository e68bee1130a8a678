package files

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
)

// WriteTemplates writes one CSV per shape into dir: the header, then #
// rows explaining each column and an example row, commented out, so the
// templates can sit in the source's folder and load nothing until filled.
// Existing files are left alone; it returns the files written.
func WriteTemplates(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var wrote []string
	for _, s := range Shapes {
		path := filepath.Join(dir, FileName(s.Name))
		if _, err := os.Stat(path); err == nil {
			continue
		}
		if err := Write(path, s.Name, nil); err != nil {
			return wrote, err
		}
		wrote = append(wrote, path)
	}
	return wrote, nil
}

// Write writes rows (values by column name) as the shape's CSV file at
// path, its columns explained in # rows above them.
func Write(path, shape string, rows []map[string]string) error {
	s := ShapeNamed(shape)
	if s == nil {
		return fmt.Errorf("no file shape %q (%s)", shape, knownNames())
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	var header, example []string
	w.Write([]string{"# " + s.Name + ": " + s.Doc})
	for _, c := range s.Columns {
		header = append(header, c.Name)
		example = append(example, c.Example)
		req := ""
		if c.Required {
			req = " (required)"
		}
		w.Write([]string{"# " + c.Name + req + ": " + c.Doc})
	}
	w.Write([]string{"# Rows starting with # are notes. Dates are 2026-01-31 (or 31/01/2026), decimals 1234.56; an example row follows."})
	example[0] = "# " + example[0]
	w.Write(header)
	if len(rows) == 0 {
		w.Write(example)
	}
	for _, r := range rows {
		line := make([]string, len(header))
		for i, h := range header {
			line[i] = r[h]
		}
		w.Write(line)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// FileName is the name a shape's file is written under.
func FileName(shape string) string { return shape + ".csv" }

// Normalize reads values (by column name, as a person typed them) under
// the shape's rules and returns them as a file stores them (decimals with
// points, ISO dates), with every problem.
func Normalize(shape string, values map[string]string) (map[string]string, []Problem) {
	return NormalizeAs(shape, values, false, false)
}

// NormalizeAs is Normalize for cells as a file holds them: decimal commas
// (a ;-separated CSV), or a workbook's day numbers for dates.
func NormalizeAs(shape string, values map[string]string, decimalComma, workbook bool) (map[string]string, []Problem) {
	s := ShapeNamed(shape)
	if s == nil {
		return nil, []Problem{{Msg: fmt.Sprintf("no file shape %q (%s)", shape, knownNames())}}
	}
	out := map[string]string{}
	var problems []Problem
	for _, c := range s.Columns {
		v, err := parseCell(c, values[c.Name], table{DecimalComma: decimalComma, SerialDates: workbook})
		switch {
		case err != nil:
			problems = append(problems, Problem{Column: c.Name, Msg: err.Error()})
		case v == "" && c.Required:
			problems = append(problems, Problem{Column: c.Name, Msg: "is empty"})
		}
		out[c.Name] = v
	}
	return out, problems
}

// Check reads data as the file rel would be read and returns every problem
// it has: what a sync would refuse.
func Check(rel string, data []byte, people map[string]bool) []Problem {
	units, problems := readFile(rel, data, people)
	for _, u := range units {
		problems = append(problems, u.Problems...)
	}
	return problems
}

// Columns are the column names of the shape, in order.
func Columns(shape string) []string {
	s := ShapeNamed(shape)
	if s == nil {
		return nil
	}
	var out []string
	for _, c := range s.Columns {
		out = append(out, c.Name)
	}
	return out
}

// HeaderIndex maps each of the shape's columns to its index in header (-1
// when absent).
func HeaderIndex(shape string, header []string) []int {
	s := ShapeNamed(shape)
	if s == nil {
		return nil
	}
	idx, _, _ := s.match(header)
	return idx
}

// ReadCSV reads a CSV file's bytes as the source does: its rows, its
// delimiter, whether numbers are written with decimal commas, and whether
// it began with a byte-order mark or was not UTF-8.
func ReadCSV(data []byte) (rows [][]string, delim rune, decimalComma bool, err error) {
	t, err := readCSV(data)
	if err != nil {
		return nil, 0, false, err
	}
	return t.Rows, detectDelimiter(data), t.DecimalComma, nil
}

// HeaderRow is the index of the first row that is neither blank nor a #
// note (-1 when there is none).
func HeaderRow(rows [][]string) int {
	_, n := headerOf(rows)
	return n - 1
}
