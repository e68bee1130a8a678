// Package asanafake is an in-process Asana API 1.0 for tests and the demo:
// bearer token, {data, next_page} envelopes paged by opaque offsets
// (limit 1..100), workspace users, projects, project tasks with
// modified_since, rates per project, and time tracking entries filtered by
// workspace and entered_on dates; 429 with Retry-After above a per-minute rate.
package asanafake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/internal/fakeapi"
)

// Ref is Asana's compact reference.
type Ref struct {
	GID          string `json:"gid"`
	ResourceType string `json:"resource_type"`
	Name         string `json:"name,omitempty"`
}

// User is an element of GET /workspaces/{gid}/users.
type User struct {
	GID          string `json:"gid"`
	ResourceType string `json:"resource_type"`
	Name         string `json:"name"`
	Email        string `json:"email"`
}

// Project is an element of GET /projects.
type Project struct {
	GID          string `json:"gid"`
	ResourceType string `json:"resource_type"`
	Name         string `json:"name"`
	Archived     bool   `json:"archived"`
	StartOn      string `json:"start_on,omitempty"`
	DueOn        string `json:"due_on,omitempty"`
	Team         *Ref   `json:"team,omitempty"`
	ModifiedAt   string `json:"modified_at"`
}

// Task is an element of GET /projects/{gid}/tasks.
type Task struct {
	GID               string `json:"gid"`
	ResourceType      string `json:"resource_type"`
	Name              string `json:"name"`
	Completed         bool   `json:"completed"`
	Projects          []Ref  `json:"projects"`
	ActualTimeMinutes int    `json:"actual_time_minutes"`
	ModifiedAt        string `json:"modified_at"`
}

// Rate is an element of GET /rates.
type Rate struct {
	GID          string  `json:"gid"`
	ResourceType string  `json:"resource_type"`
	Parent       Ref     `json:"parent"`
	Resource     Ref     `json:"resource"`
	Rate         float64 `json:"rate"`
	CurrencyCode string  `json:"currency_code"`
}

// TimeEntry is an element of GET /time_tracking_entries.
type TimeEntry struct {
	GID             string `json:"gid"`
	ResourceType    string `json:"resource_type"`
	DurationMinutes int    `json:"duration_minutes"`
	EnteredOn       string `json:"entered_on"`
	CreatedBy       Ref    `json:"created_by"`
	Task            *Ref   `json:"task,omitempty"`
	AttributableTo  *Ref   `json:"attributable_to,omitempty"`
	BillableStatus  string `json:"billable_status"`
	ApprovalStatus  string `json:"approval_status"`
	CreatedAt       string `json:"created_at"`
}

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	Token     string
	Workspace string
	// PerMinute is the request budget per minute; 0 disables it.
	PerMinute int
	Now       func() time.Time

	mu       sync.Mutex
	users    []User
	projects []Project
	tasks    map[string][]Task // by project
	rates    map[string][]Rate // by project
	entries  []TimeEntry
	// The entries of the last window listed, for its next pages: one
	// filtering of every entry per page made a first sync quadratic.
	window        [2]string
	windowEntries []TimeEntry
	faults        fakeapi.Faults
	minute        time.Time
	inMinute      int
	requests      fakeapi.Requests
}

// New returns an empty fake for one workspace.
func New(token, workspace string) *Server {
	return &Server{Token: token, Workspace: workspace, PerMinute: 1500, Now: time.Now,
		tasks: map[string][]Task{}, rates: map[string][]Rate{}}
}

// SetUsers replaces the users.
func (s *Server) SetUsers(v []User) { s.mu.Lock(); s.users = v; s.mu.Unlock() }

// SetProjects replaces the projects.
func (s *Server) SetProjects(v []Project) { s.mu.Lock(); s.projects = v; s.mu.Unlock() }

// SetTasks replaces the tasks of every project they name first.
func (s *Server) SetTasks(v []Task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	by := map[string][]Task{}
	for _, t := range v {
		for _, p := range t.Projects {
			by[p.GID] = append(by[p.GID], t)
		}
	}
	for p, ts := range by {
		s.tasks[p] = ts
	}
}

// SetRates replaces the rates of the projects they name.
func (s *Server) SetRates(v []Rate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	by := map[string][]Rate{}
	for _, r := range v {
		by[r.Parent.GID] = append(by[r.Parent.GID], r)
	}
	for p, rs := range by {
		s.rates[p] = rs
	}
}

