// Package demo generates a deterministic synthetic agency: people with
// capacities and rates, clients, projects of several billing models, years of
// time entries, time off and invoices. It is the "truth" the vendor fakes
// serve and the round-trip tests check the marts against.
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/conflux-dev/conflux/internal/holidays"
)

// Options sizes the agency. Zero values take the defaults.
type Options struct {
	Seed     uint64
	People   int       // default 40
	Clients  int       // default 25 for 40 people, growing with People
	Projects int       // client projects; default 60 for 40 people, growing with People
	End      time.Time // last day of time; default the Sunday before today
	Years    int       // default 2
	// EntriesPerDay is how many entries a person splits a working day into
	// (1–8); default 3. Raise it, with People, for benchmarks.
	EntriesPerDay int
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = 2026
	}
	if o.People == 0 {
		o.People = 40
	}
	// An agency's client work grows with its people: at any size the same
	// share of people's time is billable and the agency makes money.
	if o.Clients == 0 {
		o.Clients = max(25, o.People*25/40)
	}
	if o.Projects == 0 {
		o.Projects = max(60, o.People*60/40)
	}
	if o.Years == 0 {
		o.Years = 2
	}
	if o.EntriesPerDay == 0 {
		o.EntriesPerDay = 3
	}
	if o.End.IsZero() {
		now := time.Now().UTC()
		d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		for d.Weekday() != time.Sunday {
			d = d.AddDate(0, 0, -1)
		}
		o.End = d.AddDate(0, 0, -7)
	}
	return o
}

// Billing models, as the canonical model names them.
const (
	TM          = "tm"
	FixedFee    = "fixed_fee"
	Retainer    = "retainer"
	NonBillable = "non_billable"
)

// Person is one member of staff.
type Person struct {
	ID             int64
	First, Last    string
	Email          string
	Role           string
	WeeklyCapacity int // hours
	BillRate       int // per hour, whole currency units
	CostRate       int
	Contractor     bool
	Start          time.Time
}

// Client is a customer.
type Client struct {
	ID       int64
	Name     string
	Currency string
	// BilledIn is the currency the ledger (Xero, QuickBooks) invoices the
	// client in; the time tools price its work in Currency.
	BilledIn string
	// CRMName is how the CRM spells the client, when not as Name.
	CRMName string
}

func (c Client) crmName() string {
	if c.CRMName != "" {
		return c.CRMName
	}
	return c.Name
}

// Project is a piece of client (or internal) work.
type Project struct {
	ID          int64
	ClientID    int64
	Name, Code  string
	Billing     string
	Start, End  time.Time
	BudgetHours float64
	Fee         float64 // fixed fee contract value
	Active      bool
	TimeOff     bool // the internal project time off is logged against
	People      []int64
}

// Task is a Harvest task.
type Task struct {
	ID       int64
	Name     string
	Billable bool
}

// Entry is one time entry.
type Entry struct {
	ID        int64
	PersonID  int64
	ProjectID int64
	TaskID    int64
	Date      time.Time
	Quarters  int // hours × 4: every entry is a whole number of quarter hours
	Billable  bool
	BillRate  int // 0 when not billable
	CostRate  int
	InvoiceID int64
	Created   time.Time
}

// Hours is the entry's duration.
func (e Entry) Hours() float64 { return float64(e.Quarters) / 4 }

// Line is an invoice line.
type Line struct {
	ID          int64
	ProjectID   int64
	Description string
	Quantity    float64
	UnitPrice   float64
	AmountCents int64
}

// Invoice is a client invoice with lines.
type Invoice struct {
	ID        int64
	ClientID  int64
	Number    string
	IssueDate time.Time
	DueDate   time.Time
	State     string // open, paid
	Lines     []Line
	TaxPct    int
	// Payments are what the client paid by End (see settle).
	Payments []Payment
}

// NetCents sums the lines.
func (inv Invoice) NetCents() int64 {
	var n int64
	for _, l := range inv.Lines {
		n += l.AmountCents
	}
	return n
}

// Deal is a sales opportunity. Won deals became projects.
type Deal struct {
	ID          int64
	ClientID    int64
	ProjectID   int64 // 0 when no project came of it
	Name        string
	AmountCents int64
	Stage       string // one of DealStages' names
	CloseDate   time.Time
	OwnerID     int64
}

// DealStage is a pipeline stage with its probability.
type DealStage struct {
	Name        string
	Probability float64
	Closed      bool
}

