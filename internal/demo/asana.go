package demo

import (
	"fmt"
	"time"

	af "github.com/conflux-dev/conflux/connectors/asana/asanafake"
)

// The demo Asana workspace and its token.
const (
	AsanaToken     = "demo-asana-token"
	AsanaWorkspace = "1100000000000001"
)

// AsanaGID turns a generator id into an Asana gid; kind keeps users,
// projects, tasks and entries apart.
func AsanaGID(kind int, id int64) string { return fmt.Sprintf("1%d%014d", kind, id) }

// LoadAsana serves the agency through an Asana fake: users, projects (the
// internal ones in the "Internal" team), a task per project and task kind,
// each person's rate on each project, and every entry as minutes on its day.
func (a *Agency) LoadAsana(f *af.Server) {
	var users []af.User
	for _, p := range a.People {
		users = append(users, af.User{GID: AsanaGID(1, p.ID), ResourceType: "user", Name: p.First + " " + p.Last, Email: p.Email})
	}
	f.SetUsers(users)
	internal := &af.Ref{GID: AsanaGID(9, 1), ResourceType: "team", Name: "Internal"}
	clientTeam := &af.Ref{GID: AsanaGID(9, 2), ResourceType: "team", Name: "Delivery"}
	var projects []af.Project
	var tasks []af.Task
	var rates []af.Rate
	for _, p := range a.Projects {
		ap := af.Project{GID: AsanaGID(2, p.ID), ResourceType: "project", Name: p.Name, Archived: !p.Active, StartOn: dateStr(p.Start),
			Team: clientTeam, ModifiedAt: p.Start.Add(8 * time.Hour).Format(time.RFC3339)}
		if p.Billing == NonBillable {
			ap.Team = internal
		}
		projects = append(projects, ap)
		ref := af.Ref{GID: ap.GID, ResourceType: "project", Name: p.Name}
		for _, t := range a.Tasks {
			tasks = append(tasks, af.Task{GID: AsanaGID(3, p.ID*100+t.ID), ResourceType: "task", Name: t.Name, Projects: []af.Ref{ref}, ModifiedAt: ap.ModifiedAt})
		}
		for _, person := range a.People {
			rates = append(rates, af.Rate{GID: AsanaGID(4, p.ID*10000+person.ID), ResourceType: "rate", Parent: ref,
				Resource: af.Ref{GID: AsanaGID(1, person.ID), ResourceType: "user"}, Rate: float64(person.BillRate), CurrencyCode: "GBP"})
		}
	}
	f.SetProjects(projects)
	f.SetTasks(tasks)
	f.SetRates(rates)
	entries := make([]af.TimeEntry, 0, len(a.Entries))
	for _, e := range a.Entries {
		status := "nonBillable"
		if e.Billable {
			status = "billable"
		}
		entries = append(entries, af.TimeEntry{GID: AsanaGID(5, e.ID), ResourceType: "time_tracking_entry", DurationMinutes: e.Quarters * 15,
			EnteredOn: dateStr(e.Date), CreatedBy: af.Ref{GID: AsanaGID(1, e.PersonID), ResourceType: "user"},
			Task:           &af.Ref{GID: AsanaGID(3, e.ProjectID*100+e.TaskID), ResourceType: "task"},
			AttributableTo: &af.Ref{GID: AsanaGID(2, e.ProjectID), ResourceType: "project"},
			BillableStatus: status, ApprovalStatus: "APPROVED", CreatedAt: e.Created.Format(time.RFC3339)})
	}
	f.SetEntries(entries)
}
