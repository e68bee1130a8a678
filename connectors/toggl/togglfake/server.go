// Package togglfake is an in-process Toggl Track API v9 and Reports API v3
// for tests and the demo: basic auth with the API token, workspace users,
// clients, projects (with `since` tombstones), tasks, the detailed report
// search paged through X-Next-ID / X-Next-Row-Number, a per-second limit
// answered with 429 and an hourly quota answered with 402.
package togglfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/internal/fakeapi"
)

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	Token     string
	Workspace Workspace
	// RateLimit requests per second (429 above it); HourlyQuota requests per
	// hour (402 above it). 0 disables either.
	RateLimit   int
	HourlyQuota int
	Now         func() time.Time

	mu        sync.Mutex
	users     []WorkspaceUser
	clients   []Client
	projects  []Project
	tasks     []Task
	rows      []ReportRow // by start, then id
	faults    fakeapi.Faults
	second    time.Time
	inSecond  int
	hourStart time.Time
	inHour    int
	requests  fakeapi.Requests
}

// New returns an empty fake.
func New(token string, ws Workspace) *Server {
	return &Server{Token: token, Workspace: ws, RateLimit: 10, Now: time.Now}
}

// SetUsers replaces the workspace users.
func (s *Server) SetUsers(v []WorkspaceUser) { s.mu.Lock(); s.users = v; s.mu.Unlock() }

// SetClients replaces the clients.
func (s *Server) SetClients(v []Client) { s.mu.Lock(); s.clients = v; s.mu.Unlock() }

// SetProjects replaces the projects (deleted ones carry ServerDeletedAt).
func (s *Server) SetProjects(v []Project) { s.mu.Lock(); s.projects = v; s.mu.Unlock() }

// SetTasks replaces the tasks.
func (s *Server) SetTasks(v []Task) { s.mu.Lock(); s.tasks = v; s.mu.Unlock() }

// PutRows adds or replaces time entries (one per row).
func (s *Server) PutRows(v []ReportRow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := make(map[int64]int, len(v)) // a row put twice keeps its last version
	for i, r := range v {
		last[r.TimeEntries[0].ID] = i
	}
	rows := slices.DeleteFunc(slices.Clone(s.rows), func(x ReportRow) bool { _, ok := last[x.TimeEntries[0].ID]; return ok })
	for i, r := range v {
		if last[r.TimeEntries[0].ID] == i {
			rows = append(rows, r)
		}
	}
	slices.SortStableFunc(rows, func(a, b ReportRow) int {
		if c := a.TimeEntries[0].Start.Compare(b.TimeEntries[0].Start); c != 0 {
			return c
		}
		return int(a.TimeEntries[0].ID - b.TimeEntries[0].ID)
	})
	s.rows = rows
}

// DeleteEntry removes a time entry; reports never show deletions.
func (s *Server) DeleteEntry(id int64) {
	s.mu.Lock()
	s.rows = slices.DeleteFunc(slices.Clone(s.rows), func(x ReportRow) bool { return x.TimeEntries[0].ID == id })
	s.mu.Unlock()
}

// CountEntries counts the time entries.
func (s *Server) CountEntries() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.rows) }

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

func writeText(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.Token || pass != "api_token" {
		writeText(w, http.StatusForbidden, "Incorrect username and/or password")
		return
	}
	path := r.URL.Path
	s.mu.Lock()
	s.requests.Add(path)
	now := s.Now()
	if s.HourlyQuota > 0 {
		if now.Sub(s.hourStart) >= time.Hour {
			s.hourStart, s.inHour = now, 0
		}
		s.inHour++
		if s.inHour > s.HourlyQuota {
			left := int(time.Hour - now.Sub(s.hourStart)/time.Second*time.Second)
			s.mu.Unlock()
			w.Header().Set("X-Toggl-Quota-Remaining", "0")
			w.Header().Set("X-Toggl-Quota-Resets-In", strconv.Itoa(left/int(time.Second)))
			writeText(w, http.StatusPaymentRequired, "You have hit your hourly limit for API calls.")
			return
		}
	}
	if s.RateLimit > 0 {
		if now.Sub(s.second) >= time.Second {
			s.second, s.inSecond = now, 0
		}
		s.inSecond++
		if s.inSecond > s.RateLimit {
			s.mu.Unlock()
			writeText(w, http.StatusTooManyRequests, "Too Many Requests")
			return
		}
	}
	fault := s.faults.Take(path)
	s.mu.Unlock()
	if fault != nil {
		if fault.Malformed {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `[{"user_id":1,"time_entries":[{"id":`)
			return
		}
		writeText(w, fault.Status, http.StatusText(fault.Status))
		return
	}

	wid := strconv.FormatInt(s.Workspace.ID, 10)
	oid := strconv.FormatInt(s.Workspace.OrganizationID, 10)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && path == "/api/v9/me":
		writeJSON(w, 200, map[string]any{"id": 1, "default_workspace_id": s.Workspace.ID, "email": "owner@example.com"})
	case r.Method == http.MethodGet && path == "/api/v9/workspaces/"+wid:
		writeJSON(w, 200, s.Workspace)
	case r.Method == http.MethodGet && path == "/api/v9/organizations/"+oid+"/workspaces/"+wid+"/workspace_users":
		writeJSON(w, 200, s.users)
	case r.Method == http.MethodGet && path == "/api/v9/workspaces/"+wid+"/clients":
		writeJSON(w, 200, s.clients)
	case r.Method == http.MethodGet && path == "/api/v9/workspaces/"+wid+"/projects":
		s.listProjects(w, r)
	case r.Method == http.MethodGet && path == "/api/v9/workspaces/"+wid+"/tasks":
		s.listTasks(w, r)
	case r.Method == http.MethodPost && path == "/reports/api/v3/workspace/"+wid+"/search/time_entries":
		s.search(w, r)
	default:
		writeText(w, http.StatusNotFound, "404 page not found")
	}
}