// SetEntries replaces the time tracking entries.
func (s *Server) SetEntries(v []TimeEntry) {
	s.mu.Lock()
	s.entries, s.windowEntries = v, nil
	s.mu.Unlock()
}

// DeleteEntry removes one entry (Asana lists never show deletions).
func (s *Server) DeleteEntry(gid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.entries[:0:0]
	for _, e := range s.entries {
		if e.GID != gid {
			out = append(out, e)
		}
	}
	s.entries, s.windowEntries = out, nil
}

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
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"message": msg}}})
}

// ServeHTTP implements http.Handler; paths may carry /api/1.0.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeErrors(w, http.StatusUnauthorized, "Not Authorized")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/1.0")
	s.mu.Lock()
	s.requests.Add(path)
	if s.PerMinute > 0 {
		now := s.Now()
		if now.Sub(s.minute) >= time.Minute {
			s.minute, s.inMinute = now, 0
		}
		s.inMinute++
		if s.inMinute > s.PerMinute {
			left := time.Minute - now.Sub(s.minute)
			s.mu.Unlock()
			w.Header().Set("Retry-After", strconv.Itoa(int(left.Seconds())+1))
			writeErrors(w, http.StatusTooManyRequests, "You've made too many requests and hit a rate limit. Please retry after the given amount of time.")
			return
		}
	}
	fault := s.faults.Take(path)
	s.mu.Unlock()
	if fault != nil {
		if fault.Malformed {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"data":[{"gid":"1",`)
			return
		}
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		writeErrors(w, fault.Status, http.StatusText(fault.Status))
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case path == "/users/me":
		writeJSON(w, 200, map[string]any{"data": map[string]any{"gid": "me", "resource_type": "user"}})
	case len(parts) == 3 && parts[0] == "workspaces" && parts[2] == "users":
		if parts[1] != s.Workspace {
			writeErrors(w, 404, "workspace: Unknown object")
			return
		}
		page(w, q, s.users)
	case path == "/projects":
		if q.Get("workspace") != s.Workspace {
			writeErrors(w, 400, "workspace: Missing input")
			return
		}
		page(w, q, s.projects)
	case len(parts) == 3 && parts[0] == "projects" && parts[2] == "tasks":
		tasks := s.tasks[parts[1]]
		if v := q.Get("modified_since"); v != "" {
			since, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeErrors(w, 400, "modified_since: Not a valid date-time")
				return
			}
			var out []Task
			for _, t := range tasks {
				if at, _ := time.Parse(time.RFC3339, t.ModifiedAt); !at.Before(since) {
					out = append(out, t)
				}
			}
			tasks = out
		}
		page(w, q, tasks)
	case path == "/rates":
		page(w, q, s.rates[q.Get("parent")])
	case path == "/time_tracking_entries":
		from, to := q.Get("entered_on_start_date"), q.Get("entered_on_end_date")
		if q.Get("workspace") != s.Workspace || from == "" && to == "" {
			writeErrors(w, 400, "workspace and one of entered_on_start_date, entered_on_end_date are required")
			return
		}
		if s.windowEntries == nil || s.window != [2]string{from, to} {
			out := []TimeEntry{}
			for _, e := range s.entries {
				if from != "" && e.EnteredOn < from || to != "" && e.EnteredOn > to {
					continue
				}
				out = append(out, e)
			}
			s.window, s.windowEntries = [2]string{from, to}, out
		}
		page(w, q, s.windowEntries)
	default:
		writeErrors(w, 404, "Unknown object")
	}
}

func page[T any](w http.ResponseWriter, q map[string][]string, all []T) {
	limit := 20
	if v := q["limit"]; len(v) > 0 {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > 100 {
			writeErrors(w, 400, "limit: Must be between 1 and 100")
			return
		}
		limit = n
	}
	offset := 0
	if v := q["offset"]; len(v) > 0 && v[0] != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v[0])
		if err == nil {
			offset, err = strconv.Atoi(string(raw))
		}
		if err != nil || offset < 0 {
			writeErrors(w, 400, "offset: Your pagination token is invalid or has expired")
			return
		}
	}
	end := min(offset+limit, len(all))
	data := all[min(offset, end):end]
	if data == nil {
		data = []T{}
	}
	out := map[string]any{"data": data, "next_page": nil}
	if end < len(all) {
		tok := base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
		out["next_page"] = map[string]string{"offset": tok, "path": "?offset=" + tok, "uri": "https://app.asana.com/api/1.0?offset=" + tok}
	}
	writeJSON(w, 200, out)
}
