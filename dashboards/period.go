package dashboards

import (
	"fmt"
	"time"
)

// period is a closed range of dates; a zero end is open.
type period struct{ from, to time.Time }

func parsePeriod(from, to string) period {
	var p period
	p.from, _ = time.Parse(time.DateOnly, from)
	p.to, _ = time.Parse(time.DateOnly, to)
	return p
}

// wholeMonths widens p to the calendar months it touches.
func (p period) wholeMonths() period {
	w := p
	if !p.from.IsZero() {
		w.from = time.Date(p.from.Year(), p.from.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	if !p.to.IsZero() {
		w.to = time.Date(p.to.Year(), p.to.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return w
}

// intersect is the part of p inside q (q's open ends bound nothing).
func (p period) intersect(q period) period {
	out := p
	if !q.from.IsZero() && (out.from.IsZero() || q.from.After(out.from)) {
		out.from = q.from
	}
	if !q.to.IsZero() && (out.to.IsZero() || q.to.Before(out.to)) {
		out.to = q.to
	}
	return out
}

func (p period) set(params map[string]string) {
	delete(params, "from")
	delete(params, "to")
	if !p.from.IsZero() {
		params["from"] = p.from.Format(time.DateOnly)
	}
	if !p.to.IsZero() {
		params["to"] = p.to.Format(time.DateOnly)
	}
}

// String reads "1 Aug – 30 Nov 2026".
func (p period) String() string {
	switch {
	case p.from.IsZero() && p.to.IsZero():
		return "all dates"
	case p.from.IsZero():
		return "to " + p.to.Format("2 Jan 2006")
	case p.to.IsZero():
		return "from " + p.from.Format("2 Jan 2006")
	case p.from.Year() == p.to.Year():
		return fmt.Sprintf("%s – %s", p.from.Format("2 Jan"), p.to.Format("2 Jan 2006"))
	}
	return fmt.Sprintf("%s – %s", p.from.Format("2 Jan 2006"), p.to.Format("2 Jan 2006"))
}

// week is the Monday-to-Sunday week starting at monday.
func week(monday time.Time) period { return period{monday, monday.AddDate(0, 0, 6)} }

// month is the calendar month starting at first.
func month(first time.Time) period { return period{first, first.AddDate(0, 1, -1)} }
