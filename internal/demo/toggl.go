package demo

import (
	"time"

	tf "github.com/conflux-dev/conflux/connectors/toggl/togglfake"
)

// The demo Toggl workspace and its token.
const (
	TogglToken        = "demo-toggl-token"
	TogglWorkspace    = 4001
	TogglOrganization = 9001
)

// TogglWorkspaceInfo is the demo workspace.
var TogglWorkspaceInfo = tf.Workspace{ID: TogglWorkspace, OrganizationID: TogglOrganization, Name: "Northwind Studio", DefaultCurrency: "GBP"}

// LoadToggl serves the agency through a Toggl fake: workspace users with
// rates and labour costs, clients, projects, tasks, and every entry as a
// detailed-report row (seconds; rates in cents), each day from 09:00 London time.
func (a *Agency) LoadToggl(f *tf.Server) {
	stamp := a.Start.Add(9 * time.Hour)
	var users []tf.WorkspaceUser
	for _, p := range a.People {
		users = append(users, tf.WorkspaceUser{ID: 50000 + p.ID, UserID: p.ID, Name: p.First + " " + p.Last, Email: p.Email, Active: true,
			Rate: ptr(float64(p.BillRate)), LaborCost: ptr(float64(p.CostRate)), Timezone: "Europe/London", At: stamp})
	}
	f.SetUsers(users)
	var clients []tf.Client
	for _, c := range a.Clients {
		clients = append(clients, tf.Client{ID: c.ID, WID: TogglWorkspace, Name: c.Name, At: stamp})
	}
	f.SetClients(clients)
	var projects []tf.Project
	var tasks []tf.Task
	for _, p := range a.Projects {
		tp := tf.Project{ID: p.ID, WorkspaceID: TogglWorkspace, ClientID: ptr(p.ClientID), Name: p.Name, Active: p.Active,
			Billable: ptr(p.Billing != NonBillable), Currency: ptr("GBP"), StartDate: dateStr(p.Start), At: p.Start.Add(8 * time.Hour)}
		if p.BudgetHours > 0 {
			tp.EstimatedSeconds = ptr(int64(p.BudgetHours * 3600))
		}
		if p.Billing == FixedFee {
			tp.FixedFee = ptr(p.Fee)
		}
		if !p.End.IsZero() {
			tp.EndDate = ptr(dateStr(p.End))
		}
		projects = append(projects, tp)
		for _, t := range a.Tasks {
			tasks = append(tasks, tf.Task{ID: p.ID*100 + t.ID, Name: t.Name, ProjectID: p.ID, WorkspaceID: TogglWorkspace, Active: true, At: tp.At})
		}
	}
	f.SetProjects(projects)
	f.SetTasks(tasks)

	type day struct {
		person int64
		date   time.Time
	}
	offset := map[day]time.Duration{}
	names := map[int64]string{}
	for _, p := range a.People {
		names[p.ID] = p.First + " " + p.Last
	}
	rows := make([]tf.ReportRow, 0, len(a.Entries))
	for _, e := range a.Entries {
		k := day{e.PersonID, e.Date}
		start := time.Date(e.Date.Year(), e.Date.Month(), e.Date.Day(), 9, 0, 0, 0, London).Add(offset[k]).UTC()
		dur := time.Duration(e.Quarters) * 15 * time.Minute
		offset[k] += dur
		row := tf.ReportRow{UserID: e.PersonID, Username: names[e.PersonID], ProjectID: ptr(e.ProjectID), TaskID: ptr(e.ProjectID*100 + e.TaskID),
			Billable: e.Billable, Currency: "GBP",
			TimeEntries: []tf.ReportEntry{{ID: e.ID, Seconds: int64(dur.Seconds()), Start: start, Stop: start.Add(dur), At: e.Created}}}
		if e.Billable {
			row.HourlyRateInCents = ptr(int64(e.BillRate) * 100)
			row.BillableAmountInCents = ptr(int64(e.Quarters) * int64(e.BillRate) * 25)
		}
		rows = append(rows, row)
	}
	f.PutRows(rows)
}
