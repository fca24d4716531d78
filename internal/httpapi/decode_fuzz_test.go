package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/order"
)

// FuzzDecodeStrict drives the strict JSON decoding of request bodies: it must never panic, must
// refuse with a classified error, and whatever it accepts must be a single object it can encode again.
func FuzzDecodeStrict(f *testing.F) {
	for _, seed := range []string{
		`{"items":[{"action":"add","offering_id":"6f1c1a8e-56bb-4d7e-9d5b-2a54a6b7a0c1","level":"standard","quantity":2,"parameters":{"vcpu":2}}]}`,
		`{"note":"x","items":[]}`, `{}`, `null`, `[]`, `{"items":1e400}`, `{"a":1,"a":2}`, "{\"note\":\"\xff\"}",
		`{"note":"a\u0000b"}`, strings.Repeat("[", 64), `{"items":[{"parameters":` + strings.Repeat(`{"x":`, 40) + `1` + strings.Repeat(`}`, 40) + `}]}`,
		`{} trailing`, `{"note":"\ud800"}`, `{"items":[{"quantity":-0}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in order.NewOrder
		err := decodeStrict(body, &in)
		if err != nil {
			if apperr.KindOf(err) == apperr.Internal {
				t.Fatalf("unclassified error for %q: %v", body, err)
			}
			return
		}
		if _, err := json.Marshal(in); err != nil {
			t.Fatalf("accepted %q but cannot encode it: %v", body, err)
		}
	})
}
