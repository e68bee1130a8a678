package dashboards

import "slices"

// All lists every dashboard in the order the navigation shows them, then
// the drill pages.
func All() []Dashboard {
	return []Dashboard{overview, leadership, finance, capacity, ops, entries, pnl, invoices, receivables, payments, deals, bookings}
}

// drillPage finds the drill page served at path.
func drillPage(path string) (Dashboard, bool) {
	for _, d := range All() {
		if d.Drill && d.Path == path {
			return d, true
		}
	}
	return Dashboard{}, false
}

// invoices, deals, bookings and pnl are the drill pages of invoiced amounts,
// the pipeline, the plan and the P&L.
var invoices = Dashboard{
	Slug: "invoices", Path: "/invoices", Title: "Invoice lines", Drill: true,
	Panels: []Panel{{
		ID: "invoices", Title: "The invoice lines behind the number", Report: "invoice_lines", Kind: "table", Totals: true,
		Note:    "The ledger's lines (credit notes negative, voided and draft documents left out), newest first; Source opens the document in the ledger.",
		Filters: []string{"from", "to", "client", "project", "currency"},
		Columns: []Column{
			{"issue_date", "Date", "text"}, {"number", "Number", "text"}, {"client", "Client", "text"}, {"project", "Project", "project"},
			{"description", "Line", "text"}, {"net_amount", "Net", "rate"}, {"currency", "", "text"},
			{"net_amount_reporting", "Net (reporting)", "money"}, {"status", "Status", "text"}, {"source_url", "Source", "url"},
		},
	}},
}

// receivables and payments are the drill pages of the cash figures.
var receivables = Dashboard{
	Slug: "receivables", Path: "/receivables", Title: "Open invoices", Drill: true,
	Panels: []Panel{{
		ID: "receivables", Title: "What clients owe", Report: "open_invoices", Kind: "table", Totals: true,
		Note:    "The ledger's documents with money still owed, most overdue first, gross of tax as the client pays it; an open credit note counts against it. Source opens the document in the ledger.",
		Filters: []string{"client", "currency", "overdue"},
		Columns: []Column{
			{"client", "Client", "text"}, {"number", "Number", "text"}, {"issue_date", "Issued", "text"}, {"due_date", "Due", "text"},
			{"days_overdue", "Days overdue", "text"}, {"aging_bucket", "Age", "text"}, {"outstanding", "Owed", "rate"}, {"currency", "", "text"},
			{"outstanding_reporting", "Owed (reporting)", "money"}, {"source_url", "Source", "url"},
		},
	}},
}

var payments = Dashboard{
	Slug: "payments", Path: "/payments", Title: "Payments received", Drill: true,
	Panels: []Panel{{
		ID: "payments", Title: "The payments behind the number", Report: "payments", Kind: "table", Totals: true,
		Note:    "The ledger's payments, newest first, in the invoice's currency and the reporting currency; Source opens the invoice paid.",
		Filters: []string{"from", "to", "client", "currency"},
		Columns: []Column{
			{"payment_date", "Date", "text"}, {"client", "Client", "text"}, {"invoice", "Invoice", "text"}, {"amount", "Amount", "rate"},
			{"currency", "", "text"}, {"amount_reporting", "Amount (reporting)", "money"}, {"days_to_pay", "Days to pay", "text"}, {"source_url", "Source", "url"},
		},
	}},
}

var deals = Dashboard{
	Slug: "deals", Path: "/deals", Title: "Open deals", Drill: true,
	Panels: []Panel{{
		ID: "deals", Title: "The pipeline behind the number", Report: "open_deals", Kind: "table", Totals: true,
		Note:    "Open deals, most weighted value first. A deal whose close date has passed (check C30) or that has none is stale: it is listed, but counts nowhere — its weighted value is 0, as in the weighted pipeline and capacity demand.",
		Filters: []string{"client"},
		Columns: []Column{
			{"deal", "Deal", "text"}, {"client", "Client", "text"}, {"stage", "Stage", "text"}, {"amount", "Amount", "money"},
			{"probability", "Probability", "pct"}, {"weighted", "Weighted", "money"}, {"close_date", "Close", "text"},
			{"stale", "Stale", "text"}, {"owner", "Owner", "text"}, {"source_url", "Source", "url"},
		},
	}},
}

var bookings = Dashboard{
	Slug: "bookings", Path: "/bookings", Title: "Bookings", Drill: true,
	Panels: []Panel{{
		ID: "bookings", Title: "The plan behind the number", Report: "bookings", Kind: "table", Totals: true,
		Note:    "Bookings from the planning tool per person, project and day, soonest first; a placeholder shows its role and no person. Counted hours are what scheduled utilization counts: tentative bookings at pipeline.tentative_weight.",
		Filters: []string{"from", "to", "team", "person", "project", "tentative"},
		Columns: []Column{
			{"date", "Date", "text"}, {"person", "Person", "text"}, {"team", "Team", "text"}, {"project", "Project", "project"},
			{"hours", "Hours", "hours"}, {"tentative", "Tentative", "text"}, {"counted_h", "Counted h", "hours"}, {"source", "Tool", "text"},
		},
	}},
}

