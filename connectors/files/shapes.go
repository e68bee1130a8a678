package files

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// kind is what a column holds, and how a cell of it is read.
type kind int

const (
	text     kind = iota
	email         // lower-cased
	number        // a decimal: 85000, 85,000.50, or 85.000,50 in a ;-separated file
	fraction      // 0.75 or 75%
	date          // YYYY-MM-DD, DD/MM/YYYY, or a workbook's day number
	boolean       // yes/no, true/false, 1/0, y/n
	currency      // a three-letter ISO code, upper-cased
	duration      // hours: 7.5, or h:mm(:ss) (Toggl's 01:30:00)
)

// column is one column of a shape.
type column struct {
	Name     string
	Kind     kind
	Required bool
	Aliases  []string // other headers that mean the same
	Doc      string   // the template's explanation
	Allowed  []string // accepted values of a text column
	Example  string
	Known    bool // an email the tools must know (a cost of no one is a typo)
}

// Shape is one kind of table the source reads, and the stream its rows go to.
type Shape struct {
	Name    string // the stream: costs, rate_cards, …
	Doc     string
	Columns []column
	// AnyOf names columns of which a header needs one at least (a budget's
	// hours or amount): without one it is not this shape.
	AnyOf []string
	// Vendor names the tool whose export this is (its rows go to
	// time_entries through toEntry); "" for Conflux's own templates.
	Vendor  string
	toEntry func(row map[string]string) map[string]string
	// check validates the whole table once every row is read: overlapping
	// dates, duplicate keys.
	check func(rows []parsedRow) []Problem
}

// parsedRow is one row read: its values by column name, and where it was.
type parsedRow struct {
	Row    int // the row number as the spreadsheet shows it
	Values map[string]string
}

