package demo

import "time"

// WeekKey is a person and the Monday of an ISO week.
type WeekKey struct {
	PersonID int64
	Week     time.Time
}

// WeekHours are the quarter-hour totals of one person-week.
type WeekHours struct {
	WorkedQ, BillableQ, TimeOffQ int
}

// Monday returns the Monday of d's ISO week.
func Monday(d time.Time) time.Time {
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// PersonWeeks sums the entries by person and ISO week; time off is kept
// apart from worked time, as metrics §2.1 requires.
func (a *Agency) PersonWeeks() map[WeekKey]WeekHours {
	timeOff := map[int64]bool{}
	for _, p := range a.Projects {
		timeOff[p.ID] = p.TimeOff
	}
	out := map[WeekKey]WeekHours{}
	for _, e := range a.Entries {
		k := WeekKey{e.PersonID, Monday(e.Date)}
		w := out[k]
		switch {
		case timeOff[e.ProjectID]:
			w.TimeOffQ += e.Quarters
		default:
			w.WorkedQ += e.Quarters
			if e.Billable {
				w.BillableQ += e.Quarters
			}
		}
		out[k] = w
	}
	return out
}

// BillableValueCents is Σ billable hours × bill rate per project, in cents.
func (a *Agency) BillableValueCents() map[int64]int64 {
	out := map[int64]int64{}
	for _, e := range a.Entries {
		if e.Billable {
			out[e.ProjectID] += int64(e.Quarters) * int64(e.BillRate) * 25
		}
	}
	return out
}

// InvoicedCents is the net invoiced per project.
func (a *Agency) InvoicedCents() map[int64]int64 {
	out := map[int64]int64{}
	for _, inv := range a.Invoices {
		for _, l := range inv.Lines {
			out[l.ProjectID] += l.AmountCents
		}
	}
	return out
}