// pnl is where revenue, cost and margin drill to: the project-months of
// the P&L, each linking to its project.
var pnl = Dashboard{
	Slug: "pnl", Path: "/pnl", Title: "Project P&L by month", Drill: true,
	Panels: []Panel{{
		ID: "pnl", Title: "The project-months behind the number", Report: "project_months", Kind: "table", Grain: "month", Totals: true,
		Note:    "Earned revenue, labour cost and margin per project and month (T&M by hours × rate, fixed fees by percent complete, retainers by their hours bank), in the reporting currency.",
		Filters: []string{"from", "to", "client", "project", "currency"},
		Ratios:  map[string][2]string{"margin_pct": {"margin", "revenue"}},
		Columns: []Column{
			{"period", "Month", "text"}, {"project", "Project", "project"}, {"client", "Client", "client"}, {"billing_model", "Billing", "billing"},
			{"hours", "Hours", "hours"}, {"revenue", "Revenue", "money"}, {"cost", "Cost", "money"}, {"margin", "Margin", "money"},
			{"margin_pct", "Margin %", "pct"},
		},
	}},
}

// projectPage is /projects/{key}: the project's figures (a summary the
// handler reads), its months, burn-up, people, tasks, invoices and entries.
// Every panel takes the project as a fixed parameter.
var projectPage = Dashboard{
	Slug: "project", Path: "/projects/{key}", Title: "Project", ToDate: true,
	Panels: []Panel{
		{
			ID: "project_trend", Title: "P&L by month", Report: "project_trend", Kind: "bar", X: "period", Drill: "month", DrillTo: "/pnl",
			DrillSeries: map[string]string{"invoiced": "/invoices"}, Filters: []string{"project"}, Lines: []string{"invoiced"},
			Note:   "Earned revenue, labour cost and margin per month, and what the ledger invoiced (the line).",
			Series: []Series{{"revenue", "Revenue"}, {"cost", "Cost"}, {"margin", "Margin"}, {"invoiced", "Invoiced"}},
		},
		{
			ID: "burnup", Title: "Budget burn-up", Report: "project_burnup", Kind: "line", X: "iso_week", Filters: []string{"project"},
			Note:   "Consumed to the end of each week (hours for an hour budget, billable value for a money one) against the budget; after today, the forecast adds the confirmed bookings ahead and ends at the estimate at completion.",
			Series: []Series{{"budget", "Budget"}, {"actual", "Actual"}, {"forecast", "Forecast"}},
		},
		{
			ID: "people", Title: "By person", Report: "project_people", Kind: "table", Totals: true,
			Filters: []string{"project", "from", "to"},
			Columns: []Column{
				{"person", "Person", "person"}, {"team", "Team", "text"}, {"hours", "Hours", "hours"}, {"billable_h", "Billable h", "hours"},
				{"value", "Value", "money"}, {"cost", "Cost", "money"},
			},
		},
		{
			ID: "tasks", Title: "By task", Report: "project_tasks", Kind: "table", Totals: true,
			Filters: []string{"project", "from", "to"},
			Columns: []Column{
				{"task", "Task", "text"}, {"hours", "Hours", "hours"}, {"billable_h", "Billable h", "hours"}, {"value", "Value", "money"}, {"cost", "Cost", "money"},
			},
		},
		{
			ID: "project_invoices", Title: "Invoices", Report: "invoice_lines", Kind: "table", Totals: true,
			Note:    "The ledger's lines for this project; Source opens the document.",
			Filters: []string{"project", "from", "to"},
			Columns: []Column{
				{"issue_date", "Date", "text"}, {"number", "Number", "text"}, {"description", "Line", "text"}, {"net_amount", "Net", "rate"},
				{"currency", "", "text"}, {"net_amount_reporting", "Net (reporting)", "money"}, {"status", "Status", "text"}, {"source_url", "Source", "url"},
			},
		},
		{
			ID: "project_entries", Title: "Time entries", Report: "project_entries", Kind: "table", Totals: true, PageSize: drillPageSize,
			Note:    "Every entry behind this project's numbers; \"open\" goes to the entry in its tool.",
			Filters: []string{"project", "from", "to"},
			Columns: []Column{
				{"entry_date", "Date", "text"}, {"person", "Person", "text"}, {"task", "Task", "text"}, {"hours", "Hours", "hours"},
				{"billable", "Billable", "text"}, {"bill_rate", "Rate", "rate"}, {"billable_amount", "Value", "money"},
				{"cost_amount", "Cost", "money"}, {"is_billed", "Billed", "text"}, {"time_category", "Category", "text"},
				{"notes", "Notes", "text"}, {"source_url", "Source", "url"},
			},
		},
		{
			ID: "project_uncounted", Title: "Also logged elsewhere, not counted", Report: "project_uncounted", Kind: "table", Totals: true, PageSize: drillPageSize,
			Note:    "Copies of hours another tool holds (Harvest for Jira, or the same person, day and hours: C34) and hours outside the system of record: kept, not in any figure. \"open\" goes to each copy.",
			Filters: []string{"project", "from", "to"},
			Columns: []Column{
				{"entry_date", "Date", "text"}, {"person", "Person", "text"}, {"hours", "Hours", "hours"}, {"reason", "Why", "text"},
				{"source", "Tool", "text"}, {"source_url", "Source", "url"}, {"counted_in", "Counted in", "text"}, {"counted_url", "Counted copy", "url"},
			},
		},
	},
}

// entries is where a number drills to: the time entries behind it, each
// linking to its source record.
var entries = Dashboard{
	Slug:  "entries",
	Path:  "/entries",
	Title: "Time entries",
	Drill: true,
	Panels: []Panel{
		{
			ID: "entries", Title: "The entries behind the number", Report: "entries", Kind: "table", Totals: true,
			Note:    "Time entries (not time off), newest first, with the rates that priced and costed them; Source opens the record in its tool.",
			Filters: []string{"from", "to", "client", "team", "person", "project", "currency", "delivery"},
			Columns: []Column{
				{"entry_date", "Date", "text"}, {"person", "Person", "person"}, {"team", "Team", "text"}, {"client", "Client", "client"},
				{"project", "Project", "project"}, {"hours", "Hours", "hours"}, {"billable_h", "Billable h", "hours"},
				{"nonbillable_h", "Non-billable h", "hours"}, {"bill_rate", "Rate", "rate"}, {"billable_value", "Value", "money"},
				{"cost_rate", "Cost rate", "rate"}, {"cost", "Cost", "money"}, {"is_billed", "Billed", "text"}, {"source_url", "Source", "url"},
			},
		},
	},
}

