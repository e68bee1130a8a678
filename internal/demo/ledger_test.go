package demo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/hubspot"
	"github.com/conflux-dev/conflux/connectors/hubspot/hubspotfake"
	"github.com/conflux-dev/conflux/connectors/pipedrive"
	"github.com/conflux-dev/conflux/connectors/pipedrive/pipedrivefake"
	"github.com/conflux-dev/conflux/connectors/quickbooks"
	"github.com/conflux-dev/conflux/connectors/quickbooks/quickbooksfake"
	"github.com/conflux-dev/conflux/connectors/xero"
	"github.com/conflux-dev/conflux/connectors/xero/xerofake"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

// With an accounting tool configured beside Harvest, it is the ledger:
// invoiced amounts per project come from its invoices (linked to projects by
// a Xero tracking option or a QuickBooks job, named by the project code), and
// Harvest's own invoices are not counted a second time.
func TestLedgers(t *testing.T) {
	ledgers := map[string]func(*demo.Agency) (func(url string) connectors.Connector, http.Handler){
		"xero": func(a *demo.Agency) (func(string) connectors.Connector, http.Handler) {
			fake := xerofake.New(demo.XeroTenant, a.Name, func(tok string) bool { return tok == demo.XeroToken })
			fake.PerMinute = 0
			a.LoadXero(fake)
			return func(url string) connectors.Connector {
				c, _ := xero.New(xero.Config{TenantID: demo.XeroTenant, BaseURL: url + "/api.xro/2.0",
					TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: demo.XeroToken}), Rate: rate.Inf})
				return c
			}, fake
		},
		"quickbooks": func(a *demo.Agency) (func(string) connectors.Connector, http.Handler) {
			fake := quickbooksfake.New(demo.QuickBooksRealm, func(tok string) bool { return tok == demo.QuickBooksToken })
			fake.PerSecond = 0
			a.LoadQuickBooks(fake)
			return func(url string) connectors.Connector {
				c, _ := quickbooks.New(quickbooks.Config{RealmID: demo.QuickBooksRealm, BaseURL: url,
					TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: demo.QuickBooksToken}), Rate: rate.Inf})
				return c
			}, fake
		},
	}
	for name, load := range ledgers {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a := demo.Generate(demo.Options{People: 12, Clients: 6, Projects: 12, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
			planted := a.PlantGaps(true) // the truth below is the planted agency's
			wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "l.duckdb"))
			if err != nil {
				t.Fatal(err)
			}
			defer wh.Close()
			for _, st := range stacks {
				if st.name == "harvest" { // time, and Harvest's own invoices
					st.sync(t, a, wh)
				}
			}
			conn, fake := load(a)
			srv := httptest.NewServer(fake)
			defer srv.Close()
			if _, err := sync.Run(ctx, wh, sync.Source{Name: name, Connector: conn(srv.URL)}, nil, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{"harvest": "harvest", name: name}, Seeds: demotest.Seeds(a)}); err != nil {
				t.Fatal(err)
			}
			invoiced, byMonth := a.LedgerInvoicedCents()
			rows, err := wh.DB().Query(`SELECT source_id, round(invoiced_amount * 100)::BIGINT FROM marts.project_financials`)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var sid string
				var got int64
				rows.Scan(&sid, &got)
				id, _ := strconv.ParseInt(sid, 10, 64)
				if got != invoiced[id] {
					t.Errorf("project %d: invoiced %d cents, truth %d", id, got, invoiced[id])
				}
				n++
			}
			if n != len(a.Projects) {
				t.Errorf("%d projects", n)
			}
			// Invoiced per client per month, net of credit notes, in pounds
			// at the ledger's rate, to the cent.
			rows, err = wh.DB().Query(`SELECT c.source_id, m.month, round(m.invoiced_amount * 100)::BIGINT, round(m.credited_amount * 100)::BIGINT
				FROM marts.client_month m JOIN core.clients c USING (client_key)`)
			if err != nil {
				t.Fatal(err)
			}
			seen, credited := map[demo.ClientMonth]bool{}, int64(0)
			for rows.Next() {
				var sid string
				var month time.Time
				var got, credit int64
				if err := rows.Scan(&sid, &month, &got, &credit); err != nil {
					t.Fatal(err)
				}
				id, _ := strconv.ParseInt(sid, 10, 64)
				k := demo.ClientMonth{ClientID: id, Month: month}
				seen[k], credited = true, credited+credit
				if got != byMonth[k] {
					t.Errorf("client %d %s: invoiced %d cents, truth %d", id, month.Format("2006-01"), got, byMonth[k])
				}
			}
			for k, v := range byMonth {
				if !seen[k] && v != 0 {
					t.Errorf("client %d %s: truth %d cents invoiced, missing from marts.client_month", k.ClientID, k.Month.Format("2006-01"), v)
				}
			}
			if len(a.CreditNotes) == 0 || credited >= 0 {
				t.Errorf("%d credit notes in the truth, %d cents credited in the mart: the test must cover credit notes", len(a.CreditNotes), credited)
			}
			// Every ledger line has a project, and every Harvest invoice its
			// ledger twin but the planted one that does not exist (C25). The
			// time unbilled in Harvest while the ledger invoiced its month is
			// C24: the first C01 plant (its invoice is in the ledger; the
			// second C01 is a project whose last invoice was never raised).
			got := map[string]string{}
			rows, err = wh.DB().Query(`SELECT check_id, count(*)::VARCHAR || ' ' || coalesce(sum(amount_at_stake)::VARCHAR, '-') || ' ' || coalesce(sum(hours_at_stake)::VARCHAR, '-')
				FROM marts.gaps WHERE status = 'open' AND check_id IN ('C07', 'C24', 'C25') GROUP BY 1`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id, v string
				rows.Scan(&id, &v)
				got[id] = v
			}
			want := map[string]string{"C24": "1 " + planted[0].Amount + " " + planted[0].Hours}
			for _, p := range planted {
				if p.Check == "C25" {
					want["C25"] = "1 " + p.Amount + " " + p.Hours
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("C07/C24/C25 findings %v, want %v", got, want)
			}
			tieCash(t, wh, a, name)
			var usd int
			wh.DB().QueryRow(`SELECT count(*) FROM core.invoices WHERE is_ledger AND currency = 'USD' AND net_amount <> net_amount_reporting`).Scan(&usd)
			if usd == 0 {
				t.Error("no dollar invoices converted at the ledger's rate: the test must cover a foreign currency")
			}
			var ledger, billing int
			wh.DB().QueryRow(`SELECT count(*) FILTER (WHERE is_ledger), count(*) FILTER (WHERE NOT is_ledger) FROM core.invoice_lines`).Scan(&ledger, &billing)
			if ledger == 0 || billing == 0 {
				t.Errorf("ledger lines %d, billing-record lines (Harvest) %d: both must be there, only the ledger's counted", ledger, billing)
			}
		})
	}
}