// Shapes are the tables the files source knows, in the order a header is
// tried against them.
var Shapes = []*Shape{
	{Name: "costs", Doc: "What each person (or everyone in a role) costs from a date: metrics §3.3a. A later row for the same person starts a new period.",
		Columns: []column{
			{Name: "person", Kind: email, Known: true, Aliases: []string{"email", "work_email"}, Doc: "the person's email, as in the time tool (empty: the row is the role's default)", Example: "ana@northwind.example"},
			{Name: "role", Kind: text, Doc: "the role (required when person is empty)", Example: "Designer"},
			{Name: "team", Kind: text, Doc: "the person's team: what team margins group by and whom a lead sees (empty: their role)", Example: "Studio"},
			{Name: "salary", Kind: number, Required: true, Aliases: []string{"annual_salary", "base_salary"}, Doc: "annual base salary in the reporting currency", Example: "62000"},
			{Name: "burden", Kind: fraction, Doc: "employer taxes and benefits as a fraction of salary (0.25 or 25%)", Example: "0.25"},
			{Name: "overhead_share", Kind: number, Doc: "annual overhead allocated to the person (breakeven, §3.3c)", Example: "12000"},
			{Name: "from", Kind: date, Aliases: []string{"valid_from", "effective_from", "start"}, Doc: "first day this cost applies (empty: always)", Example: "2026-01-01"},
			{Name: "to", Kind: date, Aliases: []string{"valid_to", "effective_to", "end"}, Doc: "last day it applies (empty: until the next row)", Example: ""},
			{Name: "non_delivery", Kind: boolean, Doc: "yes when the person's payroll sits in operating overhead (§5.1)", Example: "no"},
		}},
	{Name: "rate_cards", Doc: "Bill rates per role: card list is the rack rate, any other card names a client (§3.1).",
		Columns: []column{
			{Name: "card", Kind: text, Doc: "list, or a client's name", Example: "list"},
			{Name: "role", Kind: text, Required: true, Doc: "the role", Example: "Designer"},
			{Name: "rate", Kind: number, Required: true, Aliases: []string{"hourly_rate", "bill_rate"}, Doc: "the hourly bill rate", Example: "140"},
			{Name: "from", Kind: date, Aliases: []string{"valid_from", "effective_from"}, Doc: "first day the rate applies (empty: always)", Example: "2026-01-01"},
		}},
	{Name: "project_terms", Doc: "Each project's commercial terms, by its code in the time tool (§4).",
		Columns: []column{
			{Name: "code", Kind: text, Required: true, Aliases: []string{"project_code"}, Doc: "the project's code", Example: "ACME-WEB"},
			{Name: "billing_model", Kind: text, Required: true, Allowed: []string{"tm", "fixed_fee", "retainer", "non_billable"}, Doc: "tm, fixed_fee, retainer or non_billable", Example: "retainer"},
			{Name: "retainer_fee", Kind: number, Aliases: []string{"monthly_fee"}, Doc: "a retainer's fee per month", Example: "8000"},
			{Name: "retainer_hours", Kind: number, Doc: "hours sold per month (empty: a stand-ready fee)", Example: "60"},
			{Name: "rollover_cap_h", Kind: number, Doc: "unused hours that roll into the next month, at most", Example: "10"},
			{Name: "overage_rate", Kind: number, Doc: "hours beyond the bank billed at this rate (empty: overservice)", Example: ""},
			{Name: "percent_complete", Kind: fraction, Doc: "a fixed fee's PM-reported completion, 0..1 (empty: from hours)", Example: ""},
			{Name: "cap", Kind: number, Doc: "a capped T&M project's not-to-exceed amount", Example: ""},
		}},
	{Name: "milestones", Doc: "Parts of a fixed fee earned at customer acceptance (§4.5).",
		Columns: []column{
			{Name: "code", Kind: text, Required: true, Aliases: []string{"project_code"}, Doc: "the project's code", Example: "ACME-WEB"},
			{Name: "milestone", Kind: text, Required: true, Aliases: []string{"name"}, Doc: "the milestone", Example: "Design sign-off"},
			{Name: "amount", Kind: number, Required: true, Doc: "the part of the fee it earns", Example: "15000"},
			{Name: "accepted", Kind: date, Aliases: []string{"accepted_on"}, Doc: "the day the client accepted it (empty: not yet)", Example: "2026-03-14"},
		}},
	{Name: "budgets", Doc: "Each project's budget from a date, by its code in the time tool: a later row (a change order) replaces it from its date on (§6).",
		Columns: []column{
			{Name: "code", Kind: text, Required: true, Aliases: []string{"project_code"}, Doc: "the project's code", Example: "ACME-WEB"},
			{Name: "budget_hours", Kind: number, Aliases: []string{"hours"}, Doc: "the hours budget (empty: the tool's)", Example: "450"},
			{Name: "budget_amount", Kind: number, Aliases: []string{"amount", "budget"}, Doc: "the money budget (empty: the tool's)", Example: "60000"},
			{Name: "from", Kind: date, Aliases: []string{"valid_from", "effective_from"}, Doc: "first day this budget applies (empty: always)", Example: "2026-01-01"},
			{Name: "note", Kind: text, Aliases: []string{"change_order", "reason"}, Doc: "why it changed, e.g. the change order's number", Example: "CO-2: phase 2 added"},
		},
		AnyOf: []string{"budget_hours", "budget_amount"}},
	{Name: "targets", Doc: "Billable utilization targets per role, on available hours (§2.6).",
		Columns: []column{
			{Name: "role", Kind: text, Required: true, Doc: "the role", Example: "Designer"},
			{Name: "target", Kind: fraction, Required: true, Aliases: []string{"billable_target", "target_utilization"}, Doc: "0.75 or 75%", Example: "75%"},
		}},
	{Name: "time_entries", Doc: "Time logged in a tool with no API, or exported from one: one row per entry. Toggl's detailed report CSV reads as this file too (Email, Project, Start date, Duration, Billable, Description).",
		Columns: []column{
			{Name: "date", Kind: date, Required: true, Aliases: []string{"start_date", "spent_date"}, Doc: "the day worked", Example: "2026-01-12"},
			{Name: "person", Kind: email, Required: true, Aliases: []string{"email", "user_email"}, Doc: "the person's email", Example: "ana@northwind.example"},
			{Name: "project", Kind: text, Required: true, Aliases: []string{"project_code", "code"}, Doc: "the project's code (or its name) as the time or project tool has it", Example: "ACME-WEB"},
			{Name: "hours", Kind: duration, Required: true, Aliases: []string{"duration", "time"}, Doc: "hours worked: 7.5 or 7:30", Example: "3.5"},
			{Name: "billable", Kind: boolean, Doc: "yes or no (empty: as the project's terms say)", Example: "yes"},
			{Name: "task", Kind: text, Doc: "the task", Example: "Design"},
			{Name: "notes", Kind: text, Aliases: []string{"description", "note"}, Doc: "what was done", Example: "Homepage wireframes"},
			{Name: "rate", Kind: number, Aliases: []string{"bill_rate", "billable_rate", "hourly_rate"}, Doc: "the hourly bill rate (empty: the project's)", Example: ""},
		}},
	{Name: "bookings", Doc: "A scheduling tool's export (Float, Resource Guru, a planning sheet): who is booked on what, from a day to a day, hours per weekday.",
		Columns: []column{
			{Name: "person", Kind: email, Known: true, Aliases: []string{"email"}, Doc: "the person's email (empty: an unnamed role's demand)", Example: "ana@northwind.example"},
			{Name: "role", Kind: text, Doc: "the role a booking of no one asks for", Example: ""},
			{Name: "project", Kind: text, Required: true, Aliases: []string{"project_code", "code"}, Doc: "the project's code (or its name)", Example: "ACME-WEB"},
			{Name: "from", Kind: date, Required: true, Aliases: []string{"start", "start_date"}, Doc: "the first day booked", Example: "2026-02-02"},
			{Name: "to", Kind: date, Required: true, Aliases: []string{"end", "end_date"}, Doc: "the last day booked", Example: "2026-02-27"},
			{Name: "hours_per_day", Kind: duration, Required: true, Aliases: []string{"hours_day", "hours_per_weekday", "allocation"}, Doc: "hours each weekday: 6 or 6:00", Example: "6"},
			{Name: "tentative", Kind: boolean, Doc: "yes for a pencilled-in booking", Example: "no"},
		}},
	{Name: "fx_rates", Doc: "Exchange rates: 1 from is rate to on the date (§9.4).",
		Columns: []column{
			{Name: "from", Kind: currency, Required: true, Aliases: []string{"from_currency"}, Doc: "ISO code", Example: "USD"},
			{Name: "to", Kind: currency, Required: true, Aliases: []string{"to_currency"}, Doc: "ISO code", Example: "GBP"},
			{Name: "date", Kind: date, Required: true, Doc: "the day of the rate", Example: "2026-01-05"},
			{Name: "rate", Kind: number, Required: true, Doc: "how many to one from buys", Example: "0.79"},
		}},
}

