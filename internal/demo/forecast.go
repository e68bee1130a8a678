package demo

import (
	"time"

	ff "github.com/conflux-dev/conflux/connectors/forecast/forecastfake"
)

// ForecastAccount is the Forecast fake's account; Forecast accepts the Harvest token.
const ForecastAccount = "7654321"

// LoadForecast serves the agency's plan through the Harvest Forecast fake:
// its people and projects carry their Harvest ids, and each booking is an
// assignment (Forecast has no tentative flag, so tentative ones are left
// out: they exist only in a tool that can say so).
func (a *Agency) LoadForecast(s *ff.Server) {
	stamp := a.Options.End.Format(time.RFC3339)
	var people []ff.Person
	for _, p := range a.People {
		id := p.ID
		people = append(people, ff.Person{ID: p.ID, FirstName: p.First, LastName: p.Last, Email: p.Email, Login: "enabled",
			Roles: []string{p.Role}, WeeklyCapacity: p.WeeklyCapacity * 3600, HarvestUserID: &id, UpdatedAt: stamp})
	}
	var projects []ff.Project
	for _, p := range a.Projects {
		if p.TimeOff || p.Billing == NonBillable {
			continue
		}
		id, client := p.ID, p.ClientID
		start := dateStr(p.Start)
		projects = append(projects, ff.Project{ID: p.ID, Name: p.Name, Code: p.Code, ClientID: &client, HarvestID: &id,
			StartDate: &start, Archived: !p.Active, Tags: []string{}, UpdatedAt: stamp})
	}
	var assignments []ff.Assignment
	var placeholders []ff.Placeholder
	placeholderOf := map[string]int64{}
	for _, b := range a.Bookings {
		if b.Tentative {
			continue
		}
		as := ff.Assignment{ID: b.ID, ProjectID: b.ProjectID,
			StartDate: dateStr(b.Start), EndDate: dateStr(b.End), Allocation: b.MinutesPerDay * 60, UpdatedAt: stamp, UpdatedByID: 1}
		if b.PersonID == 0 {
			id, ok := placeholderOf[b.Role]
			if !ok {
				id = int64(800 + len(placeholders))
				placeholderOf[b.Role] = id
				placeholders = append(placeholders, ff.Placeholder{ID: id, Name: b.Role + " (to hire)", Roles: []string{b.Role}, UpdatedAt: stamp})
			}
			as.PlaceholderID = &id
		} else {
			person := b.PersonID
			as.PersonID = &person
		}
		assignments = append(assignments, as)
	}
	s.SetPlaceholders(placeholders)
	s.SetPeople(people)
	s.SetProjects(projects)
	s.SetAssignments(assignments)
}
