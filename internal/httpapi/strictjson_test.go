package httpapi

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/order"
)

func pointers(err error) []string {
	var out []string
	if e, ok := err.(*apperr.Error); ok {
		for _, f := range e.Fields {
			out = append(out, f.Pointer+": "+f.Reason)
		}
	}
	return out
}

func TestBodiesAreDecodedStrictlyWithEveryProblemAtOnce(t *testing.T) {
	tests := []struct {
		name string
		body string
		dst  any
		want []string // the problems, in order; nil: accepted
	}{
		{"a key in another case is not the field", `{"address":"a@x.example","ADDRESS":"attacker@evil.example"}`, &mailbox.Input{},
			[]string{`/ADDRESS: is not a field of this request: field names are case-sensitive (did you mean "address"?)`}},
		{"a key only in another case", `{"Address":"attacker@evil.example"}`, &mailbox.Input{},
			[]string{`/Address: is not a field of this request: field names are case-sensitive (did you mean "address"?)`, "/address: is required"}},
		{"an exact key", `{"address":"it-drift@kk.example"}`, &mailbox.Input{}, nil},
		{"three wrong fields in one answer", `{"note":7,"items":[{"action":"add","quantity":"four","colour":"red"}]}`, &order.NewOrder{},
			[]string{"/note: must be a string", "/items/0/quantity: must be a whole number", "/items/0/colour: is not a field of this request"}},
		{"structural and rule problems together", `{"service_id":"CMP-01","terms":{"levels":[],"delivery":"drone","contact":5,"lead_time_days":1.5}}`, &offering.NewOffering{},
			[]string{"/terms/contact: must be a string", "/terms/lead_time_days: must be a whole number, without a fraction or exponent",
				"/terms/levels: must have at least 1 item", "/terms/delivery: must be one of: own outsourced mixed"}},
		{"a duplicate key", `{"address":"a@x.example","address":"b@x.example"}`, &mailbox.Input{}, []string{"/address: appears twice in the object"}},
		{"an integer out of range", `{"items":[{"action":"add","quantity":9223372036854775808}]}`, &order.NewOrder{}, []string{"/items/0/quantity: is out of range"}},
		{"an exponent for an integer", `{"items":[{"action":"add","quantity":1e2}]}`, &order.NewOrder{}, []string{"/items/0/quantity: must be a whole number, without a fraction or exponent"}},
		{"NUL inside free-form parameters", `{"items":[{"action":"add","quantity":1,"parameters":{"os":"a\u0000"}}]}`, &order.NewOrder{}, []string{"/items/0/parameters/os: must not contain NUL characters"}},
		{"an object where a list belongs", `{"items":{"action":"add"}}`, &order.NewOrder{}, []string{"/items: must be an array"}},
		{"null leaves a field unset", `{"note":null,"items":[{"action":"terminate","subscription_id":"6f1c1a8e-56bb-4d7e-9d5b-2a54a6b7a0c1"}]}`, &order.NewOrder{}, nil},
		{"the bound on problems", `{` + manyUnknown(30) + `"address":"a@x.example"}`, &mailbox.Input{}, nil /* checked below */},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := decodeStrict([]byte(tc.body), tc.dst)
			got := pointers(err)
			if tc.name == "the bound on problems" {
				if len(got) != maxFieldErrors {
					t.Fatalf("%d problems listed, want %d", len(got), maxFieldErrors)
				}
				return
			}
			if tc.want == nil && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func manyUnknown(n int) string {
	s := ""
	for i := range n {
		b, _ := json.Marshal(map[string]int{"k" + string(rune('a'+i%26)) + string(rune('a'+i/26)): i})
		s += string(b[1:len(b)-1]) + ","
	}
	return s
}
