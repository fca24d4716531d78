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
		{`1250.5`, `"1250.50"`, ""},
		{`"0.1"`, `"0.10"`, ""},
		{`"0.30"`, `"0.30"`, ""},
		{`"12.345"`, ``, "must have at most two decimals"},
		{`"-1"`, ``, "must not be negative"},
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
	for _, bad := range []string{`"abc"`, `"` + strings.Repeat("0", 40) + `1.00"`, `1e999999999`} {
		var a Amount
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("%.40s parsed as an amount", bad)
		}
	}
	sum := Amount{}
	for i := 0; i < 10; i++ {
		x, _ := Parse("0.10")
		sum = Amount{sum.Add(x.Decimal)}
	}
	if sum.String() != "1.00" {
		t.Errorf("ten times 0.10 = %s", sum)
	}
}
