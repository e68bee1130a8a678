package files_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/files"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

type fixture struct {
	t    *testing.T
	dir  string
	wh   *warehouse.Warehouse
	conn *files.Connector
}

func newFixture(t *testing.T, people map[string]bool) *fixture {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "inputs")
	os.Mkdir(dir, 0o755)
	wh, err := warehouse.Open(context.Background(), filepath.Join(root, "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	cfg := files.Config{Source: "inputs", Dir: dir}
	if people != nil {
		cfg.People = func(context.Context) (map[string]bool, error) { return people, nil }
	}
	conn, err := files.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t, dir, wh, conn}
}

func (f *fixture) write(name, body string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, name), []byte(body), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// sync runs the source and returns its error (nil when every file loaded).
func (f *fixture) sync() error {
	f.t.Helper()
	_, err := sync.Run(context.Background(), f.wh, sync.Source{Name: "inputs", Connector: f.conn}, nil, nil)
	return err
}

// rows are the stream's live records as "file row: field=value …" lines.
func (f *fixture) rows(stream, fields string) []string {
	f.t.Helper()
	var out []string
	rs, err := f.wh.DB().Query(`SELECT (payload->>'file') || ' ' || (payload->>'row') || ':' || ` + fields + ` FROM raw.inputs__` + stream + `
		WHERE deleted_at IS NULL ORDER BY payload->>'file', (payload->>'row')::INT`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var s string
		rs.Scan(&s)
		out = append(out, s)
	}
	return out
}

const costFields = `' ' || coalesce(payload->>'person', payload->>'role') || ' ' || (payload->>'salary') || ' ' || coalesce(payload->>'burden', '-') || ' ' || coalesce(payload->>'from', '-')`

// A European CSV (semicolons, decimal commas, Windows-1252) and a workbook
// whose dates are day numbers load as the same plain values; a changed file
// replaces its rows, a removed one removes them; an unchanged one is not
// read again.
func TestFilesLoadReplaceAndRemove(t *testing.T) {
	f := newFixture(t, nil)
	latin, _ := charmap.Windows1252.NewEncoder().String("# Kosten für 2026\nPerson;Role;Salary;Burden;From\nana@x.test;Designer;\"85.000,50\";25%;01/01/2026\n;Développeur;61000;0,2;\n")
	f.write("costs.csv", latin)
	wb := excelize.NewFile()
	wb.SetSheetName("Sheet1", "Rates")
	wb.SetSheetRow("Rates", "A1", &[]any{"Card", "Role", "Hourly rate", "From"})
	wb.SetSheetRow("Rates", "A2", &[]any{"list", "Designer", 140.5, 46023})
	wb.NewSheet("Notes") // an empty sheet beside the table is fine
	if err := wb.SaveAs(filepath.Join(f.dir, "rates.xlsx")); err != nil {
		t.Fatal(err)
	}
	if err := f.sync(); err != nil {
		t.Fatal(err)
	}
	want := []string{"inputs/costs.csv 3: ana@x.test 85000.50 0.25 2026-01-01", "inputs/costs.csv 4: Développeur 61000 0.2 -"}
	if got := f.rows("costs", costFields); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("costs:\n got %q\nwant %q", got, want)
	}
	if got := f.rows("rate_cards", `' ' || (payload->>'sheet') || ' ' || (payload->>'rate') || ' ' || (payload->>'from')`); len(got) != 1 || got[0] != "inputs/rates.xlsx 2: Rates 140.5 2026-01-01" {
		t.Errorf("rate cards: %q", got)
	}

	// Unchanged: nothing is written (the run commits no page).
	res, err := sync.Run(context.Background(), f.wh, sync.Source{Name: "inputs", Connector: f.conn}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Pages != 0 {
			t.Errorf("%s: %d pages for unchanged files", r.Stream, r.Pages)
		}
	}

	// Changed to one row (UTF-8 with a byte-order mark, commas): the second
	// row goes.
	f.write("costs.csv", "\ufeffperson,salary,burden\nana@x.test,\"90,000\",0.3\n")
	if err := f.sync(); err != nil {
		t.Fatal(err)
	}
	if got := f.rows("costs", costFields); len(got) != 1 || got[0] != "inputs/costs.csv 2: ana@x.test 90000 0.3 -" {
		t.Errorf("costs after the change: %q", got)
	}
	os.Remove(filepath.Join(f.dir, "costs.csv"))
	if err := f.sync(); err != nil {
		t.Fatal(err)
	}
	if got := f.rows("costs", costFields); len(got) != 0 {
		t.Errorf("costs after the file was removed: %q", got)
	}
	if got := f.rows("rate_cards", `''`); len(got) != 1 {
		t.Errorf("the rate cards went with the costs: %q", got)
	}
}

