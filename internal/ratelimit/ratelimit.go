// Package ratelimit limits how fast each caller may call: a token bucket per key (the caller's
// subject), refilled at a steady rate up to a burst. Buckets live in this instance's memory, so
// with n instances behind a balancer a caller gets at most n times the rate.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// idle is how long an untouched bucket is kept; by then it is full again anyway.
const idle = 10 * time.Minute

// Limiter holds the buckets.
type Limiter struct {
	rate  rate.Limit
	burst int

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a limiter allowing perSecond requests per key on average and burst at once.
func New(perSecond float64, burst int) *Limiter {
	return &Limiter{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

// Decision is the answer for one request, with what the RateLimit headers say.
type Decision struct {
	Allowed    bool
	Limit      int           // the burst: requests allowed at once
	Remaining  int           // requests left at once after this one
	Reset      time.Duration // until the bucket is full again
	RetryAfter time.Duration // when refused: until the next request is allowed
}

// Allow takes one request from key's bucket at time now.
func (l *Limiter) Allow(key string, now time.Time) Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > idle {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > idle {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	d := Decision{Allowed: b.lim.AllowN(now, 1), Limit: l.burst}
	tokens := b.lim.TokensAt(now)
	d.Remaining = max(0, int(math.Floor(tokens)))
	d.Reset = l.until(float64(l.burst) - tokens)
	if !d.Allowed {
		d.RetryAfter = l.until(1 - tokens)
	}
	return d
}

// until is how long the bucket takes to gain n tokens.
func (l *Limiter) until(n float64) time.Duration {
	if n <= 0 || l.rate <= 0 {
		return 0
	}
	return time.Duration(n / float64(l.rate) * float64(time.Second))
}