// exports are the vendors' own CSV exports, recognised by their headers;
// their rows become time_entries records.
var exports = []*Shape{
	{Name: "harvest_time_export", Vendor: "harvest", Doc: "Harvest's detailed time report, exported as CSV or XLSX (Reports → Detailed time → Export).",
		Columns: []column{
			{Name: "date", Kind: date, Required: true},
			{Name: "client", Kind: text},
			{Name: "project", Kind: text, Required: true},
			{Name: "project_code", Kind: text},
			{Name: "task", Kind: text},
			{Name: "notes", Kind: text},
			{Name: "hours", Kind: duration, Required: true},
			{Name: "billable", Kind: boolean},
			{Name: "first_name", Kind: text, Required: true},
			{Name: "last_name", Kind: text, Required: true},
			{Name: "billable_rate", Kind: number},
			{Name: "cost_rate", Kind: number},
		},
		toEntry: func(r map[string]string) map[string]string {
			project := r["project_code"]
			if project == "" {
				project = r["project"]
			}
			return map[string]string{"date": r["date"], "person_name": strings.TrimSpace(r["first_name"] + " " + r["last_name"]),
				"project": project, "project_name": r["project"], "client": r["client"], "task": r["task"], "notes": r["notes"],
				"hours": r["hours"], "billable": r["billable"], "rate": r["billable_rate"], "cost_rate": r["cost_rate"]}
		}},
}

