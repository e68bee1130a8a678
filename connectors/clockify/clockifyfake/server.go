// Package clockifyfake is an in-process Clockify API v1 for tests and the
// demo. It checks X-Api-Key, pages bare JSON arrays with page/page-size,
// filters a user's time entries by start, serves the (experimental) entity
// change feeds for TIME_ENTRY, answers 429 "Too many requests" above its
// rate, and can be told to fail or send a malformed page.
package clockifyfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/conflux-dev/conflux/internal/fakeapi"
)

type doc struct {
	id   string
	body []byte
}

type entry struct {
	doc
	user  string
	start time.Time
}

type change struct {
	id      string
	at      time.Time
	deleted bool
	body    []byte
}

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	APIKey    string
	Workspace string
	// RateLimit requests per second; 0 disables it.
	RateLimit int
	Now       func() time.Time

	mu       sync.Mutex
	users    []doc
	clients  []doc
	projects []doc
	tasks    map[string][]doc
	entries  map[string][]entry // by user, start descending
	changes  []change
	faults   fakeapi.Faults
	second   time.Time
	inSecond int
	requests fakeapi.Requests
}

// New returns an empty fake for one workspace.
func New(apiKey, workspace string) *Server {
	return &Server{APIKey: apiKey, Workspace: workspace, RateLimit: 50, Now: time.Now,
		tasks: map[string][]doc{}, entries: map[string][]entry{}}
}

func docs[T any](items []T, id func(T) string) []doc {
	out := make([]doc, len(items))
	for i, it := range items {
		b, _ := json.Marshal(it)
		out[i] = doc{id: id(it), body: b}
	}
	return out
}

// SetUsers, SetClients and SetProjects replace those lists.
func (s *Server) SetUsers(v []User) {
	d := docs(v, func(u User) string { return u.ID })
	s.mu.Lock()
	s.users = d
	s.mu.Unlock()
}

// SetClients replaces the clients.
func (s *Server) SetClients(v []Client) {
	d := docs(v, func(c Client) string { return c.ID })
	s.mu.Lock()
	s.clients = d
	s.mu.Unlock()
}

// SetProjects replaces the projects.
func (s *Server) SetProjects(v []Project) {
	d := docs(v, func(p Project) string { return p.ID })
	s.mu.Lock()
	s.projects = d
	s.mu.Unlock()
}

// SetTasks replaces the tasks of every project named in v.
func (s *Server) SetTasks(v []Task) {
	by := map[string][]doc{}
	for _, t := range v {
		b, _ := json.Marshal(t)
		by[t.ProjectID] = append(by[t.ProjectID], doc{id: t.ID, body: b})
	}
	s.mu.Lock()
	for p, d := range by {
		s.tasks[p] = d
	}
	s.mu.Unlock()
}

// PutTimeEntries adds or replaces entries, as changed at the given instant
// (what the updated feed reports).
func (s *Server) PutTimeEntries(at time.Time, v []TimeEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := make(map[string]int, len(v)) // an entry put twice keeps its last version
	touched := map[string]bool{}
	for i, e := range v {
		last[e.ID] = i
		touched[e.UserID] = true
	}
	for u := range touched {
		// Copy on write (pages being served keep theirs), less the entries replaced.
		s.entries[u] = slices.DeleteFunc(slices.Clone(s.entries[u]), func(x entry) bool { _, ok := last[x.id]; return ok })
	}
	for i, e := range v {
		b, _ := json.Marshal(e)
		s.changes = append(s.changes, change{id: e.ID, at: at, body: b})
		if last[e.ID] == i {
			s.entries[e.UserID] = append(s.entries[e.UserID], entry{doc: doc{id: e.ID, body: b}, user: e.UserID, start: e.TimeInterval.Start})
		}
	}
	for u := range touched {
		slices.SortStableFunc(s.entries[u], func(a, b entry) int {
			if c := b.start.Compare(a.start); c != 0 {
				return c
			}
			return strings.Compare(b.id, a.id)
		})
	}
}

// DeleteTimeEntry removes an entry and records it in the deleted feed.
func (s *Server) DeleteTimeEntry(at time.Time, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for u, list := range s.entries {
		for _, e := range list {
			if e.id == id {
				s.entries[u] = slices.DeleteFunc(slices.Clone(list), func(x entry) bool { return x.id == id })
				s.changes = append(s.changes, change{id: id, at: at, deleted: true, body: e.body})
				return
			}
		}
	}
}

// CountTimeEntries counts every user's entries.
func (s *Server) CountTimeEntries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.entries {
		n += len(l)
	}
	return n
}

// Fail queues faults for requests whose path (after /api/v1) starts with prefix.
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

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "code": status})
}

