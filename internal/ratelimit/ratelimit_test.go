package ratelimit_test

import (
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/ratelimit"
)

func TestBucketsRefillAndAreKeptApart(t *testing.T) {
	l := ratelimit.New(2, 3) // 2 per second, 3 at once
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		key       string
		at        time.Duration
		allowed   bool
		remaining int
		reset     time.Duration
		retry     time.Duration
	}{
		{"alice", 0, true, 2, 500 * time.Millisecond, 0},
		{"alice", 0, true, 1, time.Second, 0},
		{"alice", 0, true, 0, 1500 * time.Millisecond, 0},
		{"alice", 0, false, 0, 1500 * time.Millisecond, 500 * time.Millisecond},
		{"bob", 0, true, 2, 500 * time.Millisecond, 0}, // a bucket of his own
		{"alice", 500 * time.Millisecond, true, 0, 1500 * time.Millisecond, 0},
		{"alice", 3 * time.Second, true, 2, 500 * time.Millisecond, 0},  // full again, never above the burst
		{"alice", 20 * time.Minute, true, 2, 500 * time.Millisecond, 0}, // swept while idle, starts full
	}
	for i, s := range steps {
		d := l.Allow(s.key, t0.Add(s.at))
		if d.Allowed != s.allowed || d.Remaining != s.remaining || d.Reset != s.reset || d.RetryAfter != s.retry || d.Limit != 3 {
			t.Errorf("step %d (%s at %v): %+v", i, s.key, s.at, d)
		}
	}
}
