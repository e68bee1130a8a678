// Package quickbooksfake is an in-process QuickBooks Online Accounting API
// (v3) for tests and the demo: bearer tokens, the company (realm) in the
// path, the query endpoint (SELECT * FROM Entity [WHERE
// Metadata.LastUpdatedTime >= '…' [AND Active IN (true,false)]] ORDERBY
// Metadata.LastUpdatedTime STARTPOSITION n MAXRESULTS m, at most 1000),
// name-list entities that hide inactive rows unless asked, change data
// capture with deleted stubs (30 days back at most), and 10 requests a
// second (429 above).
package quickbooksfake

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

// Record is one QuickBooks entity.
type Record struct {
	ID      string
	Updated time.Time
	Fields  map[string]any
}

type deletion struct {
	entity, id string
	at         time.Time
}

// Fault is a scripted failure (see Fail).
type Fault = fakeapi.Fault

// Server is the fake.
type Server struct {
	RealmID   string
	Bearer    func(string) bool
	PerSecond int
	Now       func() time.Time

	mu       sync.Mutex
	entities map[string][]Record
	deleted  []deletion
	faults   fakeapi.Faults
	second   time.Time
	inSecond int
	queries  []string
}

// Name-list entities are never deleted, only made inactive.
var nameLists = map[string]bool{"Customer": true, "Item": true, "Class": true, "Employee": true}

// Time writes t as QuickBooks does, with an offset.
func Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-07:00") }

// New returns an empty fake for one company.
func New(realm string, bearer func(string) bool) *Server {
	return &Server{RealmID: realm, Bearer: bearer, PerSecond: 10, Now: time.Now, entities: map[string][]Record{}}
}