// Shape returns the shape called name.
func ShapeNamed(name string) *Shape {
	for _, s := range Shapes {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func init() {
	ShapeNamed("costs").check = checkCosts
	ShapeNamed("rate_cards").check = unique("card, role and from", "card", "role", "from")
	ShapeNamed("project_terms").check = both(unique("code", "code"), func(rows []parsedRow) []Problem {
		var out []Problem
		for _, r := range rows {
			if r.Values["billing_model"] == "retainer" && r.Values["retainer_fee"] == "" {
				out = append(out, Problem{Row: r.Row, Column: "retainer_fee", Msg: "a retainer needs its monthly fee (and retainer_hours for an hours bank; without them it is a stand-ready fee)"})
			}
		}
		return out
	})
	ShapeNamed("milestones").check = unique("code and milestone", "code", "milestone")
	ShapeNamed("budgets").check = both(unique("code and from", "code", "from"), func(rows []parsedRow) []Problem {
		var out []Problem
		for _, r := range rows {
			if r.Values["budget_hours"] == "" && r.Values["budget_amount"] == "" {
				out = append(out, Problem{Row: r.Row, Column: "budget_hours", Msg: "a budget needs its hours, its amount or both"})
			}
		}
		return out
	})
	ShapeNamed("targets").check = unique("role", "role")
	ShapeNamed("fx_rates").check = unique("from, to and date", "from", "to", "date")
	ShapeNamed("bookings").check = func(rows []parsedRow) []Problem {
		var out []Problem
		for _, r := range rows {
			if r.Values["to"] < r.Values["from"] {
				out = append(out, Problem{Row: r.Row, Column: "to", Msg: fmt.Sprintf("%s is before from %s", r.Values["to"], r.Values["from"])})
			}
			if r.Values["person"] == "" && r.Values["role"] == "" {
				out = append(out, Problem{Row: r.Row, Column: "person", Msg: "names neither a person nor a role"})
			}
		}
		return out
	}
}

// normalize turns a header cell into a column name: "Billable?" →
// billable, "Start date" → start_date.
func normalize(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	h = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		}
		return ' '
	}, h)
	return strings.Join(strings.Fields(h), "_")
}

// match says how the header fits the shape: the column index of each of
// the shape's columns (-1 when absent), and the required ones missing.
func (s *Shape) match(header []string) (idx []int, missing []string, hits int) {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normalize(h)
	}
	idx = make([]int, len(s.Columns))
	for i, c := range s.Columns {
		idx[i] = -1
		for j, h := range norm {
			if h == c.Name || slices.Contains(c.Aliases, h) {
				idx[i] = j
				hits++
				break
			}
		}
		if idx[i] < 0 && c.Required {
			missing = append(missing, c.Name)
		}
	}
	if len(s.AnyOf) > 0 {
		found := false
		for i, c := range s.Columns {
			found = found || idx[i] >= 0 && slices.Contains(s.AnyOf, c.Name)
		}
		if !found {
			missing = append(missing, strings.Join(s.AnyOf, " or "))
		}
	}
	return idx, missing, hits
}

// recognise finds the shape of a header: the one all of whose required
// columns are there, with the most columns found. With none, the closest
// (most found) is returned with what it misses, so the error can say
// "missing column salary" rather than "unknown".
func recognise(header []string) (best *Shape, idx []int, missing []string) {
	bestHits := 0
	for _, s := range allShapes() {
		i, miss, hits := s.match(header)
		if hits == 0 || (len(miss) > 0 && hits < 2) {
			continue // one shared word ("name") is not a likeness
		}
		better := best == nil ||
			(len(miss) == 0 && len(missing) > 0) ||
			(len(miss) == 0) == (len(missing) == 0) && hits > bestHits
		if better {
			best, idx, missing, bestHits = s, i, miss, hits
		}
	}
	return best, idx, missing
}

// allShapes are the templates and the vendors' exports.
func allShapes() []*Shape { return append(slices.Clone(Shapes), exports...) }

// Problem is one thing wrong with a file, as precisely as it is known.
type Problem struct {
	File, Sheet string
	Row         int    // 0: the file or sheet as a whole
	Column      string // "" when not one column's
	Msg         string
}

