package demo

import (
	"fmt"
	"slices"
	"time"
)

// Planted is a gap the generator planted, as marts.gaps should report it:
// check, entity, money and hours at stake with two decimals ("-" for none).
type Planted struct {
	Check, Entity, Amount, Hours string
}

func (p Planted) String() string { return p.Check + " " + p.Entity + " " + p.Amount + " " + p.Hours }

func money(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// PlantGaps plants one gap of each kind the checks find across the time
// tool, the CRM and the ledger, as of Options.End, and returns what the gaps
// ledger should report for a stack with (ledger) or without an accounting
// source. A gap that the agency has no material for (no finished project,
// say) is not planted.
func (a *Agency) PlantGaps(ledger bool) []Planted {
	end := a.Options.End
	var out []Planted
	var c12Project, c08Client int64
	billing := map[int64]string{}
	for _, p := range a.Projects {
		billing[p.ID] = p.Billing
	}
	monthOf := func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC) }
	// C01: three billable T&M entries from three months back never reached an invoice.
	c01Month := monthOf(end.AddDate(0, -3, 0))
	var n, cents, quarters, project int64
	for i := range a.Entries {
		e := &a.Entries[i]
		if n < 3 && e.Billable && billing[e.ProjectID] == TM && monthOf(e.Date).Equal(c01Month) && e.InvoiceID != 0 &&
			(project == 0 || e.ProjectID == project) {
			project, e.InvoiceID = e.ProjectID, 0
			n++
			quarters += int64(e.Quarters)
			cents += int64(e.Quarters) * int64(e.BillRate) * 25
		}
	}
	if n > 0 {
		out = append(out, Planted{"C01", "project", money(cents), money(quarters * 25)})
	}
	// C19 and C22: an invoiced T&M entry loses its rate; another (short
	// enough that doubling it keeps a plausible day) is entered twice.
	month := monthOf(end.AddDate(0, -4, 0))
	var unpriced, twice *Entry
	for i := range a.Entries {
		e := &a.Entries[i]
		if e.Billable && billing[e.ProjectID] == TM && e.InvoiceID != 0 && monthOf(e.Date).Equal(month) {
			if unpriced == nil {
				unpriced = e
			} else if e.PersonID != unpriced.PersonID && e.Quarters <= 16 {
				twice = e
				break
			}
		}
	}
	next := a.Entries[len(a.Entries)-1].ID + 1
	rates := map[int64]Person{}
	for _, p := range a.People {
		rates[p.ID] = p
	}
	if unpriced != nil && twice != nil {
		out = append(out, Planted{"C19", "project", money(int64(unpriced.Quarters) * int64(rates[unpriced.PersonID].BillRate) * 25), money(int64(unpriced.Quarters) * 25)})
		unpriced.BillRate = 0
		dup := *twice
		dup.ID = next
		next++
		a.Entries = append(a.Entries, dup)
		out = append(out, Planted{"C22", "time_entry", money(int64(dup.Quarters) * int64(dup.BillRate) * 25), money(int64(dup.Quarters) * 25)})
	}
	// C23: 17 hours on the internal project on a Saturday.
	sat := end.AddDate(0, 0, -76)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDate(0, 0, 1)
	}
	p0, p1, p2 := a.People[0], a.People[1], a.People[2]
	const admin, adminTask, billableTask = 6998, 7, 5
	a.Entries = append(a.Entries, Entry{ID: next, PersonID: p0.ID, ProjectID: admin, TaskID: adminTask, Date: sat, Quarters: 68,
		CostRate: p0.CostRate, Created: sat.Add(18 * time.Hour)})
	next++
	out = append(out, Planted{"C23", "person_day", money(17 * int64(p0.CostRate) * 100), "17.00"})
	// C20: an internal entry with no cost rate, by a contractor when there
	// is one (the demo's salaries cost every employee's hours).
	uncosted := p2
	if i := slices.IndexFunc(a.People, func(p Person) bool { return p.Contractor }); i >= 0 {
		uncosted = a.People[i]
	}
	a.Entries = append(a.Entries, Entry{ID: next, PersonID: uncosted.ID, ProjectID: admin, TaskID: adminTask, Date: sat.AddDate(0, 0, -7), Quarters: 6,
		Created: sat.Add(-6 * 24 * time.Hour)})
	next++
	out = append(out, Planted{"C20", "person", money(3 * int64(uncosted.CostRate) * 50), "1.50"})
	// C25: billable time on an invoice that does not exist.
	if twice != nil {
		a.Entries = append(a.Entries, Entry{ID: next, PersonID: p2.ID, ProjectID: twice.ProjectID, TaskID: twice.TaskID, Date: sat.AddDate(0, 0, -14), Quarters: 12,
			Billable: true, BillRate: p2.BillRate, CostRate: p2.CostRate, InvoiceID: 98765, Created: sat.Add(-13 * 24 * time.Hour)})
		next++
		out = append(out, Planted{"C25", "invoice", money(3 * int64(p2.BillRate) * 100), "3.00"})
	}
	// C05: two hours on a T&M project after it ended.
	for _, p := range a.Projects {
		if p.Billing == TM && !p.End.IsZero() && p.End.Before(end.AddDate(0, -1, 0)) {
			after := p.End.AddDate(0, 0, 3)
			for after.Weekday() == time.Saturday || after.Weekday() == time.Sunday {
				after = after.AddDate(0, 0, 1)
			}
			a.Entries = append(a.Entries, Entry{ID: next, PersonID: p1.ID, ProjectID: p.ID, TaskID: billableTask, Date: after, Quarters: 8,
				CostRate: p1.CostRate, Created: after.Add(18 * time.Hour)})
			next++
			out = append(out, Planted{"C05", "project", money(2 * int64(p1.CostRate) * 100), "2.00"})
			break
		}
	}
	// C12 (and C01 beside it): a finished T&M project's last invoice was
	// never raised, so its time stays unbilled.
	credited := map[string]bool{}
	for _, cn := range a.CreditNotes {
		credited[cn.Number] = true
	}
	for _, p := range a.Projects {
		if p.Billing != TM || p.ID == project || p.End.IsZero() || !p.End.Before(end.AddDate(0, -2, 0)) {
			continue
		}
		last := -1
		for i, inv := range a.Invoices {
			if len(inv.Lines) > 0 && inv.Lines[0].ProjectID == p.ID && (last < 0 || inv.IssueDate.After(a.Invoices[last].IssueDate)) {
				last = i
			}
		}
		if last < 0 || credited["CN-"+a.Invoices[last].Number] {
			continue
		}
		inv := a.Invoices[last]
		var value int64
		for _, e := range a.Entries {
			if e.ProjectID == p.ID && e.Billable {
				value += int64(e.Quarters) * int64(e.BillRate) * 25
			}
		}
		if inv.NetCents()*100 <= value || inv.NetCents() <= 5000 { // within C12's tolerance
			continue
		}
		var quarters int64
		for i := range a.Entries {
			if a.Entries[i].InvoiceID == inv.ID {
				a.Entries[i].InvoiceID = 0
				quarters += int64(a.Entries[i].Quarters)
			}
		}
		a.Invoices = append(a.Invoices[:last], a.Invoices[last+1:]...)
		out = append(out, Planted{"C01", "project", money(inv.NetCents()), money(quarters * 25)})
		c12Project = p.ID // its amount once every plant is in
		break
	}
	// C15: a finished fixed fee's won deal says 5,000 more than was invoiced.
	fees := map[int64]Project{}
	for _, p := range a.Projects {
		if p.Billing == FixedFee && !p.End.IsZero() && p.End.Before(end) {
			fees[p.ID] = p
		}
	}
	for i := range a.Deals {
		d := &a.Deals[i]
		if p, ok := fees[d.ProjectID]; ok && d.Stage == "Closed won" && d.AmountCents == int64(p.Fee*100) {
			d.AmountCents += 500_000
			out = append(out, Planted{"C15", "project", "5000.00", "-"})
			break
		}
	}
	// C02: a deal won six weeks ago that no project carries; C30: an open
	// deal that was due to close ten days ago (Proposal, 50%).
	owner := a.Deals[0].OwnerID
	a.Deals = append(a.Deals,
		Deal{ID: 99001, ClientID: a.Clients[0].ID, Name: "Planted won deal", AmountCents: 4_200_000, Stage: "Closed won",
			CloseDate: end.AddDate(0, 0, -42), OwnerID: owner},
		Deal{ID: 99002, ClientID: a.Clients[1].ID, Name: "Planted stale deal", AmountCents: 2_000_050, Stage: "Proposal",
			CloseDate: end.AddDate(0, 0, -10), OwnerID: owner})
	out = append(out, Planted{"C02", "deal", "42000.00", "-"}, Planted{"C30", "deal", "10000.25", "-"})
	// C09: two hours logged a week before someone joined.
	if len(a.People) > 7 {
		p4 := a.People[4]
		before := p4.Start.AddDate(0, 0, -7)
		for before.Weekday() == time.Saturday || before.Weekday() == time.Sunday {
			before = before.AddDate(0, 0, 1)
		}
		a.Entries = append(a.Entries, Entry{ID: next, PersonID: p4.ID, ProjectID: admin, TaskID: adminTask, Date: before, Quarters: 8,
			CostRate: p4.CostRate, Created: before.Add(18 * time.Hour)})
		next++
		out = append(out, Planted{"C09", "person", money(2 * int64(p4.CostRate) * 100), "2.00"})
	}
	// C11: a T&M project's last 28 days get non-billable hours worth over
	// a tenth of its time, an hour at a time by three people — none of them a
	// developer or QA engineer, who log in Jira in the two-tool demo, and
	// Jira keeps no billable flag to plant this in.
	if len(a.People) > 7 {
		since := end.AddDate(0, 0, -28)
		window := map[int64]int64{}
		for _, e := range a.Entries {
			if billing[e.ProjectID] == TM && !e.Date.Before(since) && !e.Date.After(end) {
				window[e.ProjectID] += int64(e.Quarters)
			}
		}
		var target, h int64
		for _, p := range a.Projects {
			if q := window[p.ID]; q > 0 && (target == 0 || q < h) {
				target, h = p.ID, q
			}
		}
		if target != 0 {
			need := h/9 + 8 // quarters: need/(h+need) > 10%
			var cents, quarters int64
			d := since
			for k := 0; quarters < need; k++ {
				for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
					d = d.AddDate(0, 0, 1)
				}
				p := a.People[[3]int{3, 5, 7}[k%3]]
				a.Entries = append(a.Entries, Entry{ID: next, PersonID: p.ID, ProjectID: target, TaskID: 1, Date: d, Quarters: 4,
					CostRate: p.CostRate, Created: d.Add(18 * time.Hour)})
				next++
				quarters += 4
				cents += 4 * int64(p.BillRate) * 25
				if k%3 == 2 {
					d = d.AddDate(0, 0, 1)
				}
			}
			out = append(out, Planted{"C11", "project", money(cents), money(quarters * 25)})
		}
	}
	// C08: the CRM misspells a client (its amount once every plant is in).
	if len(a.Clients) > 3 {
		c08Client = a.Clients[2].ID
		a.Clients[2].CRMName = misspell(a.Clients[2].Name)
	}
	// C10: someone's whole week of time is missing, six weeks back.
	if len(a.People) > 7 {
		if w, ok := a.dropAWeek(a.People[3], end); ok {
			out = append(out, w)
		}
	}
	// C14 (after every change to the entries): an active fixed fee's hour budget is set ten-odd hours under
	// what it has used; at stake are the extra hours at its mean cost.
	for i := range a.Projects {
		p := &a.Projects[i]
		if p.Billing != FixedFee || (!p.End.IsZero() && p.End.Before(end)) {
			continue
		}
		var quarters, costQuarters int64
		for _, e := range a.Entries {
			if e.ProjectID == p.ID {
				quarters += int64(e.Quarters)
				costQuarters += int64(e.Quarters) * int64(e.CostRate)
			}
		}
		if quarters < 200 {
			continue
		}
		p.BudgetHours = float64(quarters/4 - 10)
		hours, cost := float64(quarters)/4, float64(costQuarters)/4
		over := hours - p.BudgetHours
		out = append(out, Planted{"C14", "project", fmt.Sprintf("%.2f", over*cost/hours), fmt.Sprintf("%.2f", over)})
		break
	}
	// The amounts that depend on the final entries and invoices.
	value := func(match func(Project) bool) int64 {
		in := map[int64]bool{}
		for _, p := range a.Projects {
			in[p.ID] = match(p)
		}
		var cents int64
		for _, e := range a.Entries {
			if in[e.ProjectID] && e.Billable {
				cents += int64(e.Quarters) * int64(e.BillRate) * 25
			}
		}
		return cents
	}
	// C12: what was earned and not invoiced, by the ledger's count.
	if c12Project != 0 {
		invoiced := a.InvoicedCents()[c12Project]
		if ledger {
			byProject, _ := a.LedgerInvoicedCents()
			invoiced = byProject[c12Project]
		}
		out = append(out, Planted{"C12", "project", money(value(func(p Project) bool { return p.ID == c12Project }) - invoiced), "-"})
	}
	// C08: at stake is what sits under the lower-ranked record, the time
	// tool's: its time's billable value, and its invoices when they are the
	// ledger. With an accounting source the CRM record also looks like the
	// ledger's (which the time tool's matches by name): a second pair of
	// the same two clients, one cause, so still one finding.
	if c08Client != 0 {
		cents := value(func(p Project) bool { return p.ClientID == c08Client })
		if !ledger {
			for _, inv := range a.Invoices {
				if inv.ClientID == c08Client {
					cents += inv.NetCents()
				}
			}
		}
		out = append(out, Planted{"C08", "client", money(cents), "-"})
	}
	// C24: with a ledger, the first C01's month was invoiced there.
	if ledger && len(out) > 0 && out[0].Check == "C01" {
		out = append(out, Planted{"C24", "project", out[0].Amount, out[0].Hours})
	}
	return out
}

