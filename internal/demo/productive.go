package demo

import (
	"fmt"
	"strconv"
	"time"

	pf "github.com/conflux-dev/conflux/connectors/productive/productivefake"
)

// The demo Productive organization and its token.
const (
	ProductiveToken        = "demo-productive-token"
	ProductiveOrganization = "31337"
)

func sid(id int64) string { return strconv.FormatInt(id, 10) }

func rel(kind string, id int64) [2]string { return [2]string{kind, sid(id)} }

// ProductiveService is the id of a person's service on a project; meetings
// and internal work go to the project's non-billable service (person 9999).
func ProductiveService(project, person int64) int64 { return project*10000 + person }

// LoadProductive serves the agency through a Productive fake: people,
// companies, projects each with a budget (a deal with budget: true) whose
// services price each team member's hours, time entries in minutes with
// billable time, time off as bookings on an absence event, and invoices with
// line items. Money is in cents, sent as strings as Productive does.
func (a *Agency) LoadProductive(f *pf.Server) {
	stamp := a.Start.Add(9 * time.Hour)
	people := map[int64]Person{}
	for _, p := range a.People {
		people[p.ID] = p
		f.Put("people", pf.Resource{ID: sid(p.ID), Type: "people", UpdatedAt: stamp, Attributes: map[string]any{
			"first_name": p.First, "last_name": p.Last, "email": p.Email, "title": p.Role, "status": 1, "updated_at": stamp.Format(time.RFC3339)}})
	}
	for _, c := range a.Clients {
		f.Put("companies", pf.Resource{ID: sid(c.ID), Type: "companies", UpdatedAt: stamp, Attributes: map[string]any{
			"name": c.Name, "default_currency": c.Currency, "updated_at": stamp.Format(time.RFC3339)}})
	}
	projects := map[int64]Project{}
	for _, p := range a.Projects {
		projects[p.ID] = p
		attrs := map[string]any{"name": p.Name, "project_number": p.Code, "updated_at": stamp.Format(time.RFC3339)}
		if !p.Active {
			attrs["archived_at"] = p.End.Format(time.RFC3339)
		}
		f.Put("projects", pf.Resource{ID: sid(p.ID), Type: "projects", UpdatedAt: stamp, Attributes: attrs,
			Relationships: map[string][2]string{"company": rel("companies", p.ClientID)}})
		deal := map[string]any{"name": p.Name + " budget", "budget": true, "date": dateStr(p.Start), "currency": "GBP",
			"budgeted_time": int(p.BudgetHours * 60), "updated_at": stamp.Format(time.RFC3339)}
		if !p.End.IsZero() {
			deal["end_date"] = dateStr(p.End)
		}
		if p.Billing == FixedFee {
			deal["budget_total"] = strconv.FormatInt(int64(p.Fee*100), 10)
		}
		f.Put("deals", pf.Resource{ID: sid(p.ID), Type: "deals", UpdatedAt: stamp, Attributes: deal,
			Relationships: map[string][2]string{"project": rel("projects", p.ID), "company": rel("companies", p.ClientID)}})
		billing := 2 // time and materials ("actuals")
		switch p.Billing {
		case FixedFee:
			billing = 1
		case NonBillable:
			billing = 3
		}
		for _, pid := range p.People {
			person := people[pid]
			f.Put("services", pf.Resource{ID: sid(ProductiveService(p.ID, pid)), Type: "services", UpdatedAt: stamp, Attributes: map[string]any{
				"name": fmt.Sprintf("%s — %s %s", person.Role, person.First, person.Last), "billing_type_id": billing, "unit_id": 1,
				"price": strconv.Itoa(person.BillRate * 100), "updated_at": stamp.Format(time.RFC3339)},
				Relationships: map[string][2]string{"deal": rel("deals", p.ID)}})
		}
		name := "Meetings"
		if p.Billing == NonBillable {
			name = p.Name
		}
		f.Put("services", pf.Resource{ID: sid(ProductiveService(p.ID, 9999)), Type: "services", UpdatedAt: stamp, Attributes: map[string]any{
			"name": name, "billing_type_id": 3, "unit_id": 1, "price": "0", "updated_at": stamp.Format(time.RFC3339)},
			Relationships: map[string][2]string{"deal": rel("deals", p.ID)}})
	}
	var entries, bookings []pf.Resource
	for _, e := range a.Entries {
		p := projects[e.ProjectID]
		at := e.Created
		if p.TimeOff {
			bookings = append(bookings, pf.Resource{ID: sid(e.ID), Type: "bookings", UpdatedAt: at, Attributes: map[string]any{
				"started_on": dateStr(e.Date), "ended_on": dateStr(e.Date), "time": e.Quarters * 15, "booking_method_id": 1,
				"draft": false, "approved": true, "updated_at": at.Format(time.RFC3339)},
				Relationships: map[string][2]string{"person": rel("people", e.PersonID), "event": rel("events", 1)}})
			continue
		}
		service := ProductiveService(e.ProjectID, 9999)
		billable := 0
		if e.Billable {
			service = ProductiveService(e.ProjectID, e.PersonID)
			billable = e.Quarters * 15
		}
		entries = append(entries, pf.Resource{ID: sid(e.ID), Type: "time_entries", UpdatedAt: at, Attributes: map[string]any{
			"date": dateStr(e.Date), "time": e.Quarters * 15, "billable_time": billable, "note": "", "approved": true,
			"invoiced": e.InvoiceID != 0, "updated_at": at.Format(time.RFC3339)},
			Relationships: map[string][2]string{"person": rel("people", e.PersonID), "service": rel("services", service)}})
	}
	for _, b := range a.Bookings {
		if b.PersonID == 0 {
			continue // Productive's placeholders are not modelled
		}
		at := a.Options.End
		bookings = append(bookings, pf.Resource{ID: sid(b.ID), Type: "bookings", UpdatedAt: at, Attributes: map[string]any{
			"started_on": dateStr(b.Start), "ended_on": dateStr(b.End), "time": b.MinutesPerDay, "booking_method_id": 1,
			"draft": b.Tentative, "approved": true, "updated_at": at.Format(time.RFC3339)},
			Relationships: map[string][2]string{"person": rel("people", b.PersonID), "service": rel("services", ProductiveService(b.ProjectID, b.PersonID))}})
	}
	f.Put("time_entries", entries...)
	f.Put("bookings", bookings...)
	var invoices, lines []pf.Resource
	for _, inv := range a.Invoices {
		net := inv.NetCents()
		tax := net * int64(inv.TaxPct) / 100
		payments, _ := inv.split(net+tax, 0)
		paid := int64(0)
		for _, c := range payments {
			paid += c
		}
		at := inv.IssueDate.Add(10 * time.Hour)
		invoices = append(invoices, pf.Resource{ID: sid(inv.ID), Type: "invoices", UpdatedAt: at, Attributes: map[string]any{
			"number": inv.Number, "invoiced_on": dateStr(inv.IssueDate), "pay_on": dateStr(inv.DueDate), "currency": "GBP",
			"amount": strconv.FormatInt(net, 10), "amount_tax": strconv.FormatInt(tax, 10), "amount_with_tax": strconv.FormatInt(net+tax, 10),
			"amount_paid": strconv.FormatInt(paid, 10), "updated_at": at.Format(time.RFC3339)},
			Relationships: map[string][2]string{"company": rel("companies", inv.ClientID)}})
		for _, l := range inv.Lines {
			lines = append(lines, pf.Resource{ID: sid(l.ID), Type: "line_items", UpdatedAt: at, Attributes: map[string]any{
				"description": l.Description, "quantity": l.Quantity, "unit_price": strconv.FormatInt(int64(l.UnitPrice*100), 10),
				"amount": strconv.FormatInt(l.AmountCents, 10), "updated_at": at.Format(time.RFC3339)},
				Relationships: map[string][2]string{"invoice": rel("invoices", inv.ID), "service": rel("services", ProductiveService(l.ProjectID, 9999))}})
		}
	}
	f.Put("invoices", invoices...)
	f.Put("line_items", lines...)
}