func (p Problem) String() string {
	var at []string
	if p.Sheet != "" {
		at = append(at, "sheet "+p.Sheet)
	}
	if p.Row > 0 {
		at = append(at, fmt.Sprintf("row %d", p.Row))
	}
	if p.Column != "" {
		at = append(at, "column "+p.Column)
	}
	if len(at) == 0 {
		return p.File + " " + p.Msg
	}
	return p.File + ": " + strings.Join(at, ", ") + ": " + p.Msg
}

var (
	plainNumber = regexp.MustCompile(`^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`)
	thousandsPt = regexp.MustCompile(`^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$`)
	thousandsEU = regexp.MustCompile(`^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$`)
	commaDec    = regexp.MustCompile(`^[-+]?\d+,\d+$`)
)

// errNotNumber names no value: a problem's message reaches the Ops page's
// data health, which people who may not see a salary or a rate read, so a
// number cell's text is never echoed (the row and column find it).
var errNotNumber = errors.New("is not a number (digits with a point or a comma, no letters or units)")

// parseNumber reads a decimal as written in t and returns it as plain
// decimal text (exact: no float rounding), or why it is not one.
func parseNumber(v string, t table) (string, error) {
	if simpleDecimal(v) && !(t.DecimalComma && strings.Count(v, ".") == 1 && thousandsEU.MatchString(v)) {
		return strings.TrimPrefix(v, "+"), nil // 85000, 0.25: the usual cell
	}
	s := strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(strings.TrimSpace(v))
	s = strings.TrimLeft(s, "£$€")
	switch {
	case plainNumber.MatchString(s) && !(t.DecimalComma && strings.Count(s, ".") == 1 && thousandsEU.MatchString(s)):
	case t.DecimalComma && (thousandsEU.MatchString(s) || commaDec.MatchString(s)):
		s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
	case !t.DecimalComma && thousandsPt.MatchString(s):
		s = strings.ReplaceAll(s, ",", "")
	default:
		return "", errNotNumber
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", errNotNumber
	}
	if strings.ContainsAny(s, "eE") {
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strings.TrimPrefix(s, "+"), nil
}

var dateLayouts = []string{"2006-01-02", "02/01/2006", "2/1/2006", "02.01.2006", "2.1.2006", "2006/01/02", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05"}

// simpleDecimal is digits with at most one point and a leading sign.
func simpleDecimal(v string) bool {
	digits, points := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		case (c == '-' || c == '+') && i == 0:
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}

// parseDate reads a date; slashes are day first (31/01/2026), as every
// locale but the US writes them.
func parseDate(v string, t table) (string, error) {
	s := strings.TrimSpace(v)
	if t.SerialDates && plainNumber.MatchString(s) {
		f, _ := strconv.ParseFloat(s, 64)
		if d, err := excelize.ExcelDateToTime(f, false); err == nil && f > 0 {
			return d.Format(time.DateOnly), nil
		}
	}
	for _, l := range dateLayouts {
		if d, err := time.Parse(l, s); err == nil {
			return d.Format(time.DateOnly), nil
		}
	}
	return "", fmt.Errorf("%q is not a date (write 2026-01-31 or 31/01/2026)", v)
}

// parseCell reads one cell of column c; "" stays "" (absent).
func parseCell(c column, v string, t table) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	switch c.Kind {
	case email:
		v = strings.ToLower(v)
		if !strings.Contains(v, "@") || strings.ContainsAny(v, " ,;") {
			return "", fmt.Errorf("%q is not an email address", v)
		}
	case number:
		return parseNumber(v, t)
	case fraction:
		pct := strings.HasSuffix(v, "%")
		n, err := parseNumber(strings.TrimSuffix(v, "%"), t)
		if err != nil {
			return "", errors.New("is not a fraction (write 0.75 or 75%)")
		}
		f, _ := strconv.ParseFloat(n, 64)
		if pct {
			f /= 100
			n = strconv.FormatFloat(f, 'f', -1, 64)
		}
		if f < 0 || f > 1 {
			return "", errors.New("is not between 0 and 1 (or 0% and 100%)")
		}
		return n, nil
	case date:
		return parseDate(v, t)
	case boolean:
		switch strings.ToLower(v) {
		case "yes", "y", "true", "1", "x", "ja", "oui", "si":
			return "true", nil
		case "no", "n", "false", "0", "nein", "non":
			return "false", nil
		}
		return "", fmt.Errorf("%q is not yes or no", v)
	case currency:
		v = strings.ToUpper(v)
		if len(v) != 3 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return "", fmt.Errorf("%q is not a three-letter currency code", v)
		}
	case duration:
		if h, m, ok := strings.Cut(v, ":"); ok {
			parts := strings.Split(m, ":")
			hh, e1 := strconv.Atoi(h)
			mm, e2 := strconv.Atoi(parts[0])
			ss := 0
			var e3 error
			if len(parts) > 1 {
				ss, e3 = strconv.Atoi(parts[1])
			}
			if e1 != nil || e2 != nil || e3 != nil || len(parts) > 2 || mm > 59 || ss > 59 {
				return "", errors.New("is not hours (write 7.5 or 7:30)")
			}
			return strconv.FormatFloat(float64(hh*3600+mm*60+ss)/3600, 'f', -1, 64), nil
		}
		return parseNumber(v, t)
	}
	if len(c.Allowed) > 0 && !slices.Contains(c.Allowed, strings.ToLower(v)) {
		return "", fmt.Errorf("%q is not one of %s", v, strings.Join(c.Allowed, ", "))
	}
	if len(c.Allowed) > 0 {
		v = strings.ToLower(v)
	}
	return v, nil
}

