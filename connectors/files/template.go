package files

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
		path := filepath.Join(dir, s.Name+".csv")
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
func FileName(shape string) string { return strings.ReplaceAll(shape, " ", "_") + ".csv" }
