package demo

import "time"

// The demo's ledgers invoice one client in US dollars, at a fixed rate
// stored the way each ledger stores it: Xero's CurrencyRate is foreign units
// per base unit, QuickBooks' ExchangeRate base units per foreign unit.
const (
	XeroUSDRate       = 1.25
	QuickBooksUSDRate = 0.8
)

// ledgerDoc is an invoice or credit note as a ledger holds it: amounts in
// the currency the client is billed in.
type ledgerDoc struct {
	Invoice
	Credit   bool
	Currency string
	Cents    []int64 // each line's net, in Currency
}

// ledgerDocs are the agency's invoices and credit notes as the ledgers hold
// them. Dollar amounts are the pound amounts × 1.25, rounded half away from
// zero to the cent.
func (a *Agency) ledgerDocs() []ledgerDoc {
	billedIn := map[int64]string{}
	for _, c := range a.Clients {
		billedIn[c.ID] = c.BilledIn
	}
	var docs []ledgerDoc
	add := func(inv Invoice, credit bool) {
		d := ledgerDoc{Invoice: inv, Credit: credit, Currency: billedIn[inv.ClientID]}
		for _, l := range inv.Lines {
			c := l.AmountCents
			if d.Currency == "USD" {
				c = roundDiv(c*5, 4)
			}
			d.Cents = append(d.Cents, c)
		}
		docs = append(docs, d)
	}
	for _, inv := range a.Invoices {
		add(inv, false)
	}
	for _, cn := range a.CreditNotes {
		add(cn, true)
	}
	return docs
}

// roundDiv is n/d rounded half away from zero (d > 0).
func roundDiv(n, d int64) int64 {
	if n < 0 {
		return -roundDiv(-n, d)
	}
	return (2*n + d) / (2 * d)
}

// ClientMonth is a client's calendar month.
type ClientMonth struct {
	ClientID int64
	Month    time.Time
}

// LedgerInvoicedCents is what a ledger (Xero or QuickBooks) says was
// invoiced, net of tax and of credit notes, in the reporting currency at the
// ledger's rate (a dollar is 0.8 pounds), per project and per client and
// month of issue. Sums are exact; each total is rounded once, to the cent.
func (a *Agency) LedgerInvoicedCents() (byProject map[int64]int64, byClientMonth map[ClientMonth]int64) {
	// Sum in fifths of a penny: a dollar cent is exactly 4 of them.
	projects, months := map[int64]int64{}, map[ClientMonth]int64{}
	for _, d := range a.ledgerDocs() {
		for i, l := range d.Lines {
			fifths := d.Cents[i] * 5
			if d.Currency == "USD" {
				fifths = d.Cents[i] * 4
			}
			if d.Credit {
				fifths = -fifths
			}
			projects[l.ProjectID] += fifths
			k := ClientMonth{d.ClientID, time.Date(d.IssueDate.Year(), d.IssueDate.Month(), 1, 0, 0, 0, 0, time.UTC)}
			months[k] += fifths
		}
	}
	byProject, byClientMonth = map[int64]int64{}, map[ClientMonth]int64{}
	for k, v := range projects {
		byProject[k] = roundDiv(v, 5)
	}
	for k, v := range months {
		byClientMonth[k] = roundDiv(v, 5)
	}
	return byProject, byClientMonth
}
