package togglfake

import "time"

// The types follow Toggl Track API v9 and Reports API v3 for the fields
// Conflux reads. Rates are major units in v9 and cents in Reports v3.

// Workspace is GET /workspaces/{wid}.
type Workspace struct {
	ID                int64    `json:"id"`
	OrganizationID    int64    `json:"organization_id"`
	Name              string   `json:"name"`
	DefaultCurrency   string   `json:"default_currency"`
	DefaultHourlyRate *float64 `json:"default_hourly_rate"`
}

// WorkspaceUser is an element of GET /organizations/{oid}/workspaces/{wid}/workspace_users.
type WorkspaceUser struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Active    bool      `json:"active"`
	Admin     bool      `json:"admin"`
	Rate      *float64  `json:"rate"`
	LaborCost *float64  `json:"labor_cost"`
	Timezone  string    `json:"timezone"`
	At        time.Time `json:"at"`
}

// Client is an element of GET /workspaces/{wid}/clients.
type Client struct {
	ID       int64     `json:"id"`
	WID      int64     `json:"wid"`
	Name     string    `json:"name"`
	Archived bool      `json:"archived"`
	At       time.Time `json:"at"`
}

// Project is an element of GET /workspaces/{wid}/projects.
type Project struct {
	ID               int64      `json:"id"`
	WorkspaceID      int64      `json:"workspace_id"`
	ClientID         *int64     `json:"client_id"`
	Name             string     `json:"name"`
	Active           bool       `json:"active"`
	Billable         *bool      `json:"billable"`
	Rate             *float64   `json:"rate"`
	Currency         *string    `json:"currency"`
	FixedFee         *float64   `json:"fixed_fee"`
	EstimatedSeconds *int64     `json:"estimated_seconds"`
	StartDate        string     `json:"start_date"`
	EndDate          *string    `json:"end_date"`
	At               time.Time  `json:"at"`
	ServerDeletedAt  *time.Time `json:"server_deleted_at"`
}

// Task is an element of GET /workspaces/{wid}/tasks.
type Task struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	ProjectID   int64     `json:"project_id"`
	WorkspaceID int64     `json:"workspace_id"`
	Active      bool      `json:"active"`
	At          time.Time `json:"at"`
}

// ReportEntry is one time entry inside a Reports v3 row.
type ReportEntry struct {
	ID      int64     `json:"id"`
	Seconds int64     `json:"seconds"`
	Start   time.Time `json:"start"`
	Stop    time.Time `json:"stop"`
	At      time.Time `json:"at"`
}

// ReportRow is one row of POST /reports/api/v3/workspace/{wid}/search/time_entries
// (ungrouped: one time entry per row).
type ReportRow struct {
	UserID                int64         `json:"user_id"`
	Username              string        `json:"username"`
	ProjectID             *int64        `json:"project_id"`
	TaskID                *int64        `json:"task_id"`
	Billable              bool          `json:"billable"`
	Description           string        `json:"description"`
	TagIDs                []int64       `json:"tag_ids"`
	HourlyRateInCents     *int64        `json:"hourly_rate_in_cents"`
	BillableAmountInCents *int64        `json:"billable_amount_in_cents"`
	Currency              string        `json:"currency"`
	RowNumber             int64         `json:"row_number"`
	TimeEntries           []ReportEntry `json:"time_entries"`
}
