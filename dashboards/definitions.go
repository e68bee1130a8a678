package dashboards

// Dashboard is a titled list of panels.
type Dashboard struct {
	Slug   string
	Title  string
	Panels []Panel
}

// Panel shows one report as a chart or a table.
type Panel struct {
	ID     string // also the chart's DOM id; a JS identifier
	Title  string
	Note   string
	Report string
	Kind   string // line, stacked_bar, bar, table
	X      string // category column for charts
	Series []Series
	// Columns shown by a table panel.
	Columns []Column
	// Filters names the page filters passed to the report (from, to, team, client).
	Filters []string
	Limit   int // charts: at most this many categories, in report order
	Percent bool
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
	Format string // text, hours, money, pct, date, project (links to the drill page), url
}

var overview = Dashboard{
	Slug:  "overview",
	Title: "Overview",
	Panels: []Panel{
		{
			ID: "utilization", Title: "Utilization by week", Report: "utilization_weekly", Kind: "line", X: "iso_week",
			Note:    "Billable and total hours over available hours (capacity less holidays and time off), delivery staff, ratio of sums.",
			Series:  []Series{{"billable_util", "Billable utilization"}, {"total_util", "Total utilization"}},
			Filters: []string{"from", "to", "team"}, Percent: true,
		},
		{
			ID: "hours", Title: "Billable vs non-billable hours by person", Report: "hours_by_person", Kind: "stacked_bar", X: "person",
			Note:    "Hours worked in the period; time off is not work and is not shown.",
			Series:  []Series{{"billable_h", "Billable"}, {"nonbillable_h", "Non-billable"}},
			Filters: []string{"from", "to", "team"},
		},
		{
			ID: "revenue", Title: "Earned vs invoiced by month", Report: "revenue_monthly", Kind: "bar", X: "period",
			Note:    "Revenue earned from time beside what the ledger invoiced (net of tax and credit notes), in the reporting currency.",
			Series:  []Series{{"revenue", "Earned"}, {"invoiced", "Invoiced"}, {"cost", "Cost"}},
			Filters: []string{"from", "to", "client"},
		},
		{
			ID: "margin", Title: "Project margin (to date)", Report: "project_financials", Kind: "bar", X: "project",
			Note:    "Earned revenue less cost of hours, for the 15 projects with most hours.",
			Series:  []Series{{"revenue", "Revenue"}, {"cost", "Cost"}, {"margin", "Margin"}},
			Filters: []string{"client"}, Limit: 15,
		},
		{
			ID: "burn", Title: "Budget burn (to date)", Report: "project_financials", Kind: "bar", X: "project",
			Note:    "Share of the budget used: hours against an hour budget, else value against a money budget.",
			Series:  []Series{{"budget_used_pct", "Budget used"}},
			Filters: []string{"client"}, Limit: 15, Percent: true,
		},
		{
			ID: "projects", Title: "Projects", Report: "project_financials", Kind: "table",
			Filters: []string{"client"},
			Columns: []Column{
				{"project", "Project", "project"}, {"client", "Client", "text"}, {"billing_model", "Billing", "text"},
				{"hours", "Hours", "hours"}, {"revenue", "Revenue", "money"}, {"cost", "Cost", "money"},
				{"margin", "Margin", "money"}, {"margin_pct", "Margin %", "pct"}, {"invoiced", "Invoiced", "money"},
				{"wip", "WIP", "money"}, {"budget_used_pct", "Budget used", "pct"}, {"currency", "", "text"},
			},
		},
	},
}
