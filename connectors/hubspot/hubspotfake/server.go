// Package hubspotfake is an in-process HubSpot CRM API (v3 objects and
// search, v4 associations) for tests and the demo: bearer tokens, owners
// and deal pipelines, the search endpoint with hs_lastmodifieddate and
// hs_object_id filters in OR-ed groups, ascending sort, limit ≤ 200 and the
// 10,000-result cap (HTTP 400 past it), archived objects only through list
// calls with archived=true, deal→company associations in batch, and the
// ten-second and search rate limits answered with 429.
package hubspotfake

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

// Object is a CRM record.
type Object struct {
	ID         string
	Properties map[string]string
	Created    time.Time
	Updated    time.Time
	Archived   bool
	// Companies associated to a deal, the first one primary.
	Companies []string
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (o Object) json() map[string]any {
	props := map[string]string{"hs_object_id": o.ID, "hs_lastmodifieddate": iso(o.Updated), "createdate": iso(o.Created)}
	for k, v := range o.Properties {
		props[k] = v
	}
	out := map[string]any{"id": o.ID, "properties": props, "createdAt": iso(o.Created), "updatedAt": iso(o.Updated), "archived": o.Archived}
	if o.Archived {
		out["archivedAt"] = iso(o.Updated)
	}
	return out
}

// Stage is a deal pipeline stage.
type Stage struct {
	ID, Label   string
	Probability string // "0.0".."1.0"
	IsClosed    bool
}

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	Bearer func(token string) bool
	// PerTenSeconds limits all calls, SearchPerSecond the search endpoint.
	PerTenSeconds, SearchPerSecond int
	Now                            func() time.Time

	mu       sync.Mutex
	objects  map[string][]Object // "deals", "companies", "line_items"
	owners   []map[string]any
	stages   []Stage
	faults   fakeapi.Faults
	window   time.Time
	inWindow int
	second   time.Time
	searches int
	requests fakeapi.Requests
	// PortalID is the account's hub id (GET /account-info/v3/details).
	PortalID int64
}

// New returns an empty fake.
func New(bearer func(string) bool) *Server {
	return &Server{Bearer: bearer, PerTenSeconds: 100, SearchPerSecond: 5, Now: time.Now, PortalID: 4242424,
		objects: map[string][]Object{}}
}

// Put adds or replaces objects of a type.
func (s *Server) Put(objectType string, v ...Object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := slices.Clone(s.objects[objectType])
	for _, o := range v {
		list = slices.DeleteFunc(list, func(x Object) bool { return x.ID == o.ID })
		list = append(list, o)
	}
	slices.SortStableFunc(list, func(a, b Object) int {
		if c := a.Updated.Compare(b.Updated); c != 0 {
			return c
		}
		ai, _ := strconv.ParseInt(a.ID, 10, 64)
		bi, _ := strconv.ParseInt(b.ID, 10, 64)
		return int(ai - bi)
	})
	s.objects[objectType] = list
}

// SetOwners replaces the owners.
func (s *Server) SetOwners(v []map[string]any) { s.mu.Lock(); s.owners = v; s.mu.Unlock() }

// SetStages replaces the one deal pipeline's stages.
func (s *Server) SetStages(v []Stage) { s.mu.Lock(); s.stages = v; s.mu.Unlock() }

// Fail queues faults for requests whose path has prefix.
func (s *Server) Fail(prefix string, f ...Fault) {
	s.faults.Add(prefix, f...)
}