// both runs two checks.
func both(a, b func([]parsedRow) []Problem) func([]parsedRow) []Problem {
	return func(rows []parsedRow) []Problem { return append(a(rows), b(rows)...) }
}

// unique is a check that no two rows share the values of cols.
func unique(what string, cols ...string) func([]parsedRow) []Problem {
	return func(rows []parsedRow) []Problem {
		seen := map[string]int{}
		var out []Problem
		for _, r := range rows {
			var k []string
			for _, c := range cols {
				k = append(k, strings.ToLower(r.Values[c]))
			}
			key := strings.Join(k, "\x00")
			if first, ok := seen[key]; ok {
				out = append(out, Problem{Row: r.Row, Msg: fmt.Sprintf("repeats the %s of row %d", what, first)})
				continue
			}
			seen[key] = r.Row
		}
		return out
	}
}

// checkCosts: a row names a person or a role, and one person's (or role's)
// periods do not overlap: from..to of one row ends before the next starts.
func checkCosts(rows []parsedRow) []Problem {
	var out []Problem
	type period struct {
		row      int
		from, to string
	}
	by := map[string][]period{}
	for _, r := range rows {
		who := r.Values["person"]
		if who == "" {
			who = "role " + strings.ToLower(r.Values["role"])
		}
		if r.Values["person"] == "" && r.Values["role"] == "" {
			out = append(out, Problem{Row: r.Row, Column: "person", Msg: "names neither a person nor a role"})
			continue
		}
		from, to := r.Values["from"], r.Values["to"]
		if from == "" {
			from = "0001-01-01"
		}
		if to == "" {
			to = "9999-12-31"
		}
		if to < from {
			out = append(out, Problem{Row: r.Row, Column: "to", Msg: fmt.Sprintf("%s is before from %s", to, from)})
			continue
		}
		by[who] = append(by[who], period{r.Row, from, to})
	}
	for who, ps := range by {
		slices.SortFunc(ps, func(a, b period) int { return strings.Compare(a.from, b.from) })
		for i := 1; i < len(ps); i++ {
			a, b := ps[i-1], ps[i]
			// An open-ended period ends where the next begins; one with a
			// to date must end before the next starts.
			if a.from == b.from || (a.to != "9999-12-31" && a.to >= b.from) {
				out = append(out, Problem{Row: b.row, Column: "from", Msg: fmt.Sprintf("%s's cost from %s overlaps row %d (%s to %s)", who, b.from, a.row, a.from, strings.Replace(a.to, "9999-12-31", "open", 1))})
			}
		}
	}
	slices.SortFunc(out, func(a, b Problem) int { return a.Row - b.Row })
	return out
}
