package money

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAmountsAreExact(t *testing.T) {
	tests := []struct {
		in      string
		out     string
		problem string
	}{
		{`"1250.50"`, `"1250.50"`, ""},
		{`"1250.5"`, `"1250.50"`, ""},
		{`"1250"`, `"1250.00"`, ""},
		{`"0.1"`, `"0.10"`, ""},
		{`"0.30"`, `"0.30"`, ""},
		{`"0"`, `"0.00"`, ""},
		{`"1000000000.01"`, ``, "must be at most 1000000000"},
	}
	for _, tc := range tests {
		var a Amount
		if err := json.Unmarshal([]byte(tc.in), &a); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got := a.Check(); got != tc.problem {
			t.Errorf("%s: Check() = %q, want %q", tc.in, got, tc.problem)
		}
		if tc.out != "" {
			b, _ := json.Marshal(a)
			if string(b) != tc.out {
				t.Errorf("%s: marshals to %s, want %s", tc.in, b, tc.out)
			}
		}
	}
}

func TestAmountsHaveOneSpelling(t *testing.T) {
	for _, bad := range []string{`1250.5`, `100`, `"1e2"`, `"1E2"`, `"+1.00"`, `"-1"`, `"-0.00"`, `".50"`, `"1."`, `"01.00"`, `"00"`,
		`"12.345"`, `" 1.00"`, `"1.00 "`, `"1,00"`, `"1_000"`, `"0x10"`, `"NaN"`, `"Infinity"`, `""`, `null`, `true`, `"abc"`,
		`"` + strings.Repeat("9", 40) + `"`, `1e999999999`, `"١٢٣"`} {
		var a Amount
		if err := a.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%.40s read as the amount %s", bad, a)
		}
	}
}

func TestSumsOfAmountsAreExact(t *testing.T) {
	sum := Amount{}
	for i := 0; i < 10; i++ {
		x, _ := Parse("0.10")
		sum = Amount{sum.Add(x.Decimal)}
	}
	if sum.String() != "1.00" {
		t.Errorf("ten times 0.10 = %s", sum)
	}
}
