package httpapi_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

func cursorOf(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }

// TestTamperedCursorsAreRefusedOnEveryList: every list the spec documents with a cursor refuses a
// cursor it did not issue with a 400 naming the cursor, before any query. Time-keyed lists have
// two parts, so a two-part cursor with a bad time is refused by every list (by its time or by its
// length); a one-part text may be a real position in a list sorted by text, and answers 200.
func TestTamperedCursorsAreRefusedOnEveryList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	roles, rows := matrix(t)
	id := uuid.NewString()
	refused := map[string]string{
		"not base64":            "!!!",
		"not JSON":              cursorOf("not json"),
		"an object":             cursorOf(`{"a":1}`),
		"an empty array":        cursorOf(`[]`),
		"numbers":               cursorOf(`[1,2]`),
		"too many parts":        cursorOf(`["a","b","c","d","e"]`),
		"not a time":            cursorOf(`["not a time","` + id + `"]`),
		"an empty time":         cursorOf(`["","` + id + `"]`),
		"a null time":           cursorOf(`[null,"` + id + `"]`),
		"year zero":             cursorOf(`["0000-01-01T00:00:00Z","` + id + `"]`),
		"out of range time":     cursorOf(`["2026-13-45T25:61:00Z","` + id + `"]`),
		"a time with an offset": cursorOf(`["2026-11-23T10:47:46+01:00","` + id + `"]`),
		"not a UUID":            cursorOf(`["2026-11-23T10:47:46Z","x'; DROP TABLE orders; --"]`),
		"control characters":    cursorOf(`["a\u0000b"]`),
		"over the length limit": strings.Repeat("A", 600),
		"a long text part":      cursorOf(`["` + strings.Repeat("x", 300) + `"]`),
		"a UUID in capitals":    cursorOf(`["2026-11-23T10:47:46Z","` + strings.ToUpper(id) + `"]`),
	}
	maybe := map[string]string{ // a position in a text-sorted list, refused by the others
		"a word":       cursorOf(`["not a time"]`),
		"an empty one": cursorOf(`[""]`),
		"a number":     cursorOf(`["99999999999999999999"]`),
		"negative":     cursorOf(`["-1"]`),
	}
	lists := 0
	for _, r := range env.App.API.Routes() {
		op := apptest.Operation(t, r.Method, r.Path)
		if r.Method != "GET" || op == nil || op.Parameters.GetByInAndName("query", "cursor") == nil {
			continue
		}
		lists++
		role := allowedRole(t, roles, rows, r)
		path := concrete(r.Path, callers[role].tenant)
		token := env.Token(callers[role].user)
		for name, cursor := range refused {
			resp := env.Do(apptest.Request{Method: "GET", Path: path + "?cursor=" + cursor, Token: token})
			if resp.Status != 400 || !strings.Contains(string(resp.Body), `"parameter":"cursor"`) {
				t.Errorf("%s with %s: %d %.300s, want 400 naming the cursor", r.Path, name, resp.Status, resp.Body)
				continue
			}
			resp.Problem(t)
		}
		for name, cursor := range maybe {
			resp := env.Do(apptest.Request{Method: "GET", Path: path + "?cursor=" + cursor, Token: token})
			if resp.Status != 200 && resp.Status != 404 && (resp.Status != 400 || !strings.Contains(string(resp.Body), `"parameter":"cursor"`)) {
				t.Errorf("%s with %s: %d %.300s, want 200, or 400 naming the cursor", r.Path, name, resp.Status, resp.Body)
			}
		}
	}
	if lists < 20 {
		t.Errorf("only %d lists found in the spec", lists)
	}
	t.Logf("%d tampered cursors on each of %d lists", len(refused)+len(maybe), lists)
}
