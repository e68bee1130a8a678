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
			"DefaultCurrency": c.Currency, "UpdatedDateUTC": xf.Date(stamp)}})
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
	f.Put("Currencies", xf.Record{ID: "GBP", Updated: stamp, Fields: map[string]any{"Code": "GBP", "Description": "British Pound"}})
	f.Put("Items", []xf.Record{}...)
	f.Put("CreditNotes", []xf.Record{}...)
	f.Put("Payments", []xf.Record{}...)
	for _, inv := range a.Invoices {
		var lines []map[string]any
		var net, tax int64
		for _, l := range inv.Lines {
			lt := l.AmountCents * int64(inv.TaxPct) / 100
			net, tax = net+l.AmountCents, tax+lt
			lines = append(lines, map[string]any{"LineItemID": XeroID(4, l.ID), "Description": l.Description, "Quantity": l.Quantity,
				"UnitAmount": l.UnitPrice, "AccountCode": "200", "TaxType": "OUTPUT2", "TaxAmount": cents(lt), "LineAmount": cents(l.AmountCents),
				"Tracking": []map[string]any{{"TrackingCategoryID": category, "TrackingOptionID": XeroID(3, l.ProjectID), "Name": "Project", "Option": codes[l.ProjectID]}}})
		}
		status, paid := "AUTHORISED", int64(0)
		updated := inv.IssueDate.Add(10 * time.Hour)
		if inv.State == "paid" {
			status, paid = "PAID", net+tax
			updated = inv.DueDate.Add(-5 * 24 * time.Hour)
		}
		f.Put("Invoices", xf.Record{ID: XeroID(5, inv.ID), Updated: updated, Fields: map[string]any{
			"Type": "ACCREC", "InvoiceID": XeroID(5, inv.ID), "InvoiceNumber": "INV-" + inv.Number, "Reference": "",
			"Contact": map[string]any{"ContactID": XeroID(1, inv.ClientID), "Name": names[inv.ClientID]},
			"Date":    xf.Date(inv.IssueDate), "DueDate": xf.Date(inv.DueDate), "Status": status, "LineAmountTypes": "Exclusive",
			"LineItems": lines, "SubTotal": cents(net), "TotalTax": cents(tax), "Total": cents(net + tax),
			"AmountDue": cents(net + tax - paid), "AmountPaid": cents(paid), "AmountCredited": 0.0,
			"CurrencyCode": "GBP", "CurrencyRate": 1.0, "UpdatedDateUTC": xf.Date(updated)}})
	}
}
