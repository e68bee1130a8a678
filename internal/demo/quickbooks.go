package demo

import (
	"fmt"
	"strconv"
	"time"

	qb "github.com/conflux-dev/conflux/connectors/quickbooks/quickbooksfake"
)

// The demo QuickBooks company and the access token its fake accepts.
const (
	QuickBooksRealm = "9130354335531746"
	QuickBooksToken = "demo-quickbooks-access-token"
)

// QuickBooksJob is the sub-customer id of a project.
func QuickBooksJob(project int64) string { return "9" + strconv.FormatInt(project, 10) }

// LoadQuickBooks puts the agency's ledger in a QuickBooks fake: clients as
// customers, each project as a job (a sub-customer named by its code), one
// service item, and every invoice against its project's job.
func (a *Agency) LoadQuickBooks(f *qb.Server) {
	stamp := a.Start.Add(9 * time.Hour)
	names := map[int64]string{}
	for _, c := range a.Clients {
		names[c.ID] = c.Name
		f.Put("Customer", qb.Record{ID: strconv.FormatInt(c.ID, 10), Updated: stamp, Fields: map[string]any{
			"DisplayName": c.Name, "FullyQualifiedName": c.Name, "Job": false, "Active": true, "CurrencyRef": map[string]string{"value": c.BilledIn}}})
	}
	projects := map[int64]Project{}
	for _, p := range a.Projects {
		projects[p.ID] = p
		f.Put("Customer", qb.Record{ID: QuickBooksJob(p.ID), Updated: stamp, Fields: map[string]any{
			"DisplayName": p.Code, "FullyQualifiedName": names[p.ClientID] + ":" + p.Code, "Job": true, "Active": p.Active,
			"ParentRef": map[string]string{"value": strconv.FormatInt(p.ClientID, 10)}, "CurrencyRef": map[string]string{"value": "GBP"}}})
	}
	f.Put("Item", qb.Record{ID: "1", Updated: stamp, Fields: map[string]any{"Name": "Services", "Type": "Service", "Active": true}})
	f.Put("Class")
	f.Put("Employee")
	f.Put("CreditMemo")
	f.Put("Payment")
	f.Put("TimeActivity")
	settlements := a.settlements(false)
	for _, d := range a.ledgerDocs() {
		var lines []map[string]any
		var net int64
		project := d.Lines[0].ProjectID
		for i, l := range d.Lines {
			c := d.Cents[i]
			net += c
			lines = append(lines, map[string]any{"Id": strconv.Itoa(i + 1), "LineNum": i + 1, "Amount": cents(c), "Description": l.Description,
				"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": map[string]any{"ItemRef": map[string]string{"value": "1", "name": "Services"},
					"Qty": l.Quantity, "UnitPrice": cents(roundDiv(c*100, int64(l.Quantity*100)))}})
		}
		lines = append(lines, map[string]any{"Amount": cents(net), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": map[string]any{}})
		tax := net * int64(d.TaxPct) / 100
		st := settlements[d.ID]
		balance := st.Due
		updated := d.IssueDate.Add(10 * time.Hour)
		rate, currency := 1.0, map[string]string{"value": "GBP", "name": "British Pound Sterling"}
		if d.Currency == "USD" {
			rate, currency = QuickBooksUSDRate, map[string]string{"value": "USD", "name": "United States Dollar"}
		}
		p := projects[project]
		fields := map[string]any{
			"DocNumber": d.Number, "TxnDate": dateStr(d.IssueDate),
			"CustomerRef": map[string]string{"value": QuickBooksJob(project), "name": fmt.Sprintf("%s:%s", names[p.ClientID], p.Code)},
			"CurrencyRef": currency, "ExchangeRate": rate,
			"GlobalTaxCalculation": "TaxExcluded", "Line": lines, "TxnTaxDetail": map[string]any{"TotalTax": cents(tax)},
			"TotalAmt": cents(net + tax), "Balance": cents(balance)}
		if d.Credit {
			fields["Balance"], fields["RemainingCredit"] = 0.0, 0.0
			f.Put("CreditMemo", qb.Record{ID: strconv.FormatInt(d.ID, 10), Updated: d.IssueDate.Add(10 * time.Hour), Fields: fields})
			continue
		}
		fields["DueDate"] = dateStr(d.DueDate)
		// Each payment is a Payment whose line is linked to the invoice.
		var linked []map[string]string
		for k, c := range st.Payments {
			p := d.Payments[k]
			pid := strconv.FormatInt(p.ID, 10)
			when := p.Date.Add(11 * time.Hour)
			updated = when
			linked = append(linked, map[string]string{"TxnId": pid, "TxnType": "Payment"})
			f.Put("Payment", qb.Record{ID: pid, Updated: when, Fields: map[string]any{
				"TxnDate": dateStr(p.Date), "TotalAmt": cents(c), "UnappliedAmt": 0.0, "CurrencyRef": currency, "ExchangeRate": rate,
				"CustomerRef": fields["CustomerRef"],
				"Line":        []map[string]any{{"Amount": cents(c), "LinkedTxn": []map[string]string{{"TxnId": strconv.FormatInt(d.ID, 10), "TxnType": "Invoice"}}}}}})
		}
		if len(linked) > 0 {
			fields["LinkedTxn"] = linked
		}
		f.Put("Invoice", qb.Record{ID: strconv.FormatInt(d.ID, 10), Updated: updated, Fields: fields})
	}
}
