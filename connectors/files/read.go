package files

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// table is one sheet of a file (a CSV file is one table): its rows as
// text, and how its numbers are written.
type table struct {
	Sheet        string // "" for CSV
	Rows         [][]string
	DecimalComma bool // 1.234,56: a CSV written with ; by a European spreadsheet
	SerialDates  bool // a workbook: a date cell is a day number (46023 = 2026-01-01)
}

// readTables reads a CSV or XLSX file's bytes into tables.
func readTables(name string, data []byte) ([]table, error) {
	switch strings.ToLower(extOf(name)) {
	case ".csv", ".txt":
		t, err := readCSV(data)
		if err != nil {
			return nil, err
		}
		return []table{t}, nil
	case ".xlsx", ".xlsm":
		return readXLSX(data)
	}
	return nil, fmt.Errorf("is not a CSV or XLSX file")
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// readCSV reads UTF-8 (with or without a byte-order mark) or, when the
// bytes are not UTF-8, Windows-1252; the delimiter is whichever of , ; and
// tab the header line uses most.
func readCSV(data []byte) (table, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return table{}, fmt.Errorf("is neither UTF-8 nor Windows-1252 text")
		}
		data = dec
	}
	delim := detectDelimiter(data)
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return table{}, fmt.Errorf("is not readable CSV: %v", err)
		}
		rows = append(rows, rec)
	}
	return table{Rows: rows, DecimalComma: delim == ';'}, nil
}

// detectDelimiter counts , ; and tab on the first line that is not a
// comment (a template's # explanation).
func detectDelimiter(data []byte) rune {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if t := bytes.TrimSpace(line); len(t) == 0 || t[0] == '#' || bytes.HasPrefix(t, []byte(`"#`)) {
			continue
		}
		best, n := ',', bytes.Count(line, []byte{','})
		for _, c := range []rune{';', '\t'} {
			if k := bytes.Count(line, []byte(string(c))); k > n {
				best, n = c, k
			}
		}
		return best
	}
	return ','
}

// readXLSX reads every sheet's cells as the spreadsheet stores them (a
// number as its value, not as formatted), so decimals are points.
func readXLSX(data []byte) ([]table, error) {
	if out, err := readXLSXFast(data); err == nil {
		return out, nil
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("is not a readable XLSX workbook: %v", err)
	}
	defer f.Close()
	var out []table
	for _, sheet := range f.GetSheetList() {
		// The row iterator streams the sheet's XML rather than building
		// every cell first.
		it, err := f.Rows(sheet)
		if err != nil {
			return nil, fmt.Errorf("sheet %s: %v", sheet, err)
		}
		var rows [][]string
		for it.Next() {
			cols, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				it.Close()
				return nil, fmt.Errorf("sheet %s: %v", sheet, err)
			}
			rows = append(rows, cols)
		}
		if err := it.Close(); err != nil {
			return nil, fmt.Errorf("sheet %s: %v", sheet, err)
		}
		out = append(out, table{Sheet: sheet, Rows: rows, SerialDates: true})
	}
	return out, nil
}
