// Package expiring owns the one bounded, expiring cache that a warm action
// container keeps between activations: API clients, webhook senders,
// categories found by name, channels, delivered event ids and the
// duplicate-upload memory each hold one, each with its own stated bound.
//
// A [Cache] holds at most its bound of entries. Each entry may expire
// (a TTL per entry, so one cache serves a TTL that is a parameter); when the
// cache is full, expired entries go first, then the least recently used.
// It starts no goroutine and is safe for concurrent use.
package expiring

import (
	"container/list"
	"sync"
	"time"
)

// Cache is a bounded map from K to V whose entries may expire.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	now   func() time.Time
	items map[K]*list.Element
	order *list.List // front: most recently used
}

type entry[K comparable, V any] struct {
	key     K
	value   V
	expires time.Time // zero: never
}

// New returns a cache of at most max entries (at least 1) using the clock
// now (time.Now when nil).
func New[K comparable, V any](max int, now func() time.Time) *Cache[K, V] {
	if max < 1 {
		max = 1
	}
	if now == nil {
		now = time.Now
	}
	return &Cache[K, V]{max: max, now: now, items: make(map[K]*list.Element), order: list.New()}
}

// Get returns the live value for key.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	e := el.Value.(*entry[K, V])
	if c.expired(e, c.now()) {
		c.remove(el)
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.value, true
}

// Put stores value for key for ttl (0 or less: until evicted).
func (c *Cache[K, V]) Put(key K, value V, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	var expires time.Time
	if ttl > 0 {
		expires = now.Add(ttl)
	}
	if el, ok := c.items[key]; ok {
		e := el.Value.(*entry[K, V])
		e.value, e.expires = value, expires
		c.order.MoveToFront(el)
		return
	}
	if len(c.items) >= c.max {
		c.evict(now)
	}
	c.items[key] = c.order.PushFront(&entry[K, V]{key: key, value: value, expires: expires})
}

// Delete removes key.
func (c *Cache[K, V]) Delete(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
}

// Len is the number of entries held, expired ones included until they are
// evicted or read.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// GetOrCreate returns the live value for key, or makes one with create
// and stores it for ttl. create runs under the cache's lock, so at most
// once per key at a time; it must be quick (building a client, not
// calling an API). An error is returned and nothing is stored.
func (c *Cache[K, V]) GetOrCreate(key K, ttl time.Duration, create func() (V, error)) (V, error) {
	if v, ok := c.Get(key); ok {
		return v, nil
	}
	v, err := create()
	if err != nil {
		return v, err
	}
	c.Put(key, v, ttl)
	return v, nil
}

func (c *Cache[K, V]) expired(e *entry[K, V], now time.Time) bool {
	return !e.expires.IsZero() && !now.Before(e.expires)
}

// evict makes room for one entry: every expired entry goes, else the least
// recently used one.
func (c *Cache[K, V]) evict(now time.Time) {
	for el := c.order.Back(); el != nil; {
		prev := el.Prev()
		if c.expired(el.Value.(*entry[K, V]), now) {
			c.remove(el)
		}
		el = prev
	}
	if len(c.items) >= c.max {
		c.remove(c.order.Back())
	}
}

func (c *Cache[K, V]) remove(el *list.Element) {
	c.order.Remove(el)
	delete(c.items, el.Value.(*entry[K, V]).key)
}