// Requests counts requests whose path has prefix.
func (s *Server) Requests(prefix string) int {
	return s.requests.Count(prefix)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg, category string) {
	writeJSON(w, status, map[string]any{"status": "error", "message": msg, "category": category, "correlationId": "fake"})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Bearer == nil || !s.Bearer(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
		writeError(w, http.StatusUnauthorized, "Authentication credentials not found.", "INVALID_AUTHENTICATION")
		return
	}
	path := r.URL.Path
	search := strings.HasSuffix(path, "/search")
	s.mu.Lock()
	s.requests.Add(path)
	now := s.Now()
	if now.Sub(s.window) >= 10*time.Second {
		s.window, s.inWindow = now, 0
	}
	if now.Sub(s.second) >= time.Second {
		s.second, s.searches = now, 0
	}
	s.inWindow++
	if search {
		s.searches++
	}
	if s.PerTenSeconds > 0 && s.inWindow > s.PerTenSeconds || search && s.SearchPerSecond > 0 && s.searches > s.SearchPerSecond {
		s.mu.Unlock()
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
			"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"})
		return
	}
	fault := s.faults.Take(path)
	s.mu.Unlock()
	if fault != nil {
		if fault.Malformed {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"results":[{"id":"1","properties":`)
			return
		}
		writeError(w, fault.Status, http.StatusText(fault.Status), "FAULT")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case path == "/account-info/v3/details":
		writeJSON(w, 200, map[string]any{"portalId": s.PortalID, "accountType": "STANDARD", "timeZone": "Europe/London",
			"companyCurrency": "GBP", "utcOffset": "+00:00", "dataHostingLocation": "eu1"})
	case path == "/crm/v3/owners":
		archived := r.URL.Query().Get("archived") == "true"
		var out []map[string]any
		for _, o := range s.owners {
			if o["archived"] == archived {
				out = append(out, o)
			}
		}
		s.list(w, r, out)
	case path == "/crm/v3/pipelines/deals":
		var stages []map[string]any
		for i, st := range s.stages {
			stages = append(stages, map[string]any{"id": st.ID, "label": st.Label, "displayOrder": i, "archived": false,
				"metadata": map[string]string{"probability": st.Probability, "isClosed": strconv.FormatBool(st.IsClosed)}})
		}
		writeJSON(w, 200, map[string]any{"results": []map[string]any{{"id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": false, "stages": stages}}})
	case len(parts) == 5 && parts[2] == "objects" && parts[4] == "search" && r.Method == http.MethodPost:
		s.search(w, r, parts[3])
	case len(parts) == 4 && parts[2] == "objects" && r.Method == http.MethodGet:
		var out []map[string]any
		archived := r.URL.Query().Get("archived") == "true"
		for _, o := range s.objects[parts[3]] {
			if o.Archived == archived {
				out = append(out, o.json())
			}
		}
		s.list(w, r, out)
	case path == "/crm/v4/associations/deals/companies/batch/read" && r.Method == http.MethodPost:
		var body struct {
			Inputs []struct {
				ID string `json:"id"`
			} `json:"inputs"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Inputs) > 1000 {
			writeError(w, 400, "inputs: at most 1000 ids", "VALIDATION_ERROR")
			return
		}
		byID := map[string]Object{}
		for _, o := range s.objects["deals"] {
			byID[o.ID] = o
		}
		results := []map[string]any{}
		for _, in := range body.Inputs {
			d, ok := byID[in.ID]
			if !ok || len(d.Companies) == 0 {
				continue
			}
			var to []map[string]any
			for i, c := range d.Companies {
				typ := map[string]any{"category": "HUBSPOT_DEFINED", "typeId": 341, "label": nil}
				if i == 0 {
					typ = map[string]any{"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}
				}
				cid, _ := strconv.ParseInt(c, 10, 64)
				to = append(to, map[string]any{"toObjectId": cid, "associationTypes": []any{typ}})
			}
			results = append(results, map[string]any{"from": map[string]string{"id": in.ID}, "to": to})
		}
		writeJSON(w, 200, map[string]any{"status": "COMPLETE", "results": results})
	default:
		writeError(w, 404, "Not found", "OBJECT_NOT_FOUND")
	}
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, all []map[string]any) {
	q := r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if limit < 1 || limit > 100 {
		writeError(w, 400, "limit must be between 1 and 100", "VALIDATION_ERROR")
		return
	}
	offset, _ := strconv.Atoi(q.Get("after"))
	end := min(offset+limit, len(all))
	page := all[min(offset, end):end]
	if page == nil {
		page = []map[string]any{}
	}
	out := map[string]any{"results": page}
	if end < len(all) {
		out["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(end), "link": "?after=" + strconv.Itoa(end)}}
	}
	writeJSON(w, 200, out)
}

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

func (f filter) match(o Object) bool {
	switch f.PropertyName {
	case "hs_lastmodifieddate":
		v, err := time.Parse(time.RFC3339Nano, f.Value)
		if err != nil {
			ms, _ := strconv.ParseInt(f.Value, 10, 64)
			v = time.UnixMilli(ms)
		}
		u := o.Updated.Truncate(time.Millisecond)
		switch f.Operator {
		case "GTE":
			return !u.Before(v)
		case "GT":
			return u.After(v)
		case "EQ":
			return u.Equal(v)
		case "LT":
			return u.Before(v)
		}
	case "hs_object_id":
		id, _ := strconv.ParseInt(o.ID, 10, 64)
		v, _ := strconv.ParseInt(f.Value, 10, 64)
		switch f.Operator {
		case "GT":
			return id > v
		case "EQ":
			return id == v
		}
	}
	return false
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, objectType string) {
	var body struct {
		FilterGroups []struct {
			Filters []filter `json:"filters"`
		} `json:"filterGroups"`
		Limit int    `json:"limit"`
		After string `json:"after"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, 400, "Invalid input JSON", "VALIDATION_ERROR")
		return
	}
	if body.Limit == 0 {
		body.Limit = 10
	}
	if body.Limit > 200 || len(body.FilterGroups) > 5 {
		writeError(w, 400, "limit at most 200, at most 5 filter groups", "VALIDATION_ERROR")
		return
	}
	offset, _ := strconv.Atoi(body.After)
	if offset+body.Limit > 10000 {
		writeError(w, 400, "There was a problem with the request: the search can return at most 10,000 results.", "VALIDATION_ERROR")
		return
	}
	var matched []Object
	for _, o := range s.objects[objectType] {
		if o.Archived {
			continue // archived records never appear in search
		}
		ok := len(body.FilterGroups) == 0
		for _, g := range body.FilterGroups {
			all := true
			for _, f := range g.Filters {
				if !f.match(o) {
					all = false
				}
			}
			ok = ok || all
		}
		if ok {
			matched = append(matched, o)
		}
	}
	end := min(offset+body.Limit, len(matched))
	results := []map[string]any{}
	for _, o := range matched[min(offset, end):end] {
		results = append(results, o.json())
	}
	out := map[string]any{"total": len(matched), "results": results}
	if end < len(matched) {
		out["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(end)}}
	}
	writeJSON(w, 200, out)
}
