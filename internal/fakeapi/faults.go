// Package fakeapi holds what the in-process vendor fakes share: scripted
// failures that tests queue under a path prefix and that the next matching
// requests take, one each, and the count of requests each path received.
package fakeapi

import (
	"strings"
	"sync"
)

// Fault is one scripted failure; a fake answers with it instead of the data.
type Fault struct {
	Status     int    // e.g. 500, 429, 401
	RetryAfter string // Retry-After header, for fakes whose vendor sends one
	Malformed  bool   // a truncated JSON body with status 200
}

// Faults queues faults per path prefix. The zero value is ready to use.
type Faults struct {
	mu    sync.Mutex
	queue map[string][]Fault
}

// Add queues faults for requests whose path starts with prefix.
func (f *Faults) Add(prefix string, faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.queue == nil {
		f.queue = map[string][]Fault{}
	}
	f.queue[prefix] = append(f.queue[prefix], faults...)
}

// Take removes and returns the next fault for path, from the longest
// matching prefix that has one; nil when none is queued.
func (f *Faults) Take(path string) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	best := ""
	found := false
	for prefix, q := range f.queue {
		if len(q) > 0 && strings.HasPrefix(path, prefix) && (!found || len(prefix) > len(best)) {
			best, found = prefix, true
		}
	}
	if !found {
		return nil
	}
	fault := f.queue[best][0]
	f.queue[best] = f.queue[best][1:]
	return &fault
}
