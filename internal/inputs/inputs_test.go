package inputs_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/conflux-dev/conflux/connectors/files"
	"github.com/conflux-dev/conflux/internal/inputs"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// A row of a workbook is edited in its sheet, the other sheets kept; a
// change that would make the sheet fail its check (a retainer without a
// fee, a second row for the same code) writes nothing; a delete removes
// the row.
func TestEditAWorkbookRow(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "inputs")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "terms.xlsx")
	wb := excelize.NewFile()
	wb.SetSheetName("Sheet1", "Notes")
	wb.SetCellValue("Notes", "A1", "kept as it is")
	wb.NewSheet("Terms")
	wb.SetSheetRow("Terms", "A1", &[]any{"Code", "Billing model", "Retainer fee"})
	wb.SetSheetRow("Terms", "A2", &[]any{"ACME", "tm"})
	wb.SetSheetRow("Terms", "A3", &[]any{"GLOBEX", "retainer", 5000})
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	wh, err := warehouse.Open(ctx, filepath.Join(root, "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	conn, _ := files.New(files.Config{Source: "inputs", Dir: dir})
	resync := func() {
		t.Helper()
		if _, err := sync.Run(ctx, wh, sync.Source{Name: "inputs", Connector: conn}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	resync()
	st := &inputs.Store{DB: wh.DB(), Sources: map[string]string{"inputs": dir}}
	rows, err := st.Rows(ctx, "project_terms")
	if err != nil || len(rows) != 2 || rows[1].Place != "inputs/terms.xlsx sheet Terms row 3" {
		t.Fatalf("rows: %+v %v", rows, err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err = st.Save(ctx, "project_terms", rows[0].ID, map[string]string{"code": "GLOBEX", "billing_model": "fixed_fee"}, "fin@x.test", now)
	var pe *inputs.ProblemsError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "repeats the code of row") {
		t.Errorf("a second GLOBEX: %v", err)
	}
	if err := st.Save(ctx, "project_terms", rows[0].ID, map[string]string{"code": "ACME", "billing_model": "retainer"}, "fin@x.test", now); err == nil || !strings.Contains(err.Error(), "column retainer_fee: a retainer needs its monthly fee") {
		t.Errorf("a retainer without a fee: %v", err)
	}
	if err := st.Save(ctx, "project_terms", rows[0].ID, map[string]string{"code": "ACME", "billing_model": "retainer", "retainer_fee": "7500.5", "retainer_hours": "40"}, "fin@x.test", now); err != nil {
		t.Fatal(err)
	}
	got, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	terms, _ := got.GetRows("Terms")
	notes, _ := got.GetCellValue("Notes", "A1")
	got.Close()
	want := "Code Billing model Retainer fee retainer_hours|ACME retainer 7500.5 40|GLOBEX retainer 5000"
	var flat []string
	for _, r := range terms {
		flat = append(flat, strings.Join(r, " "))
	}
	if strings.Join(flat, "|") != want || notes != "kept as it is" {
		t.Errorf("the workbook after the edit:\n%q\nwant\n%q (notes %q)", strings.Join(flat, "|"), want, notes)
	}
	// Not synced since: the row the page showed is not what the file holds.
	if err := st.Save(ctx, "project_terms", rows[0].ID, map[string]string{"code": "ACME", "billing_model": "tm"}, "fin@x.test", now); !errors.Is(err, inputs.ErrStale) {
		t.Errorf("an edit of a row the file changed since the sync: %v", err)
	}
	resync()
	if err := st.Delete(ctx, "project_terms", rows[1].ID, "fin@x.test", now); err != nil {
		t.Fatal(err)
	}
	resync()
	if rows, _ := st.Rows(ctx, "project_terms"); len(rows) != 1 || rows[0].Values["code"] != "ACME" || rows[0].EditedBy != "fin@x.test" {
		t.Errorf("after the delete: %+v", rows)
	}
}