// Dashboard is a titled list of panels served at Path. A drill page is
// where numbers lead: one table, paged, with a totals row.
type Dashboard struct {
	Slug   string
	Path   string
	Title  string
	Panels []Panel
	Drill  bool // a drill page: not in the navigation, reached by links
	// ToDate pages show all dates unless a period is asked for (the project
	// page); the others default to the last 13 weeks.
	ToDate bool
}

// HasFilters reports whether any panel takes the page filters.
func (d Dashboard) HasFilters() bool {
	for _, p := range d.Panels {
		if len(p.Filters) > 0 {
			return true
		}
	}
	return false
}

// Uses reports whether any panel takes the named filter.
func (d Dashboard) Uses(filter string) bool {
	for _, p := range d.Panels {
		if slices.Contains(p.Filters, filter) {
			return true
		}
	}
	return false
}

// Panel shows one report as a chart or a table.
type Panel struct {
	ID     string // also the chart's DOM id; a JS identifier
	Title  string
	Note   string
	Report string
	Kind   string // line, stacked_bar, bar, heatmap, table
	X      string // category column for charts
	Y      string // heatmap: the row column (X is the column axis, Series[0] the value)
	Series []Series
	// Columns shown by a table panel.
	Columns []Column
	// Filters names the page filters passed to the report (from, to, team,
	// client, currency; person and project on drill pages).
	Filters []string
	// Grain "month" means the report counts whole calendar months: the
	// page's period widens to the months it touches, the panel says so, and
	// its drill links use the same months. "" means exact dates.
	Grain   string
	Limit   int // charts: at most this many categories, in report order
	Percent bool
	// Drill says what a chart's categories are, so a click opens the rows
	// behind the point: week (a week_start column), month (a month column),
	// person, project (a project_key column), client, person_week (a
	// heatmap cell: person and week_start) or client_month (a cell: client
	// and month); "" for none.
	Drill string
	// DrillTo is the page a click opens (default /entries; /projects opens
	// the project's own page).
	DrillTo string
	// DrillSeries sends a click on a series elsewhere, by its column:
	// {"invoiced": "/invoices"}; "" leaves that series without a link.
	DrillSeries map[string]string
	// DrillParams are fixed parameters every drill link carries, e.g.
	// {"delivery": "true"} where the panel counts delivery staff only.
	DrillParams map[string]string
	// Totals adds a totals row to a table: hours and money summed over every
	// row (not only the page shown), and Ratios' columns as ratios of those
	// sums: {"margin_pct": {"margin", "revenue"}}.
	Totals bool
	Ratios map[string][2]string
	// Params are fixed report parameters of this panel, e.g. {"overdue":
	// "true"}; its exports carry them too.
	Params map[string]string
	// Section starts a new titled section of the page with this panel.
	Section string
	// Lines are the series (by column) a bar chart draws as lines over its
	// bars, e.g. last year beside this year's stacked bars.
	Lines []string
	// Heat colours a heatmap from Min to Max (default: scheduled
	// utilization, 0–200%, blue under, red over).
	Heat *HeatScale
	// Horizontal draws a bar chart's categories down the side, for long
	// labels (people, checks).
	Horizontal bool
	// Others sums the categories past Limit into one, "Others".
	Others bool
	// TotalOf totals a column by another: {"amount_at_stake":
	// "counted_amount"} so a record found by several checks counts once.
	TotalOf map[string]string
	// PageSize pages a table (0: every row on one page; drill pages page
	// their table at drillPageSize).
	PageSize int
}

// HeatScale is a heatmap's value range and colours, low to high.
type HeatScale struct {
	Min, Max float64
	Colors   []string
}

// drillTarget is the page a click on the series in column opens, "" for none.
func (p Panel) drillTarget(column string) string {
	if p.Drill == "" {
		return ""
	}
	if to, ok := p.DrillSeries[column]; ok {
		return to
	}
	if p.DrillTo != "" {
		return p.DrillTo
	}
	return "/entries"
}

// Series is one plotted column.
type Series struct {
	Column string
	Label  string
}

// Column is one table column.
type Column struct {
	Name   string
	Label  string
	Format string // text, wrap (long text), check (a check's name, its code on hover), hours, money, rate (money not summed), pct, project (links to the project page), url, review (Accept/Reject buttons), client/team/person (link to their entries), receivables (a client, linking to its open invoices), bookings (a person, linking to their bookings over the row's from_date–to_date), drill (links to the row's drill column)
}

