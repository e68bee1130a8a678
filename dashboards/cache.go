package dashboards

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// The data only changes at a refresh or through a form the server handles,
// so a report's result is kept for the data version it was read from: the
// key is the version, the viewer's restriction (what rows and columns they
// may see), the report and its parameters. A new version empties the cache;
// readers keep using the tables they hold until they release them.
type resultCache struct {
	boot    string        // tells one server run's versions from another's
	version atomic.Uint64 // bumped by each refresh and each change
	// refreshing is set while a refresh writes: what is read then may mix
	// old and new data, so it is served but not kept.
	refreshing atomic.Bool
	maxSize    int64 // bytes of result kept at most

	mu      sync.Mutex
	entries *simplelru.LRU[string, cached]
	size    int64
	facts   map[string]any // small things read once per version (remember)

	hits, misses atomic.Int64
}

// cached is a report's result or a rendered page.
type cached struct {
	table *warehouse.Table
	page  []byte
	size  int64
}

func newResultCache(maxSize int64) *resultCache {
	if maxSize == 0 {
		maxSize = 256 << 20
	}
	c := &resultCache{boot: auth.Random(6), maxSize: maxSize, facts: map[string]any{}}
	c.entries, _ = simplelru.NewLRU[string, cached](4096, func(_ string, v cached) {
		c.size -= v.size
		if v.table != nil {
			v.table.Release()
		}
	})
	return c
}

// Version names the data every cached result and ETag belongs to.
func (c *resultCache) Version() string {
	return fmt.Sprintf("%s.%d", c.boot, c.version.Load())
}

// Changed starts a new data version and lets go of every kept result.
func (c *resultCache) Changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version.Add(1)
	c.entries.Purge()
	c.facts = map[string]any{}
}

// remember gives what compute returns for key, computed once per data
// version (every time when the cache is off).
func (c *resultCache) remember(key string, compute func() any) any {
	version := c.Version()
	c.mu.Lock()
	v, ok := c.facts[key]
	c.mu.Unlock()
	if ok && c.maxSize >= 0 {
		return v
	}
	v = compute()
	c.mu.Lock()
	if version == c.Version() && c.maxSize >= 0 && !c.refreshing.Load() {
		c.facts[key] = v
	}
	c.mu.Unlock()
	return v
}

// get returns the kept result for key, shared: the caller releases it.
func (c *resultCache) get(key string) (*warehouse.Table, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries.Get(key)
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return share(v.table), true
}

// put keeps t under key (read at version) when it is still the current
// version and small enough; t stays the caller's.
func (c *resultCache) put(version, key string, t *warehouse.Table) {
	size := tableSize(t)
	if size > c.maxSize/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.Version() || c.refreshing.Load() {
		return // a refresh is writing, or finished while the report ran
	}
	c.entries.Add(key, cached{table: share(t), size: size})
	c.size += size
	for c.size > c.maxSize {
		c.entries.RemoveOldest()
	}
}

// getPage returns a rendered page kept under key; it is shared, not copied.
func (c *resultCache) getPage(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries.Get(key)
	if !ok || v.page == nil {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return v.page, true
}

// putPage keeps a page rendered from the data of version.
func (c *resultCache) putPage(version, key string, page []byte) {
	size := int64(len(page))
	if size > c.maxSize/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.Version() || c.refreshing.Load() {
		return
	}
	c.entries.Add(key, cached{page: page, size: size})
	c.size += size
	for c.size > c.maxSize {
		c.entries.RemoveOldest()
	}
}

// share is another reference to t's batches: each holder releases its own.
func share(t *warehouse.Table) *warehouse.Table {
	for _, r := range t.Records {
		r.Retain()
	}
	return &warehouse.Table{Schema: t.Schema, Records: slices.Clone(t.Records)}
}

// tableSize is the bytes t's buffers hold.
func tableSize(t *warehouse.Table) int64 {
	var n int64
	for _, r := range t.Records {
		for _, col := range r.Columns() {
			for _, b := range col.Data().Buffers() {
				if b != nil {
					n += int64(b.Len())
				}
			}
		}
	}
	return n
}

// runReport runs a report as the request's viewer sees the warehouse, from
// the cache when the same viewer scope asked the same of the same data.
func (s *Server) runReport(ctx context.Context, name string, params map[string]string) (*warehouse.Table, error) {
	version := s.cache.Version()
	scope := ""
	if r := viewerOf(ctx).Restriction(); r != nil {
		scope = r.Name
	}
	key := strings.Join([]string{version, scope, name, encodeParams(params)}, "\x00")
	if s.cache.maxSize < 0 {
		key = ""
	} else if t, ok := s.cache.get(key); ok {
		return t, nil
	}
	reader, err := s.reader(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.opts.Reports.Run(ctx, reader, name, params)
	if err != nil {
		return nil, err
	}
	if key != "" {
		s.cache.put(version, key, t)
	}
	return t, nil
}

// viewerKey is what, besides the data and the address, makes a page
// differ from one viewer to another: the day (the default period), their
// role, name and scope.
func (s *Server) viewerKey(ctx context.Context) string {
	v := viewerOf(ctx)
	scope := ""
	if r := v.Restriction(); r != nil {
		scope = r.Name
	}
	return strings.Join([]string{time.Now().Format(time.DateOnly), v.Role, v.Email, scope}, "\x00")
}

// etag is a weak validator of what a GET shows this viewer: the data
// version, who is asking (their scope, name and form token appear on the
// page) and the address. Weak, as a compressed copy is the same page.
func (s *Server) etag(ctx context.Context, uri string) string {
	h := sha256.Sum256([]byte(strings.Join([]string{s.cache.Version(), s.viewerKey(ctx), csrfOf(ctx), uri}, "\x00")))
	return `W/"` + hex.EncodeToString(h[:12]) + `"`
}