// dropAWeek removes the entries of a full working week of p's (five days of
// work, no leave, no holiday) six to nine weeks before end, and
// returns the C10 finding: the week's capacity × p's billable mix × p's
// rate.
func (a *Agency) dropAWeek(p Person, end time.Time) (Planted, bool) {
	timeOff := a.Projects[len(a.Projects)-1].ID
	monday := end.AddDate(0, 0, -42)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	for try := 0; try < 4; try, monday = try+1, monday.AddDate(0, 0, -7) { // clear of the other plants, further back
		days, leave := map[time.Time]bool{}, false
		for _, e := range a.Entries {
			if e.PersonID == p.ID && !e.Date.Before(monday) && e.Date.Before(monday.AddDate(0, 0, 7)) {
				days[e.Date] = true
				leave = leave || e.ProjectID == timeOff
			}
		}
		if len(days) != 5 || leave {
			continue
		}
		kept := a.Entries[:0]
		for _, e := range a.Entries {
			if e.PersonID != p.ID || e.Date.Before(monday) || !e.Date.Before(monday.AddDate(0, 0, 7)) {
				kept = append(kept, e)
			}
		}
		a.Entries = kept
		var billable, worked int64
		for _, e := range a.Entries {
			if e.PersonID == p.ID && e.ProjectID != timeOff {
				worked += int64(e.Quarters)
				if e.Billable {
					billable += int64(e.Quarters)
				}
			}
		}
		mix := float64(billable) / float64(worked)
		amount := float64(p.WeeklyCapacity) * mix * float64(p.BillRate)
		return Planted{"C10", "person_week", fmt.Sprintf("%.2f", amount), fmt.Sprintf("%d.00", p.WeeklyCapacity)}, true
	}
	return Planted{}, false
}

// misspell doubles the fourth letter of the name ("Globex GmbH" becomes
// "Globbex GmbH"), a typo one edit away.
func misspell(name string) string {
	if len(name) < 4 {
		return name + "s"
	}
	return name[:4] + name[3:]
}