var overview = Dashboard{
	Slug:  "overview",
	Path:  "/",
	Title: "Overview",
	Panels: []Panel{
		{
			ID: "utilization", Title: "Utilization by week", Report: "utilization_weekly", Kind: "line", X: "iso_week", Drill: "week",
			DrillParams: map[string]string{"delivery": "true"},
			Note:        "Billable and total hours over available hours (capacity less holidays and time off), delivery staff, ratio of sums; a week cut by the period counts only its days in it.",
			Series:      []Series{{"billable_util", "Billable utilization"}, {"total_util", "Total utilization"}},
			Filters:     []string{"from", "to", "team"}, Percent: true,
		},
		{
			ID: "hours", Title: "Billable vs non-billable hours by person", Report: "hours_by_person", Kind: "stacked_bar", X: "person", Drill: "person",
			Horizontal: true, Limit: 20, Others: true,
			Note:    "Hours worked in the period, most billable first (the rest summed as Others); time off is not work and is not shown.",
			Series:  []Series{{"billable_h", "Billable"}, {"nonbillable_h", "Non-billable"}},
			Filters: []string{"from", "to", "team"},
		},
		{
			ID: "revenue", Title: "Earned vs invoiced by month", Report: "revenue_monthly", Kind: "bar", X: "period", Drill: "month",
			DrillTo: "/pnl", DrillSeries: map[string]string{"invoiced": "/invoices"}, Grain: "month",
			Note:    "Revenue earned beside what the ledger invoiced (net of tax and credit notes), in the reporting currency.",
			Series:  []Series{{"revenue", "Earned"}, {"invoiced", "Invoiced"}, {"cost", "Cost"}},
			Filters: []string{"from", "to", "client", "currency"},
		},
		{
			ID: "margin", Title: "Project margin (to date)", Report: "project_financials", Kind: "bar", X: "project", Drill: "project", DrillTo: "/projects", Horizontal: true,
			Note:    "Earned revenue less cost of hours, for the 15 projects with most hours.",
			Series:  []Series{{"revenue", "Revenue"}, {"cost", "Cost"}, {"margin", "Margin"}},
			Filters: []string{"client", "currency"}, Limit: 15,
		},
		{
			ID: "burn", Title: "Budget burn (to date)", Report: "project_financials", Kind: "bar", X: "project", Drill: "project", DrillTo: "/projects", Horizontal: true,
			Note:    "Share of the budget used: hours against an hour budget, else value against a money budget.",
			Series:  []Series{{"budget_used_pct", "Budget used"}},
			Filters: []string{"client", "currency"}, Limit: 15, Percent: true,
		},
		{
			ID: "projects", Title: "Projects", Report: "project_financials", Kind: "table", Totals: true,
			Filters: []string{"client", "currency"},
			Ratios:  map[string][2]string{"margin_pct": {"margin", "revenue"}},
			Columns: []Column{
				{"project", "Project", "project"}, {"client", "Client", "client"}, {"billing_model", "Billing", "billing"},
				{"hours", "Hours", "hours"}, {"revenue", "Revenue", "money"}, {"cost", "Cost", "money"},
				{"margin", "Margin", "money"}, {"margin_pct", "Margin %", "pct"}, {"invoiced", "Invoiced", "money"},
				{"wip", "WIP", "money"}, {"budget_used_pct", "Budget used", "pct"}, {"currency", "", "text"},
			},
		},
	},
}

// ops is for whoever chases what falls between the tools: the gaps ledger
// and the health of the data behind it.
var ops = Dashboard{
	Slug:  "ops",
	Path:  "/ops",
	Title: "Ops",
	Panels: []Panel{
		{
			ID: "at_stake", Title: "Money at stake by check", Report: "gaps_by_check", Kind: "bar", X: "check_name", Horizontal: true,
			Note:   "Open and acknowledged findings of the gaps ledger: an estimate of exposure in the reporting currency, not a booked amount; a record several checks find counts once.",
			Series: []Series{{"amount_at_stake", "At stake"}},
		},
		{
			ID: "trend", Title: "Open gaps by week they began", Report: "gaps_weekly", Kind: "line", X: "iso_week",
			Note:   "Money at stake of the open findings, by the week each exposure began, and the running total.",
			Series: []Series{{"amount_at_stake", "Began that week"}, {"cumulative_at_stake", "Running total"}},
		},
		{
			ID: "gaps", Title: "Gaps between the tools", Report: "gaps", Kind: "table", Totals: true,
			TotalOf: map[string]string{"amount_at_stake": "counted_amount"},
			Note:    "Most money at stake first; the owner is who should act. Open a finding to acknowledge, ignore, snooze or comment on it; its history is there. The total counts a record several checks find once. `conflux gaps` prints the same list.",
			Filters: []string{"status", "owner"},
			Columns: []Column{
				{"check_name", "Check", "check"}, {"owner", "Owner", "text"}, {"detail", "Finding", "wrap"},
				{"amount_at_stake", "At stake", "money"}, {"hours_at_stake", "Hours", "hours"}, {"age_days", "Age (days)", "text"},
				{"status", "Status", "text"}, {"drill", "", "drill"}, {"source_url", "Source", "url"},
			},
		},
		{
			ID: "review", Title: "Identity review queue", Report: "identity_review", Kind: "table",
			Note: "Records of different tools whose names look alike but were not matched. Accept or Reject writes mappings.yaml and rebuilds (or `conflux mappings accept|reject ID`).",
			Columns: []Column{
				{"id", "ID", "review"}, {"left_name", "Name", "text"}, {"left_source", "In", "text"},
				{"right_name", "Looks like", "text"}, {"right_source", "In", "text"}, {"similarity", "Similarity", "text"},
				{"revenue_at_stake", "Revenue at stake", "money"},
			},
		},
		{
			ID: "uncounted", Title: "Time not counted", Report: "uncounted_time", Kind: "table", Totals: true,
			Note: "Hours kept but counted once or not at all: copies of an hour another tool holds, and hours \"logged outside the system of record\" that time.sources in conflux.yaml names for the team or project.",
			Columns: []Column{
				{"reason", "Why", "text"}, {"source", "Tool", "text"}, {"project", "Project", "text"}, {"people", "People", "text"},
				{"entries", "Entries", "text"}, {"hours", "Hours", "hours"}, {"first_date", "From", "text"}, {"last_date", "To", "text"},
			},
		},
		{
			ID: "checks", Title: "The checks and their thresholds", Report: "gap_checks", Kind: "table",
			Note: "What each check looks for and the threshold it runs with; change a threshold under gaps: in conflux.yaml.",
			Columns: []Column{
				{"check_name", "Check", "check"}, {"threshold", "Fires when", "wrap"}, {"open_findings", "Open", "text"},
			},
		},
		{
			ID: "freshness", Title: "Data health: syncs", Report: "freshness", Kind: "table",
			Note: "Last successful sync per source and stream, the last attempt's status and error, and the records synced.",
			Columns: []Column{
				{"source", "Source", "text"}, {"stream", "Stream", "text"}, {"last_success", "Last success", "text"},
				{"last_status", "Last run", "text"}, {"last_error", "Error", "text"}, {"records_synced", "Records", "text"},
			},
		},
		{
			ID: "channels", Title: "Data health: alert channels", Report: "alert_channels", Kind: "table",
			Note: "Where alerts and scheduled reports go, failing ones first: the last message's status and error. The Alerts page lists every message.",
			Columns: []Column{
				{"target", "To", "text"}, {"channel", "Channel", "text"}, {"last_status", "Last message", "text"},
				{"last_error", "Error", "wrap"}, {"last_delivered", "Last delivered", "text"}, {"failed_7d", "Failed (7 days)", "text"},
			},
		},
		{
			ID: "tests", Title: "Data health: data tests", Report: "data_tests", Kind: "table",
			Note: "Each data test's latest result, failures first.",
			Columns: []Column{
				{"model", "Model", "text"}, {"test", "Test", "text"}, {"status", "Status", "text"},
				{"failures", "Failing rows", "text"}, {"error", "Error", "text"},
			},
		},
	},
}

