// Package jirafake is an in-process Jira Cloud REST API v3 for tests and the
// demo: basic auth with email and API token, /project/search and
// /users/search with startAt paging, /search/jql with nextPageToken and a
// bounded `updated >=` JQL, and the worklog change feeds (/worklog/updated,
// /worklog/deleted, which skip the last minute) with POST /worklog/list.
package jirafake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/internal/fakeapi"
)

// Times are written as Jira writes them.
const TimeLayout = "2006-01-02T15:04:05.000-0700"

// User is an element of GET /users/search.
type User struct {
	AccountID    string `json:"accountId"`
	AccountType  string `json:"accountType"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress,omitempty"`
	Active       bool   `json:"active"`
	TimeZone     string `json:"timeZone,omitempty"`
}

// Category is a project category.
type Category struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Project is an element of GET /project/search.
type Project struct {
	ID              string    `json:"id"`
	Key             string    `json:"key"`
	Name            string    `json:"name"`
	ProjectCategory *Category `json:"projectCategory,omitempty"`
	Archived        bool      `json:"archived,omitempty"`
}

// Issue is an element of GET /search/jql issues, with the fields asked for.
type Issue struct {
	Self   string `json:"self"`
	ID     string `json:"id"`
	Key    string `json:"key"`
	Fields struct {
		Summary string `json:"summary"`
		Project struct {
			ID   string `json:"id"`
			Key  string `json:"key"`
			Name string `json:"name"`
		} `json:"project"`
		IssueType struct {
			Name string `json:"name"`
		} `json:"issuetype"`
		Status struct {
			Name string `json:"name"`
		} `json:"status"`
		Created              string `json:"created"`
		Updated              string `json:"updated"`
		TimeOriginalEstimate *int64 `json:"timeoriginalestimate"`
	} `json:"fields"`
	updated time.Time
}

// Author is a worklog's author.
type Author struct {
	AccountID   string `json:"accountId"`
	DisplayName string `json:"displayName"`
	Active      bool   `json:"active"`
}

// Worklog is an element of POST /worklog/list.
type Worklog struct {
	Self             string `json:"self"`
	ID               string `json:"id"`
	IssueID          string `json:"issueId"`
	Author           Author `json:"author"`
	Started          string `json:"started"`
	TimeSpentSeconds int64  `json:"timeSpentSeconds"`
	TimeSpent        string `json:"timeSpent"`
	Created          string `json:"created"`
	Updated          string `json:"updated"`
}

type change struct {
	id      int64
	at      time.Time
	deleted bool
}

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	Email, Token string
	// Bearer, when set, accepts OAuth access tokens it approves, under
	// /ex/jira/{CloudID}/rest/api/3 as on api.atlassian.com.
	Bearer  func(token string) bool
	CloudID string
	Now     func() time.Time

	mu       sync.Mutex
	users    []User
	projects []Project
	issues   []Issue // by updated, then id
	worklogs map[int64]Worklog
	changes  []change // by time
	faults   fakeapi.Faults
	requests fakeapi.Requests
}

// New returns an empty fake accepting email and token.
func New(email, token string) *Server {
	return &Server{Email: email, Token: token, Now: time.Now, worklogs: map[int64]Worklog{}}
}

// SetUsers replaces the users.
func (s *Server) SetUsers(v []User) { s.mu.Lock(); s.users = v; s.mu.Unlock() }

// SetProjects replaces the projects.
func (s *Server) SetProjects(v []Project) { s.mu.Lock(); s.projects = v; s.mu.Unlock() }

// PutIssues adds or replaces issues; Fields.Updated must be set.
func (s *Server) PutIssues(v []Issue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	issues := slices.Clone(s.issues)
	for _, is := range v {
		is.updated, _ = time.Parse(TimeLayout, is.Fields.Updated)
		issues = slices.DeleteFunc(issues, func(x Issue) bool { return x.ID == is.ID })
		issues = append(issues, is)
	}
	slices.SortStableFunc(issues, func(a, b Issue) int {
		if c := a.updated.Compare(b.updated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	s.issues = issues
}

// PutWorklogs adds or replaces worklogs, recorded in the updated feed at
// their Updated time.
func (s *Server) PutWorklogs(v []Worklog) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range v {
		id, _ := strconv.ParseInt(w.ID, 10, 64)
		at, _ := time.Parse(TimeLayout, w.Updated)
		s.worklogs[id] = w
		s.changes = append(s.changes, change{id: id, at: at})
	}
	s.sortChanges()
}

// DeleteWorklog removes one, recorded in the deleted feed at `at`.
func (s *Server) DeleteWorklog(at time.Time, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.worklogs, id)
	s.changes = append(s.changes, change{id: id, at: at, deleted: true})
	s.sortChanges()
}

func (s *Server) sortChanges() {
	slices.SortStableFunc(s.changes, func(a, b change) int { return a.at.Compare(b.at) })
}

// CountWorklogs counts the worklogs.
func (s *Server) CountWorklogs() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.worklogs) }

// Fail queues faults for requests whose path starts with prefix.
func (s *Server) Fail(prefix string, f ...Fault) {
	s.faults.Add(prefix, f...)
}

