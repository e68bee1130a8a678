package reports

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/conflux-dev/conflux/internal/warehouse"
)

// Cell formats one value for text output. Decimals keep their exact
// digits; NULL is "". json reports whether the text is a JSON literal
// (number, bool) rather than a string.
func Cell(col arrow.Array, i int) (text string, literal bool, null bool) {
	if col.IsNull(i) {
		return "", false, true
	}
	switch a := col.(type) {
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		return a.Value(i).ToString(dt.Scale), true, false
	case *array.Float64:
		v := a.Value(i)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", false, true
		}
		return strconv.FormatFloat(v, 'f', -1, 64), true, false
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'f', -1, 32), true, false
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10), true, false
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10), true, false
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10), true, false
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10), true, false
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10), true, false
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i)), true, false
	case *array.Date32:
		return a.Value(i).ToTime().Format(time.DateOnly), false, false
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC().Format(time.RFC3339), false, false
	case *array.String:
		// Value aliases the batch's buffer; the text may outlive the batch.
		return strings.Clone(a.Value(i)), false, false
	case *array.LargeString:
		return strings.Clone(a.Value(i)), false, false
	}
	return col.ValueStr(i), false, false
}

// Float reads a numeric cell as float64, for charts; NULL is NaN.
func Float(col arrow.Array, i int) float64 {
	if col.IsNull(i) {
		return math.NaN()
	}
	switch a := col.(type) {
	case *array.Decimal128:
		return a.Value(i).ToFloat64(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Float64:
		return a.Value(i)
	case *array.Int64:
		return float64(a.Value(i))
	case *array.Int32:
		return float64(a.Value(i))
	}
	f, _ := strconv.ParseFloat(col.ValueStr(i), 64)
	return f
}

// Rows calls fn for every row with the batch's columns.
func Rows(t *warehouse.Table, fn func(cols []arrow.Array, i int)) {
	for _, rec := range t.Records {
		cols := rec.Columns()
		for i := 0; i < int(rec.NumRows()); i++ {
			fn(cols, i)
		}
	}
}

// WriteJSON writes [{"col": value, ...}, ...]; decimals are JSON numbers
// with their exact digits.
func WriteJSON(w io.Writer, t *warehouse.Table) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	first := true
	names := make([][]byte, len(t.Schema.Fields()))
	for j, f := range t.Schema.Fields() {
		names[j], _ = json.Marshal(f.Name)
	}
	Rows(t, func(cols []arrow.Array, i int) {
		if !first {
			bw.WriteString(",")
		}
		first = false
		bw.WriteString("\n{")
		for j, c := range cols {
			if j > 0 {
				bw.WriteString(",")
			}
			bw.Write(names[j])
			bw.WriteString(":")
			text, literal, null := Cell(c, i)
			switch {
			case null:
				bw.WriteString("null")
			case literal:
				bw.WriteString(text)
			default:
				b, _ := json.Marshal(text)
				bw.Write(b)
			}
		}
		bw.WriteString("}")
	})
	bw.WriteString("\n]\n")
	return bw.Flush()
}

// defuse keeps a spreadsheet from reading text as a formula: a vendor's
// client named "=HYPERLINK(…)" stays a name. Text starting with = + - @
// (or a tab or carriage return) gets a leading apostrophe, as OWASP
// advises for CSV; numbers are left as they are.
func defuse(text string) string {
	if text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0])) {
		return "'" + text
	}
	return text
}

// WriteCSV writes a header row then the rows; text that a spreadsheet
// would take for a formula is written as text.
func WriteCSV(w io.Writer, t *warehouse.Table) error {
	cw := csv.NewWriter(w)
	var header []string
	for _, f := range t.Schema.Fields() {
		header = append(header, f.Name)
	}
	cw.Write(header)
	row := make([]string, len(header))
	Rows(t, func(cols []arrow.Array, i int) {
		for j, c := range cols {
			text, literal, _ := Cell(c, i)
			if !literal {
				text = defuse(text)
			}
			row[j] = text
		}
		cw.Write(row)
	})
	cw.Flush()
	return cw.Error()
}

// WriteTable writes aligned columns for a terminal.
func WriteTable(w io.Writer, t *warehouse.Table) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var header []string
	for _, f := range t.Schema.Fields() {
		header = append(header, f.Name)
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	row := make([]string, len(header))
	Rows(t, func(cols []arrow.Array, i int) {
		for j, c := range cols {
			text, _, null := Cell(c, i)
			if null {
				text = "NULL"
			}
			row[j] = text
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	})
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "(%d rows)\n", t.NumRows())
	return err
}

// WriteArrow writes an Arrow IPC stream.
func WriteArrow(w io.Writer, t *warehouse.Table) error {
	iw := ipc.NewWriter(w, ipc.WithSchema(t.Schema))
	for _, r := range t.Records {
		if err := iw.Write(r); err != nil {
			return err
		}
	}
	return iw.Close()
}

// Write dispatches on a format name.
func Write(w io.Writer, t *warehouse.Table, format string) error {
	switch format {
	case "json":
		return WriteJSON(w, t)
	case "csv":
		return WriteCSV(w, t)
	case "table", "":
		return WriteTable(w, t)
	case "arrow":
		return WriteArrow(w, t)
	case "xlsx":
		return WriteXLSX(w, t, "report")
	}
	return fmt.Errorf("unknown format %q (use table, csv, json, xlsx or arrow)", format)
}

// Grouped formats v with decimals places and commas between thousands, the
// way the dashboards and the weekly report show amounts: -1234.5 with 2
// decimals is "-1,234.50".
func Grouped(v float64, decimals int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && s != strconv.FormatFloat(0, 'f', decimals, 64) {
		b.WriteByte('-')
	}
	for i, ch := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