// finance is for whoever checks the money: earned, cost, margin and
// invoiced by month, who is profitable, what waits to be billed, and which
// budgets are running out. Every amount is in the reporting currency.
var finance = Dashboard{
	Slug:  "finance",
	Path:  "/finance",
	Title: "Finance",
	Panels: []Panel{
		{
			ID: "closed", Title: "Closed months", Report: "closed_months", Kind: "table",
			Note: "A closed month shows its figures as they were closed on every page and export; the changes since are below. A close also keeps each project's WIP and deferred revenue at the month's end and the gap findings open then. Close or reopen a month at /closes (finance, admin) or with `conflux close 2026-10`.",
			Columns: []Column{
				{"month", "Month", "text"}, {"version", "Version", "text"}, {"status", "Status", "text"}, {"closed_at", "Closed", "text"},
				{"closed_by", "By", "text"}, {"revenue_at_close", "Revenue at close", "money"}, {"wip_at_close", "WIP at close", "money"},
				{"deferred_at_close", "Deferred at close", "money"}, {"open_gaps_at_close", "Gaps open at close", "text"},
				{"gaps_at_stake_at_close", "At stake at close", "money"}, {"changes_since", "Changes since", "text"},
				{"revenue_change", "Revenue change", "money"}, {"invoiced_change", "Invoiced change", "money"},
				{"hours_change", "Hours change", "hours"}, {"reopen_reason", "Reopened because", "wrap"},
			},
		},
		{
			ID: "restatements", Title: "Restatements since close", Report: "restatements", Kind: "table", Totals: true,
			Note: "Each change to a closed month since it was closed: late, edited or deleted time, invoices added, edited, voided or credited, and what the entries do not explain per project. A project's revenue changes add up to its change. `conflux restatements` prints the same.",
			Columns: []Column{
				{"month", "Month", "text"}, {"cause", "Cause", "text"}, {"project", "Project", "text"}, {"client", "Client", "text"},
				{"person", "Person", "text"}, {"record_date", "Date", "text"}, {"hours_change", "Hours", "hours"},
				{"revenue_change", "Revenue", "money"}, {"cost_change", "Cost", "money"}, {"invoiced_change", "Invoiced", "money"},
				{"detail", "What changed", "wrap"}, {"changed_at", "Changed in the tool", "text"}, {"source_url", "Source", "url"},
			},
		},
		{
			ID: "month_compare", Title: "The last full month, month on month and year on year", Report: "month_compare", Kind: "table",
			Note: "Earned revenue, labour cost, margin, invoiced and collected in the last month that has ended, beside the month before and the same month last year.",
			Columns: []Column{
				{"measure", "", "text"}, {"month", "Month", "text"}, {"this_month_shown", "This month", "text"}, {"previous_month_shown", "Month before", "text"},
				{"change_month_shown", "Change", "text"}, {"same_month_last_year_shown", "A year before", "text"}, {"change_year_shown", "Change on a year", "text"},
			},
		},
		{
			ID: "pnl", Title: "Revenue, cost and margin by month", Report: "finance_monthly", Kind: "bar", X: "period", Drill: "month", DrillTo: "/pnl", Grain: "month",
			Note:    "Earned revenue (T&M and retainers at the stamped rates, fixed fees by percent complete against the estimate at completion), cost of hours, and margin.",
			Series:  []Series{{"revenue", "Revenue"}, {"cost", "Cost"}, {"margin", "Margin"}},
			Filters: []string{"from", "to", "client", "currency"},
		},
		{
			ID: "realization", Title: "Margin % and invoiced ÷ earned by month", Report: "finance_monthly", Kind: "line", X: "period", Drill: "month", DrillTo: "/pnl", Grain: "month",
			Note:    "Invoiced ÷ earned above 100% means billing ran ahead of the work (fixed fees billed up front), below it that work waits to be billed.",
			Series:  []Series{{"margin_pct", "Margin %"}, {"invoiced_to_earned", "Realization (invoiced ÷ earned)"}},
			Filters: []string{"from", "to", "client", "currency"}, Percent: true,
		},
		{
			ID: "aging", Title: "Unbilled billable time by age", Report: "unbilled_aging", Kind: "bar", X: "bucket",
			Note:    "T&M and retainer time on no invoice; over 30 days old it is gap C01 on the Ops page.",
			Series:  []Series{{"unbilled", "Unbilled"}},
			Filters: []string{"client", "currency"},
		},
		{
			ID: "clients", Title: "Client profitability", Report: "client_profitability", Kind: "table", Grain: "month", Totals: true,
			Ratios:  map[string][2]string{"margin_pct": {"margin", "revenue"}},
			Note:    "Lowest margin % first, over the period. Click a heading to sort.",
			Filters: []string{"from", "to"},
			Columns: []Column{
				{"client", "Client", "client"}, {"hours", "Hours", "hours"}, {"revenue", "Revenue", "money"}, {"cost", "Cost", "money"},
				{"margin", "Margin", "money"}, {"margin_pct", "Margin %", "pct"}, {"invoiced", "Invoiced", "money"},
			},
		},
		{
			ID: "client_trend", Title: "Client margin by month", Report: "client_margin_trend", Kind: "heatmap", X: "period", Y: "client",
			Drill: "client_month", DrillTo: "/pnl", Grain: "month", Percent: true,
			Heat:    &HeatScale{Min: -25, Max: 75, Colors: []string{"#b91c1c", "#fecaca", "#ffffff", "#bbf7d0", "#15803d"}},
			Note:    "Margin % (contribution ÷ revenue) of the twelve clients with most revenue, per month: red loses money, green earns it. A cell opens that client's project-months.",
			Series:  []Series{{"margin_pct", "Margin %"}},
			Filters: []string{"from", "to", "currency"},
		},
		{
			ID: "profitability", Title: "Project profitability", Report: "project_profitability", Kind: "table", Totals: true,
			Ratios:  map[string][2]string{"contribution_pct": {"contribution", "agi"}},
			Note:    "Contribution = AGI − labour − direct non-labour, % of AGI; fully loaded after overhead per worked hour. Click a heading to sort.",
			Filters: []string{"client", "currency"},
			Columns: []Column{
				{"project", "Project", "project"}, {"client", "Client", "client"}, {"billing_model", "Billing", "billing"},
				{"hours", "Hours", "hours"}, {"revenue", "Revenue", "money"}, {"agi", "AGI", "money"}, {"labour", "Labour", "money"},
				{"contribution", "Contribution", "money"}, {"contribution_pct", "Margin %", "pct"}, {"fully_loaded", "Fully loaded", "money"},
				{"billing_realization", "Realization", "pct"}, {"collection_realization", "Collected", "pct"}, {"effective_rate", "Effective rate", "rate"},
				{"wip", "WIP", "money"}, {"deferred", "Deferred", "money"}, {"source_url", "Source", "url"},
			},
		},
		{
			ID: "teams", Title: "Team profitability", Report: "team_profitability", Kind: "table", Grain: "month", Totals: true,
			Ratios:  map[string][2]string{"contribution_pct": {"contribution", "agi"}},
			Note:    "Revenue shared among teams by their hours on each project-month; labour is the team's own cost.",
			Filters: []string{"from", "to"},
			Columns: []Column{
				{"team", "Team", "team"}, {"hours", "Hours", "hours"}, {"billable_h", "Billable h", "hours"}, {"revenue", "Revenue", "money"},
				{"agi", "AGI", "money"}, {"labour", "Labour", "money"}, {"contribution", "Contribution", "money"}, {"contribution_pct", "Margin %", "pct"},
			},
		},
		{
			ID: "agency", Title: "Agency P&L by month", Report: "agency_pnl", Kind: "table", Grain: "month", Totals: true,
			Ratios:  map[string][2]string{"delivery_margin_pct": {"delivery_margin", "agi"}, "operating_margin_pct": {"operating_profit", "agi"}},
			Note:    "Delivery payroll less what projects absorbed is unabsorbed cost (bench, time off, internal time); operating overhead from finance.monthly_overhead. The running month counts up to the last day of data, its payroll and overhead too (its share of the month's weekdays).",
			Filters: []string{"from", "to"},
			Columns: []Column{
				{"period", "Month", "text"}, {"revenue", "Revenue", "money"}, {"agi", "AGI", "money"},
				{"delivery_payroll", "Delivery payroll", "money"}, {"absorbed", "Absorbed", "money"}, {"unabsorbed", "Unabsorbed", "money"},
				{"delivery_margin", "Delivery margin", "money"}, {"delivery_margin_pct", "Delivery margin %", "pct"},
				{"operating_overhead", "Overhead", "money"}, {"operating_profit", "Operating profit", "money"}, {"operating_margin_pct", "Operating margin %", "pct"},
			},
		},
		{
			ID: "revenue_forecast", Section: "Ahead", Title: "Revenue forecast, next 6 months", Report: "revenue_forecast", Kind: "stacked_bar", X: "period",
			Note:    "Earned so far this month, then what the plan says each billing model will earn: T&M and retainers by booked hours × rates, fixed fees by percent complete as bookings are worked; the open pipeline weighted by probability on top (not yet won); the line is the same month last year.",
			Series:  []Series{{"earned_so_far", "Earned so far"}, {"tm", "T&M"}, {"fixed_fee", "Fixed fee"}, {"retainer", "Retainer"}, {"pipeline_weighted", "Pipeline (weighted)"}, {"last_year", "Last year"}},
			Lines:   []string{"last_year"},
			Filters: []string{"client", "currency"},
		},
		{
			ID: "cash", Section: "Cash", Title: "Cash today", Report: "cash_kpis", Kind: "table",
			Note:    "From the ledger, in the reporting currency, gross of tax as clients pay. DSO: receivables ÷ the last 90 days' invoicing × 90. Days to pay: weighed by amount, over the last 365 days.",
			Columns: []Column{{"kpi", "", "drill"}, {"shown", "", "text"}},
		},
		{
			ID: "forecast", Title: "13-week cash forecast", Report: "cash_forecast", Kind: "stacked_bar", X: "iso_week",
			Note:   "Open invoices on the day each client usually pays, work still to bill (T&M and retainers monthly, fixed-fee balances on the last booked day) paid the same way; payroll on the 25th, overhead on the 1st. A movement, not a balance: the bank's opening balance is not known here.",
			Series: []Series{{"receivables_in", "Receivables"}, {"billing_in", "Billing to come"}, {"payroll_out", "Payroll"}, {"overhead_out", "Overhead"}},
		},
		{
			ID: "ar_aging", Title: "Receivables by client and age", Report: "receivables_aging", Kind: "table", Totals: true,
			Note:    "What each client owes by days past the due date, most overdue first; days to pay and days late (against the client's terms) over the last 365 days.",
			Filters: []string{"client", "currency"},
			Columns: []Column{
				{"client", "Client", "receivables"}, {"current", "Not yet due", "money"}, {"overdue_1_30", "1–30 days", "money"}, {"overdue_31_60", "31–60", "money"},
				{"overdue_61_90", "61–90", "money"}, {"overdue_90_plus", "90+", "money"}, {"total", "Total", "money"},
				{"days_to_pay", "Days to pay", "text"}, {"days_late", "Days late", "text"},
			},
		},
		{
			ID: "overdue", Title: "Overdue invoices", Report: "open_invoices", Kind: "table", Totals: true,
			Params:  map[string]string{"overdue": "true"},
			Note:    "Past their due date and not paid, most overdue first. Source opens the invoice in the ledger.",
			Filters: []string{"client", "currency"},
			Columns: []Column{
				{"client", "Client", "text"}, {"number", "Number", "text"}, {"due_date", "Due", "text"}, {"days_overdue", "Days overdue", "text"},
				{"outstanding_reporting", "Owed", "money"}, {"source_url", "Source", "url"},
			},
		},
		{
			ID: "collections", Title: "Invoiced and collected by month", Report: "cash_monthly", Kind: "bar", X: "period", Drill: "month", DrillTo: "/payments", Grain: "month",
			DrillSeries: map[string]string{"invoiced_gross": ""},
			Note:        "Documents issued (with tax) and payments received per month; DSO at each month's end is in the export.",
			Series:      []Series{{"invoiced_gross", "Invoiced"}, {"collected", "Collected"}},
			Filters:     []string{"from", "to"},
		},
		{
			ID: "budgets", Section: "Budgets", Title: "Budgets at risk", Report: "budgets_at_risk", Kind: "table",
			Note:    "Metrics §6.6 bands: red when 90% is used, the estimate at completion is over 110% or the budget is spent; amber from 75%, over 100% at completion, or burn 15 points ahead of progress.",
			Filters: []string{"client", "currency"},
			Columns: []Column{
				{"project", "Project", "project"}, {"client", "Client", "client"}, {"budget_unit", "Unit", "text"},
				{"budget", "Budget", "rate"}, {"consumed", "Used", "rate"}, {"budget_used_pct", "Used %", "pct"},
				{"burn_per_week", "Burn / week", "rate"}, {"runway_weeks", "Runway (weeks)", "text"},
				{"eac", "EAC", "rate"}, {"vac", "VAC", "rate"}, {"status", "Status", "text"}, {"source_url", "Source", "url"},
			},
		},
	},
}

