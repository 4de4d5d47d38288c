package pipeline

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"

	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// Pipeline serves the pipeline's handlers and keeps, for the life of a warm
// container, the API clients, the categories found by name, the channels
// playback URLs come from, the webhook senders and the ids of the events
// already delivered.
type Pipeline struct {
	now        func() time.Time
	clientOpts []vodstation.Option
	senderOpts []webhook.SenderOption

	mu         sync.Mutex
	clients    map[clientKey]*vodstation.Client
	categories map[string]cachedCategory
	senders    map[senderKey]*webhook.Sender
	sent       map[string]struct{}
	channels   map[string]cachedChannel
	submitted  map[dedupKey]time.Time // → expiry
}

// Option configures a Pipeline.
type Option func(*Pipeline)

// WithClock sets the clock used for cache expiry.
func WithClock(now func() time.Time) Option { return func(p *Pipeline) { p.now = now } }

// WithClientOptions passes options to every VOD Station client.
func WithClientOptions(opts ...vodstation.Option) Option {
	return func(p *Pipeline) { p.clientOpts = append(p.clientOpts, opts...) }
}

// WithHTTPClient makes every VOD Station client send through hc.
func WithHTTPClient(hc *http.Client) Option {
	return WithClientOptions(vodstation.WithHTTPClient(hc))
}

// WithWebhookOptions passes options to every webhook sender.
func WithWebhookOptions(opts ...webhook.SenderOption) Option {
	return func(p *Pipeline) { p.senderOpts = append(p.senderOpts, opts...) }
}

// New returns a Pipeline with empty caches.
func New(opts ...Option) *Pipeline {
	p := &Pipeline{
		now:        time.Now,
		clients:    map[clientKey]*vodstation.Client{},
		categories: map[string]cachedCategory{},
		senders:    map[senderKey]*webhook.Sender{},
		sent:       map[string]struct{}{},
		channels:   map[string]cachedChannel{},
		submitted:  map[dedupKey]time.Time{},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// clientKey identifies a client; the secret enters only as a hash.
type clientKey struct {
	url, region, accessKey string
	secret                 [sha256.Size]byte
}

// maxClients bounds the client cache; parameters rarely change in a container.
const maxClients = 8

// client returns the cached client for these parameters, creating it once.
// Reusing it keeps connections alive across warm activations.
func (p *Pipeline) client(params APIParams) (*vodstation.Client, error) {
	key := clientKey{string(params.APIURL), string(params.Region), params.AccessKey, sha256.Sum256([]byte(params.SecretKey.Reveal()))}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[key]; ok {
		return c, nil
	}
	opts := append([]vodstation.Option{vodstation.WithRegion(string(params.Region))}, p.clientOpts...)
	c, err := vodstation.New(string(params.APIURL), params.credentials(), opts...)
	if err != nil {
		return nil, err
	}
	if len(p.clients) >= maxClients {
		clear(p.clients)
	}
	p.clients[key] = c
	return c, nil
}

type cachedCategory struct {
	category vodstation.Category
	expires  time.Time
}

func categoryKey(params APIParams, name string) string {
	return string(params.APIURL) + "\x00" + params.AccessKey + "\x00" + name
}

func (p *Pipeline) cachedCategory(key string) (vodstation.Category, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.categories[key]
	if !ok || !p.now().Before(c.expires) {
		return vodstation.Category{}, false
	}
	return c.category, true
}

func (p *Pipeline) storeCategory(key string, cat vodstation.Category, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.categories) >= 64 {
		clear(p.categories)
	}
	p.categories[key] = cachedCategory{category: cat, expires: p.now().Add(ttl)}
}
