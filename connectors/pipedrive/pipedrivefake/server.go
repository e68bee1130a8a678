// Package pipedrivefake is an in-process Pipedrive API (v2 lists, v1 users)
// for tests and the demo: x-api-token or OAuth bearer tokens, cursor paging
// with limit ≤ 500 and additional_data.next_cursor, updated_since with
// sort_by=update_time, deal statuses (deleted ones only when asked for),
// archived deals apart, a burst limit per 2 seconds (429 with
// x-ratelimit-reset) and the company's daily token budget, spent at each
// endpoint's cost.
package pipedrivefake

import (
	"encoding/base64"
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

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	Token  string
	Bearer func(string) bool
	// PerTwoSeconds is the burst limit; DailyBudget the token budget (0 = none).
	PerTwoSeconds, DailyBudget int
	Now                        func() time.Time

	mu    sync.Mutex
	lists map[string][]map[string]any // "deals", "deals/archived", "organizations", ...
	users []map[string]any
	// CompanyDomain is the company's subdomain (GET /v1/users/me).
	CompanyDomain string
	faults        fakeapi.Faults
	window        time.Time
	inWindow      int
	spent         int
}

// New returns an empty fake.
func New(token string) *Server {
	return &Server{Token: token, PerTwoSeconds: 20, Now: time.Now, lists: map[string][]map[string]any{}, CompanyDomain: "demo-agency"}
}

// Put adds or replaces objects (each with "id" and "update_time") in a list.
func (s *Server) Put(list string, v ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := slices.Clone(s.lists[list])
	for _, o := range v {
		items = slices.DeleteFunc(items, func(x map[string]any) bool { return fmt.Sprint(x["id"]) == fmt.Sprint(o["id"]) })
		items = append(items, o)
	}
	slices.SortStableFunc(items, func(a, b map[string]any) int {
		ai, _ := strconv.Atoi(fmt.Sprint(a["id"]))
		bi, _ := strconv.Atoi(fmt.Sprint(b["id"]))
		return ai - bi
	})
	s.lists[list] = items
}

// SetUsers replaces /v1/users.
func (s *Server) SetUsers(v []map[string]any) { s.mu.Lock(); s.users = v; s.mu.Unlock() }

// Spent is the budget used so far.
func (s *Server) Spent() int { s.mu.Lock(); defer s.mu.Unlock(); return s.spent }

// Fail queues faults for requests whose path has prefix.
func (s *Server) Fail(prefix string, f ...Fault) {
	s.faults.Add(prefix, f...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func failure(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"success": false, "error": msg, "errorCode": status})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if r.Header.Get("X-Api-Token") != s.Token && (s.Bearer == nil || !s.Bearer(bearer)) {
		failure(w, http.StatusUnauthorized, "unauthorized access")
		return
	}
	path := r.URL.Path
	cost := 10
	if strings.HasPrefix(path, "/v1/") {
		cost = 20
	} else if strings.HasSuffix(path, "/pipelines") || strings.HasSuffix(path, "/stages") {
		cost = 5
	}
	s.mu.Lock()
	now := s.Now()
	if now.Sub(s.window) >= 2*time.Second {
		s.window, s.inWindow = now, 0
	}
	s.inWindow++
	if s.DailyBudget > 0 && s.spent+cost > s.DailyBudget {
		s.mu.Unlock()
		failure(w, http.StatusTooManyRequests, "Daily token budget exceeded for this company")
		return
	}
	if s.PerTwoSeconds > 0 && s.inWindow > s.PerTwoSeconds {
		reset := 2*time.Second - now.Sub(s.window)
		s.mu.Unlock()
		w.Header().Set("x-ratelimit-reset", strconv.Itoa(int(reset.Seconds())+1))
		w.Header().Set("Retry-After", strconv.Itoa(int(reset.Seconds())+1))
		failure(w, http.StatusTooManyRequests, "Request over limit")
		return
	}
	s.spent += cost
	fault := s.faults.Take(path)
	s.mu.Unlock()
	if fault != nil {
		if fault.Malformed {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"success":true,"data":[{"id":`)
			return
		}
		failure(w, fault.Status, http.StatusText(fault.Status))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if path == "/v1/users" {
		writeJSON(w, 200, map[string]any{"success": true, "data": s.users})
		return
	}
	if path == "/v1/users/me" {
		writeJSON(w, 200, map[string]any{"success": true, "data": map[string]any{"id": 1, "name": "Demo Admin", "company_id": 7001,
			"company_name": "Demo Company", "company_domain": s.CompanyDomain, "default_currency": "GBP", "is_you": true}})
		return
	}
	list := strings.TrimPrefix(path, "/api/v2/")
	items, ok := s.lists[list]
	if !ok || !strings.HasPrefix(path, "/api/v2/") {
		failure(w, 404, "Unknown method .")
		return
	}
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if limit < 1 || limit > 500 {
		failure(w, 400, "limit must be between 1 and 500")
		return
	}
	var since time.Time
	if v := q.Get("updated_since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			failure(w, 400, "updated_since must be RFC 3339")
			return
		}
		since = t
	}
	statuses := []string{"open", "won", "lost"}
	if v := q.Get("status"); v != "" {
		statuses = strings.Split(v, ",")
	}
	var matched []map[string]any
	for _, o := range items {
		if !since.IsZero() {
			t, _ := time.Parse(time.RFC3339, fmt.Sprint(o["update_time"]))
			if t.Before(since) {
				continue
			}
		}
		if st, ok := o["status"].(string); ok && strings.HasPrefix(list, "deals") && !slices.Contains(statuses, st) {
			continue
		}
		matched = append(matched, o)
	}
	if q.Get("sort_by") == "update_time" {
		slices.SortStableFunc(matched, func(a, b map[string]any) int {
			return strings.Compare(fmt.Sprint(a["update_time"]), fmt.Sprint(b["update_time"]))
		})
	}
	offset := 0
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		if err == nil {
			offset, err = strconv.Atoi(string(raw))
		}
		if err != nil {
			failure(w, 400, "invalid cursor")
			return
		}
	}
	end := min(offset+limit, len(matched))
	data := matched[min(offset, end):end]
	if data == nil {
		data = []map[string]any{}
	}
	var next any
	if end < len(matched) {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	writeJSON(w, 200, map[string]any{"success": true, "data": data, "additional_data": map[string]any{"next_cursor": next}})
}