// leadership is the weekly read: the week's KPIs against the week before
// and the four before it, the utilization trend, and the projects most at
// risk with the reasons.
var leadership = Dashboard{
	Slug:  "leadership",
	Path:  "/leadership",
	Title: "Leadership weekly",
	Panels: []Panel{
		{
			ID: "kpis", Title: "The week's KPIs", Report: "leadership_kpis", Kind: "table",
			Note: "The last week with time logged against the week before, the average of the four before it and the same week a year ago. Pipeline, gaps, overdue receivables and DSO are today's. Each KPI opens the rows behind it.",
			Columns: []Column{
				{"kpi", "KPI", "drill"}, {"covers", "Covers", "text"}, {"this_week_shown", "This week", "text"}, {"previous_week_shown", "Previous week", "text"},
				{"trailing_4_weeks_shown", "4-week average", "text"}, {"change_shown", "Change", "text"},
				{"same_week_last_year_shown", "Same week last year", "text"}, {"change_year_shown", "Change on last year", "text"},
			},
		},
		{
			ID: "trend", Title: "Utilization trend", Report: "utilization_weekly", Kind: "line", X: "iso_week", Drill: "week",
			DrillParams: map[string]string{"delivery": "true"},
			Note:        "Billable and total hours over available hours, delivery staff, ratio of sums.",
			Series:      []Series{{"billable_util", "Billable utilization"}, {"total_util", "Total utilization"}},
			Filters:     []string{"from", "to", "team"}, Percent: true,
		},
		{
			ID: "capacity", Title: "Capacity vs booked vs pipeline, next 12 weeks", Report: "capacity_weekly", Kind: "line", X: "iso_week",
			Note:    "Available hours against confirmed bookings, the forecast (plus tentative bookings and deal demand weighted by probability) and the exposure if every open deal closed.",
			Series:  []Series{{"available_h", "Available"}, {"confirmed_h", "Confirmed"}, {"forecast_h", "Forecast"}, {"exposure_h", "Exposure"}},
			Filters: []string{"team"},
		},
		{
			ID: "revenue_forecast", Title: "Revenue forecast, next 6 months", Report: "revenue_forecast", Kind: "stacked_bar", X: "period",
			Note:   "What the plan says the work will earn each month (booked hours × rates, fixed fees by percent complete), the weighted pipeline on top, and last year's line.",
			Series: []Series{{"earned_so_far", "Earned so far"}, {"tm", "T&M"}, {"fixed_fee", "Fixed fee"}, {"retainer", "Retainer"}, {"pipeline_weighted", "Pipeline (weighted)"}, {"last_year", "Last year"}},
			Lines:  []string{"last_year"},
		},
		{
			ID: "risk", Title: "Projects most at risk", Report: "projects_at_risk", Kind: "table",
			Note: "Running projects with open gaps, a budget past 90% or a margin under 20%, most at stake first.",
			Columns: []Column{
				{"project", "Project", "project"}, {"client", "Client", "client"}, {"billing_model", "Billing", "billing"},
				{"budget_used_pct", "Budget used", "pct"}, {"gaps_at_stake", "Gaps at stake", "money"}, {"why", "Why", "text"},
				{"source_url", "Source", "url"},
			},
		},
		{
			ID: "accuracy", Title: "How good are our forecasts", Report: "forecast_accuracy", Kind: "table",
			Note: "Each forecast held against what happened once its time came: bookings against hours worked, the revenue forecast against revenue earned (1, 4 and 12 weeks ahead), and projects' estimates at completion at 25, 50 and 75% of budget used. Bias below zero means the forecast understated; calibration is what to multiply a forecast by (the capacity plan's corrected hours are in the capacity export).",
			Columns: []Column{
				{"measure", "Forecast", "text"}, {"horizon", "Made", "text"}, {"segment", "Of", "text"}, {"n", "Forecasts", "text"},
				{"bias_pct", "Bias %", "text"}, {"mape_pct", "MAPE %", "text"}, {"calibration", "Calibration", "text"},
				{"forecast_total", "Forecast", "text"}, {"actual_total", "Actual", "text"},
			},
		},
	},
}

