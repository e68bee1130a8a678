package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/xuri/excelize/v2"

	"github.com/conflux-dev/conflux/internal/warehouse"
)

// WriteXLSX writes t as a workbook of one sheet named sheet: a bold header,
// numbers as numbers (decimals with their scale's number format, dates as
// dates; decimals shown to the cent but kept whole), and a Total row
// summing the decimal columns — money and hours; rates, probabilities and
// percentages are not summed.
func WriteXLSX(w io.Writer, t *warehouse.Table, sheet string) error {
	if sheet == "" {
		sheet = "report"
	}
	if len(sheet) > 31 { // Excel's limit
		sheet = sheet[:31]
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	decimalStyle := map[int32]int{}
	styleFor := func(scale int32) (int, error) {
		scale = min(scale, 2) // shown to the cent, kept to full precision
		if s, ok := decimalStyle[scale]; ok {
			return s, nil
		}
		format := "#,##0"
		if scale > 0 {
			format += "." + fmt.Sprintf("%0*d", scale, 0)
		}
		s, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
		decimalStyle[scale] = s
		return s, err
	}
	fields := t.Schema.Fields()
	header := make([]any, len(fields))
	for i, fl := range fields {
		header[i] = excelize.Cell{StyleID: bold, Value: fl.Name}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	row := 1
	var werr error
	Rows(t, func(cols []arrow.Array, i int) {
		if werr != nil {
			return
		}
		row++
		cells := make([]any, len(cols))
		for c, col := range cols {
			text, literal, null := Cell(col, i)
			switch {
			case null:
				cells[c] = nil
			case col.DataType().ID() == arrow.DECIMAL128:
				v, _ := strconv.ParseFloat(text, 64)
				style, err := styleFor(col.DataType().(*arrow.Decimal128Type).Scale)
				if err != nil {
					werr = err
					return
				}
				cells[c] = excelize.Cell{StyleID: style, Value: v}
			case col.DataType().ID() == arrow.DATE32:
				cells[c] = excelize.Cell{StyleID: dateStyle, Value: col.(*array.Date32).Value(i).ToTime()}
			case literal && col.DataType().ID() != arrow.BOOL:
				v, _ := strconv.ParseFloat(text, 64)
				cells[c] = v
			default:
				cells[c] = text
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		werr = sw.SetRow(cell, cells)
	})
	if werr != nil {
		return werr
	}
	if row > 1 {
		totals := make([]any, len(fields))
		totals[0] = excelize.Cell{StyleID: bold, Value: "Total"}
		for c, fl := range fields {
			dt, ok := fl.Type.(*arrow.Decimal128Type)
			if !ok || c == 0 || !summable(fl.Name) {
				continue
			}
			style, err := styleFor(dt.Scale)
			if err != nil {
				return err
			}
			col, _ := excelize.ColumnNumberToName(c + 1)
			totals[c] = excelize.Cell{StyleID: style, Formula: fmt.Sprintf("SUM(%s2:%s%d)", col, col, row)}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row+1)
		if err := sw.SetRow(cell, totals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// summable reports whether a decimal column's values add up: amounts and
// hours do, rates and ratios do not.
func summable(column string) bool {
	for _, word := range []string{"rate", "probability", "pct"} {
		if strings.Contains(column, word) {
			return false
		}
	}
	return true
}
