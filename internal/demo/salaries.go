package demo

import (
	"math"
	"time"
)

// Burden is the demo's employer taxes and benefits on a salary (25%).
const Burden = 0.25

// Salary is what payroll would say a member of staff costs from a year on.
type Salary struct {
	PersonID int64
	From     time.Time // 1 January
	// Cents is the annual salary: with Burden on top it pays for exactly
	// the person's cost rate over the year's capacity hours.
	Cents int64
}

// Salaries gives each employee (contractors are costed by the rate their
// time tool stamps) a salary for every whole calendar year they work up to
// the year of the demo's end. Each is set so that salary × (1 + Burden) ÷
// capacity hours (weekdays after public holidays, metrics §3.3a) is the
// cost rate the time tools stamp: a warehouse costed from the salaries and
// one costed from the stamps agree to the cent. A year begun part way (the
// demo's first, a joiner's) keeps the stamped rate: its salary would need
// fractions of a cent.
func (a *Agency) Salaries() []Salary {
	hol := a.holidaySet()
	var out []Salary
	for _, p := range a.People {
		if p.Contractor {
			continue
		}
		first := p.Start.Year()
		if !p.Start.Equal(time.Date(first, 1, 1, 0, 0, 0, 0, time.UTC)) {
			first++
		}
		for y := first; y <= a.Options.End.Year(); y++ {
			var days int64
			for d := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == y; d = d.AddDate(0, 0, 1) {
				if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday && !hol[d] {
					days++
				}
			}
			// capacity = days × weekly ÷ 5 hours; salary = rate × capacity
			// ÷ (1 + Burden), in cents (whole with Burden at 25%).
			cents := float64(int64(p.CostRate)*days*int64(p.WeeklyCapacity)*100/5) / (1 + Burden)
			out = append(out, Salary{PersonID: p.ID, From: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), Cents: int64(math.Round(cents))})
		}
	}
	return out
}

// ListRates are the agency's rack rates per role, what it quotes before
// any client's discount (metrics §3.2).
func ListRates() map[string]int {
	out := map[string]int{}
	for _, r := range roles {
		out[r.name] = r.bill
	}
	return out
}
