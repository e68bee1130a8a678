// Package harvestfake is an in-process Harvest API v2 for tests and the demo.
// It checks the auth headers and User-Agent, pages with cursors through
// links.next (next_page is null after the first page, as on Harvest),
// filters by updated_since and from/to, enforces 100 requests per 15 s with
// 429 + Retry-After, and can be told to fail or send a malformed page.
package harvestfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/conflux-dev/conflux/internal/fakeapi"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PublicBase is what links.next points at, as on the real service; a client
// must take only the query from it.
const PublicBase = "https://api.harvestapp.com/v2"

type item struct {
	id      int64
	updated time.Time
	date    string // spent_date or issue_date; "" when undated
	body    []byte
}

// Server is the fake. Create it with New, load data, then serve it with
// httptest.NewServer or net/http.
type Server struct {
	Token     string
	AccountID string
	// RateLimit requests per RateWindow; 0 disables the limit.
	RateLimit  int
	RateWindow time.Duration
	Now        func() time.Time

	mu          sync.Mutex
	lists       map[string][]item
	company     []byte
	me          []byte
	faults      map[string][]Fault
	windowStart time.Time
	windowCount int
	requests    fakeapi.Requests
}

// Fault is a scripted answer for the next request to a path.
type Fault struct {
	Status     int    // e.g. 500, 429, 401
	RetryAfter string // Retry-After header for 429/503
	Malformed  bool   // send a truncated JSON body with status 200
}

var listKeys = map[string]string{
	"/users": "users", "/clients": "clients", "/projects": "projects", "/tasks": "tasks",
	"/task_assignments": "task_assignments", "/user_assignments": "user_assignments",
	"/time_entries": "time_entries", "/invoices": "invoices", "/expenses": "expenses",
}

// New returns an empty fake that accepts the given token and account id.
func New(token, accountID string) *Server {
	return &Server{
		Token: token, AccountID: accountID,
		RateLimit: 100, RateWindow: 15 * time.Second, Now: time.Now,
		lists: map[string][]item{}, faults: map[string][]Fault{},
	}
}

// SetCompany sets GET /company.
func (s *Server) SetCompany(c Company) {
	body, _ := json.Marshal(c)
	s.mu.Lock()
	s.company = body
	s.mu.Unlock()
}

// Put adds or replaces records of a list ("time_entries", "users", ...).
// v must be a slice of the list's type.
func (s *Server) Put(list string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return fmt.Errorf("harvestfake: Put wants a slice: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Copy on write: a page being served keeps the slice it started with.
	existing := slices.Clone(s.lists[list])
	index := make(map[int64]int, len(existing))
	for i, it := range existing {
		index[it.id] = i
	}
	for _, e := range elems {
		var head struct {
			ID        int64     `json:"id"`
			UpdatedAt time.Time `json:"updated_at"`
			SpentDate string    `json:"spent_date"`
			IssueDate string    `json:"issue_date"`
		}
		if err := json.Unmarshal(e, &head); err != nil {
			return err
		}
		it := item{id: head.ID, updated: head.UpdatedAt, date: head.SpentDate + head.IssueDate, body: e}
		if i, ok := index[it.id]; ok {
			existing[i] = it
		} else {
			index[it.id] = len(existing)
			existing = append(existing, it)
		}
	}
	// Harvest sorts time entries by spent_date descending and other lists by
	// creation descending (id order stands in for creation here).
	slices.SortStableFunc(existing, func(a, b item) int {
		if c := strings.Compare(b.date, a.date); c != 0 {
			return c
		}
		switch {
		case a.id > b.id:
			return -1
		case a.id < b.id:
			return 1
		}
		return 0
	})
	s.lists[list] = existing
	if list == "users" && s.me == nil && len(existing) > 0 {
		s.me = existing[0].body
	}
	return nil
}

// Delete hard-deletes a record, as Harvest does: no tombstone is left.
func (s *Server) Delete(list string, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists[list] = slices.DeleteFunc(slices.Clone(s.lists[list]), func(it item) bool { return it.id == id })
}

// Count returns how many records a list holds.
func (s *Server) Count(list string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lists[list])
}

// Fail queues faults for the next requests to path ("/time_entries").
func (s *Server) Fail(path string, faults ...Fault) {
	s.mu.Lock()
	s.faults[path] = append(s.faults[path], faults...)
	s.mu.Unlock()
}

// Requests reports how many requests reached path, faults included.
func (s *Server) Requests(path string) int {
	return s.requests.Exact(path)
}

