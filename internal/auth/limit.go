package auth

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter bounds failed sign-ins per key: an account may fail five times,
// then once a minute; an address (many people behind one office router)
// twenty times, then once every ten seconds. Successes cost nothing.
type Limiter struct {
	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

// NewLimiter returns an empty limiter.
func NewLimiter() *Limiter { return &Limiter{keys: map[string]*rate.Limiter{}} }

func (l *Limiter) of(key string) *rate.Limiter {
	lim, ok := l.keys[key]
	if !ok {
		lim = rate.NewLimiter(rate.Every(time.Minute), 5)
		if strings.HasPrefix(key, "address:") {
			lim = rate.NewLimiter(rate.Every(10*time.Second), 20)
		}
		l.keys[key] = lim
	}
	return lim
}

// Blocked reports whether any key has no attempt left.
func (l *Limiter) Blocked(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if l.of(k).Tokens() < 1 {
			return true
		}
	}
	return false
}

// Failed spends an attempt of every key.
func (l *Limiter) Failed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		l.of(k).Allow()
	}
}
