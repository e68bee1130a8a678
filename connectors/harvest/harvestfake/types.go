package harvestfake

import "time"

// The types below follow Harvest API v2's JSON field for field, for the
// fields Conflux reads. Money and hours are float64 as Harvest sends them.

// Ref is Harvest's embedded {id, name} reference.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ProjectRef is the embedded project reference on assignments and lines.
type ProjectRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
}

// ClientRef is the embedded client on a project.
type ClientRef struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
}

// Company is GET /company.
type Company struct {
	BaseURI             string `json:"base_uri"`
	FullDomain          string `json:"full_domain"`
	Name                string `json:"name"`
	IsActive            bool   `json:"is_active"`
	WeekStartDay        string `json:"week_start_day"`
	TimeFormat          string `json:"time_format"`
	Clock               string `json:"clock"`
	CurrencyCodeDisplay string `json:"currency_code_display"`
	WeeklyCapacity      int    `json:"weekly_capacity"`
	InvoiceFeature      bool   `json:"invoice_feature"`
	ApprovalFeature     bool   `json:"approval_feature"`
}

// User is an element of GET /users.
type User struct {
	ID                int64     `json:"id"`
	FirstName         string    `json:"first_name"`
	LastName          string    `json:"last_name"`
	Email             string    `json:"email"`
	Timezone          string    `json:"timezone"`
	WeeklyCapacity    int       `json:"weekly_capacity"` // seconds
	IsContractor      bool      `json:"is_contractor"`
	IsActive          bool      `json:"is_active"`
	Roles             []string  `json:"roles"`
	AccessRoles       []string  `json:"access_roles"`
	DefaultHourlyRate *float64  `json:"default_hourly_rate"`
	CostRate          *float64  `json:"cost_rate"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Client is an element of GET /clients.
type Client struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	IsActive  bool      `json:"is_active"`
	Address   string    `json:"address"`
	Currency  string    `json:"currency"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Project is an element of GET /projects.
type Project struct {
	ID                        int64     `json:"id"`
	Client                    ClientRef `json:"client"`
	Name                      string    `json:"name"`
	Code                      string    `json:"code"`
	IsActive                  bool      `json:"is_active"`
	IsBillable                bool      `json:"is_billable"`
	IsFixedFee                bool      `json:"is_fixed_fee"`
	BillBy                    string    `json:"bill_by"`
	HourlyRate                *float64  `json:"hourly_rate"`
	Budget                    *float64  `json:"budget"`
	BudgetBy                  string    `json:"budget_by"`
	BudgetIsMonthly           bool      `json:"budget_is_monthly"`
	CostBudget                *float64  `json:"cost_budget"`
	CostBudgetIncludeExpenses bool      `json:"cost_budget_include_expenses"`
	Fee                       *float64  `json:"fee"`
	Notes                     string    `json:"notes"`
	StartsOn                  *string   `json:"starts_on"`
	EndsOn                    *string   `json:"ends_on"`
	CreatedAt                 time.Time `json:"created_at"`
	UpdatedAt                 time.Time `json:"updated_at"`
}

// Task is an element of GET /tasks.
type Task struct {
	ID                int64     `json:"id"`
	Name              string    `json:"name"`
	BillableByDefault bool      `json:"billable_by_default"`
	DefaultHourlyRate *float64  `json:"default_hourly_rate"`
	IsDefault         bool      `json:"is_default"`
	IsActive          bool      `json:"is_active"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// TaskAssignment is an element of GET /task_assignments.
type TaskAssignment struct {
	ID         int64      `json:"id"`
	Project    ProjectRef `json:"project"`
	Task       Ref        `json:"task"`
	IsActive   bool       `json:"is_active"`
	Billable   bool       `json:"billable"`
	HourlyRate *float64   `json:"hourly_rate"`
	Budget     *float64   `json:"budget"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// UserAssignment is an element of GET /user_assignments.
type UserAssignment struct {
	ID               int64      `json:"id"`
	Project          ProjectRef `json:"project"`
	User             Ref        `json:"user"`
	IsActive         bool       `json:"is_active"`
	IsProjectManager bool       `json:"is_project_manager"`
	UseDefaultRates  bool       `json:"use_default_rates"`
	HourlyRate       *float64   `json:"hourly_rate"`
	Budget           *float64   `json:"budget"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// InvoiceRef is the invoice embedded in a billed time entry.
type InvoiceRef struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
}

// ExternalReference is what an integration logged a time entry against:
// Harvest for Jira puts the Jira issue here (its id, and a permalink to the
// issue or the worklog).
type ExternalReference struct {
	ID             string `json:"id"`
	GroupID        string `json:"group_id"`
	AccountID      string `json:"account_id"`
	Permalink      string `json:"permalink"`
	Service        string `json:"service"`
	ServiceIconURL string `json:"service_icon_url"`
}

// TimeEntry is an element of GET /time_entries.
type TimeEntry struct {
	ID                int64              `json:"id"`
	SpentDate         string             `json:"spent_date"`
	User              Ref                `json:"user"`
	Client            Ref                `json:"client"`
	Project           Ref                `json:"project"`
	Task              Ref                `json:"task"`
	Hours             float64            `json:"hours"`
	HoursWithoutTimer float64            `json:"hours_without_timer"`
	RoundedHours      float64            `json:"rounded_hours"`
	Notes             string             `json:"notes"`
	IsLocked          bool               `json:"is_locked"`
	LockedReason      *string            `json:"locked_reason"`
	IsClosed          bool               `json:"is_closed"`
	IsBilled          bool               `json:"is_billed"`
	IsRunning         bool               `json:"is_running"`
	Invoice           *InvoiceRef        `json:"invoice"`
	ExternalReference *ExternalReference `json:"external_reference"`
	Billable          bool               `json:"billable"`
	Budgeted          bool               `json:"budgeted"`
	BillableRate      *float64           `json:"billable_rate"`
	CostRate          *float64           `json:"cost_rate"`
	CreatedAt         time.Time          `json:"created_at"`
	UpdatedAt         time.Time          `json:"updated_at"`
}

// LineItem is one line of an invoice.
type LineItem struct {
	ID          int64       `json:"id"`
	Project     *ProjectRef `json:"project"`
	Kind        string      `json:"kind"`
	Description string      `json:"description"`
	Quantity    float64     `json:"quantity"`
	UnitPrice   float64     `json:"unit_price"`
	Amount      float64     `json:"amount"`
	Taxed       bool        `json:"taxed"`
	Taxed2      bool        `json:"taxed2"`
}

// Invoice is an element of GET /invoices.
type Invoice struct {
	ID          int64      `json:"id"`
	Client      Ref        `json:"client"`
	Number      string     `json:"number"`
	Amount      float64    `json:"amount"`
	DueAmount   float64    `json:"due_amount"`
	Tax         *float64   `json:"tax"`
	TaxAmount   float64    `json:"tax_amount"`
	Subject     string     `json:"subject"`
	Currency    string     `json:"currency"`
	State       string     `json:"state"`
	PeriodStart *string    `json:"period_start"`
	PeriodEnd   *string    `json:"period_end"`
	IssueDate   string     `json:"issue_date"`
	DueDate     string     `json:"due_date"`
	PaidDate    *string    `json:"paid_date"`
	LineItems   []LineItem `json:"line_items"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Expense is an element of GET /expenses.
type Expense struct {
	ID              int64     `json:"id"`
	Client          Ref       `json:"client"`
	Project         Ref       `json:"project"`
	ExpenseCategory Ref       `json:"expense_category"`
	User            Ref       `json:"user"`
	SpentDate       string    `json:"spent_date"`
	TotalCost       float64   `json:"total_cost"`
	Billable        bool      `json:"billable"`
	IsBilled        bool      `json:"is_billed"`
	Notes           string    `json:"notes"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}
