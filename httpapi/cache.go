package httpapi

import (
	"container/list"
	"sync"

	"github.com/crmagg/crmagg/engine"
	"github.com/crmagg/crmagg/schema"
)

// maxCachedBody is the largest request body whose plan is cached. It bounds
// the cache's memory to about DefaultCacheSize × 64 KiB of keys; larger
// bodies, which no dashboard sends twice, are compiled every time.
const maxCachedBody = 64 << 10

// cacheKey identifies a compilation: the same body compiled against the
// same schema gives the same plan.
type cacheKey struct {
	schema *schema.Schema
	body   string
}

type cacheEntry struct {
	key  cacheKey
	plan *engine.Plan
}

// planCache is a least-recently-used cache of compiled plans, safe for
// concurrent use. Two requests that miss at once both compile; the second
// add keeps one entry.
type planCache struct {
	mu      sync.Mutex
	size    int
	order   *list.List // front: most recently used
	entries map[cacheKey]*list.Element
}

func newPlanCache(size int) *planCache {
	return &planCache{size: size, order: list.New(), entries: make(map[cacheKey]*list.Element, size)}
}

func (c *planCache) get(key cacheKey) (*engine.Plan, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	elem, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(elem)
	return elem.Value.(*cacheEntry).plan, true
}

func (c *planCache) add(key cacheKey, plan *engine.Plan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if elem, ok := c.entries[key]; ok {
		c.order.MoveToFront(elem)
		return
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, plan: plan})
	if c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry).key)
	}
}

func (c *planCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