// ServeHTTP implements http.Handler. Paths may carry a /v2 prefix or not.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/v2")
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "only GET is supported")
		return
	}
	if r.Header.Get("User-Agent") == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "A User-Agent header is required")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token || r.Header.Get("Harvest-Account-Id") != s.AccountID {
		writeError(w, http.StatusUnauthorized, "invalid_token", "The access token provided is expired, revoked, malformed or invalid for other reasons.")
		return
	}
	s.mu.Lock()
	s.requests.Add(path)
	if wait, limited := s.rateLimited(); limited {
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		writeError(w, http.StatusTooManyRequests, "rate_limited", "Too Many Requests")
		return
	}
	var fault *Fault
	if q := s.faults[path]; len(q) > 0 {
		fault = &q[0]
		s.faults[path] = q[1:]
	}
	s.mu.Unlock()
	if fault != nil {
		switch {
		case fault.Malformed:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"time_entries":[{"id":1,"spent_date":"2017-03-`)
			return
		default:
			if fault.RetryAfter != "" {
				w.Header().Set("Retry-After", fault.RetryAfter)
			}
			writeError(w, fault.Status, "fault", http.StatusText(fault.Status))
			return
		}
	}
	switch path {
	case "/company":
		s.writeObject(w, func() []byte { return s.company })
	case "/users/me":
		s.writeObject(w, func() []byte { return s.me })
	default:
		key, ok := listKeys[path]
		if !ok {
			writeError(w, http.StatusNotFound, "not_found", "Not found")
			return
		}
		s.writeList(w, r, path, key)
	}
}

func (s *Server) rateLimited() (int, bool) {
	if s.RateLimit <= 0 {
		return 0, false
	}
	now := s.Now()
	if now.Sub(s.windowStart) >= s.RateWindow {
		s.windowStart, s.windowCount = now, 0
	}
	if s.windowCount >= s.RateLimit {
		left := s.RateWindow - now.Sub(s.windowStart)
		return int(math.Ceil(left.Seconds())), true
	}
	s.windowCount++
	return 0, false
}

func (s *Server) writeObject(w http.ResponseWriter, get func() []byte) {
	s.mu.Lock()
	body := get()
	s.mu.Unlock()
	if body == nil {
		writeError(w, http.StatusNotFound, "not_found", "Not found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

type pageCursor struct {
	Offset int `json:"offset"`
}

func (s *Server) writeList(w http.ResponseWriter, r *http.Request, path, key string) {
	q := r.URL.Query()
	perPage := 2000
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 2000 {
			writeError(w, http.StatusUnprocessableEntity, "invalid_param", "per_page must be between 1 and 2000")
			return
		}
		perPage = n
	}
	var since time.Time
	if v := q.Get("updated_since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "invalid_param", "updated_since must be an ISO 8601 date and time")
			return
		}
		since = t
	}
	from, to := q.Get("from"), q.Get("to")
	offset := 0
	if v := q.Get("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		var c pageCursor
		if err == nil {
			err = json.Unmarshal(raw, &c)
		}
		if err != nil || c.Offset < 0 {
			writeError(w, http.StatusUnprocessableEntity, "invalid_param", "invalid cursor")
			return
		}
		offset = c.Offset
	}

	s.mu.Lock()
	matched := s.lists[key]
	s.mu.Unlock()
	if !since.IsZero() || from != "" || to != "" {
		var filtered []item
		for _, it := range matched {
			if !since.IsZero() && it.updated.Before(since) {
				continue
			}
			if from != "" && it.date < from || to != "" && it.date > to {
				continue
			}
			filtered = append(filtered, it)
		}
		matched = filtered
	}

	total := len(matched)
	end := min(offset+perPage, total)
	start := min(offset, total)
	totalPages := max(1, (total+perPage-1)/perPage)

	var buf bytes.Buffer
	fmt.Fprintf(&buf, `{%q:[`, key)
	for i, it := range matched[start:end] {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(it.body)
	}
	buf.WriteString(`],`)
	link := func(off int) string {
		v := cloneQuery(q)
		v.Del("page")
		c, _ := json.Marshal(pageCursor{Offset: off})
		v.Set("cursor", base64.RawURLEncoding.EncodeToString(c))
		v.Set("per_page", strconv.Itoa(perPage))
		v.Set("ref", "next_cursor")
		return PublicBase + path + "?" + v.Encode()
	}
	first := PublicBase + path + "?page=1&per_page=" + strconv.Itoa(perPage)
	next, nextPage, page := "null", "null", "null"
	if end < total {
		b, _ := json.Marshal(link(end))
		next = string(b)
	}
	// Under cursor paging Harvest fills page/next_page on the first page only.
	if start == 0 {
		page = "1"
		if end < total {
			nextPage = "2"
		}
	}
	fmt.Fprintf(&buf, `"per_page":%d,"total_pages":%d,"total_entries":%d,"next_page":%s,"previous_page":null,"page":%s,`,
		perPage, totalPages, total, nextPage, page)
	fmt.Fprintf(&buf, `"links":{"first":%q,"next":%s,"previous":null,"last":%q}}`, first, next, first)
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}

func cloneQuery(q url.Values) url.Values {
	v := url.Values{}
	for k, vs := range q {
		v[k] = append([]string(nil), vs...)
	}
	return v
}

func writeError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}
