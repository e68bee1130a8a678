// Package holidays turns the calendar codes of org.holidays into dated
// public holidays, using the maintained rickar/cal calendars.
package holidays

import (
	"slices"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/us"
)

var calendars = map[string][]*cal.Holiday{
	"GB-ENG": gb.Holidays, // England and Wales bank holidays
	"US":     us.Holidays,
	"DE":     de.Holidays,
	"FR":     fr.Holidays,
	"NL":     nl.Holidays,
	"IE":     ie.Holidays,
	"ES":     es.Holidays,
	"IT":     it.Holidays,
}

// Codes lists the supported calendar codes.
func Codes() []string {
	var out []string
	for c := range calendars {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Known reports whether code is a supported calendar.
func Known(code string) bool {
	_, ok := calendars[code]
	return ok
}

// Day is one day off. Date is the observed date (a holiday on a weekend
// moves to the weekday the calendar says).
type Day struct {
	Calendar string
	Date     time.Time
	Name     string
}

// Between returns the days off of calendar code in the years from..to.
func Between(code string, fromYear, toYear int) []Day {
	var out []Day
	for y := fromYear; y <= toYear; y++ {
		for _, h := range calendars[code] {
			if h.Type != cal.ObservancePublic && h.Type != cal.ObservanceBank {
				continue
			}
			_, observed := h.Calc(y)
			if observed.IsZero() {
				continue
			}
			d := time.Date(observed.Year(), observed.Month(), observed.Day(), 0, 0, 0, 0, time.UTC)
			out = append(out, Day{Calendar: code, Date: d, Name: h.Name})
		}
	}
	slices.SortFunc(out, func(a, b Day) int { return a.Date.Compare(b.Date) })
	return out
}
