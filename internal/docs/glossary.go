package docs

import (
	"html/template"
	"io"
	"regexp"
)

// Term is one number as a finance reader meets it on a page: what it
// means in plain words, how it is worked out, and an example to check it
// by hand.
type Term struct {
	Name, Plain, Formula, Example, Where string
}

// Glossary is the measures the dashboards show, in the order a reader
// meets them. The examples are the fixtures the tests check.
var Glossary = []Term{
	{"Available hours", "The hours a person could work: their contracted hours less public holidays and time off.",
		"scheduled hours − holiday hours − time off", "A 40-hour week with a bank holiday and a day's leave: 40 − 8 − 8 = 24 hours.", "Overview, Capacity"},
	{"Billable utilization", "The share of available hours spent on billable client work. For a team, hours are added up before dividing.",
		"Σ billable hours ÷ Σ available hours", "Ana bills 20 of 24 available hours, Ben 14 of 16: (20 + 14) ÷ (24 + 16) = 85.0% — not 85.4%, the average of their own rates.", "Overview, Leadership"},
	{"Total utilization", "The share of available hours worked at all, billable or not.",
		"Σ worked hours ÷ Σ available hours", "Ben works 17 hours of his 16 available: 106.3%.", "Overview, Leadership"},
	{"Bill rate", "The rate that prices an hour: the one the time tool recorded on the entry, else the client's rate card for the person's role, else the agency's list rate for the role, else the person's default rate.",
		"first of: entry rate, client card, list card, person's rate", "Acme's card charges a senior designer 140 where the list says 150: Ana's unpriced hours for Acme are 140 each.", "Time entries"},
	{"Cost rate", "What an hour of a person costs: their salary and employer costs over the hours they are contracted for in the year (after public holidays, before leave).",
		"salary × (1 + burden) ÷ capacity hours of the year", "£96,000 with 25% burden over 2,000 hours: £60.00 an hour.", "Time entries, every cost"},
	{"Revenue earned, time and materials", "Billable hours at their bill rates, in the month the work was done — whether or not it is invoiced yet.",
		"Σ billable hours × bill rate", "34 billable hours, 20 at 140 and 14 at 110: 2,800 + 1,540 = 4,340.", "Finance, Overview, the P&L"},
	{"Revenue earned, fixed fee", "The fee times how far the work has got. Progress is hours to date over the hours the project will take in all: hours to date plus hours still booked; while nothing is booked, the hour budget (or the hours, once past it); 100% once the project is closed. A project over its budget therefore does not earn its whole fee until its bookings are worked.",
		"fee × hours to date ÷ (hours to date + booked hours ahead)", "£60,000, 260 hours worked, 190 still booked: 260 ÷ 450 = 57.8%, so £34,666.67. 520 hours worked on a 400-hour budget with 280 still booked: 65%, so £39,000 — not £60,000.", "Finance, project pages"},
	{"Revenue earned, retainer", "The monthly fee for the hours bank it buys: hours used at the bank's rate, plus unused hours that lapse; hours that roll over stay deferred until used.",
		"fee ÷ hours sold × (hours used + hours lapsed)", "£10,000 for 50 hours, 42 used, 8 rolled over: 42 × £200 = £8,400 earned, £1,600 deferred.", "Finance"},
	{"Labour cost", "The cost of every hour worked on a project, billable or not, at each person's cost rate.",
		"Σ hours × cost rate", "37 hours at £50: £1,850.", "Finance, project pages"},
	{"Margin (contribution)", "What a project, client or team keeps of its revenue after the people and direct costs that delivered it; the percentage is of revenue less pass-through costs (media, subcontracted work billed on at cost).",
		"revenue − pass-through − labour − direct costs; margin % = margin ÷ (revenue − pass-through)", "£34,666.67 earned on 260 hours at £50: £21,666.67, 62.5%.", "Finance, Overview"},
	{"Invoiced", "What the accounting system invoiced, net of tax, credit notes taken off, voided and draft invoices left out; in the reporting currency at the rate the ledger stored.",
		"Σ invoice lines net of tax − credit notes", "A $1,000 invoice the ledger stored at 1.25 dollars to the pound: £800.", "Finance, Overview, Invoice lines"},
	{"Work in progress (WIP) and deferred revenue", "Per project: earned but not yet invoiced is WIP; invoiced ahead of the work is deferred revenue. Never netted across projects.",
		"WIP = max(0, earned − invoiced); deferred = max(0, invoiced − earned)", "£18,000 earned, £30,000 invoiced up front: £12,000 deferred, no WIP.", "Finance"},
	{"Realization", "How much of the standard value of billable work was invoiced.",
		"invoiced ÷ Σ billable hours × bill rate", "£4,000 invoiced for work worth £4,340: 92.2% (a £340 write-down).", "Finance"},
	{"Receivables and aging", "What clients owe today as the ledger says it, with tax, after payments and credit notes; sorted by how far past the due date.",
		"ledger amount due, by days past due: not yet due, 1–30, 31–60, 61–90, 90+", "An invoice due on 14 June, unpaid on 30 June: 16 days overdue, in 1–30.", "Finance › Cash"},
	{"Days sales outstanding (DSO)", "How many days of invoicing clients owe.",
		"receivables ÷ invoicing of the last 90 days × 90", "£120,000 owed after £360,000 invoiced in 90 days: 30 days.", "Finance › Cash, Leadership"},
	{"Days to pay", "How long clients take to pay, from the invoice date, each payment weighed by its amount over the last year; days late measures the same against the due date.",
		"Σ amount × (paid − issued) ÷ Σ amount", "Two £120,000 invoices paid after 35 and 15 days: 25 days.", "Finance › Cash"},
	{"13-week cash forecast", "Money expected in and out, week by week: open invoices on the day each client usually pays, work still to invoice paid the same way, payroll on the 25th and overhead on the 1st. A movement, not a bank balance.",
		"receivables + billing to come − payroll − overhead", "", "Finance › Cash"},
	{"Revenue forecast", "What the plan says the next six months will earn: booked hours at the rates people bill, fixed fees as their bookings are worked, retainer fees; the open pipeline weighted by probability on top.",
		"booked hours × rate; fee × progress; monthly fee", "", "Finance, Leadership"},
	{"Budget used, estimate at completion", "How much of a budget is spent, and where it will end if the booked work is done: red from 90% used or a forecast over 110%, amber from 75% or a forecast over 100%.",
		"used ÷ budget; EAC = used + booked ahead; VAC = budget − EAC", "300 of 400 hours used and 150 booked: 75% used, EAC 450 hours, 112.5% of budget: red.", "Finance, project pages"},
	{"Weighted pipeline", "Open deals whose close date has not passed, each at its amount times its probability. Deals past their close date count nowhere until updated.",
		"Σ amount × probability", "£40,000 at 60% and £24,000 at 25%: £30,000.", "Leadership, Open deals"},
	{"Scheduled utilization and bench", "Booked hours over available hours in the weeks ahead, per person; the bench is available time nobody booked, counted day by day.",
		"booked ÷ available; bench = Σ max(0, available − booked) per day", "10 hours booked on a Tuesday and 6 on a Thursday of 8-hour days: 100% booked, 2 hours over and 2 on the bench.", "Capacity"},
	{"Money at stake (gaps)", "An estimate of money exposed where the tools disagree — unbilled time, a won deal with no project — not a booked amount. A record several checks find counts once in a total, at its largest.",
		"per check: hours × rate, deal amount, …", "", "Ops"},
}

var sectionRef = regexp.MustCompile(`\s*\((?:metrics\s+)?§[^)]*\)|,?\s*metrics\s+§[0-9.]+(?:[–-][0-9.]+)?|\s*§[0-9.]+(?:[–-][0-9.]+)?`)

// plain takes the specification's section numbers out of text meant for
// readers who never see the specification.
func plain(s string) string { return sectionRef.ReplaceAllString(s, "") }

var glossaryTmpl = template.Must(template.New("glossary").Parse(`<section class="panel wide defs" id="measures"><h2>The numbers on the pages</h2>
<p class="note">What each number means, how it is worked out, and an example to check it by hand. Amounts are in the reporting currency unless a column names another.</p>
{{range .}}<h3 id="{{.Name}}">{{.Name}}</h3><p>{{.Plain}}</p><pre>{{.Formula}}</pre>{{with .Example}}<p class="note">Example: {{.}}</p>{{end}}<p class="note">Shown on: {{.Where}}</p>
{{end}}</section>`))

func writeGlossary(w io.Writer) error { return glossaryTmpl.Execute(w, Glossary) }
