package demo

import (
	"fmt"
	"strconv"
	"time"

	jf "github.com/conflux-dev/conflux/connectors/jira/jirafake"
)

// The demo Jira site's credentials.
const (
	JiraEmail = "demo@northwind.example"
	JiraToken = "demo-jira-token"
)

// JiraCloudID is the demo Jira site's cloud id, which integrations name.
const JiraCloudID = "a436116f-02ce-4520-8fbb-7301462a1674"

// JiraAccount is a person's Atlassian account id in the demo.
func JiraAccount(id int64) string { return fmt.Sprintf("5b10a2844c2016570%07d", id) }

// LoadJira serves the agency through a Jira fake: each project a Jira
// project (the internal ones in an "Internal" category), each of its tasks an
// issue, each time entry a worklog started at 09:00 London time on its day.
func (a *Agency) LoadJira(f *jf.Server) {
	site := "https://northwind.atlassian.net/rest/api/3"
	var users []jf.User
	for _, p := range a.People {
		users = append(users, jf.User{AccountID: JiraAccount(p.ID), AccountType: "atlassian", DisplayName: p.First + " " + p.Last,
			EmailAddress: p.Email, Active: true, TimeZone: "Europe/London"})
	}
	users = append(users, jf.User{AccountID: "557058:automation", AccountType: "app", DisplayName: "Automation for Jira", Active: true})
	f.SetUsers(users)
	var projects []jf.Project
	var issues []jf.Issue
	stamp := jiraTime(a.Start.Add(9 * time.Hour))
	for _, p := range a.Projects {
		jp := jf.Project{ID: strconv.FormatInt(p.ID, 10), Key: fmt.Sprintf("P%d", p.ID), Name: p.Name, Archived: !p.Active}
		if p.Billing == NonBillable {
			jp.ProjectCategory = &jf.Category{ID: "10001", Name: "Internal"}
		} else {
			jp.ProjectCategory = &jf.Category{ID: "10000", Name: "Client work"}
		}
		projects = append(projects, jp)
		for n, t := range a.Tasks {
			var is jf.Issue
			is.ID = strconv.FormatInt(p.ID*100+t.ID, 10)
			is.Key = fmt.Sprintf("%s-%d", jp.Key, n+1)
			is.Self = site + "/issue/" + is.ID
			is.Fields.Summary = t.Name
			is.Fields.Project.ID, is.Fields.Project.Key, is.Fields.Project.Name = jp.ID, jp.Key, jp.Name
			is.Fields.IssueType.Name = "Task"
			is.Fields.Status.Name = "In Progress"
			is.Fields.Created, is.Fields.Updated = stamp, stamp
			issues = append(issues, is)
		}
	}
	f.SetProjects(projects)
	f.PutIssues(issues)

	type day struct {
		person int64
		date   time.Time
	}
	offset := map[day]time.Duration{}
	names := map[int64]string{}
	for _, p := range a.People {
		names[p.ID] = p.First + " " + p.Last
	}
	logs := make([]jf.Worklog, 0, len(a.Entries))
	for _, e := range a.Entries {
		if !a.inJira(e) {
			continue
		}
		k := day{e.PersonID, e.Date}
		start := time.Date(e.Date.Year(), e.Date.Month(), e.Date.Day(), 9, 0, 0, 0, London).Add(offset[k])
		dur := time.Duration(e.Quarters) * 15 * time.Minute
		offset[k] += dur
		issue := strconv.FormatInt(e.ProjectID*100+e.TaskID, 10)
		id := strconv.FormatInt(e.ID, 10)
		logs = append(logs, jf.Worklog{Self: site + "/issue/" + issue + "/worklog/" + id, ID: id, IssueID: issue,
			Author:  jf.Author{AccountID: JiraAccount(e.PersonID), DisplayName: names[e.PersonID], Active: true},
			Started: jiraTime(start), TimeSpentSeconds: int64(dur.Seconds()), TimeSpent: fmt.Sprintf("%dm", int(dur.Minutes())),
			Created: jiraTime(e.Created), Updated: jiraTime(e.Created)})
	}
	f.PutWorklogs(logs)
}

func jiraTime(t time.Time) string { return t.In(London).Format(jf.TimeLayout) }