// Requests counts requests whose path starts with prefix.
func (s *Server) Requests(prefix string) int {
	return s.requests.Count(prefix)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErrors(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	urlPath := r.URL.Path
	if s.Bearer != nil && urlPath == "/oauth/token/accessible-resources" {
		if !s.Bearer(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			writeErrors(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		writeJSON(w, 200, []map[string]any{{"id": s.CloudID, "name": "northwind", "url": "https://northwind.atlassian.net", "scopes": []string{"read:jira-work", "read:jira-user"}}})
		return
	}
	user, pass, basic := r.BasicAuth()
	bearer := s.Bearer != nil && strings.HasPrefix(urlPath, "/ex/jira/"+s.CloudID+"/") && s.Bearer(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if !bearer && (!basic || user != s.Email || pass != s.Token) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, "Client must be authenticated to access this resource.")
		return
	}
	path := strings.TrimPrefix(strings.TrimPrefix(urlPath, "/ex/jira/"+s.CloudID), "/rest/api/3")
	s.mu.Lock()
	s.requests.Add(path)
	fault := s.faults.Take(path)
	s.mu.Unlock()
	if fault != nil {
		if fault.Malformed {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"values":[{"worklogId":`)
			return
		}
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		writeErrors(w, fault.Status, http.StatusText(fault.Status))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodGet && path == "/myself":
		writeJSON(w, 200, map[string]any{"accountId": "me", "emailAddress": s.Email})
	case r.Method == http.MethodGet && path == "/project/search":
		start, max := startAt(q, 50, 100)
		end := min(start+max, len(s.projects))
		start = min(start, end)
		writeJSON(w, 200, map[string]any{"startAt": start, "maxResults": max, "total": len(s.projects), "isLast": end >= len(s.projects), "values": s.projects[start:end]})
	case r.Method == http.MethodGet && path == "/users/search":
		start, max := startAt(q, 50, 1000)
		end := min(start+max, len(s.users))
		writeJSON(w, 200, s.users[min(start, end):end])
	case r.Method == http.MethodGet && path == "/search/jql":
		s.search(w, q)
	case r.Method == http.MethodGet && (path == "/worklog/updated" || path == "/worklog/deleted"):
		s.feed(w, q, path == "/worklog/deleted")
	case r.Method == http.MethodPost && path == "/worklog/list":
		var body struct {
			IDs []int64 `json:"ids"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.IDs) > 1000 {
			writeErrors(w, 400, "ids: a list of at most 1000 worklog ids")
			return
		}
		out := []Worklog{}
		for _, id := range body.IDs {
			if wl, ok := s.worklogs[id]; ok {
				out = append(out, wl)
			}
		}
		writeJSON(w, 200, out)
	default:
		writeErrors(w, 404, "Not found")
	}
}

func startAt(q map[string][]string, def, max int) (int, int) {
	start, size := 0, def
	if v := q["startAt"]; len(v) > 0 {
		start, _ = strconv.Atoi(v[0])
	}
	if v := q["maxResults"]; len(v) > 0 {
		size, _ = strconv.Atoi(v[0])
	}
	return max0(start), min(max, max0(size))
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

var updatedClause = regexp.MustCompile(`updated\s*>=\s*"(\d{4}/\d{2}/\d{2} \d{2}:\d{2})"`)

// search pages issues by nextPageToken (an offset here). Only bounded JQL
// (an `updated >=` restriction) is accepted, as on Jira Cloud.
func (s *Server) search(w http.ResponseWriter, q map[string][]string) {
	jql := ""
	if v := q["jql"]; len(v) > 0 {
		jql = v[0]
	}
	m := updatedClause.FindStringSubmatch(jql)
	if m == nil {
		writeErrors(w, 400, "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.")
		return
	}
	since, err := time.Parse("2006/01/02 15:04", m[1])
	if err != nil {
		writeErrors(w, 400, "bad date in JQL")
		return
	}
	offset := 0
	if v := q["nextPageToken"]; len(v) > 0 && v[0] != "" {
		if offset, err = strconv.Atoi(v[0]); err != nil {
			writeErrors(w, 400, "invalid nextPageToken")
			return
		}
	}
	_, max := startAt(q, 50, 5000)
	matched := []Issue{}
	for _, is := range s.issues {
		if !is.updated.Before(since) {
			matched = append(matched, is)
		}
	}
	end := min(offset+max, len(matched))
	out := map[string]any{"issues": matched[min(offset, end):end], "isLast": end >= len(matched)}
	if end < len(matched) {
		out["nextPageToken"] = strconv.Itoa(end)
	}
	writeJSON(w, 200, out)
}

// feed serves /worklog/updated or /worklog/deleted: up to 1000 changes from
// `since` (epoch ms), oldest first, never the last minute.
func (s *Server) feed(w http.ResponseWriter, q map[string][]string, deleted bool) {
	var sinceMs int64
	if v := q["since"]; len(v) > 0 {
		sinceMs, _ = strconv.ParseInt(v[0], 10, 64)
	}
	since := time.UnixMilli(sinceMs)
	horizon := s.Now().Add(-time.Minute)
	type value struct {
		WorklogID   int64 `json:"worklogId"`
		UpdatedTime int64 `json:"updatedTime"`
		Properties  []any `json:"properties"`
	}
	values := []value{}
	until := sinceMs
	last := true
	for _, c := range s.changes {
		if c.deleted != deleted || c.at.Before(since) || !c.at.Before(horizon) {
			continue
		}
		if len(values) == 1000 {
			last = false
			break
		}
		values = append(values, value{WorklogID: c.id, UpdatedTime: c.at.UnixMilli(), Properties: []any{}})
		until = c.at.UnixMilli()
	}
	kind := "updated"
	if deleted {
		kind = "deleted"
	}
	out := map[string]any{"values": values, "since": sinceMs, "until": until, "lastPage": last,
		"self": fmt.Sprintf("https://your-domain.atlassian.net/rest/api/3/worklog/%s?since=%d", kind, sinceMs)}
	if !last {
		out["nextPage"] = fmt.Sprintf("https://your-domain.atlassian.net/rest/api/3/worklog/%s?since=%d", kind, until)
	}
	writeJSON(w, 200, out)
}
