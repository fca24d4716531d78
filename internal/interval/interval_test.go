package interval

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// sp is the span from minute a to minute b after t0.
func sp(a, b int) Span {
	return Span{t0.Add(time.Duration(a) * time.Minute), t0.Add(time.Duration(b) * time.Minute)}
}

// show writes a set as minutes after t0: "[0,10) [20,30)".
func show(s Set) string {
	var parts []string
	for _, x := range s {
		parts = append(parts, fmt.Sprintf("[%d,%d)", int(x.From.Sub(t0).Minutes()), int(x.To.Sub(t0).Minutes())))
	}
	return strings.Join(parts, " ")
}

func TestSetsAreNormalAndCombine(t *testing.T) {
	tests := []struct {
		name                   string
		a, b                   []Span
		of, union, inter, diff string
	}{
		{"empty", nil, nil, "", "", "", ""},
		{"empty spans are dropped", []Span{sp(5, 5), sp(9, 3)}, nil, "", "", "", ""},
		{"overlapping outages merge", []Span{sp(10, 30), sp(0, 15), sp(25, 40)}, nil, "[0,40)", "[0,40)", "", "[0,40)"},
		{"touching spans merge", []Span{sp(0, 10), sp(10, 20)}, nil, "[0,20)", "[0,20)", "", "[0,20)"},
		{"disjoint stay apart", []Span{sp(20, 30), sp(0, 10)}, []Span{sp(40, 50)}, "[0,10) [20,30)", "[0,10) [20,30) [40,50)", "", "[0,10) [20,30)"},
		{"a hole in the middle", []Span{sp(0, 60)}, []Span{sp(20, 30)}, "[0,60)", "[0,60)", "[20,30)", "[0,20) [30,60)"},
		{"b covers a", []Span{sp(10, 20)}, []Span{sp(0, 60)}, "[10,20)", "[0,60)", "[10,20)", ""},
		{"b across two spans of a", []Span{sp(0, 10), sp(20, 30)}, []Span{sp(5, 25)}, "[0,10) [20,30)", "[0,30)", "[5,10) [20,25)", "[0,5) [25,30)"},
		{"one b span reaching into the next a span", []Span{sp(0, 10), sp(12, 20), sp(30, 40)}, []Span{sp(8, 14), sp(35, 50)},
			"[0,10) [12,20) [30,40)", "[0,20) [30,50)", "[8,10) [12,14) [35,40)", "[0,8) [14,20) [30,35)"},
		{"edges touch, nothing shared", []Span{sp(0, 10)}, []Span{sp(10, 20)}, "[0,10)", "[0,20)", "", "[0,10)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := Of(tc.a...), Of(tc.b...)
			for what, got := range map[string]string{"Of": show(a), "Union": show(a.Union(b)), "Intersect": show(a.Intersect(b)),
				"Subtract": show(a.Subtract(b))} {
				want := map[string]string{"Of": tc.of, "Union": tc.union, "Intersect": tc.inter, "Subtract": tc.diff}[what]
				if got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
		})
	}
}

func TestTotalAndContains(t *testing.T) {
	s := Of(sp(0, 10), sp(20, 50))
	if s.Total() != 40*time.Minute {
		t.Errorf("Total = %v", s.Total())
	}
	for m, want := range map[int]bool{-1: false, 0: true, 9: true, 10: false, 19: false, 20: true, 49: true, 50: false} {
		if got := s.Contains(t0.Add(time.Duration(m) * time.Minute)); got != want {
			t.Errorf("Contains(%d) = %v", m, got)
		}
	}
	if got := show(s.Within(sp(5, 25))); got != "[5,10) [20,25)" {
		t.Errorf("Within = %s", got)
	}
}

// spans reads pairs of bytes as spans of minutes in the first 256 minutes.
func spans(b []byte) []Span {
	var out []Span
	for i := 0; i+1 < len(b); i += 2 {
		out = append(out, sp(int(b[i]), int(b[i+1])))
	}
	return out
}

// FuzzSetArithmetic holds the operations to what they mean at every minute, and to the algebra
// the reports rely on (what is excluded plus what is left is what there was).
func FuzzSetArithmetic(f *testing.F) {
	f.Add([]byte{0, 60, 10, 20}, []byte{5, 15, 50, 70})
	f.Add([]byte{10, 10, 20, 5}, []byte{})
	f.Add([]byte{0, 10, 10, 20, 30, 40}, []byte{8, 14, 35, 50})
	f.Fuzz(func(t *testing.T, x, y []byte) {
		rawA := spans(x)
		a, b := Of(rawA...), Of(spans(y)...)
		for _, s := range []Set{a, b, a.Union(b), a.Intersect(b), a.Subtract(b)} {
			for i, sp := range s {
				if sp.Empty() || i > 0 && !sp.From.After(s[i-1].To) {
					t.Fatalf("not normal: %s", show(s))
				}
			}
		}
		inRaw := func(m time.Time) bool {
			for _, s := range rawA {
				if s.Contains(m) {
					return true
				}
			}
			return false
		}
		for m := -1; m <= 256; m++ {
			at := t0.Add(time.Duration(m) * time.Minute)
			inA, inB := a.Contains(at), b.Contains(at)
			if inA != inRaw(at) || a.Union(b).Contains(at) != (inA || inB) || a.Intersect(b).Contains(at) != (inA && inB) ||
				a.Subtract(b).Contains(at) != (inA && !inB) {
				t.Fatalf("minute %d: a %s, b %s", m, show(a), show(b))
			}
		}
		if a.Subtract(b).Total()+a.Intersect(b).Total() != a.Total() || a.Union(b).Total() != a.Total()+b.Total()-a.Intersect(b).Total() {
			t.Fatalf("totals do not add up: a %s, b %s", show(a), show(b))
		}
	})
}
