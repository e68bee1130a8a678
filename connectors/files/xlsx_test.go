package files

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// excelizeTables reads a workbook with excelize alone, as readXLSX did
// before the fast reader.
func excelizeTables(t *testing.T, data []byte) []table {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []table
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, table{Sheet: sheet, Rows: rows, SerialDates: true})
	}
	return out
}

// The fast reader reads what excelize reads: shared and inline strings,
// rich text, entities, numbers, booleans, dates, formulas' values, gaps
// between cells and rows, several sheets, written cell by cell and by
// excelize's stream writer.
func TestFastWorkbookReaderAgreesWithExcelize(t *testing.T) {
	wb := excelize.NewFile()
	wb.SetSheetName("Sheet1", "Costs")
	wb.SetSheetRow("Costs", "A1", &[]any{"person", "salary", "from", "note"})
	wb.SetSheetRow("Costs", "A2", &[]any{"ana@x.test", 85000.5, time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), `Tom & Jerry <"Ltd"> 'x'`})
	wb.SetSheetRow("Costs", "A4", &[]any{"bo@x.test", 70000, nil, "  spaced  "})
	wb.SetCellValue("Costs", "F4", true)
	wb.SetCellFormula("Costs", "G4", "B4*2")
	wb.SetCellValue("Costs", "G4", 140000)
	wb.SetCellRichText("Costs", "D5", []excelize.RichTextRun{{Text: "bold "}, {Text: "plain"}})
	wb.SetCellValue("Costs", "A5", "Zoë Ångström — ünïcode")
	wb.NewSheet("Empty")
	wb.NewSheet("Stream")
	sw, _ := wb.NewStreamWriter("Stream")
	sw.SetRow("A1", []any{"date", "person", "hours"})
	for i := 0; i < 50; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		sw.SetRow(cell, []any{fmt.Sprintf("2026-01-%02d", 1+i%28), fmt.Sprintf("p%d@x.test", i), 0.25 * float64(i)})
	}
	sw.SetRow("B60", []any{"after a gap", excelize.Cell{Value: "inline"}})
	sw.Flush()
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	fast, err := readXLSXFast(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := excelizeTables(t, buf.Bytes())
	if len(fast) != len(want) {
		t.Fatalf("%d sheets, excelize %d", len(fast), len(want))
	}
	for i := range want {
		trim := func(rows [][]string) [][]string {
			for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
				rows = rows[:len(rows)-1]
			}
			return rows
		}
		a, b := trim(fast[i].Rows), trim(want[i].Rows)
		if fast[i].Sheet != want[i].Sheet || !slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) }) {
			t.Errorf("sheet %s:\nfast     %q\nexcelize %q", want[i].Sheet, a, b)
		}
	}
	if !strings.Contains(fmt.Sprint(fast[0].Rows), "Tom & Jerry") {
		t.Errorf("entities: %q", fast[0].Rows)
	}
}
