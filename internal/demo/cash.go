package demo

import (
	"math/rand/v2"
	"slices"
	"time"
)

// Payment is money a client paid against an invoice: a share of what the
// invoice asked once credit notes against it are taken off; the last
// payment pays the rest.
type Payment struct {
	ID    int64
	Date  time.Time
	Share float64
}

// settle decides when clients pay: most clients a few days either side of
// the due date; of the clients billed most in the last quarter, the first
// (the late payer) pays eight weeks after the due date and leaves one
// invoice of four months ago unpaid (disputed), the next two pay two or
// three weeks late. One invoice in nine is paid half at the due date and
// half a fortnight later; what falls after End is still owed.
func (a *Agency) settle(rng *rand.Rand) {
	recent := map[int64]int{}
	for _, inv := range a.Invoices {
		if inv.IssueDate.After(a.Options.End.AddDate(0, 0, -100)) {
			recent[inv.ClientID]++
		}
	}
	var busiest []int64
	for _, c := range a.Clients {
		if recent[c.ID] > 0 {
			busiest = append(busiest, c.ID)
		}
	}
	slices.SortStableFunc(busiest, func(x, y int64) int { return recent[y] - recent[x] })
	delay := map[int64]int{}
	for _, c := range a.Clients {
		delay[c.ID] = rng.IntN(14) - 5
	}
	late := int64(-1)
	for k, id := range busiest {
		switch {
		case k == 0:
			late, delay[id] = id, 55
			a.LatePayer = id
		case k <= 2:
			delay[id] = 15 + rng.IntN(10)
		}
	}
	disputed := false
	var id int64 = 950000
	for i := range a.Invoices {
		inv := &a.Invoices[i]
		inv.Payments = nil
		if inv.ClientID == late && !disputed && inv.IssueDate.After(a.Options.End.AddDate(0, -5, 0)) && inv.IssueDate.Before(a.Options.End.AddDate(0, -3, 0)) {
			disputed = true
			inv.State = "open"
			continue
		}
		pay := inv.DueDate.AddDate(0, 0, delay[inv.ClientID]+rng.IntN(5))
		if pay.Before(inv.IssueDate) {
			pay = inv.IssueDate.AddDate(0, 0, 1)
		}
		plan := []Payment{{Date: pay, Share: 1}}
		if i%9 == 3 {
			first := inv.DueDate.AddDate(0, 0, -2)
			plan = []Payment{{Date: first, Share: 0.5}, {Date: maxDate(pay, first).AddDate(0, 0, 14), Share: 1}}
		}
		inv.State = "paid"
		for _, p := range plan {
			if p.Date.After(a.Options.End) {
				inv.State = "open"
				break
			}
			id++
			p.ID = id
			inv.Payments = append(inv.Payments, p)
		}
	}
}

func maxDate(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// split is how a ledger holds the money of an invoice whose gross total
// (in the ledger's currency) is total and whose credit notes took off
// credited: each payment received by End, and what is still due.
func (inv Invoice) split(total, credited int64) (payments []int64, due int64) {
	owed := total - credited
	due = owed
	for k, p := range inv.Payments {
		c := int64(float64(owed)*p.Share + 0.5)
		if k == len(inv.Payments)-1 && inv.State == "paid" {
			c = due
		}
		payments = append(payments, c)
		due -= c
	}
	return payments, due
}

// PaidOn is the date the invoice was paid in full, zero while it is owed.
func (inv Invoice) PaidOn() time.Time {
	if inv.State != "paid" || len(inv.Payments) == 0 {
		return time.Time{}
	}
	return inv.Payments[len(inv.Payments)-1].Date
}

// settled is one invoice's money as a ledger holds it, in the invoice's
// currency: the gross total, what credit notes took off, each payment, and
// what is still due.
type settled struct {
	Total, Credited, Due int64
	Payments             []int64
}

// gross is a ledger document's net and tax in its currency: Xero taxes
// each line and adds the taxes up (perLine), QuickBooks and Harvest tax the
// net total.
func (d ledgerDoc) gross(perLine bool) (net, tax int64) {
	for _, c := range d.Cents {
		net += c
		if perLine {
			tax += c * int64(d.TaxPct) / 100
		}
	}
	if !perLine {
		tax = net * int64(d.TaxPct) / 100
	}
	return net, tax
}

// settlements are every invoice's money in a ledger that taxes per line or
// not, by invoice ID; a credit note counts against the invoice it names.
func (a *Agency) settlements(perLine bool) map[int64]settled {
	credits := map[string]int64{}
	docs := a.ledgerDocs()
	for _, d := range docs {
		if d.Credit {
			net, tax := d.gross(perLine)
			credits[d.Number] += net + tax
		}
	}
	out := map[int64]settled{}
	for _, d := range docs {
		if d.Credit {
			continue
		}
		net, tax := d.gross(perLine)
		s := settled{Total: net + tax, Credited: credits["CN-"+d.Number]}
		s.Payments, s.Due = d.split(s.Total, s.Credited)
		out[d.ID] = s
	}
	return out
}

// LedgerReceivablesCents is what a ledger (xero or quickbooks) says clients
// owe at End, per client, and what it received per month of payment, both
// in the reporting currency at the ledger's rate (a dollar is 0.8 pounds),
// each sum rounded once to the cent.
func (a *Agency) LedgerReceivablesCents(ledger string) (owed map[int64]int64, collected map[time.Time]int64) {
	billedIn := map[int64]string{}
	for _, c := range a.Clients {
		billedIn[c.ID] = c.BilledIn
	}
	fifths := func(clientID, cents int64) int64 {
		if billedIn[clientID] == "USD" {
			return cents * 4
		}
		return cents * 5
	}
	byClient, byMonth := map[int64]int64{}, map[time.Time]int64{}
	s := a.settlements(ledger == "xero")
	for _, inv := range a.Invoices {
		st := s[inv.ID]
		byClient[inv.ClientID] += fifths(inv.ClientID, st.Due)
		for k, c := range st.Payments {
			d := inv.Payments[k].Date
			byMonth[time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)] += fifths(inv.ClientID, c)
		}
	}
	owed, collected = map[int64]int64{}, map[time.Time]int64{}
	for k, v := range byClient {
		owed[k] = roundDiv(v, 5)
	}
	for k, v := range byMonth {
		collected[k] = roundDiv(v, 5)
	}
	return owed, collected
}
