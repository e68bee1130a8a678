// Package productivefake is an in-process Productive.io API v2 (JSON:API)
// for tests and the demo: X-Auth-Token and X-Organization-Id, the JSON:API
// content type (415 without it), page[number]/page[size] up to 200 with
// meta totals, relationships that carry ids only when included, filters on
// updated_at for time entries and bookings, /deleted_items tombstones, and
// 100 requests per 10 seconds (429 above it).
package productivefake

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

// Resource is one JSON:API object. Relationships map a name to the related
// object's type and id.
type Resource struct {
	ID            string
	Type          string
	Attributes    map[string]any
	Relationships map[string][2]string // name → {type, id}
	UpdatedAt     time.Time
}

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	Token, Organization string
	// PerTenSeconds is the request budget per 10 s window; 0 disables it.
	PerTenSeconds int
	Now           func() time.Time

	mu      sync.Mutex
	lists   map[string][]Resource // by collection path ("time_entries")
	deleted []Resource
	// The rows of the last listing (its collection, filters and sort),
	// for its next pages: filtering and sorting the whole collection per
	// page made a first sync quadratic. Any change forgets it.
	listing     string
	listingRows []Resource
	changes     int // Put and Delete calls: a listing made across one is not kept
	faults      fakeapi.Faults
	window      time.Time
	inWindow    int
	requests    fakeapi.Requests
}

// New returns an empty fake.
func New(token, organization string) *Server {
	return &Server{Token: token, Organization: organization, PerTenSeconds: 100, Now: time.Now,
		lists: map[string][]Resource{}}
}

// Put adds or replaces resources of a collection, keeping them in id order.
func (s *Server) Put(collection string, v ...Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := make(map[string]int, len(v)) // a resource put twice keeps its last version
	for i, r := range v {
		last[r.ID] = i
	}
	list := slices.DeleteFunc(slices.Clone(s.lists[collection]), func(x Resource) bool { _, ok := last[x.ID]; return ok })
	for i, r := range v {
		if last[r.ID] == i {
			list = append(list, r)
		}
	}
	slices.SortStableFunc(list, func(a, b Resource) int {
		ai, _ := strconv.Atoi(a.ID)
		bi, _ := strconv.Atoi(b.ID)
		return ai - bi
	})
	s.lists[collection], s.listingRows = list, nil
	s.changes++
}

// Delete removes a resource and records it in /deleted_items.
func (s *Server) Delete(collection, id, itemType string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists[collection], s.listingRows = slices.DeleteFunc(slices.Clone(s.lists[collection]), func(x Resource) bool { return x.ID == id }), nil
	s.changes++
	s.deleted = append(s.deleted, Resource{ID: strconv.Itoa(len(s.deleted) + 1), Type: "deleted_items", UpdatedAt: at,
		Attributes: map[string]any{"item_type": itemType, "item_id": id, "created_at": at.Format(time.RFC3339)}})
}

// Count counts a collection.
func (s *Server) Count(collection string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lists[collection])
}

// Fail queues faults for requests whose path starts with prefix.
func (s *Server) Fail(prefix string, f ...Fault) {
	s.faults.Add(prefix, f...)
}

// Requests counts requests whose path starts with prefix.
func (s *Server) Requests(prefix string) int {
	return s.requests.Count(prefix)
}

func writeErrors(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "application/vnd.api+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"status": strconv.Itoa(status), "title": title}}})
}

