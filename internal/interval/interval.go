// Package interval is arithmetic on sets of half-open time spans [From, To): the merging of
// overlapping outages, the maintenance that is excluded, the windows in which time counts, the
// pauses of a clock. A Set is always normal: sorted, disjoint, no span empty, no two touching.
package interval

import (
	"slices"
	"time"
)

// Span is the half-open span [From, To); it is empty unless To is after From.
type Span struct {
	From, To time.Time
}

// Empty reports whether the span holds no instant.
func (s Span) Empty() bool { return !s.To.After(s.From) }

// Duration is the span's length, 0 when it is empty.
func (s Span) Duration() time.Duration {
	if s.Empty() {
		return 0
	}
	return s.To.Sub(s.From)
}

// Contains reports whether t lies in the span.
func (s Span) Contains(t time.Time) bool { return !t.Before(s.From) && t.Before(s.To) }

// Set is a normal set of spans.
type Set []Span

// Of is the set the spans cover: empty spans dropped, overlapping and touching ones merged.
func Of(spans ...Span) Set {
	out := make(Set, 0, len(spans))
	for _, s := range spans {
		if !s.Empty() {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Span) int { return a.From.Compare(b.From) })
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && !s.From.After(merged[n-1].To) {
			if s.To.After(merged[n-1].To) {
				merged[n-1].To = s.To
			}
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// Total is the time the set covers.
func (a Set) Total() time.Duration {
	var d time.Duration
	for _, s := range a {
		d += s.Duration()
	}
	return d
}

// Contains reports whether t lies in the set.
func (a Set) Contains(t time.Time) bool {
	i, _ := slices.BinarySearchFunc(a, t, func(s Span, t time.Time) int {
		if s.To.After(t) {
			return 1
		}
		return -1
	})
	return i < len(a) && a[i].Contains(t)
}

// Union is the time in a or b.
func (a Set) Union(b Set) Set { return Of(append(slices.Clone(a), b...)...) }

// Intersect is the time in both a and b.
func (a Set) Intersect(b Set) Set {
	var out Set
	for i, j := 0, 0; i < len(a) && j < len(b); {
		from, to := Later(a[i].From, b[j].From), Earlier(a[i].To, b[j].To)
		if to.After(from) {
			out = append(out, Span{from, to})
		}
		if a[i].To.Before(b[j].To) {
			i++
		} else {
			j++
		}
	}
	return out
}

// Subtract is the time in a and not in b.
func (a Set) Subtract(b Set) Set {
	var out Set
	j := 0
	for _, s := range a {
		from := s.From
		for j < len(b) && !b[j].To.After(from) {
			j++
		}
		for k := j; k < len(b) && b[k].From.Before(s.To); k++ {
			if b[k].From.After(from) {
				out = append(out, Span{from, b[k].From})
			}
			from = Later(from, b[k].To)
		}
		if s.To.After(from) {
			out = append(out, Span{from, s.To})
		}
	}
	return out
}

// Within is the part of a inside s.
func (a Set) Within(s Span) Set { return a.Intersect(Of(s)) }

// Later is the later of a and b.
func Later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Earlier is the earlier of a and b.
func Earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