// Every kind of problem is reported at once, each with its file, sheet,
// row and column, and the files named keep their previous rows.
func TestFileProblemsAreAllReportedAndKeepThePreviousVersion(t *testing.T) {
	f := newFixture(t, map[string]bool{"ana@x.test": true, "bo@x.test": true})
	f.write("costs.csv", "person,salary,from\nana@x.test,85000,2026-01-01\nbo@x.test,70000,\n")
	f.write("terms.csv", "code,billing_model,retainer_fee\nACME,retainer,5000\n")
	if err := f.sync(); err != nil {
		t.Fatal(err)
	}
	before := f.rows("costs", costFields)

	f.write("costs.csv", strings.Join([]string{
		"person,salary,burden,from,to",
		"ana@x.test,85000,0.2,2026-01-01,2026-06-30",
		"ana@x.test,86000,0.2,2026-06-01,",
		"zed@x.test,85k,,,",
		"bo@x.test,70000,1.4,31/02/2026,",
		",60000,,,",
	}, "\n"))
	f.write("terms.csv", "code,retainer_fee\nACME,5000\n") // billing_model is gone
	f.write("empty.csv", "")
	f.write("notes.csv", "what,who\nlunch,ana\n")
	f.write("budgets.csv", "code,budget_hours,budget_amount,from,note\nACME,450,,2026-01-01,\nACME,,,2026-03-01,CO-1 lost its figures\n")
	wb := excelize.NewFile()
	wb.SetSheetName("Sheet1", "People") // renamed: its header is not a cost table's any more
	wb.SetSheetRow("People", "A1", &[]any{"Name", "Salary band"})
	wb.SetSheetRow("People", "A2", &[]any{"Ana", "B"})
	wb.SaveAs(filepath.Join(f.dir, "people.xlsx"))
	big, _ := os.Create(filepath.Join(f.dir, "export.csv"))
	big.Truncate(50 << 20)
	big.Close()

	err := f.sync()
	var pe *files.ProblemsError
	if !errors.As(err, &pe) || !errors.Is(err, connectors.ErrMalformed) {
		t.Fatalf("want every problem reported as a malformed input: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`inputs/costs.csv: row 4, column salary: is not a number`,
		`inputs/costs.csv: row 3, column from: ana@x.test's cost from 2026-06-01 overlaps row 2 (2026-01-01 to 2026-06-30)`,
		`inputs/costs.csv: row 4, column person: zed@x.test is no one the tools know`,
		`inputs/costs.csv: row 5, column burden: is not between 0 and 1`,
		`inputs/costs.csv: row 5, column from: "31/02/2026" is not a date`,
		`inputs/costs.csv: row 6, column person: names neither a person nor a role`,
		`inputs/terms.csv: row 1: looks like project_terms but misses the column billing_model`,
		`inputs/empty.csv is empty`,
		`inputs/notes.csv: row 1: the header (what, who) is none of the known files`,
		`inputs/people.xlsx: sheet People, row 1: the header (Name, Salary band) is none of the known files`,
		`inputs/export.csv is 50.0 MB, over the 25 MB limit`,
		`inputs/budgets.csv: row 3, column budget_hours: a budget needs its hours, its amount or both`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the problems do not say\n  %s\nthey say:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "85k") || strings.Contains(msg, "1.4") {
		t.Errorf("the problems repeat a salary or burden, which people who read data health may not see:\n%s", msg)
	}
	if got := f.rows("costs", costFields); strings.Join(got, "|") != strings.Join(before, "|") {
		t.Errorf("the bad costs file half-loaded:\n%q\nwas\n%q", got, before)
	}
	if got := f.rows("project_terms", `' ' || (payload->>'billing_model')`); len(got) != 1 || got[0] != "inputs/terms.csv 2: retainer" {
		t.Errorf("the terms file lost its previous version: %q", got)
	}
}

// The vendors' own exports are recognised by their headers: Toggl's
// detailed report CSV (durations as h:mm:ss) and Harvest's detailed time
// export (names, no emails) both become time_entries rows.
func TestVendorExportsBecomeTimeEntries(t *testing.T) {
	f := newFixture(t, nil)
	f.write("toggl.csv", "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)\n"+
		"Ana Silva,Ana@X.test,Acme,Website,Design,Wireframes,Yes,2026-01-12,09:00:00,2026-01-12,10:30:00,01:30:00,,150.00\n")
	f.write("harvest.csv", "Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,Cost Amount,Currency,External Reference URL\n"+
		"2026-01-13,Acme,Website,ACME-WEB,Design,Review,2.25,2.25,Yes,No,Yes,Bo,Berg,Designer,Yes,120,270,60,135,GBP,\n")
	if err := f.sync(); err != nil {
		t.Fatal(err)
	}
	got := f.rows("time_entries", `' ' || coalesce(payload->>'person', payload->>'person_name') || ' ' || (payload->>'project') || ' ' || (payload->>'date') || ' ' || (payload->>'hours') || ' ' || coalesce(payload->>'billable', '-') || ' ' || coalesce(payload->>'rate', '-') || ' ' || (payload->>'shape')`)
	want := []string{
		"inputs/harvest.csv 2: Bo Berg ACME-WEB 2026-01-13 2.25 true 120 harvest_time_export",
		"inputs/toggl.csv 2: ana@x.test Website 2026-01-12 1.5 true - time_entries",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("time entries:\n got %q\nwant %q", got, want)
	}
}

// benchFile is a file a benchmark reads.
type benchFile struct {
	name string
	data []byte
}

// timeRows100k is 100,000 time rows as CSV and as a workbook.
func timeRows100k(b *testing.B) []benchFile {
	var c strings.Builder
	c.WriteString("date,person,project,hours,billable,task,notes\n")
	wb := excelize.NewFile()
	sw, _ := wb.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"date", "person", "project", "hours", "billable", "task", "notes"})
	for i := 0; i < 100_000; i++ {
		day := fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28)
		person := fmt.Sprintf("p%d@x.test", i%400)
		project := fmt.Sprintf("P-%03d", i%250)
		fmt.Fprintf(&c, "%s,%s,%s,%.2f,yes,Design,Row %d\n", day, person, project, 0.25+float64(i%32)/4, i)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		sw.SetRow(cell, []any{day, person, project, 0.25 + float64(i%32)/4, "yes", "Design", fmt.Sprintf("Row %d", i)})
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var x bytes.Buffer
	if err := wb.Write(&x); err != nil {
		b.Fatal(err)
	}
	return []benchFile{{"time.csv", []byte(c.String())}, {"time.xlsx", x.Bytes()}}
}