// DealStages is the demo's one sales pipeline.
var DealStages = []DealStage{
	{"Qualified", 0.2, false}, {"Proposal", 0.5, false}, {"Negotiation", 0.8, false},
	{"Closed won", 1, true}, {"Closed lost", 0, true},
}

// Agency is the generated truth.
type Agency struct {
	Options  Options
	Name     string
	Currency string
	Calendar string
	Start    time.Time
	People   []Person
	Clients  []Client
	Projects []Project
	Tasks    []Task
	Entries  []Entry
	Invoices []Invoice
	// CreditNotes credit part of a paid invoice; only the ledgers (Xero,
	// QuickBooks) hold them.
	CreditNotes []Invoice
	Deals       []Deal
	// Bookings are the plan for the weeks after End; only a planning tool
	// (Productive) holds them.
	Bookings []Booking
	// LatePayer is the client who pays eight weeks late and disputes an
	// invoice (see settle).
	LatePayer int64
	// Split, when set, logs the time in Harvest and Jira (SplitHarvestJira).
	Split *Split
}

// Booking books a person on a project for MinutesPerDay each weekday from
// Start to End; a tentative one is a draft in Productive. PersonID 0 books
// an unnamed Role (a Forecast placeholder) instead.
type Booking struct {
	ID                  int64
	PersonID, ProjectID int64
	Role                string
	Start, End          time.Time
	MinutesPerDay       int
	Tentative           bool
}

