package demo

import (
	"fmt"
	"time"

	xf "github.com/conflux-dev/conflux/connectors/xero/xerofake"
)

// The demo Xero organisation and the access token its fake accepts.
const (
	XeroTenant = "fe79f7dd-b6d4-4a92-ba7b-538af6289c58"
	XeroToken  = "demo-xero-access-token"
)

// XeroID turns a generator id into a Xero-style GUID.
func XeroID(kind int, id int64) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, id) }

// LoadXero puts the agency's ledger in a Xero fake: customers as contacts,
// a "Project" tracking category with an option per project code, and every
// invoice as an ACCREC invoice whose lines are tracked to their project.
func (a *Agency) LoadXero(f *xf.Server) {
	stamp := a.Start.Add(9 * time.Hour)
	names := map[int64]string{}
	for _, c := range a.Clients {
		names[c.ID] = c.Name
		f.Put("Contacts", xf.Record{ID: XeroID(1, c.ID), Updated: stamp, Fields: map[string]any{
			"ContactID": XeroID(1, c.ID), "Name": c.Name, "ContactStatus": "ACTIVE", "IsCustomer": true,
			"DefaultCurrency": c.BilledIn, "UpdatedDateUTC": xf.Date(stamp)}})
	}
	codes := map[int64]string{}
	var options []map[string]any
	for _, p := range a.Projects {
		codes[p.ID] = p.Code
		options = append(options, map[string]any{"TrackingOptionID": XeroID(3, p.ID), "Name": p.Code, "Status": "ACTIVE"})
	}
	category := XeroID(2, 1)
	f.Put("TrackingCategories", xf.Record{ID: category, Updated: stamp, Fields: map[string]any{
		"TrackingCategoryID": category, "Name": "Project", "Status": "ACTIVE", "Options": options}})
	f.Put("Currencies", xf.Record{ID: "GBP", Updated: stamp, Fields: map[string]any{"Code": "GBP", "Description": "British Pound"}},
		xf.Record{ID: "USD", Updated: stamp, Fields: map[string]any{"Code": "USD", "Description": "United States Dollar"}})
	f.Put("Items", []xf.Record{}...)
	f.Put("CreditNotes", []xf.Record{}...)
	f.Put("Payments", []xf.Record{}...)
	for _, d := range a.ledgerDocs() {
		rate := 1.0
		if d.Currency == "USD" {
			rate = XeroUSDRate
		}
		var lines []map[string]any
		var net, tax int64
		for i, l := range d.Lines {
			c := d.Cents[i]
			lt := c * int64(d.TaxPct) / 100
			net, tax = net+c, tax+lt
			lines = append(lines, map[string]any{"LineItemID": XeroID(4, l.ID), "Description": l.Description, "Quantity": l.Quantity,
				"UnitAmount": cents(roundDiv(c*100, int64(l.Quantity*100))), "AccountCode": "200", "TaxType": "OUTPUT2", "TaxAmount": cents(lt), "LineAmount": cents(c),
				"Tracking": []map[string]any{{"TrackingCategoryID": category, "TrackingOptionID": XeroID(3, l.ProjectID), "Name": "Project", "Option": codes[l.ProjectID]}}})
		}
		status, paid := "AUTHORISED", int64(0)
		updated := d.IssueDate.Add(10 * time.Hour)
		if d.State == "paid" {
			status, paid = "PAID", net+tax
			updated = d.DueDate.Add(-5 * 24 * time.Hour)
		}
		fields := map[string]any{
			"Contact": map[string]any{"ContactID": XeroID(1, d.ClientID), "Name": names[d.ClientID]},
			"Date":    xf.Date(d.IssueDate), "Status": status, "LineAmountTypes": "Exclusive",
			"LineItems": lines, "SubTotal": cents(net), "TotalTax": cents(tax), "Total": cents(net + tax),
			"CurrencyCode": d.Currency, "CurrencyRate": rate, "UpdatedDateUTC": xf.Date(updated)}
		if d.Credit {
			id := XeroID(6, d.ID)
			fields["Type"], fields["CreditNoteID"], fields["CreditNoteNumber"] = "ACCRECCREDIT", id, d.Number
			fields["RemainingCredit"] = cents(net + tax - paid)
			f.Put("CreditNotes", xf.Record{ID: id, Updated: d.IssueDate.Add(10 * time.Hour), Fields: fields})
			continue
		}
		id := XeroID(5, d.ID)
		fields["Type"], fields["InvoiceID"], fields["InvoiceNumber"], fields["Reference"] = "ACCREC", id, "INV-"+d.Number, ""
		fields["DueDate"], fields["AmountDue"], fields["AmountPaid"], fields["AmountCredited"] = xf.Date(d.DueDate), cents(net+tax-paid), cents(paid), 0.0
		f.Put("Invoices", xf.Record{ID: id, Updated: updated, Fields: fields})
	}
}
