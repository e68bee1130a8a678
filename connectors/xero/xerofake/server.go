// Package xerofake is an in-process Xero Accounting API 2.0 (and the
// identity /connections endpoint) for tests and the demo: bearer tokens
// checked by a callback, the xero-tenant-id header, page/pageSize (≤ 1000)
// with a pagination block, line items only when `page` is sent,
// If-Modified-Since on UpdatedDateUTC, includeArchived for contacts, the
// per-tenant minute and day limits with X-MinLimit-Remaining and
// X-DayLimit-Remaining on every answer and 429 + Retry-After +
// X-Rate-Limit-Problem above them.
package xerofake

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

// Date writes t as Xero's /Date(ms+0000)/.
func Date(t time.Time) string { return fmt.Sprintf("/Date(%d+0000)/", t.UnixMilli()) }

// Record is one Xero object: its fields as JSON, its id and update time.
type Record struct {
	ID      string
	Updated time.Time
	Fields  map[string]any
}

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	TenantID, TenantName string
	Bearer               func(token string) bool
	PerMinute, PerDay    int
	Now                  func() time.Time

	mu        sync.Mutex
	lists     map[string][]Record // "Invoices", "Contacts", ...
	faults    fakeapi.Faults
	minute    time.Time
	inMinute  int
	day       time.Time
	inDay     int
	requests  fakeapi.Requests
	lastSince map[string]string
}

// paged lists take page/pageSize and If-Modified-Since; the others are whole.
var paged = map[string]bool{"Invoices": true, "Contacts": true, "CreditNotes": true, "Payments": true}

// New returns an empty fake for one tenant.
func New(tenantID, tenantName string, bearer func(string) bool) *Server {
	return &Server{TenantID: tenantID, TenantName: tenantName, Bearer: bearer, PerMinute: 60, PerDay: 5000, Now: time.Now,
		lists: map[string][]Record{}, lastSince: map[string]string{}}
}

// Put adds or replaces records of a collection ("Invoices").
func (s *Server) Put(collection string, v ...Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := slices.Clone(s.lists[collection])
	for _, r := range v {
		list = slices.DeleteFunc(list, func(x Record) bool { return x.ID == r.ID })
		list = append(list, r)
	}
	slices.SortStableFunc(list, func(a, b Record) int {
		if c := a.Updated.Compare(b.Updated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	s.lists[collection] = list
}

// Fail queues faults for requests whose path has prefix.
func (s *Server) Fail(prefix string, f ...Fault) {
	s.faults.Add(prefix, f...)
}

// Requests counts requests whose path has prefix.
func (s *Server) Requests(prefix string) int {
	return s.requests.Count(prefix)
}

// LastIfModifiedSince is the header the last request for a collection sent.
func (s *Server) LastIfModifiedSince(collection string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastSince[collection]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Bearer == nil || !s.Bearer(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"Type": nil, "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"})
		return
	}
	if r.URL.Path == "/connections" {
		writeJSON(w, 200, []map[string]any{{"id": "conn-1", "tenantId": s.TenantID, "tenantName": s.TenantName, "tenantType": "ORGANISATION"}})
		return
	}
	if !strings.EqualFold(r.Header.Get("Xero-Tenant-Id"), s.TenantID) {
		writeJSON(w, http.StatusForbidden, map[string]any{"Title": "Forbidden", "Status": 403, "Detail": "AuthorizationUnsuccessful"})
		return
	}
	collection := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api.xro/2.0"), "/")
	s.mu.Lock()
	s.requests.Add("/" + collection)
	now := s.Now()
	if now.Sub(s.minute) >= time.Minute {
		s.minute, s.inMinute = now, 0
	}
	if now.Sub(s.day) >= 24*time.Hour {
		s.day, s.inDay = now, 0
	}
	s.inMinute++
	s.inDay++
	if s.PerDay > 0 && s.inDay > s.PerDay || s.PerMinute > 0 && s.inMinute > s.PerMinute {
		problem, wait := "minute", time.Minute-now.Sub(s.minute)
		if s.PerDay > 0 && s.inDay > s.PerDay {
			problem, wait = "day", 24*time.Hour-now.Sub(s.day)
		}
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		w.Header().Set("X-Rate-Limit-Problem", problem)
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"Title": "Too Many Requests", "Status": 429})
		return
	}
	if s.PerMinute > 0 {
		w.Header().Set("X-MinLimit-Remaining", strconv.Itoa(s.PerMinute-s.inMinute))
	}
	if s.PerDay > 0 {
		w.Header().Set("X-DayLimit-Remaining", strconv.Itoa(s.PerDay-s.inDay))
	}
	fault := s.faults.Take("/" + collection)
	list, ok := s.lists[collection]
	s.lastSince[collection] = r.Header.Get("If-Modified-Since")
	s.mu.Unlock()
	if fault != nil {
		if fault.Malformed {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"Id":"x","Status":"OK","Invoices":[{"InvoiceID":`)
			return
		}
		writeJSON(w, fault.Status, map[string]any{"Title": http.StatusText(fault.Status), "Status": fault.Status})
		return
	}
	if !ok && collection != "Organisation" {
		writeJSON(w, 404, map[string]any{"Title": "Not Found", "Status": 404})
		return
	}
	q := r.URL.Query()
	var since time.Time
	if v := r.Header.Get("If-Modified-Since"); v != "" {
		t, err := time.Parse("2006-01-02T15:04:05", v)
		if err != nil {
			writeJSON(w, 400, map[string]any{"Title": "Bad Request", "Detail": "If-Modified-Since must be yyyy-MM-ddTHH:mm:ss UTC"})
			return
		}
		since = t
	}
	var matched []Record
	for _, rec := range list {
		if !since.IsZero() && rec.Updated.Before(since) {
			continue
		}
		if collection == "Contacts" && q.Get("includeArchived") != "true" && rec.Fields["ContactStatus"] == "ARCHIVED" {
			continue
		}
		matched = append(matched, rec)
	}
	out := map[string]any{"Id": "fake", "Status": "OK", "ProviderName": "Conflux fake", "DateTimeUTC": Date(now)}
	items := make([]map[string]any, 0, len(matched))
	if paged[collection] && q.Get("page") != "" {
		page, _ := strconv.Atoi(q.Get("page"))
		size := 100
		if v := q.Get("pageSize"); v != "" {
			size, _ = strconv.Atoi(v)
		}
		if page < 1 || size < 1 || size > 1000 {
			writeJSON(w, 400, map[string]any{"Title": "Bad Request", "Detail": "page >= 1, pageSize 1..1000"})
			return
		}
		start := min((page-1)*size, len(matched))
		end := min(start+size, len(matched))
		for _, rec := range matched[start:end] {
			items = append(items, rec.Fields)
		}
		out["pagination"] = map[string]int{"page": page, "pageSize": size, "pageCount": max(1, (len(matched)+size-1)/size), "itemCount": len(matched)}
	} else {
		for _, rec := range matched {
			f := rec.Fields
			if paged[collection] { // without page: a summary, no line items
				f = map[string]any{}
				for k, v := range rec.Fields {
					if k != "LineItems" {
						f[k] = v
					}
				}
			}
			items = append(items, f)
		}
	}
	if collection == "Organisation" {
		out["Organisations"] = []map[string]any{{"Name": s.TenantName, "BaseCurrency": "GBP", "OrganisationID": s.TenantID, "Timezone": "GMTSTANDARDTIME"}}
	} else {
		out[collection] = items
	}
	writeJSON(w, 200, out)
}
