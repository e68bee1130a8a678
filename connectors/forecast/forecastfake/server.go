// Package forecastfake is an in-process Harvest Forecast API for tests and
// the demo, following what is known of the undocumented API: bearer token
// plus the Forecast-Account-ID header (a wrong account is a 404), whole
// collections in {"<name>": [...]} envelopes with no paging, assignments
// overlapping the start_date..end_date window, and Harvest's budget of 100
// requests per 15 seconds answered with 429 and Retry-After.
package forecastfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/internal/fakeapi"
)

// Person is an element of GET /people.
type Person struct {
	ID             int64    `json:"id"`
	FirstName      string   `json:"first_name"`
	LastName       string   `json:"last_name"`
	Email          string   `json:"email"`
	Login          string   `json:"login"`
	Admin          bool     `json:"admin"`
	Archived       bool     `json:"archived"`
	Roles          []string `json:"roles"`
	WeeklyCapacity int      `json:"weekly_capacity"` // seconds
	HarvestUserID  *int64   `json:"harvest_user_id"`
	UpdatedAt      string   `json:"updated_at"`
}

// Project is an element of GET /projects.
type Project struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Code      string   `json:"code"`
	ClientID  *int64   `json:"client_id"`
	HarvestID *int64   `json:"harvest_id"`
	StartDate *string  `json:"start_date"`
	EndDate   *string  `json:"end_date"`
	Tags      []string `json:"tags"`
	Archived  bool     `json:"archived"`
	UpdatedAt string   `json:"updated_at"`
}

// Client is an element of GET /clients.
type Client struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	HarvestID *int64 `json:"harvest_id"`
	Archived  bool   `json:"archived"`
	UpdatedAt string `json:"updated_at"`
}

// Placeholder is an element of GET /placeholders: an unnamed role booked
// before someone is hired or chosen.
type Placeholder struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Archived  bool     `json:"archived"`
	Roles     []string `json:"roles"`
	UpdatedAt string   `json:"updated_at"`
}

// Assignment is an element of GET /assignments: a person (or placeholder)
// booked Allocation seconds a day from StartDate to EndDate.
type Assignment struct {
	ID                      int64   `json:"id"`
	ProjectID               int64   `json:"project_id"`
	PersonID                *int64  `json:"person_id"`
	PlaceholderID           *int64  `json:"placeholder_id"`
	StartDate               string  `json:"start_date"`
	EndDate                 string  `json:"end_date"`
	Allocation              int     `json:"allocation"`
	Notes                   *string `json:"notes"`
	RepeatedAssignmentSetID *int64  `json:"repeated_assignment_set_id"`
	ActiveOnDaysOff         bool    `json:"active_on_days_off"`
	UpdatedAt               string  `json:"updated_at"`
	UpdatedByID             int64   `json:"updated_by_id"`
}

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	Token, AccountID string
	// PerWindow is the request budget per 15 seconds; 0 disables it.
	PerWindow int
	Now       func() time.Time

	mu           sync.Mutex
	people       []Person
	projects     []Project
	clients      []Client
	placeholders []Placeholder
	assignments  []Assignment
	faults       fakeapi.Faults
	window       time.Time
	inWindow     int
	requests     fakeapi.Requests
}

// New returns an empty fake for one Forecast account.
func New(token, accountID string) *Server {
	return &Server{Token: token, AccountID: accountID, PerWindow: 100, Now: time.Now}
}

// SetPeople replaces the people.
func (s *Server) SetPeople(v []Person) { s.mu.Lock(); s.people = v; s.mu.Unlock() }

// SetProjects replaces the projects.
func (s *Server) SetProjects(v []Project) { s.mu.Lock(); s.projects = v; s.mu.Unlock() }

// SetClients replaces the clients.
func (s *Server) SetClients(v []Client) { s.mu.Lock(); s.clients = v; s.mu.Unlock() }

// SetPlaceholders replaces the placeholders.
func (s *Server) SetPlaceholders(v []Placeholder) { s.mu.Lock(); s.placeholders = v; s.mu.Unlock() }

// SetAssignments replaces the assignments (deleting one is leaving it out:
// Forecast shows no deletions).
func (s *Server) SetAssignments(v []Assignment) { s.mu.Lock(); s.assignments = v; s.mu.Unlock() }

// Fail queues faults for requests whose path starts with prefix.
func (s *Server) Fail(prefix string, f ...Fault) { s.faults.Add(prefix, f...) }

// Requests counts requests whose path starts with prefix.
func (s *Server) Requests(prefix string) int {
	return s.requests.Count(prefix)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, map[string]string{"reason": reason})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeError(w, http.StatusUnauthorized, "non-authenticated")
		return
	}
	if r.Header.Get("Forecast-Account-ID") != s.AccountID {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	path := r.URL.Path
	s.mu.Lock()
	s.requests.Add(path)
	if s.PerWindow > 0 {
		now := s.Now()
		if now.Sub(s.window) >= 15*time.Second {
			s.window, s.inWindow = now, 0
		}
		s.inWindow++
		if s.inWindow > s.PerWindow {
			left := 15*time.Second - now.Sub(s.window)
			s.mu.Unlock()
			w.Header().Set("Retry-After", strconv.Itoa(int(left.Seconds())+1))
			writeError(w, http.StatusTooManyRequests, "Too Many Requests")
			return
		}
	}
	fault := s.faults.Take(path)
	s.mu.Unlock()
	if fault != nil {
		if fault.Malformed {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"assignments":[{"id":1,`)
			return
		}
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		writeError(w, fault.Status, http.StatusText(fault.Status))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch path {
	case "/whoami":
		id, _ := strconv.ParseInt(s.AccountID, 10, 64)
		writeJSON(w, 200, map[string]any{"current_user": map[string]any{"id": 1, "account_ids": []int64{id}}})
	case "/people":
		writeJSON(w, 200, map[string]any{"people": s.people})
	case "/projects":
		writeJSON(w, 200, map[string]any{"projects": s.projects})
	case "/clients":
		writeJSON(w, 200, map[string]any{"clients": s.clients})
	case "/placeholders":
		writeJSON(w, 200, map[string]any{"placeholders": s.placeholders})
	case "/assignments":
		q := r.URL.Query()
		from, err1 := time.Parse(time.DateOnly, q.Get("start_date"))
		to, err2 := time.Parse(time.DateOnly, q.Get("end_date"))
		if err1 != nil || err2 != nil || to.Before(from) {
			writeError(w, http.StatusBadRequest, "start_date and end_date are required (YYYY-MM-DD)")
			return
		}
		out := []Assignment{}
		for _, a := range s.assignments {
			start, _ := time.Parse(time.DateOnly, a.StartDate)
			end, _ := time.Parse(time.DateOnly, a.EndDate)
			if !end.Before(from) && !start.After(to) {
				out = append(out, a)
			}
		}
		writeJSON(w, 200, map[string]any{"assignments": out})
	default:
		writeError(w, http.StatusNotFound, "Not Found")
	}
}
