package demo

import (
	"fmt"
	"time"

	cf "github.com/conflux-dev/conflux/connectors/clockify/clockifyfake"
)

// ClockifyKey and ClockifyWorkspace are the demo fake's credentials.
const (
	ClockifyKey       = "demo-clockify-key"
	ClockifyWorkspace = "64a687e29ae1f428e7ebe303"
)

// ClockifyID turns a generator id into a Clockify-style object id.
func ClockifyID(kind byte, id int64) string { return fmt.Sprintf("%c%023x", 'a'+kind%6, id) }

func gbpCents(c int64) *cf.Rate { return &cf.Rate{Amount: c, Currency: "GBP"} }

// London is the demo staff's time zone; Clockify entries are instants, and
// the models date them in the person's zone.
var London = mustZone("Europe/London")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// LoadClockify serves the agency's people, clients, projects, tasks and time
// through a Clockify fake, in Clockify's shapes (rates in cents, entries as
// start and end instants, each day's work from 09:00 London time).
func (a *Agency) LoadClockify(f *cf.Server) {
	ws := ClockifyWorkspace
	uid := func(id int64) string { return ClockifyID(0, id) }
	cid := func(id int64) string { return ClockifyID(1, id) }
	pid := func(id int64) string { return ClockifyID(2, id) }
	tid := func(project, task int64) string { return ClockifyID(3, project*100+task) }

	var users []cf.User
	for _, p := range a.People {
		users = append(users, cf.User{ID: uid(p.ID), Email: p.Email, Name: p.First + " " + p.Last, Status: "ACTIVE",
			ActiveWorkspace: ws, DefaultWorkspace: ws, Settings: cf.UserSettings{TimeZone: "Europe/London", WeekStart: "MONDAY"},
			Memberships: []cf.Membership{{UserID: uid(p.ID), TargetID: ws, MembershipType: "WORKSPACE", MembershipStatus: "ACTIVE",
				HourlyRate: gbpCents(int64(p.BillRate) * 100), CostRate: gbpCents(int64(p.CostRate) * 100)}}})
	}
	f.SetUsers(users)
	clientName := map[int64]string{}
	var clients []cf.Client
	for _, c := range a.Clients {
		clientName[c.ID] = c.Name
		clients = append(clients, cf.Client{ID: cid(c.ID), Name: c.Name, WorkspaceID: ws})
	}
	f.SetClients(clients)
	var projects []cf.Project
	var tasks []cf.Task
	for _, p := range a.Projects {
		cp := cf.Project{ID: pid(p.ID), Name: p.Name, ClientID: cid(p.ClientID), ClientName: clientName[p.ClientID], WorkspaceID: ws,
			Billable: p.Billing != NonBillable, Archived: !p.Active, Public: true}
		if p.BudgetHours > 0 {
			cp.Estimate = &cf.Estimate{Estimate: fmt.Sprintf("PT%dH", int(p.BudgetHours)), Type: "MANUAL"}
		}
		projects = append(projects, cp)
		for _, t := range a.Tasks {
			tasks = append(tasks, cf.Task{ID: tid(p.ID, t.ID), Name: t.Name, ProjectID: pid(p.ID), Status: "ACTIVE", Billable: t.Billable && p.Billing != NonBillable})
		}
	}
	f.SetProjects(projects)
	f.SetTasks(tasks)

	type day struct {
		person int64
		date   time.Time
	}
	offset := map[day]time.Duration{}
	entries := make([]cf.TimeEntry, 0, len(a.Entries))
	var latest time.Time
	for _, e := range a.Entries {
		k := day{e.PersonID, e.Date}
		start := time.Date(e.Date.Year(), e.Date.Month(), e.Date.Day(), 9, 0, 0, 0, London).Add(offset[k]).UTC()
		dur := time.Duration(e.Quarters) * 15 * time.Minute
		offset[k] += dur
		end := start.Add(dur)
		iso := isoDuration(dur)
		task := tid(e.ProjectID, e.TaskID)
		ce := cf.TimeEntry{ID: ClockifyID(4, e.ID), UserID: uid(e.PersonID), ProjectID: pid(e.ProjectID), TaskID: &task, WorkspaceID: ws,
			Type: "REGULAR", Billable: e.Billable, IsLocked: e.InvoiceID != 0, CostRate: gbpCents(int64(e.CostRate) * 100),
			TimeInterval: cf.TimeInterval{Start: start, End: &end, Duration: &iso}}
		if e.Billable {
			ce.HourlyRate = gbpCents(int64(e.BillRate) * 100)
		}
		entries = append(entries, ce)
		latest = maxTime(latest, e.Created)
	}
	f.PutTimeEntries(latest, entries)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// isoDuration writes d as Clockify does, e.g. PT1H30M.
func isoDuration(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("PT%dH%dM", h, m)
	case h > 0:
		return fmt.Sprintf("PT%dH", h)
	}
	return fmt.Sprintf("PT%dM", m)
}