// Each CRM's deals reach core.deals with their amounts, stages and clients,
// and each won deal links to the project whose code it carries.
func TestCRMDeals(t *testing.T) {
	crms := map[string]func(*testing.T, *demo.Agency) (string, func(url string) connectors.Connector, http.Handler){
		"hubspot": func(t *testing.T, a *demo.Agency) (string, func(string) connectors.Connector, http.Handler) {
			fake := hubspotfake.New(func(tok string) bool { return tok == demo.HubSpotToken })
			fake.PerTenSeconds, fake.SearchPerSecond = 0, 0
			a.LoadHubSpot(fake)
			return "hubspot", func(url string) connectors.Connector {
				c, _ := hubspot.New(hubspot.Config{Token: demo.HubSpotToken, BaseURL: url, Rate: rate.Inf})
				return c
			}, fake
		},
		"pipedrive": func(t *testing.T, a *demo.Agency) (string, func(string) connectors.Connector, http.Handler) {
			fake := pipedrivefake.New(demo.PipedriveToken)
			fake.PerTwoSeconds = 0
			a.LoadPipedrive(fake)
			return "pipedrive", func(url string) connectors.Connector {
				c, _ := pipedrive.New(pipedrive.Config{Token: demo.PipedriveToken, BaseURL: url, Rate: rate.Inf})
				return c
			}, fake
		},
	}
	for name, load := range crms {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a := demo.Generate(demo.Options{People: 12, Clients: 6, Projects: 12, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
			wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "d.duckdb"))
			if err != nil {
				t.Fatal(err)
			}
			defer wh.Close()
			for _, st := range stacks {
				if st.name == "harvest" {
					st.sync(t, a, wh)
				}
			}
			typ, conn, fake := load(t, a)
			srv := httptest.NewServer(fake)
			defer srv.Close()
			if _, err := sync.Run(ctx, wh, sync.Source{Name: typ, Connector: conn(srv.URL)}, nil, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{"harvest": "harvest", typ: typ}, Seeds: demotest.Seeds(a)}); err != nil {
				t.Fatal(err)
			}
			var deals, won int
			var openCents, wonCents, weightedCents int64
			for _, d := range a.Deals {
				deals++
				switch d.Stage {
				case "Closed won":
					won++
					wonCents += d.AmountCents
				case "Closed lost":
				default:
					openCents += d.AmountCents
					for _, st := range demo.DealStages {
						if st.Name == d.Stage {
							weightedCents += int64(float64(d.AmountCents) * st.Probability)
						}
					}
				}
			}
			var gotDeals, gotWon, linked int
			var gotOpen, gotWonCents, gotWeighted int64
			err = wh.DB().QueryRow(`SELECT count(*), count(*) FILTER (WHERE is_won),
				coalesce(round(sum(amount) FILTER (WHERE NOT is_closed) * 100), 0)::BIGINT, round(sum(amount) FILTER (WHERE is_won) * 100)::BIGINT,
				round(sum(amount * probability) FILTER (WHERE NOT is_closed) * 100)::BIGINT,
				(SELECT count(deal_key) FROM core.projects)
				FROM core.deals WHERE client_key IS NOT NULL AND stage IS NOT NULL`).Scan(&gotDeals, &gotWon, &gotOpen, &gotWonCents, &gotWeighted, &linked)
			if err != nil {
				t.Fatal(err)
			}
			if gotDeals != deals || gotWon != won || gotOpen != openCents || gotWonCents != wonCents || gotWeighted != weightedCents || linked != won {
				t.Errorf("deals %d/%d won %d/%d open %d/%d won amount %d/%d weighted %d/%d projects linked %d/%d (got/truth)",
					gotDeals, deals, gotWon, won, gotOpen, openCents, gotWonCents, wonCents, gotWeighted, weightedCents, linked, won)
			}
			// Every deal links to its page in the CRM.
			prefix := map[string]string{"hubspot": "https://app.hubspot.com/contacts/4242424/record/0-3/", "pipedrive": "https://demo-agency.pipedrive.com/deal/"}[typ]
			var unlinked int
			wh.DB().QueryRow(`SELECT count(*) FROM core.deals WHERE source_url IS NULL OR NOT starts_with(source_url, ?)`, prefix).Scan(&unlinked)
			if unlinked != 0 {
				t.Errorf("%d deals without a link to %s", unlinked, prefix)
			}
		})
	}
}

