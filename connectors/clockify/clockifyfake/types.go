package clockifyfake

import "time"

// The types follow Clockify API v1's JSON for the fields Conflux reads.
// Money is integer minor units (cents), as Clockify sends it.

// Rate is an amount in cents with its currency.
type Rate struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Membership ties a user to the workspace or a project, with rates.
type Membership struct {
	UserID           string `json:"userId"`
	TargetID         string `json:"targetId"`
	MembershipType   string `json:"membershipType"` // WORKSPACE, PROJECT
	MembershipStatus string `json:"membershipStatus"`
	HourlyRate       *Rate  `json:"hourlyRate"`
	CostRate         *Rate  `json:"costRate"`
}

// UserSettings holds the user's time zone.
type UserSettings struct {
	TimeZone  string `json:"timeZone"`
	WeekStart string `json:"weekStart"`
}

// User is an element of GET /workspaces/{ws}/users.
type User struct {
	ID               string       `json:"id"`
	Email            string       `json:"email"`
	Name             string       `json:"name"`
	Status           string       `json:"status"` // ACTIVE, INACTIVE
	ActiveWorkspace  string       `json:"activeWorkspace"`
	DefaultWorkspace string       `json:"defaultWorkspace"`
	Memberships      []Membership `json:"memberships"`
	Settings         UserSettings `json:"settings"`
}

// Client is an element of GET /workspaces/{ws}/clients.
type Client struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	WorkspaceID string `json:"workspaceId"`
	Archived    bool   `json:"archived"`
	CurrencyID  string `json:"currencyId,omitempty"`
	Note        string `json:"note"`
}

// Estimate is a project's time estimate, an ISO-8601 duration.
type Estimate struct {
	Estimate string `json:"estimate"`
	Type     string `json:"type"`
}

// BudgetEstimate is a project's money budget in cents.
type BudgetEstimate struct {
	Estimate int64  `json:"estimate"`
	Type     string `json:"type"`
	Active   bool   `json:"active"`
}

// Project is an element of GET /workspaces/{ws}/projects.
type Project struct {
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	ClientID       string          `json:"clientId"`
	ClientName     string          `json:"clientName"`
	WorkspaceID    string          `json:"workspaceId"`
	Billable       bool            `json:"billable"`
	Archived       bool            `json:"archived"`
	Public         bool            `json:"public"`
	HourlyRate     *Rate           `json:"hourlyRate"`
	CostRate       *Rate           `json:"costRate"`
	Estimate       *Estimate       `json:"estimate"`
	BudgetEstimate *BudgetEstimate `json:"budgetEstimate"`
	Memberships    []Membership    `json:"memberships"`
	Note           string          `json:"note"`
}

// Task is an element of GET /workspaces/{ws}/projects/{id}/tasks.
type Task struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	ProjectID   string   `json:"projectId"`
	Status      string   `json:"status"` // ACTIVE, DONE
	Billable    bool     `json:"billable"`
	HourlyRate  *Rate    `json:"hourlyRate"`
	CostRate    *Rate    `json:"costRate"`
	AssigneeIDs []string `json:"assigneeIds"`
}

// TimeInterval is when an entry ran; End is nil while it runs.
type TimeInterval struct {
	Start    time.Time  `json:"start"`
	End      *time.Time `json:"end"`
	Duration *string    `json:"duration"` // ISO-8601, e.g. PT1H30M
}

// TimeEntry is an element of GET /workspaces/{ws}/user/{id}/time-entries.
type TimeEntry struct {
	ID           string       `json:"id"`
	Description  string       `json:"description"`
	UserID       string       `json:"userId"`
	ProjectID    string       `json:"projectId"`
	TaskID       *string      `json:"taskId"`
	WorkspaceID  string       `json:"workspaceId"`
	Type         string       `json:"type"` // REGULAR, BREAK, HOLIDAY, TIME_OFF
	Billable     bool         `json:"billable"`
	IsLocked     bool         `json:"isLocked"`
	TagIDs       []string     `json:"tagIds"`
	HourlyRate   *Rate        `json:"hourlyRate"`
	CostRate     *Rate        `json:"costRate"`
	TimeInterval TimeInterval `json:"timeInterval"`
}
