package demo

import (
	"fmt"
	"strconv"
	"time"

	hf "github.com/conflux-dev/conflux/connectors/harvest/harvestfake"
)

// HarvestToken and HarvestAccount are the demo fake's credentials.
const (
	HarvestToken   = "demo-harvest-token"
	HarvestAccount = "1234567"
)

func ptr[T any](v T) *T { return &v }

func dateStr(t time.Time) string { return t.Format(time.DateOnly) }

// LoadHarvest serves the agency through a Harvest fake, in Harvest's shapes.
func (a *Agency) LoadHarvest(f *hf.Server) error {
	stamp := a.Start.Add(9 * time.Hour)
	f.SetCompany(hf.Company{BaseURI: "https://northwind.harvestapp.com", FullDomain: "northwind.harvestapp.com", Name: a.Name,
		IsActive: true, WeekStartDay: "Monday", TimeFormat: "decimal", Clock: "24h", CurrencyCodeDisplay: "iso_code_before",
		WeeklyCapacity: 144000, InvoiceFeature: true})

	people := map[int64]Person{}
	var users []hf.User
	for _, p := range a.People {
		people[p.ID] = p
		users = append(users, hf.User{ID: p.ID, FirstName: p.First, LastName: p.Last, Email: p.Email, Timezone: "Europe/London",
			WeeklyCapacity: p.WeeklyCapacity * 3600, IsContractor: p.Contractor, IsActive: true, Roles: []string{p.Role},
			AccessRoles: []string{"member"}, DefaultHourlyRate: ptr(float64(p.BillRate)), CostRate: ptr(float64(p.CostRate)),
			CreatedAt: p.Start.Add(9 * time.Hour), UpdatedAt: p.Start.Add(9 * time.Hour)})
	}
	users[0].AccessRoles = []string{"administrator"}

	clients := map[int64]Client{}
	var hcs []hf.Client
	for _, c := range a.Clients {
		clients[c.ID] = c
		hcs = append(hcs, hf.Client{ID: c.ID, Name: c.Name, IsActive: true, Currency: c.Currency, CreatedAt: stamp, UpdatedAt: stamp})
	}

	projects := map[int64]Project{}
	var hps []hf.Project
	var uas []hf.UserAssignment
	var tas []hf.TaskAssignment
	var uaID, taID int64 = 300000, 400000
	for _, p := range a.Projects {
		projects[p.ID] = p
		c := clients[p.ClientID]
		hp := hf.Project{ID: p.ID, Client: hf.ClientRef{ID: c.ID, Name: c.Name, Currency: c.Currency}, Name: p.Name, Code: p.Code,
			IsActive: p.Active, IsBillable: p.Billing != NonBillable, IsFixedFee: p.Billing == FixedFee, BillBy: "People",
			BudgetBy: "project", BudgetIsMonthly: p.Billing == Retainer, StartsOn: ptr(dateStr(p.Start)),
			CreatedAt: p.Start.Add(8 * time.Hour), UpdatedAt: p.Start.Add(8 * time.Hour)}
		if p.Billing == NonBillable {
			hp.BillBy = "none"
			hp.BudgetBy = "none"
		}
		if p.BudgetHours > 0 {
			hp.Budget = ptr(p.BudgetHours)
		}
		if p.Billing == FixedFee {
			hp.Fee = ptr(p.Fee)
		}
		if !p.End.IsZero() {
			hp.EndsOn = ptr(dateStr(p.End))
			hp.UpdatedAt = p.End.Add(18 * time.Hour)
		}
		hps = append(hps, hp)
		ref := hf.ProjectRef{ID: p.ID, Name: p.Name, Code: p.Code}
		manager := a.ProjectManager(p)
		for _, pid := range p.People {
			person := people[pid]
			uaID++
			uas = append(uas, hf.UserAssignment{ID: uaID, Project: ref, User: hf.Ref{ID: pid, Name: person.First + " " + person.Last},
				IsActive: true, IsProjectManager: pid == manager, UseDefaultRates: true, HourlyRate: ptr(float64(person.BillRate)),
				CreatedAt: hp.CreatedAt, UpdatedAt: hp.CreatedAt})
		}
		for _, t := range a.Tasks {
			taID++
			tas = append(tas, hf.TaskAssignment{ID: taID, Project: ref, Task: hf.Ref{ID: t.ID, Name: t.Name}, IsActive: true,
				Billable: t.Billable && p.Billing != NonBillable, CreatedAt: hp.CreatedAt, UpdatedAt: hp.CreatedAt})
		}
	}
	var hts []hf.Task
	for _, t := range a.Tasks {
		hts = append(hts, hf.Task{ID: t.ID, Name: t.Name, BillableByDefault: t.Billable, IsActive: true, CreatedAt: stamp, UpdatedAt: stamp})
	}

	invoices := map[int64]Invoice{}
	var his []hf.Invoice
	for _, inv := range a.Invoices {
		invoices[inv.ID] = inv
		net := inv.NetCents()
		tax := net * int64(inv.TaxPct) / 100
		hi := hf.Invoice{ID: inv.ID, Client: hf.Ref{ID: inv.ClientID, Name: clients[inv.ClientID].Name}, Number: inv.Number,
			Amount: cents(net + tax), Tax: ptr(float64(inv.TaxPct)), TaxAmount: cents(tax), Currency: clients[inv.ClientID].Currency,
			State: inv.State, IssueDate: dateStr(inv.IssueDate), DueDate: dateStr(inv.DueDate),
			Subject: fmt.Sprintf("Invoice %s", inv.Number), CreatedAt: inv.IssueDate.Add(10 * time.Hour), UpdatedAt: inv.IssueDate.Add(10 * time.Hour)}
		// Harvest holds no credit notes: the client owes the invoice's total.
		payments, due := inv.split(net+tax, 0)
		hi.DueAmount = cents(due)
		if len(payments) > 0 {
			hi.UpdatedAt = inv.Payments[len(payments)-1].Date.Add(11 * time.Hour)
		}
		if paid := inv.PaidOn(); !paid.IsZero() {
			hi.PaidDate = ptr(dateStr(paid))
		}
		for _, l := range inv.Lines {
			p := projects[l.ProjectID]
			hi.LineItems = append(hi.LineItems, hf.LineItem{ID: l.ID, Project: &hf.ProjectRef{ID: p.ID, Name: p.Name, Code: p.Code},
				Kind: "Service", Description: l.Description, Quantity: l.Quantity, UnitPrice: l.UnitPrice, Amount: cents(l.AmountCents), Taxed: true})
		}
		his = append(his, hi)
	}

	tasks := map[int64]Task{}
	for _, t := range a.Tasks {
		tasks[t.ID] = t
	}
	entries := make([]hf.TimeEntry, 0, len(a.Entries))
	for _, e := range a.Entries {
		id, ok := a.inHarvest(e)
		if !ok {
			continue
		}
		p, person, c := projects[e.ProjectID], people[e.PersonID], clients[projects[e.ProjectID].ClientID]
		h := e.Hours()
		te := hf.TimeEntry{ID: id, SpentDate: dateStr(e.Date), User: hf.Ref{ID: person.ID, Name: person.First + " " + person.Last},
			Client: hf.Ref{ID: c.ID, Name: c.Name}, Project: hf.Ref{ID: p.ID, Name: p.Name}, Task: hf.Ref{ID: e.TaskID, Name: tasks[e.TaskID].Name},
			Hours: h, HoursWithoutTimer: h, RoundedHours: h, Billable: e.Billable, Budgeted: p.BudgetHours > 0,
			CostRate: ptr(float64(e.CostRate)), CreatedAt: e.Created, UpdatedAt: e.Created}
		if e.Billable {
			te.BillableRate = ptr(float64(e.BillRate))
		}
		if e.InvoiceID != 0 {
			te.IsBilled, te.IsLocked = true, true
			te.LockedReason = ptr("Item Invoiced and Approved and Locked for this Time Period")
			te.Invoice = &hf.InvoiceRef{ID: e.InvoiceID, Number: invoices[e.InvoiceID].Number}
			te.UpdatedAt = invoices[e.InvoiceID].IssueDate.Add(10 * time.Hour)
		}
		if a.Split != nil && a.Split.Mirrored[e.ID] {
			issue, key := a.jiraIssue(e)
			te.ExternalReference = &hf.ExternalReference{ID: issue, GroupID: strconv.FormatInt(e.ProjectID, 10), AccountID: JiraCloudID,
				Permalink: "https://northwind.atlassian.net/browse/" + key + "?focusedWorklogId=" + strconv.FormatInt(e.ID, 10),
				Service:   "northwind.atlassian.net", ServiceIconURL: "https://proxy.harvestfiles.net/production/images/jira.png"}
		}
		entries = append(entries, te)
	}
	for _, put := range []struct {
		list string
		v    any
	}{{"users", users}, {"clients", hcs}, {"projects", hps}, {"tasks", hts}, {"user_assignments", uas},
		{"task_assignments", tas}, {"invoices", his}, {"time_entries", entries}, {"expenses", []hf.Expense{}}} {
		if err := f.Put(put.list, put.v); err != nil {
			return fmt.Errorf("demo: load harvest %s: %w", put.list, err)
		}
	}
	return nil
}

func cents(c int64) float64 { return float64(c) / 100 }
