package delivery

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestBackoffGrowsWithJitterAndFollowsTheWebhookSchedule(t *testing.T) {
	tests := []struct {
		ch     Channel
		n      int
		around time.Duration // the wait before jitter of ±20 %
	}{
		{Mail, 1, 30 * time.Second},
		{Mail, 2, time.Minute},
		{Mail, 3, 2 * time.Minute},
		{Mail, 7, 32 * time.Minute},
		{Mail, 8, time.Hour},
		{Mail, 9, time.Hour},
		{Webhook, 1, 5 * time.Second},
		{Webhook, 2, 5 * time.Minute},
		{Webhook, 3, 30 * time.Minute},
		{Webhook, 5, 5 * time.Hour},
		{Webhook, 6, 10 * time.Hour},
		{Webhook, 20, 10 * time.Hour},
	}
	for _, tc := range tests {
		lo, hi := time.Duration(float64(tc.around)*0.8), time.Duration(float64(tc.around)*1.2)
		seen := map[time.Duration]bool{}
		for seed := range uint64(50) {
			d := Backoff(tc.ch, tc.n, rand.New(rand.NewPCG(seed, uint64(tc.n))))
			if d < lo || d > hi {
				t.Errorf("%s attempt %d: %v, want %v–%v", tc.ch, tc.n, d, lo, hi)
			}
			seen[d] = true
		}
		if len(seen) < 40 {
			t.Errorf("%s attempt %d: %d distinct waits of 50, the jitter spreads too little", tc.ch, tc.n, len(seen))
		}
		if a, b := Backoff(tc.ch, tc.n, rand.New(rand.NewPCG(7, 7))), Backoff(tc.ch, tc.n, rand.New(rand.NewPCG(7, 7))); a != b {
			t.Errorf("%s attempt %d: the same jitter gave %v and %v", tc.ch, tc.n, a, b)
		}
	}
}