// ServeHTTP implements http.Handler; paths may carry /api/v2.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.api+json") {
		writeErrors(w, http.StatusUnsupportedMediaType, "Unsupported Media Type")
		return
	}
	if r.Header.Get("X-Auth-Token") != s.Token || r.Header.Get("X-Organization-Id") != s.Organization {
		writeErrors(w, http.StatusUnauthorized, "invalid_auth_token")
		return
	}
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/v2"), "/")
	s.mu.Lock()
	s.requests.Add("/" + path)
	if s.PerTenSeconds > 0 {
		now := s.Now()
		if now.Sub(s.window) >= 10*time.Second {
			s.window, s.inWindow = now, 0
		}
		s.inWindow++
		if s.inWindow > s.PerTenSeconds {
			left := 10*time.Second - now.Sub(s.window)
			s.mu.Unlock()
			w.Header().Set("X-RateLimit-Reset", strconv.Itoa(int(left.Seconds())+1))
			writeErrors(w, http.StatusTooManyRequests, "Too many requests")
			return
		}
	}
	fault := s.faults.Take("/" + path)
	s.mu.Unlock()
	if fault != nil {
		if fault.Malformed {
			w.Header().Set("Content-Type", "application/vnd.api+json")
			fmt.Fprint(w, `{"data":[{"id":"1","type":`)
			return
		}
		writeErrors(w, fault.Status, http.StatusText(fault.Status))
		return
	}
	if r.Method != http.MethodGet {
		writeErrors(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	q := r.URL.Query()
	for k := range q {
		if strings.HasPrefix(k, "filter[") && !slices.Contains([]string{"filter[updated_at][gt]", "filter[created_at][gt]", "filter[item_type]"}, k) {
			writeErrors(w, http.StatusBadRequest, "Unsupported Filter "+k)
			return
		}
	}
	updatedAfter, createdAfter := q.Get("filter[updated_at][gt]"), q.Get("filter[created_at][gt]")
	updatedSince, err := time.Parse(time.RFC3339, updatedAfter)
	if updatedAfter != "" && err != nil {
		writeErrors(w, http.StatusBadRequest, "Unsupported Filter value for updated_at")
		return
	}
	createdSince, createdErr := time.Parse(time.RFC3339, createdAfter)
	listing := strings.Join([]string{path, updatedAfter, createdAfter, q.Get("filter[item_type]"), q.Get("sort")}, "\x00")
	s.mu.Lock()
	filtered, known, changes := s.listingRows, s.listingRows != nil && s.listing == listing, s.changes
	var all []Resource
	switch path {
	case "deleted_items":
		all = s.deleted
	default:
		var ok bool
		if all, ok = s.lists[path]; !ok {
			s.mu.Unlock()
			writeErrors(w, http.StatusNotFound, "Not Found")
			return
		}
	}
	s.mu.Unlock()

	if !known {
		filtered = []Resource{}
		for _, res := range all {
			if updatedAfter != "" && !res.UpdatedAt.After(updatedSince) {
				continue
			}
			if createdAfter != "" && (createdErr != nil || !res.UpdatedAt.After(createdSince)) {
				continue
			}
			if v := q.Get("filter[item_type]"); v != "" && res.Attributes["item_type"] != v {
				continue
			}
			filtered = append(filtered, res)
		}
		if q.Get("sort") == "updated_at" {
			slices.SortStableFunc(filtered, func(a, b Resource) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
		}
		s.mu.Lock()
		if s.changes == changes {
			s.listing, s.listingRows = listing, filtered
		}
		s.mu.Unlock()
	}
	number, size := 1, 30
	if v := q.Get("page[number]"); v != "" {
		number, _ = strconv.Atoi(v)
	}
	if v := q.Get("page[size]"); v != "" {
		size, _ = strconv.Atoi(v)
	}
	if number < 1 || size < 1 || size > 200 {
		writeErrors(w, http.StatusBadRequest, "page[size] must be between 1 and 200")
		return
	}
	include := map[string]bool{}
	for _, inc := range strings.Split(q.Get("include"), ",") {
		if inc != "" {
			include[inc] = true
		}
	}
	start := min((number-1)*size, len(filtered))
	end := min(start+size, len(filtered))
	data := make([]map[string]any, 0, end-start)
	for _, res := range filtered[start:end] {
		rels := map[string]any{}
		for name, ref := range res.Relationships {
			if include[name] {
				rels[name] = map[string]any{"data": map[string]string{"type": ref[0], "id": ref[1]}}
			} else {
				rels[name] = map[string]any{"meta": map[string]bool{"included": false}}
			}
		}
		data = append(data, map[string]any{"id": res.ID, "type": res.Type, "attributes": res.Attributes, "relationships": rels})
	}
	total := len(filtered)
	pages := max(1, (total+size-1)/size)
	w.Header().Set("Content-Type", "application/vnd.api+json")
	json.NewEncoder(w).Encode(map[string]any{
		"data":     data,
		"included": []any{},
		"meta":     map[string]int{"current_page": number, "total_pages": pages, "total_count": total, "page_size": size, "max_page_size": 200},
	})
}
