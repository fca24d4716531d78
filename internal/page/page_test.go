package page

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

func cursor(parts ...any) string {
	b, _ := json.Marshal(parts)
	return base64.RawURLEncoding.EncodeToString(b)
}

var timeThenID = []Col{{"created_at", Time}, {"id", UUID}}

func TestCursorsDecodeIntoTypedValuesOrAreRefused(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 47, 46, 81858000, time.UTC)
	id := "98500a58-2547-4445-b34f-2b206533560c"
	tests := []struct {
		name   string
		cursor string
		cols   []Col
		want   []any // nil: refused
	}{
		{"a cursor this API issued", cursor(Format(at), id), timeThenID, []any{at, id}},
		{"infinity where a due time may be missing", cursor("infinity", id), []Col{{"due", TimeOrInfinity}, {"id", UUID}}, []any{"infinity", id}},
		{"infinity where a time is required", cursor("infinity", id), timeThenID, nil},
		{"not a time", cursor("not a time", id), timeThenID, nil},
		{"an empty time", cursor("", id), timeThenID, nil},
		{"a null time", cursor(nil, id), timeThenID, nil},
		{"year zero", cursor("0000-01-01T00:00:00Z", id), timeThenID, nil},
		{"before 1970", cursor("1969-12-31T23:59:59Z", id), timeThenID, nil},
		{"a time with an offset", cursor("2026-11-23T11:47:46.081858+01:00", id), timeThenID, nil},
		{"a time with trailing zeros", cursor("2026-11-23T10:47:46.0818580Z", id), timeThenID, nil},
		{"a UUID in capitals", cursor(Format(at), "98500A58-2547-4445-B34F-2B206533560C"), timeThenID, nil},
		{"a UUID in braces", cursor(Format(at), "{"+id+"}"), timeThenID, nil},
		{"too few parts", cursor(Format(at)), timeThenID, nil},
		{"too many parts", cursor(Format(at), id, "x"), timeThenID, nil},
		{"a number as a part", cursor(1, id), timeThenID, nil},
		{"an audit number", cursor("247"), []Col{{"id", Int}}, []any{int64(247)}},
		{"a negative audit number", cursor("-1"), []Col{{"id", Int}}, nil},
		{"an audit number with a plus", cursor("+1"), []Col{{"id", Int}}, nil},
		{"an audit number over 64 bits", cursor("99999999999999999999"), []Col{{"id", Int}}, nil},
		{"a municipality code", cursor("101"), []Col{{"code", Text}}, []any{"101"}},
		{"a text with a NUL", cursor("a\x00b"), []Col{{"code", Text}}, nil},
		{"a text of 201 characters", cursor(string(make([]byte, 201))), []Col{{"code", Text}}, nil},
		{"not base64", "!!!", []Col{{"code", Text}}, nil},
		{"not JSON", base64.RawURLEncoding.EncodeToString([]byte("nope")), []Col{{"code", Text}}, nil},
		{"an empty array", cursor(), []Col{{"code", Text}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse("", tc.cursor)
			var got []any
			if err == nil {
				got, err = r.Key(tc.cols...)
			}
			if tc.want == nil {
				if err == nil || apperr.KindOf(err) != apperr.Invalid {
					t.Fatalf("accepted: %v, %v", got, err)
				}
				if e := err.(*apperr.Error); e.Fields[0].Parameter != "cursor" {
					t.Errorf("names %+v, want the cursor", e.Fields)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.want {
				if w, ok := tc.want[i].(time.Time); ok {
					if !w.Equal(got[i].(time.Time)) {
						t.Errorf("part %d = %v, want %v", i, got[i], w)
					}
				} else if got[i] != tc.want[i] {
					t.Errorf("part %d = %#v, want %#v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestALimitIsAWholeNumberFrom1To200(t *testing.T) {
	for limit, ok := range map[string]bool{"1": true, "200": true, "50": true, "0": false, "201": false, "-1": false,
		"+5": false, "05": false, "1.0": false, "1e2": false, " 5": false, "x": false} {
		_, err := Parse(limit, "")
		if (err == nil) != ok {
			t.Errorf("limit %q: err %v, want accepted %v", limit, err, ok)
		}
	}
}

// FuzzCursor: no cursor panics or yields an unclassified error; whatever is accepted decodes into
// values of its columns' kinds.
func FuzzCursor(f *testing.F) {
	for _, seed := range []string{cursor("2026-11-23T10:47:46.081858Z", "98500a58-2547-4445-b34f-2b206533560c"),
		cursor("infinity", "x"), cursor("247"), cursor(nil), "!!!", "", cursor(1.5, true), cursor("0000-01-01T00:00:00Z", "")} {
		f.Add(seed)
	}
	kinds := [][]Col{timeThenID, {{"due", TimeOrInfinity}, {"id", UUID}}, {{"id", Int}}, {{"code", Text}}}
	f.Fuzz(func(t *testing.T, c string) {
		r, err := Parse("", c)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("unclassified: %v", err)
			}
			return
		}
		for _, cols := range kinds {
			vals, err := r.Key(cols...)
			if err != nil {
				if apperr.KindOf(err) != apperr.Invalid {
					t.Fatalf("unclassified: %v", err)
				}
				continue
			}
			for i, v := range vals {
				switch cols[i].Kind {
				case Time:
					if _, ok := v.(time.Time); !ok {
						t.Fatalf("%q part %d is %T", c, i, v)
					}
				case Int:
					if n, ok := v.(int64); !ok || n < 0 {
						t.Fatalf("%q part %d is %#v", c, i, v)
					}
				}
			}
		}
	})
}