// capacity is for whoever staffs the work: who is over- or under-booked in
// the coming weeks, what sits on the bench, and what the pipeline will ask of
// each role.
var capacity = Dashboard{
	Slug:  "capacity",
	Path:  "/capacity",
	Title: "Capacity",
	Panels: []Panel{
		{
			ID: "heatmap", Title: "Scheduled utilization, people × weeks", Report: "schedule_heatmap", Kind: "heatmap", X: "iso_week", Y: "person", Drill: "person_week", DrillTo: "/bookings",
			Note:    "Booked ÷ available hours, next 12 weeks: red above 100% (overbooked), blue under 75% (bench). Bookings come from the planning tool (Harvest Forecast or Productive); without one every week is empty.",
			Series:  []Series{{"sched_util", "Scheduled utilization"}},
			Filters: []string{"team"}, Percent: true,
		},
		{
			ID: "plan", Title: "Capacity vs booked vs pipeline demand", Report: "capacity_weekly", Kind: "line", X: "iso_week", Drill: "week",
			DrillTo: "/bookings", DrillSeries: map[string]string{"available_h": "", "forecast_h": "/deals", "exposure_h": "/deals"},
			DrillParams: map[string]string{"tentative": "false"},
			Note:        "Estii's three lines over available hours: confirmed bookings, the forecast with tentative bookings and probability-weighted deal demand, and the exposure if every open deal closed.",
			Series:      []Series{{"available_h", "Available"}, {"confirmed_h", "Confirmed"}, {"forecast_h", "Forecast"}, {"exposure_h", "Exposure"}},
			Filters:     []string{"team"},
		},
		{
			ID: "bench", Title: "Bench and overbooking by week", Report: "bench_weekly", Kind: "bar", X: "iso_week",
			Note:    "Unbooked available hours of delivery staff, and hours booked beyond a day's availability — both per day, then summed.",
			Series:  []Series{{"bench_h", "Bench hours"}, {"overbooked_h", "Overbooked hours"}},
			Filters: []string{"team"},
		},
		{
			ID: "bench_people", Title: "On the bench, next 4 weeks", Report: "bench_people", Kind: "table", Totals: true,
			Note:    "Delivery staff with unbooked time from this week, most first; a name opens their bookings.",
			Filters: []string{"team"},
			Ratios:  map[string][2]string{"bench_pct": {"bench_h", "available_h"}},
			Columns: []Column{
				{"person", "Person", "bookings"}, {"team", "Team", "text"}, {"available_h", "Available", "hours"},
				{"booked_h", "Booked", "hours"}, {"bench_h", "Bench", "hours"}, {"bench_pct", "Bench %", "pct"},
			},
		},
		{
			ID: "roles", Title: "Demand by role, next 12 weeks", Report: "demand_by_role", Kind: "table",
			Note: "Gap = available − forecast; a role short by more than 10% three weeks running signals hiring or subcontracting. Deal hours: the estimate in pipeline.deals, else amount ÷ pipeline.blended_rate split by pipeline.role_mix.",
			Columns: []Column{
				{"role", "Role", "text"}, {"available_h", "Available", "hours"}, {"confirmed_h", "Confirmed", "hours"},
				{"pipeline_weighted_h", "Pipeline (weighted)", "hours"}, {"forecast_h", "Forecast", "hours"}, {"exposure_h", "Exposure", "hours"},
				{"gap_h", "Gap", "hours"}, {"forecast_pct", "Forecast %", "pct"}, {"weeks_short", "Weeks short", "text"}, {"signal", "Signal", "text"},
			},
		},
	},
}