var (
	firstNames = []string{"Ana", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kim", "Leo", "Maya", "Noah", "Olivia", "Priya", "Quinn", "Ravi", "Sara", "Tom", "Uma", "Vik", "Wren", "Xena", "Yusuf", "Zoe"}
	lastNames  = []string{"Allen", "Brooks", "Carter", "Dawson", "Evans", "Fischer", "Gupta", "Hughes", "Ito", "Jones", "Khan", "Lopez", "Murphy", "Novak", "Owens", "Patel", "Quinn", "Reid", "Shah", "Turner"}
	clientBase = []string{"Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell", "Wonka", "Cyberdyne", "Aperture", "Gringotts", "Oscorp", "Pied Piper", "Dunder", "Monarch", "Prestige", "Blue Sun", "Kree", "Massive", "Nakatomi", "Zorg"}
	suffixes   = []string{"Ltd", "Inc", "GmbH", "LLC", "Group", "Corp", "& Co", "Studios"}
	kinds      = []string{"Website", "Brand Refresh", "App", "Campaign", "Platform", "Discovery", "Redesign", "Portal", "Migration"}
	roles      = []struct {
		name       string
		bill, cost int
	}{{"Designer", 120, 55}, {"Developer", 130, 60}, {"Project Manager", 110, 50}, {"Strategist", 150, 70}, {"QA Engineer", 100, 45}}
)

// Generate builds the agency deterministically from opts.
func Generate(opts Options) *Agency {
	o := opts.withDefaults()
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	start := o.End.AddDate(-o.Years, 0, 1)
	for start.Weekday() != time.Monday {
		start = start.AddDate(0, 0, 1)
	}
	a := &Agency{Options: o, Name: "Northwind Studio", Currency: "GBP", Calendar: "GB-ENG", Start: start}

	a.Tasks = []Task{
		{1, "Design", true}, {2, "Development", true}, {3, "Project Management", true},
		{4, "Strategy", true}, {5, "QA", true}, {6, "Meetings", false},
		{7, "Internal Admin", false}, {8, "Time Off", false},
	}
	for i := range o.People {
		r := roles[i%len(roles)]
		p := Person{
			ID:    int64(1000 + i),
			First: firstNames[i%len(firstNames)], Last: lastNames[(i*7)%len(lastNames)],
			Role: r.name, WeeklyCapacity: 40, BillRate: r.bill + 5*rng.IntN(4), CostRate: r.cost + 5*rng.IntN(3),
			Start: start,
		}
		p.Email = fmt.Sprintf("%s.%s%d@northwind.example", lower(p.First), lower(p.Last), i)
		switch {
		case i%10 == 7:
			p.WeeklyCapacity = 24 // part-timer, Mon–Fri at 4.8 h
		case i%10 == 9:
			p.WeeklyCapacity = 32
		}
		if i%13 == 5 {
			p.Contractor = true
		}
		if i%6 == 4 { // joined part way through
			p.Start = start.AddDate(0, 3+rng.IntN(12), 0)
			for p.Start.Weekday() != time.Monday {
				p.Start = p.Start.AddDate(0, 0, 1)
			}
		}
		a.People = append(a.People, p)
	}
	for i := range o.Clients {
		name := clientBase[i%len(clientBase)]
		if i >= len(clientBase) {
			name = fmt.Sprintf("%s %d", name, i/len(clientBase)+1)
		}
		c := Client{ID: int64(500 + i), Name: name + " " + suffixes[i%len(suffixes)], Currency: "GBP", BilledIn: "GBP"}
		if i == 1 { // one client is invoiced in dollars: the ledger's rate converts it back
			c.BilledIn = "USD"
		}
		a.Clients = append(a.Clients, c)
	}
	internal := Client{ID: 499, Name: a.Name, Currency: "GBP", BilledIn: "GBP"}
	a.Clients = append(a.Clients, internal)

	span := int(o.End.Sub(start).Hours() / 24)
	for i := range o.Projects {
		c := a.Clients[i%o.Clients]
		billing := TM
		switch i % 7 {
		case 2, 5:
			billing = FixedFee
		case 6:
			billing = Retainer
		}
		pStart := start.AddDate(0, 0, rng.IntN(max(1, span-60)))
		if i < o.Projects/4 { // the agency had work on the books when the data starts
			pStart = start.AddDate(0, 0, rng.IntN(30))
		}
		length := 90 + rng.IntN(420)
		pEnd := pStart.AddDate(0, 0, length)
		if c.ID == a.lossClient() { // sold fixed fees below cost: the client the agency loses money on
			billing = FixedFee
		}
		p := Project{
			ID: int64(7000 + i), ClientID: c.ID, Billing: billing,
			Name:  fmt.Sprintf("%s %s", firstWord(c.Name), kinds[i%len(kinds)]),
			Code:  fmt.Sprintf("NW-%03d", i+1),
			Start: pStart, End: pEnd, Active: !pEnd.Before(o.End),
		}
		if p.Active {
			p.End = time.Time{}
		}
		if billing == Retainer {
			p.Name = firstWord(c.Name) + " Retainer"
		}
		team := 3 + rng.IntN(5)
		for range team {
			p.People = appendUnique(p.People, a.People[rng.IntN(len(a.People))].ID)
		}
		weeks := float64(length) / 7
		p.BudgetHours = float64(int(weeks*float64(team)*12/10)) * 10
		if p.Billing == FixedFee {
			p.Fee = float64(int(p.BudgetHours*125/1000)) * 1000
		}
		a.Projects = append(a.Projects, p)
	}
	adminProject := Project{ID: 6998, ClientID: internal.ID, Name: "Internal Admin", Code: "NW-ADMIN", Billing: NonBillable, Start: start, Active: true}
	timeOffProject := Project{ID: 6999, ClientID: internal.ID, Name: "Time Off", Code: "NW-TIMEOFF", Billing: NonBillable, Start: start, Active: true, TimeOff: true}
	a.Projects = append(a.Projects, adminProject, timeOffProject)

	a.generateTime(rng)
	a.fitBudgets()
	a.underprice()
	a.generateInvoices()
	a.settle(rand.New(rand.NewPCG(o.Seed+3, o.Seed^0x85ebca6b)))
	a.generateDeals(rand.New(rand.NewPCG(o.Seed+1, o.Seed^0x5bd1e995)))
	a.generateBookings(rand.New(rand.NewPCG(o.Seed+2, o.Seed^0x27d4eb2f)))
	return a
}

// generateBookings plans the 12 weeks after End, a week at a time: each
// person is booked on the running client projects they work on, to a load
// of their own (some on the bench, some overbooked), and bookings more than
// five weeks out are often tentative.
func (a *Agency) generateBookings(rng *rand.Rand) {
	monday := a.Options.End.AddDate(0, 0, -((int(a.Options.End.Weekday()) + 6) % 7))
	var id int64 = 900000
	for _, person := range a.People {
		var projects []Project
		for _, p := range a.Projects {
			if p.Active && !p.TimeOff && p.Billing != NonBillable && slices.Contains(p.People, person.ID) {
				projects = append(projects, p)
			}
		}
		if len(projects) == 0 {
			continue
		}
		load := []float64{0.5, 0.75, 0.9, 1.0, 1.0, 1.15}[rng.IntN(6)]
		for w := range 12 {
			start := monday.AddDate(0, 0, 7*w)
			weekLoad := load - 0.05*float64(w)*rng.Float64() // the plan thins out further ahead
			if weekLoad <= 0.2 {
				continue
			}
			n := min(len(projects), 1+rng.IntN(2))
			perDay := float64(person.WeeklyCapacity) / 5 * weekLoad * 60 / float64(n)
			for k := range n {
				id++
				a.Bookings = append(a.Bookings, Booking{ID: id, PersonID: person.ID, ProjectID: projects[(w+k)%len(projects)].ID,
					Start: start, End: start.AddDate(0, 0, 4), MinutesPerDay: int(perDay/15) * 15,
					Tentative: w >= 5 && rng.IntN(3) == 0})
			}
		}
	}
	// Work sold but not yet staffed: roles booked on running projects
	// before anyone is named (Forecast placeholders).
	var running []Project
	for _, p := range a.Projects {
		if p.Active && !p.TimeOff && p.Billing != NonBillable {
			running = append(running, p)
		}
	}
	for i, need := range []struct {
		role           string
		fromWeek, mins int
	}{{"Developer", 5, 8 * 60}, {"Designer", 7, 4 * 60}} {
		if i >= len(running) {
			break
		}
		for w := need.fromWeek; w < 12; w++ {
			start := monday.AddDate(0, 0, 7*w)
			id++
			a.Bookings = append(a.Bookings, Booking{ID: id, ProjectID: running[i].ID, Role: need.role,
				Start: start, End: start.AddDate(0, 0, 4), MinutesPerDay: need.mins})
		}
	}
}

// IsHoliday reports whether d is a public holiday on the agency's calendar.
func (a *Agency) holidaySet() map[time.Time]bool {
	set := map[time.Time]bool{}
	for _, h := range holidays.Between(a.Calendar, a.Start.Year(), a.Options.End.Year()) {
		set[h.Date] = true
	}
	return set
}

func (a *Agency) generateTime(rng *rand.Rand) {
	hol := a.holidaySet()
	var id int64 = 100000
	byPerson := map[int64][]*Project{}
	for i := range a.Projects {
		p := &a.Projects[i]
		for _, pid := range p.People {
			byPerson[pid] = append(byPerson[pid], p)
		}
	}
	for _, person := range a.People {
		dailyQ := person.WeeklyCapacity * 4 / 5 // quarter hours per working day
		for d := person.Start; !d.After(a.Options.End); d = d.AddDate(0, 0, 1) {
			if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || hol[d] {
				continue
			}
			// One entry per project and task a day: more time on the same
			// task that day lengthens the entry (two alike would be C22's duplicates).
			today := map[[2]int64]int{}
			add := func(p *Project, task Task, q int, billable bool) {
				if i, ok := today[[2]int64{p.ID, task.ID}]; ok {
					a.Entries[i].Quarters += q
					return
				}
				today[[2]int64{p.ID, task.ID}] = len(a.Entries)
				id++
				e := Entry{ID: id, PersonID: person.ID, ProjectID: p.ID, TaskID: task.ID, Date: d, Quarters: q,
					Billable: billable, CostRate: person.CostRate,
					Created: d.Add(17*time.Hour + time.Duration(rng.IntN(3600))*time.Second)}
				if billable {
					e.BillRate = person.BillRate
				}
				a.Entries = append(a.Entries, e)
			}
			// About 18 days of leave a year, logged the way Harvest suggests:
			// a full day on the Time Off task.
			if rng.IntN(100) < 7 {
				add(&a.Projects[len(a.Projects)-1], a.Tasks[7], dailyQ, false)
				continue
			}
			var live []*Project
			for _, p := range byPerson[person.ID] {
				if !d.Before(p.Start) && (p.End.IsZero() || !d.After(p.End)) {
					live = append(live, p)
				}
			}
			// A day is the scheduled hours give or take an hour.
			dayQ := max(4, dailyQ+rng.IntN(9)-4)
			n := 1 + rng.IntN(a.Options.EntriesPerDay)
			for k := range n {
				q := dayQ / n
				if k == n-1 {
					q = dayQ - q*(n-1)
				}
				if q <= 0 {
					continue
				}
				if len(live) == 0 || rng.IntN(100) < 12 {
					add(&a.Projects[len(a.Projects)-2], a.Tasks[5+rng.IntN(2)], q, false)
					continue
				}
				p := live[rng.IntN(len(live))]
				task := a.Tasks[rng.IntN(5)]
				// T&M hours are all billable (a share of non-billable T&M time
				// is check C11's gap); other projects carry some unbilled time.
				billable := rng.IntN(100) < 88 || p.Billing == TM
				if !billable {
					task = a.Tasks[5]
				}
				add(p, task, q, billable)
			}
		}
	}
}

// fitBudgets raises any hour budget the generated time went past to the
// next ten hours above it: a clean agency has no overrun (check C14's gap).
func (a *Agency) fitBudgets() {
	quarters := map[int64]int{}
	for _, e := range a.Entries {
		quarters[e.ProjectID] += e.Quarters
	}
	for i := range a.Projects {
		p := &a.Projects[i]
		if h := float64(quarters[p.ID]) / 4; p.BudgetHours > 0 && h > p.BudgetHours {
			p.BudgetHours = float64(int(h/10)+1) * 10
		}
	}
}

// generateInvoices bills T&M and retainer work monthly in arrears (except
// the last month, which stays unbilled: WIP) and fixed fees half up front,
// half at the end.
func (a *Agency) generateInvoices() {
	var invID int64 = 9000
	var lineID int64 = 50000
	number := 1000
	lastMonth := time.Date(a.Options.End.Year(), a.Options.End.Month(), 1, 0, 0, 0, 0, time.UTC)
	type key struct {
		project int64
		month   time.Time
	}
	billable := map[key][]int{}
	var keys []key
	projByID := map[int64]*Project{}
	for i := range a.Projects {
		projByID[a.Projects[i].ID] = &a.Projects[i]
	}
	for i, e := range a.Entries {
		p := projByID[e.ProjectID]
		if !e.Billable || (p.Billing != TM && p.Billing != Retainer) {
			continue
		}
		m := time.Date(e.Date.Year(), e.Date.Month(), 1, 0, 0, 0, 0, time.UTC)
		if !m.Before(lastMonth) {
			continue
		}
		k := key{e.ProjectID, m}
		if _, ok := billable[k]; !ok {
			keys = append(keys, k)
		}
		billable[k] = append(billable[k], i)
	}
	sortKeys(keys, func(a, b key) bool {
		if !a.month.Equal(b.month) {
			return a.month.Before(b.month)
		}
		return a.project < b.project
	})
	for _, k := range keys {
		p := projByID[k.project]
		issue := k.month.AddDate(0, 1, 2)
		if issue.After(a.Options.End) { // not raised yet: work in progress
			continue
		}
		invID++
		number++
		inv := Invoice{ID: invID, ClientID: p.ClientID, Number: fmt.Sprint(number), IssueDate: issue, DueDate: issue.AddDate(0, 0, 30), State: "paid", TaxPct: 20}
		if issue.AddDate(0, 0, 30).After(a.Options.End) {
			inv.State = "open"
		}
		// One line per rate, like Harvest's "uninvoiced time by person".
		byRate := map[int]int{}
		var rates []int
		for _, i := range billable[k] {
			e := &a.Entries[i]
			e.InvoiceID = invID
			if _, ok := byRate[e.BillRate]; !ok {
				rates = append(rates, e.BillRate)
			}
			byRate[e.BillRate] += e.Quarters
		}
		sortKeys(rates, func(a, b int) bool { return a < b })
		for _, r := range rates {
			lineID++
			q := byRate[r]
			inv.Lines = append(inv.Lines, Line{ID: lineID, ProjectID: p.ID, Description: fmt.Sprintf("%s: services at %d/h", p.Name, r),
				Quantity: float64(q) / 4, UnitPrice: float64(r), AmountCents: int64(q) * int64(r) * 25})
		}
		a.Invoices = append(a.Invoices, inv)
	}
	for i := range a.Projects {
		p := &a.Projects[i]
		if p.Billing != FixedFee {
			continue
		}
		half := int64(p.Fee*100) / 2
		bill := func(date time.Time, desc string, cents int64) {
			invID++
			number++
			lineID++
			a.Invoices = append(a.Invoices, Invoice{ID: invID, ClientID: p.ClientID, Number: fmt.Sprint(number), IssueDate: date,
				DueDate: date.AddDate(0, 0, 30), State: "paid", TaxPct: 20,
				Lines: []Line{{ID: lineID, ProjectID: p.ID, Description: desc, Quantity: 1, UnitPrice: float64(cents) / 100, AmountCents: cents}}})
		}
		bill(p.Start, p.Name+": 50% on signature", half)
		if !p.End.IsZero() && p.End.Before(a.Options.End) {
			bill(p.End, p.Name+": balance on delivery", int64(p.Fee*100)-half)
		}
	}
	// Every tenth paid invoice of a running project is partly credited (10%
	// of its first line) two weeks after it was issued. (A credit on a
	// finished project would leave it under-invoiced: checks C12 and C15.)
	for i, inv := range a.Invoices {
		date := inv.IssueDate.AddDate(0, 0, 14)
		if i%10 != 4 || inv.State != "paid" || !date.Before(a.Options.End) || !projByID[inv.Lines[0].ProjectID].Active {
			continue
		}
		first := inv.Lines[0]
		lineID++
		credit := first.AmountCents / 10
		a.CreditNotes = append(a.CreditNotes, Invoice{ID: int64(len(a.CreditNotes) + 1), ClientID: inv.ClientID, Number: "CN-" + inv.Number,
			IssueDate: date, DueDate: date, State: "paid", TaxPct: inv.TaxPct,
			Lines: []Line{{ID: lineID, ProjectID: first.ProjectID, Description: "Goodwill credit against invoice " + inv.Number,
				Quantity: 1, UnitPrice: float64(credit) / 100, AmountCents: credit}}})
	}
}

// generateDeals gives every client project the won deal it came from (a
// fixed fee's deal is worth the fee, a T&M one its budget at 125 an hour),
// and adds open deals closing in the next three months and some lost ones.
func (a *Agency) generateDeals(rng *rand.Rand) {
	var id int64 = 80000
	var sales []int64
	for _, p := range a.People {
		if p.Role == "Strategist" || p.Role == "Project Manager" {
			sales = append(sales, p.ID)
		}
	}
	if len(sales) == 0 {
		// An agency too small for a strategist or a project manager:
		// whoever works there sells.
		for _, p := range a.People {
			sales = append(sales, p.ID)
		}
	}
	owner := func() int64 { return sales[rng.IntN(len(sales))] }
	for _, p := range a.Projects {
		if p.Billing == NonBillable {
			continue
		}
		id++
		amount := int64(p.BudgetHours) * 125 * 100
		if p.Billing == FixedFee {
			amount = int64(p.Fee * 100)
		}
		a.Deals = append(a.Deals, Deal{ID: id, ClientID: p.ClientID, ProjectID: p.ID, Name: p.Name, AmountCents: amount,
			Stage: "Closed won", CloseDate: p.Start.AddDate(0, 0, -14), OwnerID: owner()})
	}
	clients := a.Clients[:len(a.Clients)-1] // not the agency itself
	for i := range 12 {
		id++
		c := clients[rng.IntN(len(clients))]
		d := Deal{ID: id, ClientID: c.ID, Name: fmt.Sprintf("%s %s", firstWord(c.Name), kinds[(i+3)%len(kinds)]),
			AmountCents: int64(20+rng.IntN(80)) * 1000 * 100, OwnerID: owner()}
		switch {
		case i < 9:
			d.Stage = DealStages[i%3].Name
			d.CloseDate = a.Options.End.AddDate(0, 0, 7+rng.IntN(90))
		default:
			d.Stage = "Closed lost"
			d.CloseDate = a.Options.End.AddDate(0, 0, -rng.IntN(200))
		}
		a.Deals = append(a.Deals, d)
	}
}

// ProjectManager is who manages p: the first Project Manager on it, else
// the first person on it; 0 for a project nobody works on.
func (a *Agency) ProjectManager(p Project) int64 {
	for _, id := range p.People {
		for _, person := range a.People {
			if person.ID == id && person.Role == "Project Manager" {
				return id
			}
		}
	}
	if len(p.People) > 0 {
		return p.People[0]
	}
	return 0
}

// lossClient is the client whose work the agency sold too cheap: every
// project of theirs a fixed fee (see underprice), so the demo has a client
// and projects that lose money.
func (a *Agency) lossClient() int64 {
	if a.Options.Clients < 3 {
		return -1
	}
	return a.Clients[a.Options.Clients-1].ID
}

// underprice sets the loss client's fees at 25 an hour of the time their
// projects took — under anyone's cost rate.
func (a *Agency) underprice() {
	quarters := map[int64]int{}
	for _, e := range a.Entries {
		quarters[e.ProjectID] += e.Quarters
	}
	for i := range a.Projects {
		p := &a.Projects[i]
		if p.ClientID == a.lossClient() && p.Billing == FixedFee {
			p.Fee = max(1000, float64(int(float64(quarters[p.ID])/4*25/1000))*1000)
		}
	}
}
