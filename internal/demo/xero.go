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
	settlements := a.settlements(true)
	invoiceIDs := map[string]string{}
	for _, d := range a.ledgerDocs() {
		if !d.Credit {
			invoiceIDs[d.Number] = XeroID(5, d.ID)
		}
	}
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
		contact := map[string]any{"ContactID": XeroID(1, d.ClientID), "Name": names[d.ClientID]}
		fields := map[string]any{
			"Contact": contact,
			"Date":    xf.Date(d.IssueDate), "LineAmountTypes": "Exclusive",
			"LineItems": lines, "SubTotal": cents(net), "TotalTax": cents(tax), "Total": cents(net + tax),
			"CurrencyCode": d.Currency, "CurrencyRate": rate}
		if d.Credit {
			// Allocated in full to the invoice it credits, before that was paid.
			id := XeroID(6, d.ID)
			fields["Type"], fields["CreditNoteID"], fields["CreditNoteNumber"] = "ACCRECCREDIT", id, d.Number
			fields["Status"], fields["RemainingCredit"], fields["UpdatedDateUTC"] = "PAID", 0.0, xf.Date(d.IssueDate.Add(10*time.Hour))
			fields["Allocations"] = []map[string]any{{"Amount": cents(net + tax), "Date": xf.Date(d.IssueDate),
				"Invoice": map[string]any{"InvoiceID": invoiceIDs[d.Number[len("CN-"):]], "InvoiceNumber": "INV-" + d.Number[len("CN-"):]}}}
			f.Put("CreditNotes", xf.Record{ID: id, Updated: d.IssueDate.Add(10 * time.Hour), Fields: fields})
			continue
		}
		id := XeroID(5, d.ID)
		st := settlements[d.ID]
		status, updated := "AUTHORISED", d.IssueDate.Add(10*time.Hour)
		var paid int64
		var payments []map[string]any
		for k, c := range st.Payments {
			p := d.Payments[k]
			paid += c
			pid := XeroID(7, p.ID)
			when := p.Date.Add(11 * time.Hour)
			updated = when
			payments = append(payments, map[string]any{"PaymentID": pid, "Date": xf.Date(p.Date), "Amount": cents(c), "CurrencyRate": rate})
			f.Put("Payments", xf.Record{ID: pid, Updated: when, Fields: map[string]any{
				"PaymentID": pid, "Date": xf.Date(p.Date), "Amount": cents(c), "BankAmount": cents(c), "CurrencyRate": rate,
				"PaymentType": "ACCRECPAYMENT", "Status": "AUTHORISED", "Reference": "", "IsReconciled": true, "UpdatedDateUTC": xf.Date(when),
				"Invoice": map[string]any{"Type": "ACCREC", "InvoiceID": id, "InvoiceNumber": "INV-" + d.Number, "Contact": contact, "CurrencyCode": d.Currency}}})
		}
		if st.Due == 0 {
			status = "PAID"
			fields["FullyPaidOnDate"] = xf.Date(d.PaidOn())
		}
		fields["Status"], fields["UpdatedDateUTC"] = status, xf.Date(updated)
		fields["Type"], fields["InvoiceID"], fields["InvoiceNumber"], fields["Reference"] = "ACCREC", id, "INV-"+d.Number, ""
		fields["DueDate"], fields["AmountDue"], fields["AmountPaid"], fields["AmountCredited"] = xf.Date(d.DueDate), cents(st.Due), cents(paid), cents(st.Credited)
		fields["Payments"] = payments
		f.Put("Invoices", xf.Record{ID: id, Updated: updated, Fields: fields})
	}
}