// 100,000 time rows, as CSV and as a workbook: `make bench` reports the
// rows read per second, checked and ready to commit.
func BenchmarkRead100kTimeRows(b *testing.B) {
	for _, c := range timeRows100k(b) {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			os.WriteFile(filepath.Join(dir, c.name), c.data, 0o644)
			b.ResetTimer()
			for b.Loop() {
				sc, err := files.Scan(context.Background(), files.Config{Dir: dir})
				if err != nil {
					b.Fatal(err)
				}
				if n := files.Rows(sc); n != 100_000 {
					b.Fatalf("%d rows", n)
				}
			}
			b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// The same 100,000 rows imported: read, checked and committed into a new
// warehouse by a sync, as `conflux sync` does.
func BenchmarkSync100kTimeRows(b *testing.B) {
	for _, c := range timeRows100k(b) {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				root := b.TempDir()
				dir := filepath.Join(root, "inputs")
				os.Mkdir(dir, 0o755)
				os.WriteFile(filepath.Join(dir, c.name), c.data, 0o644)
				wh, err := warehouse.Open(context.Background(), filepath.Join(root, "w.duckdb"))
				if err != nil {
					b.Fatal(err)
				}
				conn, _ := files.New(files.Config{Source: "inputs", Dir: dir})
				b.StartTimer()
				if _, err := sync.Run(context.Background(), wh, sync.Source{Name: "inputs", Connector: conn, Streams: []string{"costs", "time_entries"}}, nil, nil); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				wh.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