func pageParams(r *http.Request, max int) (page, size int, err error) {
	page, size = 1, 151
	if v := r.URL.Query().Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return 0, 0, fmt.Errorf("page must be a positive number")
		}
	}
	if v := r.URL.Query().Get("per_page"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > max {
			return 0, 0, fmt.Errorf("per_page must be between 1 and %d", max)
		}
	}
	return page, size, nil
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	page, size, err := pageParams(r, 200)
	if err != nil {
		writeText(w, http.StatusBadRequest, err.Error())
		return
	}
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeText(w, http.StatusBadRequest, "since must be a UNIX timestamp")
			return
		}
		since = time.Unix(n, 0)
	}
	out := []Project{}
	for _, p := range s.projects {
		if since.IsZero() && p.ServerDeletedAt != nil || !since.IsZero() && p.At.Before(since) {
			continue
		}
		out = append(out, p)
	}
	start := min((page-1)*size, len(out))
	writeJSON(w, 200, out[start:min(start+size, len(out))])
}

func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) {
	page, size, err := pageParams(r, 200)
	if err != nil {
		writeText(w, http.StatusBadRequest, err.Error())
		return
	}
	start := min((page-1)*size, len(s.tasks))
	writeJSON(w, 200, map[string]any{"data": s.tasks[start:min(start+size, len(s.tasks))], "page": page, "per_page": size, "total_count": len(s.tasks)})
}

type searchBody struct {
	StartDate      string `json:"start_date"`
	EndDate        string `json:"end_date"`
	PageSize       int    `json:"page_size"`
	FirstID        int64  `json:"first_id"`
	FirstRowNumber int64  `json:"first_row_number"`
	Grouped        bool   `json:"grouped"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var b searchBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeText(w, http.StatusBadRequest, "invalid JSON body")
		return
	}
	from, err1 := time.Parse(time.DateOnly, b.StartDate)
	to, err2 := time.Parse(time.DateOnly, b.EndDate)
	if err1 != nil || err2 != nil || to.Before(from) {
		writeText(w, http.StatusBadRequest, "start_date and end_date are required, YYYY-MM-DD, start before end")
		return
	}
	if b.Grouped {
		writeText(w, http.StatusBadRequest, "this fake serves ungrouped rows only")
		return
	}
	if b.PageSize == 0 {
		b.PageSize = 50
	}
	if b.PageSize < 1 || b.PageSize > 1000 {
		writeText(w, http.StatusBadRequest, "page_size must be between 1 and 1000")
		return
	}
	// The rows are kept in order of start (PutRows), so the range's rows
	// are one run of them: found by halving, not by reading every row on
	// every page (which made a first sync of 750k entries quadratic).
	day := func(i int) time.Time { return s.rows[i].TimeEntries[0].Start.UTC().Truncate(24 * time.Hour) }
	lo := sort.Search(len(s.rows), func(i int) bool { return !day(i).Before(from) })
	hi := sort.Search(len(s.rows), func(i int) bool { return day(i).After(to) })
	matched := s.rows[lo:max(lo, hi)]
	offset := 0
	if b.FirstRowNumber > 0 {
		offset = int(b.FirstRowNumber) - 1
		if offset >= len(matched) || matched[offset].TimeEntries[0].ID != b.FirstID {
			// A changed result set moves rows; find the id again.
			offset = slices.IndexFunc(matched, func(x ReportRow) bool { return x.TimeEntries[0].ID == b.FirstID })
			if offset < 0 {
				offset = min(int(b.FirstRowNumber)-1, len(matched))
			}
		}
	}
	end := min(offset+b.PageSize, len(matched))
	page := make([]ReportRow, 0, end-offset)
	for i := offset; i < end; i++ {
		row := matched[i]
		row.RowNumber = int64(i + 1)
		page = append(page, row)
	}
	if end < len(matched) {
		w.Header().Set("X-Next-ID", strconv.FormatInt(matched[end].TimeEntries[0].ID, 10))
		w.Header().Set("X-Next-Row-Number", strconv.Itoa(end+1))
	}
	writeJSON(w, 200, page)
}