// A ledger credit note that names no project is netted against no project's
// margin: C33, for its amount. (Project-linked credit notes are netted, and
// voided invoices never count, so the clean ledger above has no C33.)
func TestUnlinkedCreditNoteIsAGap(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	a := demo.Generate(demo.Options{People: 6, Clients: 4, Projects: 6, Years: 1, End: end})
	a.CreditNotes = append(a.CreditNotes, demo.Invoice{ID: 999, ClientID: a.Clients[0].ID, Number: "CN-GOODWILL", IssueDate: end.AddDate(0, 0, -20),
		DueDate: end.AddDate(0, 0, -20), State: "paid", TaxPct: 20,
		Lines: []demo.Line{{ID: 99999, Description: "Goodwill credit", Quantity: 1, UnitPrice: 250, AmountCents: 25_000}}})
	wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "c.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	for _, st := range stacks {
		if st.name == "harvest" {
			st.sync(t, a, wh)
		}
	}
	fake := xerofake.New(demo.XeroTenant, a.Name, func(tok string) bool { return tok == demo.XeroToken })
	fake.PerMinute = 0
	a.LoadXero(fake)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	conn, _ := xero.New(xero.Config{TenantID: demo.XeroTenant, BaseURL: srv.URL + "/api.xro/2.0",
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: demo.XeroToken}), Rate: rate.Inf})
	if _, err := sync.Run(ctx, wh, sync.Source{Name: "xero", Connector: conn}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{"harvest": "harvest", "xero": "xero"}, Seeds: demotest.Seeds(a)}); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := wh.DB().Query(`SELECT check_id || ' ' || amount_at_stake::VARCHAR || ' ' || coalesce(source_url, 'no link')
		FROM marts.gaps WHERE status = 'open' AND check_id IN ('C07', 'C33')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	// The finding links to the credit note in Xero.
	if len(got) != 1 || !strings.HasPrefix(got[0], "C33 250.00 https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=") {
		t.Errorf("C07/C33 findings %v, want one C33 of 250.00 linking to the credit note in Xero", got)
	}
}

// tieCash checks the cash marts against what the ledger holds: what each
// client owes (marts.receivables, gross, after credit notes and part
// payments) and what came in each month (marts.cash_month), in pounds at
// the ledger's rate, to the cent — on an agency with overdue invoices, a
// late payer and part payments, so each has something to tie.
func tieCash(t *testing.T, wh *warehouse.Warehouse, a *demo.Agency, ledger string) {
	t.Helper()
	owed, collected := a.LedgerReceivablesCents(ledger)
	names := map[int64]string{}
	for _, c := range a.Clients {
		names[c.ID] = c.Name
	}
	want := map[string]int64{}
	for id, v := range owed {
		if v != 0 {
			want[names[id]] = v
		}
	}
	got := map[string]int64{}
	rows, err := wh.DB().Query(`SELECT client_name, round(sum(outstanding_reporting) * 100)::BIGINT FROM marts.receivables GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var v int64
		rows.Scan(&name, &v)
		got[name] = v
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(want) == 0 {
		t.Errorf("%s receivables by client %v, truth %v", ledger, got, want)
	}
	rows, err = wh.DB().Query(`SELECT month, round(collected * 100)::BIGINT FROM marts.cash_month WHERE collected <> 0`)
	if err != nil {
		t.Fatal(err)
	}
	months := 0
	for rows.Next() {
		var month time.Time
		var v int64
		rows.Scan(&month, &v)
		months++
		if v != collected[month] {
			t.Errorf("%s collected in %s: %d cents, truth %d", ledger, month.Format("2006-01"), v, collected[month])
		}
	}
	if months != len(collected) {
		t.Errorf("%s: %d months with payments, truth %d", ledger, months, len(collected))
	}
	var overdue, late, parts int
	wh.DB().QueryRow(`SELECT count(*) FILTER (WHERE days_overdue > 0), count(*) FILTER (WHERE days_overdue > 30) FROM marts.receivables`).Scan(&overdue, &late)
	wh.DB().QueryRow(`SELECT count(*) FROM (SELECT invoice_key FROM core.payments GROUP BY 1 HAVING count(*) > 1)`).Scan(&parts)
	if overdue == 0 || late == 0 || parts == 0 {
		t.Errorf("%s: %d overdue invoices, %d over 30 days, %d paid in parts: the demo must have each", ledger, overdue, late, parts)
	}
}
