package demo

import (
	"fmt"
	"strconv"
)

// Split is how an agency with two time tools logs its hours: developers and
// QA engineers log Jira worklogs, everyone else logs in Harvest. Harvest for
// Jira copies some worklogs into Harvest with an external_reference to the
// worklog, and a few are typed into Harvest again by hand — the same hour in
// two tools, which Conflux must count once (and report as C34).
type Split struct {
	InJira   map[int64]bool // people (by id) who log in Jira
	Mirrored map[int64]bool // entries (by id) Harvest for Jira also put in Harvest
	Doubled  map[int64]bool // entries (by id) also typed into Harvest by hand
}

// JiraRoles are the roles that log their time in Jira in a split agency.
var JiraRoles = []string{"Developer", "QA Engineer"}

// splitCopyID is added to an entry's id for its copy in Harvest.
const splitCopyID = 1_000_000_000

// SplitHarvestJira makes the agency log its time in Harvest and Jira: every
// twentieth worklog of a Jira person (5%) is mirrored into Harvest with a
// reference, and doubled (at most) of their billable entries are typed into
// Harvest again with none. The generator's truth stays each hour once.
func (a *Agency) SplitHarvestJira(doubled int) *Split {
	s := &Split{InJira: map[int64]bool{}, Mirrored: map[int64]bool{}, Doubled: map[int64]bool{}}
	for _, p := range a.People {
		for _, r := range JiraRoles {
			if p.Role == r {
				s.InJira[p.ID] = true
			}
		}
	}
	n := 0
	for _, e := range a.Entries {
		if !s.InJira[e.PersonID] {
			continue
		}
		n++
		switch {
		case n%20 == 7:
			s.Mirrored[e.ID] = true
		case n%97 == 50 && e.Billable && len(s.Doubled) < doubled:
			s.Doubled[e.ID] = true
		}
	}
	a.Split = s
	return s
}

// jiraIssue is the id and key of the Jira issue an entry's project and task
// are (see LoadJira).
func (a *Agency) jiraIssue(e Entry) (id, key string) {
	n := 0
	for i, t := range a.Tasks {
		if t.ID == e.TaskID {
			n = i + 1
		}
	}
	return strconv.FormatInt(e.ProjectID*100+e.TaskID, 10), fmt.Sprintf("P%d-%d", e.ProjectID, n)
}

// inHarvest says whether the entry is in Harvest, and under which id.
func (a *Agency) inHarvest(e Entry) (int64, bool) {
	s := a.Split
	switch {
	case s == nil || !s.InJira[e.PersonID]:
		return e.ID, true
	case s.Mirrored[e.ID] || s.Doubled[e.ID]:
		return e.ID + splitCopyID, true
	}
	return 0, false
}

// inJira says whether the entry is a Jira worklog.
func (a *Agency) inJira(e Entry) bool { return a.Split == nil || a.Split.InJira[e.PersonID] }
