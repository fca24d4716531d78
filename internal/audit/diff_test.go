package audit_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/audit"
)

func TestDiffNamesTheFieldsThatDiffer(t *testing.T) {
	type offering struct {
		Name  string            `json:"name"`
		Price float64           `json:"price"`
		Tags  map[string]string `json:"tags"`
		Note  *string           `json:"note,omitempty"`
		Doc   json.RawMessage   `json:"doc"`
	}
	note := "<b> & c"
	a := offering{Name: "Backup", Price: 1.5, Tags: map[string]string{"z": "1", "a": "2"}, Doc: json.RawMessage(`{"rpo": "PT24H", "rto": 1.0}`)}
	b := a
	b.Price, b.Note = 2.25, &note
	reordered := a
	reordered.Doc = json.RawMessage(`{"rto":1.0,"rpo":"PT24H"}`)
	var none *offering
	tests := []struct {
		name          string
		before, after any
		want          string
	}{
		{"creation", nil, a, `{"created":{"name":"Backup","price":1.5,"tags":{"a":"2","z":"1"},"doc":{"rpo":"PT24H","rto":1.0}}}`},
		{"deletion", a, none, `{"deleted":{"name":"Backup","price":1.5,"tags":{"a":"2","z":"1"},"doc":{"rpo":"PT24H","rto":1.0}}}`},
		{"a field changed and one added", a, b, `{"changed":{"price":{"from":1.5,"to":2.25},"note":{"from":null,"to":"<b> & c"}}}`},
		{"a field removed", b, a, `{"changed":{"price":{"from":2.25,"to":1.5},"note":{"from":"<b> & c","to":null}}}`},
		{"nothing changed", a, a, `{"changed":{}}`},
		{"a document's keys in another order", a, reordered, `{"changed":{}}`},
		{"a number written otherwise", json.RawMessage(`{"n":1}`), json.RawMessage(`{"n":1.0}`), `{"changed":{"n":{"from":1,"to":1.0}}}`},
		{"values that are not objects", json.RawMessage(`"on"`), json.RawMessage(`[1]`), `{"changed":{"value":{"from":"on","to":[1]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(audit.Diff(tt.before, tt.after))
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &w); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
