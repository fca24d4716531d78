package catalog

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"
)

func TestTheShippedCatalogueIsValid(t *testing.T) {
	cat, problems := Load(catalogfiles.Files)
	for _, p := range problems {
		t.Error(p)
	}
	if cat == nil {
		t.FailNow()
	}
	if len(cat.Families) != 5 || len(cat.Levels) != 3 || len(cat.Services) < 15 || len(cat.Services) > 20 {
		t.Errorf("families %d, levels %d, services %d", len(cat.Families), len(cat.Levels), len(cat.Services))
	}
}

// shipped returns a writable copy of the shipped catalogue.
func shipped(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(catalogfiles.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(catalogfiles.Files, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBrokenCataloguesAreReportedWithFilePathAndReason(t *testing.T) {
	replace := func(file, old, new string) func(fstest.MapFS) {
		return func(m fstest.MapFS) {
			s := string(m[file].Data)
			if !strings.Contains(s, old) {
				panic(file + " lacks " + old)
			}
			m[file] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
		}
	}
	put := func(file, content string) func(fstest.MapFS) {
		return func(m fstest.MapFS) { m[file] = &fstest.MapFile{Data: []byte(content)} }
	}
	tests := []struct {
		name   string
		change func(fstest.MapFS)
		want   Problem
	}{
		{"unknown family", replace("services/CMP-01.yaml", "family: compute", "family: quantum"),
			Problem{File: "services/CMP-01.yaml", Line: 3, Path: "/family", Reason: `no such family "quantum"`}},
		{"mandatory level not offered", replace("services/STO-02.yaml", "mandatory_levels:\n- basis", "mandatory_levels:\n- plus"),
			Problem{File: "services/STO-02.yaml", Line: 16, Path: "/mandatory_levels/0", Reason: `level "plus" is not among the service's levels`}},
		{"unknown level", replace("services/NET-03.yaml", "- standard\n", "- gold\n"),
			Problem{File: "services/NET-03.yaml", Line: 13, Path: "/levels/1", Reason: `no such level "gold"`}},
		{"unknown control", replace("services/SEC-01.yaml", "- STM-06", "- STM-99"),
			Problem{File: "services/SEC-01.yaml", Line: 21, Path: "/related_controls/2", Reason: `no such control "STM-99" in any control set`}},
		{"self dependency", replace("services/NET-02.yaml", "- NET-01", "- NET-02"),
			Problem{File: "services/NET-02.yaml", Line: 18, Path: "/dependencies/0", Reason: "a service cannot depend on itself"}},
		{"wrong type", replace("levels/plus.yaml", "rpo_minutes: 15", "rpo_minutes: fifteen"),
			Problem{File: "levels/plus.yaml", Line: 23, Path: "/rpo_minutes", Reason: "got string, want integer"}},
		{"maintenance notice under 10 days", replace("levels/basis.yaml", "notice_days: 10", "notice_days: 3"),
			Problem{File: "levels/basis.yaml", Line: 34, Path: "/maintenance/notice_days", Reason: "minimum: got 3, want 10"}},
		{"notice tag that is not ASCII", replace("vocabularies/notice-tags.yaml", "id: AENDRING", "id: ÆNDRING"),
			Problem{File: "vocabularies/notice-tags.yaml", Line: 32, Path: "/entries/5/id", Reason: "'ÆNDRING' does not match pattern '^[A-Z]{2,12}$'"}},
		{"notice tag without an acknowledgement limit", replace("vocabularies/notice-tags.yaml", "{ack_minutes: 60, list: sikkerhed}", "{list: sikkerhed}"),
			Problem{File: "vocabularies/notice-tags.yaml", Line: 27, Path: "/entries/3/attributes", Reason: "missing property 'ack_minutes'"}},
		{"unknown field", replace("levels/standard.yaml", "reporting: monthly", "reporting: monthly\ncolour: blue"),
			Problem{File: "levels/standard.yaml", Line: 2, Path: "", Reason: "additional properties 'colour' not allowed"}},
		{"file named after another id", replace("services/OPS-01.yaml", "id: OPS-01", "id: OPS-02"),
			Problem{File: "services/OPS-01.yaml", Line: 2, Path: "/id", Reason: `is "OPS-02" but the file is named OPS-01.yaml`}},
		{"order schema that is no schema", replace("services/SEC-04.yaml", "type: object", "type: shape"),
			Problem{File: "services/SEC-04.yaml", Line: 24, Path: "/order_parameters", Reason: "is not a valid JSON Schema: at /type: value must be one of"}},
		{"unknown calendar", replace("levels/plus.yaml", "calendar: dk-public", "calendar: mars"),
			Problem{File: "levels/plus.yaml", Line: 7, Path: "/support_hours/calendar", Reason: `no such calendar "mars"`}},
		{"alias bomb", put("services/XXX-01.yaml", "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"),
			Problem{File: "services/XXX-01.yaml", Line: 1, Path: "/a", Reason: "anchors and aliases are not allowed in catalogue files"}},
		{"merge key", put("vocabularies/extra.yaml", "base: {x: 1}\nother:\n  <<: {y: 2}\n"),
			Problem{File: "vocabularies/extra.yaml", Line: 3, Path: "/other", Reason: "keys must be strings (no merge keys)"}},
		{"deep nesting", put("services/DEEP-01.yaml", strings.Repeat("[", 40)+strings.Repeat("]", 40)),
			Problem{File: "services/DEEP-01.yaml", Line: 1, Path: strings.Repeat("/0", 33), Reason: "nests deeper than 32 levels"}},
		{"huge file", put("services/BIG-01.yaml", "id: BIG-01\n# "+strings.Repeat("x", MaxFileBytes)),
			Problem{File: "services/BIG-01.yaml", Reason: "bytes; at most 262144 are read"}},
		{"two documents", put("services/TWO-01.yaml", "id: TWO-01\n---\nid: TWO-02\n"),
			Problem{File: "services/TWO-01.yaml", Line: 2, Reason: "holds more than one YAML document"}},
		{"not YAML", put("services/BAD-01.yaml", "id: [unclosed\n"),
			Problem{File: "services/BAD-01.yaml", Reason: "is not valid YAML"}},
		{"a file outside the layout", put("notes/readme.yaml", "x: 1\n"),
			Problem{File: "notes/readme.yaml", Reason: "is not part of the catalogue layout"}},
		{"families missing", func(m fstest.MapFS) { delete(m, "families.yaml") },
			Problem{File: "families.yaml", Reason: "is missing"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := shipped(t)
			tc.change(m)
			cat, problems := Load(m)
			if cat != nil {
				t.Fatal("a broken catalogue loaded")
			}
			for _, p := range problems {
				if p.File == tc.want.File && p.Path == tc.want.Path && strings.Contains(p.Reason, tc.want.Reason) &&
					(tc.want.Line == 0 || p.Line == tc.want.Line) {
					return
				}
			}
			t.Errorf("want %s\ngot %v", tc.want, problems)
		})
	}
}

func TestFileAndCrossFileProblemsAreReportedTogether(t *testing.T) {
	m := shipped(t)
	m["levels/plus.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(string(m["levels/plus.yaml"].Data), "rpo_minutes: 15", "rpo_minutes: x", 1))}
	m["services/NET-01.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(string(m["services/NET-01.yaml"].Data), "family: network", "family: radio", 1))}
	_, problems := Load(m)
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		"levels/plus.yaml:23 /rpo_minutes: got string, want integer",
		`services/NET-01.yaml:3 /family: no such family "radio"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant (no complaint about services using the broken level plus):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// FuzzLoad feeds arbitrary bytes as one standard service file: Load must never panic, and it
// returns a catalogue only when it reports no problem.
func FuzzLoad(f *testing.F) {
	base := map[string][]byte{}
	fs.WalkDir(catalogfiles.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			base[p], _ = fs.ReadFile(catalogfiles.Files, p)
		}
		return nil
	})
	for _, seed := range []string{
		string(base["services/CMP-01.yaml"]), "", "id: CMP-01\n", "a: &a [x]\nb: *a\n", "- - - -\n", "id: [", "<<: {a: 1}\n",
		"id: CMP-01\nfamily: compute\norder_parameters: {type: nonsense}\n", strings.Repeat("- ", 100), "!!binary abc\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := fstest.MapFS{}
		for p, b := range base {
			m[p] = &fstest.MapFile{Data: b}
		}
		m["services/CMP-01.yaml"] = &fstest.MapFile{Data: data}
		cat, problems := Load(m)
		if (cat == nil) == (len(problems) == 0) {
			t.Fatalf("catalogue %v with %d problems", cat != nil, len(problems))
		}
	})
}