// ServeHTTP implements http.Handler; paths may carry the /api/v1 prefix.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api"), "/v1")
	if r.Header.Get("X-Api-Key") != s.APIKey {
		writeError(w, http.StatusUnauthorized, "Full authentication is required to access this resource")
		return
	}
	s.mu.Lock()
	s.requests.Add(path)
	if s.RateLimit > 0 {
		now := s.Now()
		if now.Sub(s.second) >= time.Second {
			s.second, s.inSecond = now, 0
		}
		s.inSecond++
		if s.inSecond > s.RateLimit {
			s.mu.Unlock()
			writeError(w, http.StatusTooManyRequests, "Too many requests")
			return
		}
	}
	fault := s.faults.Take(path)
	s.mu.Unlock()
	if fault != nil {
		if fault.Malformed {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `[{"id":"64c777ddd3fcab07cfbb210c","timeInterval":{"start":`)
			return
		}
		writeError(w, fault.Status, http.StatusText(fault.Status))
		return
	}
	if path == "/user" {
		s.mu.Lock()
		var me []byte
		if len(s.users) > 0 {
			me = s.users[0].body
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(me)
		return
	}
	ws := "/workspaces/" + s.Workspace + "/"
	if !strings.HasPrefix(path, ws) {
		writeError(w, http.StatusForbidden, "Access Denied")
		return
	}
	rest := strings.Split(strings.TrimPrefix(path, ws), "/")
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case len(rest) == 1 && rest[0] == "users":
		s.page(w, q, s.users)
	case len(rest) == 1 && rest[0] == "clients":
		s.page(w, q, s.clients)
	case len(rest) == 1 && rest[0] == "projects":
		s.page(w, q, s.projects)
	case len(rest) == 3 && rest[0] == "projects" && rest[2] == "tasks":
		s.page(w, q, s.tasks[rest[1]])
	case len(rest) == 3 && rest[0] == "user" && rest[2] == "time-entries":
		s.userEntries(w, q, rest[1])
	case len(rest) == 2 && rest[0] == "entities" && (rest[1] == "updated" || rest[1] == "deleted"):
		s.feed(w, q, rest[1] == "deleted")
	default:
		writeError(w, http.StatusNotFound, "No static resource "+path)
	}
}

func pageParams(q map[string][]string) (page, size int, err error) {
	page, size = 1, 50
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if v := get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return 0, 0, fmt.Errorf("page must be >= 1")
		}
	}
	if v := get("page-size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > 5000 {
			return 0, 0, fmt.Errorf("page-size must be between 1 and 5000")
		}
	}
	return page, size, nil
}

func writeDocs(w http.ResponseWriter, items []doc) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte("["))
	for i, d := range items {
		if i > 0 {
			w.Write([]byte(","))
		}
		w.Write(d.body)
	}
	w.Write([]byte("]"))
}

func (s *Server) page(w http.ResponseWriter, q map[string][]string, all []doc) {
	page, size, err := pageParams(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	start := min((page-1)*size, len(all))
	writeDocs(w, all[start:min(start+size, len(all))])
}

func (s *Server) userEntries(w http.ResponseWriter, q map[string][]string, user string) {
	page, size, err := pageParams(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var from, to time.Time
	for k, dst := range map[string]*time.Time{"start": &from, "end": &to} {
		if v := q[k]; len(v) > 0 {
			if *dst, err = time.Parse(time.RFC3339, v[0]); err != nil {
				writeError(w, http.StatusBadRequest, k+" must look like yyyy-MM-ddThh:mm:ssZ")
				return
			}
		}
	}
	var matched []doc
	for _, e := range s.entries[user] {
		if !from.IsZero() && e.start.Before(from) || !to.IsZero() && !e.start.Before(to) {
			continue
		}
		matched = append(matched, e.doc)
	}
	start := min((page-1)*size, len(matched))
	writeDocs(w, matched[start:min(start+size, len(matched))])
}

// feed serves entities/updated and entities/deleted for TIME_ENTRY as a
// bare array, ignoring paging, as the live API does.
func (s *Server) feed(w http.ResponseWriter, q map[string][]string, deleted bool) {
	if t := q["type"]; len(t) == 0 || t[0] != "TIME_ENTRY" {
		writeError(w, http.StatusBadRequest, "type is required (this fake serves TIME_ENTRY)")
		return
	}
	var from, to time.Time
	var err error
	for k, dst := range map[string]*time.Time{"start": &from, "end": &to} {
		v := q[k]
		if len(v) == 0 {
			writeError(w, http.StatusBadRequest, k+" is required")
			return
		}
		if *dst, err = time.Parse(time.RFC3339, v[0]); err != nil {
			writeError(w, http.StatusBadRequest, k+" must look like yyyy-MM-ddThh:mm:ssZ")
			return
		}
	}
	type item struct {
		ID           string          `json:"id"`
		DocumentType string          `json:"documentType"`
		DeletedAt    *time.Time      `json:"deletedAt,omitempty"`
		Document     json.RawMessage `json:"document"`
	}
	out := []item{}
	for _, c := range s.changes {
		if c.deleted != deleted || c.at.Before(from) || !c.at.Before(to) {
			continue
		}
		it := item{ID: c.id, DocumentType: "TIME_ENTRY", Document: c.body}
		if deleted {
			at := c.at
			it.DeletedAt = &at
		}
		out = append(out, it)
	}
	writeJSON(w, http.StatusOK, out)
}