// Put adds or replaces entities; Fields gets Id and MetaData.
func (s *Server) Put(entity string, v ...Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := slices.Clone(s.entities[entity])
	for _, r := range v {
		r.Fields["Id"] = r.ID
		r.Fields["MetaData"] = map[string]string{"CreateTime": Time(r.Updated), "LastUpdatedTime": Time(r.Updated)}
		list = slices.DeleteFunc(list, func(x Record) bool { return x.ID == r.ID })
		list = append(list, r)
	}
	slices.SortStableFunc(list, func(a, b Record) int {
		if c := a.Updated.Compare(b.Updated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	s.entities[entity] = list
}

// Delete hard-deletes a transaction; CDC reports it.
func (s *Server) Delete(entity, id string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entities[entity] = slices.DeleteFunc(slices.Clone(s.entities[entity]), func(x Record) bool { return x.ID == id })
	s.deleted = append(s.deleted, deletion{entity, id, at})
}

// Queries returns the query strings received, for tests.
func (s *Server) Queries() []string { s.mu.Lock(); defer s.mu.Unlock(); return slices.Clone(s.queries) }

// Fail queues faults for requests whose path has prefix (after the realm).
func (s *Server) Fail(prefix string, f ...Fault) {
	s.faults.Add(prefix, f...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fault(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"Fault": map[string]any{"Error": []map[string]string{{"Message": msg, "code": strconv.Itoa(status)}}, "type": "ValidationFault"}})
}

var queryRE = regexp.MustCompile(`(?i)^\s*select \* from (\w+)(?:\s+where\s+(.*?))?(?:\s+orderby\s+[\w.]+(?:\s+(?:asc|desc))?)?(?:\s+startposition\s+(\d+))?(?:\s+maxresults\s+(\d+))?\s*$`)
var sinceRE = regexp.MustCompile(`(?i)metadata\.lastupdatedtime\s*>=\s*'([^']+)'`)
var allActiveRE = regexp.MustCompile(`(?i)active\s+in\s*\(\s*true\s*,\s*false\s*\)`)

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Bearer == nil || !s.Bearer(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"fault": map[string]any{"error": []map[string]string{{"message": "message=AuthenticationFailed; errorCode=003200; statusCode=401", "code": "3200"}}, "type": "AUTHENTICATION"}})
		return
	}
	prefix := "/v3/company/" + s.RealmID
	if !strings.HasPrefix(r.URL.Path, prefix+"/") {
		fault(w, http.StatusForbidden, "ApplicationAuthorizationFailed: wrong realm")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, prefix)
	s.mu.Lock()
	now := s.Now()
	if now.Sub(s.second) >= time.Second {
		s.second, s.inSecond = now, 0
	}
	s.inSecond++
	if s.PerSecond > 0 && s.inSecond > s.PerSecond {
		s.mu.Unlock()
		fault(w, http.StatusTooManyRequests, "ThrottleExceeded")
		return
	}
	f := s.faults.Take(path)
	s.mu.Unlock()
	if f != nil {
		if f.Malformed {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"QueryResponse":{"Invoice":[{"Id":`)
			return
		}
		fault(w, f.Status, http.StatusText(f.Status))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch path {
	case "/query":
		q := r.URL.Query().Get("query")
		s.queries = append(s.queries, q)
		m := queryRE.FindStringSubmatch(q)
		if m == nil {
			fault(w, 400, "QueryParserError: Encountered an unsupported query")
			return
		}
		entity, where := m[1], m[2]
		start, maxResults := 1, 100
		if m[3] != "" {
			start, _ = strconv.Atoi(m[3])
		}
		if m[4] != "" {
			maxResults, _ = strconv.Atoi(m[4])
		}
		if maxResults > 1000 || start < 1 {
			fault(w, 400, "MAXRESULTS at most 1000, STARTPOSITION from 1")
			return
		}
		var since time.Time
		if sm := sinceRE.FindStringSubmatch(where); sm != nil {
			t, err := time.Parse(time.RFC3339, sm[1])
			if err != nil {
				fault(w, 400, "QueryValidationError: bad date "+sm[1])
				return
			}
			since = t
		}
		withInactive := allActiveRE.MatchString(where)
		var matched []map[string]any
		for _, rec := range s.entities[entity] {
			if !since.IsZero() && rec.Updated.Before(since) {
				continue
			}
			if nameLists[entity] && !withInactive && rec.Fields["Active"] == false {
				continue
			}
			matched = append(matched, rec.Fields)
		}
		end := min(start-1+maxResults, len(matched))
		resp := map[string]any{"startPosition": start, "maxResults": max(0, end-(start-1))}
		if page := matched[min(start-1, end):end]; len(page) > 0 {
			resp[entity] = page // the entity key is left out when there are no rows
		}
		writeJSON(w, 200, map[string]any{"QueryResponse": resp, "time": Time(now)})
	case "/cdc":
		q := r.URL.Query()
		since, err := time.Parse(time.RFC3339, q.Get("changedSince"))
		if err != nil || now.Sub(since) > 30*24*time.Hour {
			fault(w, 400, "changedSince must be an ISO-8601 time within the last 30 days")
			return
		}
		var responses []map[string]any
		for _, entity := range strings.Split(q.Get("entities"), ",") {
			var items []map[string]any
			for _, rec := range s.entities[entity] {
				if !rec.Updated.Before(since) {
					items = append(items, rec.Fields)
				}
			}
			for _, d := range s.deleted {
				if d.entity == entity && !d.at.Before(since) {
					items = append(items, map[string]any{"Id": d.id, "status": "Deleted", "MetaData": map[string]string{"LastUpdatedTime": Time(d.at)}})
				}
			}
			resp := map[string]any{"startPosition": 1, "maxResults": len(items)}
			if len(items) > 0 {
				resp[entity] = items
			}
			responses = append(responses, resp)
		}
		writeJSON(w, 200, map[string]any{"CDCResponse": []map[string]any{{"QueryResponse": responses}}, "time": Time(now)})
	default:
		fault(w, 404, "Unsupported Operation")
	}
}
