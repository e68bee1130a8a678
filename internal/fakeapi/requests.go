package fakeapi

import (
	"strings"
	"sync"
)

// Requests counts the requests a fake has received, by path, for tests
// that assert how many calls a sync made. The zero value is ready to use.
type Requests struct {
	mu sync.Mutex
	by map[string]int
}

// Add counts one request to path.
func (r *Requests) Add(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.by == nil {
		r.by = map[string]int{}
	}
	r.by[path]++
}

// Count is the number of requests whose path starts with prefix.
func (r *Requests) Count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for p, c := range r.by {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// Exact is the number of requests to exactly path.
func (r *Requests) Exact(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.by[path]
}
