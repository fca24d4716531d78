package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // calendars name IANA time zones; do not depend on the host's database

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"
)

// Limits on catalogue files, so that a hostile file is refused before it costs anything.
const (
	MaxFileBytes = 256 << 10
	MaxFiles     = 1000
	MaxDepth     = 32
)

// Problem is one thing wrong with the catalogue files.
type Problem struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Path   string `json:"path"` // JSON pointer into the file's document
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.Path != "" {
		loc += " " + p.Path
	}
	return loc + ": " + p.Reason
}

// The kinds of file and the schema each must satisfy.
var schemaOf = map[string]string{
	"families":     "families.schema.json",
	"levels":       "level.schema.json",
	"calendars":    "calendar.schema.json",
	"services":     "service.schema.json",
	"vocabularies": "vocabulary.schema.json",
}

var schemas = func() map[string]*jsonschema.Schema {
	c := jsonschema.NewCompiler()
	entries, err := fs.ReadDir(catalogfiles.Schemas, "schema")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, _ := fs.ReadFile(catalogfiles.Schemas, "schema/"+e.Name())
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			panic(fmt.Sprintf("schema %s: %v", e.Name(), err))
		}
		if err := c.AddResource(schemaBase+e.Name(), doc); err != nil {
			panic(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for kind, name := range schemaOf {
		out[kind] = c.MustCompile(schemaBase + name)
	}
	return out
}()

const schemaBase = "https://schemas.servicekatalog.invalid/"

// document is one parsed file: its JSON form and where each JSON pointer came from.
type document struct {
	file  string
	json  []byte
	lines map[string]int
}

func (d document) problem(ptr, reason string) Problem {
	return Problem{File: d.file, Line: d.lines[ptr], Path: ptr, Reason: reason}
}

// Load reads and validates the catalogue in fsys, laid out as families.yaml, levels/,
// calendars/, services/ and vocabularies/. It needs no database. The catalogue is returned only
// when there are no problems.
func Load(fsys fs.FS) (*Catalogue, []Problem) {
	var problems []Problem
	docs := map[string][]document{}
	files := 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			problems = append(problems, Problem{File: p, Reason: err.Error()})
			return nil
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return nil
		}
		if files++; files > MaxFiles {
			return fmt.Errorf("more than %d YAML files", MaxFiles)
		}
		kind := kindOf(p)
		if kind == "" {
			problems = append(problems, Problem{File: p, Reason: "is not part of the catalogue layout (families.yaml, levels/, calendars/, services/, vocabularies/)"})
			return nil
		}
		doc, ps := parse(fsys, p, kind)
		problems = append(problems, ps...)
		if len(ps) == 0 {
			docs[kind] = append(docs[kind], doc)
		}
		return nil
	})
	if err != nil {
		problems = append(problems, Problem{File: ".", Reason: err.Error()})
	}
	if len(docs["families"]) == 0 && !slices.ContainsFunc(problems, func(p Problem) bool { return p.File == "families.yaml" }) {
		problems = append(problems, Problem{File: "families.yaml", Reason: "is missing"})
	}
	cat := &Catalogue{}
	for _, d := range docs["families"] {
		var f struct {
			Families []Family `json:"families"`
		}
		problems = append(problems, decode(d, &f)...)
		cat.Families = append(cat.Families, f.Families...)
	}
	problems = append(problems, decodeAll(docs["levels"], &cat.Levels, func(l Level) string { return l.ID })...)
	problems = append(problems, decodeAll(docs["calendars"], &cat.Calendars, func(c Calendar) string { return c.ID })...)
	problems = append(problems, decodeAll(docs["services"], &cat.Services, func(s StandardService) string { return s.ID })...)
	problems = append(problems, decodeAll(docs["vocabularies"], &cat.Vocabularies, func(v Vocabulary) string { return v.ID })...)
	problems = append(problems, check(cat, docs, brokenIDs(problems))...)
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].File < problems[j].File })
		return nil, problems
	}
	return cat, nil
}

// brokenIDs names the entries whose files have problems (e.g. "levels/plus"), so that the
// cross-file rules treat them as present instead of reporting every reference to them.
func brokenIDs(problems []Problem) map[string]bool {
	out := map[string]bool{}
	for _, p := range problems {
		out[strings.TrimSuffix(strings.TrimSuffix(p.File, ".yaml"), ".yml")] = true
	}
	return out
}

func kindOf(p string) string {
	if p == "families.yaml" {
		return "families"
	}
	dir := path.Dir(p)
	if _, ok := schemaOf[dir]; ok && dir != "families" {
		return dir
	}
	return ""
}

// parse reads one file safely into its JSON form and validates it against its kind's schema.
func parse(fsys fs.FS, p, kind string) (document, []Problem) {
	doc := document{file: p, lines: map[string]int{}}
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return doc, []Problem{{File: p, Reason: err.Error()}}
	}
	if info.Size() > MaxFileBytes {
		return doc, []Problem{{File: p, Reason: fmt.Sprintf("is %d bytes; at most %d are read", info.Size(), MaxFileBytes)}}
	}
	raw, err := fs.ReadFile(fsys, p)
	if err != nil {
		return doc, []Problem{{File: p, Reason: err.Error()}}
	}
	value, ps := yamlToJSON(p, raw, doc.lines)
	if len(ps) > 0 {
		return doc, ps
	}
	if doc.json, err = json.Marshal(value); err != nil {
		return doc, []Problem{{File: p, Reason: err.Error()}}
	}
	return doc, validateAgainst(schemas[kind], doc)
}

func validateAgainst(sch *jsonschema.Schema, doc document) []Problem {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc.json))
	if err != nil {
		return []Problem{doc.problem("", err.Error())}
	}
	err = sch.Validate(inst)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []Problem
	seen := map[leaf]bool{}
	for _, l := range leaves(ve) {
		if !seen[l] {
			seen[l] = true
			out = append(out, doc.problem(l.ptr, l.msg))
		}
	}
	return out
}

// yamlToJSON decodes one YAML document into JSON-compatible values, refusing anchors and aliases
// (no alias bombs), more than one document, deep nesting and non-string keys. It records the
// line of every JSON pointer.
func yamlToJSON(file string, raw []byte, lines map[string]int) (any, []Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		return nil, []Problem{{File: file, Reason: "is not valid YAML: " + err.Error()}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, []Problem{{File: file, Line: extra.Line, Reason: "holds more than one YAML document"}}
	}
	if len(root.Content) == 0 {
		return nil, []Problem{{File: file, Reason: "is empty"}}
	}
	var problems []Problem
	v := convert(root.Content[0], "", 0, file, lines, &problems)
	return v, problems
}

func convert(n *yaml.Node, ptr string, depth int, file string, lines map[string]int, problems *[]Problem) any {
	lines[ptr] = n.Line
	if depth > MaxDepth {
		*problems = append(*problems, Problem{File: file, Line: n.Line, Path: ptr, Reason: fmt.Sprintf("nests deeper than %d levels", MaxDepth)})
		return nil
	}
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		*problems = append(*problems, Problem{File: file, Line: n.Line, Path: ptr, Reason: "anchors and aliases are not allowed in catalogue files"})
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" || (k.Tag != "!!str" && k.Tag != "") {
				*problems = append(*problems, Problem{File: file, Line: k.Line, Path: ptr, Reason: "keys must be strings (no merge keys)"})
				continue
			}
			child := ptr + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k.Value)
			if _, dup := out[k.Value]; dup {
				*problems = append(*problems, Problem{File: file, Line: k.Line, Path: child, Reason: "appears twice"})
				continue
			}
			out[k.Value] = convert(n.Content[i+1], child, depth+1, file, lines, problems)
		}
		return out
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = convert(c, ptr+"/"+strconv.Itoa(i), depth+1, file, lines, problems)
		}
		return out
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			*problems = append(*problems, Problem{File: file, Line: n.Line, Path: ptr, Reason: err.Error()})
			return nil
		}
		switch x := v.(type) {
		case time.Time: // YAML timestamps stay the text that was written
			return n.Value
		case float64:
			if x != x || x > 1e300 || x < -1e300 {
				*problems = append(*problems, Problem{File: file, Line: n.Line, Path: ptr, Reason: "is not a finite number"})
				return nil
			}
		}
		return v
	}
	*problems = append(*problems, Problem{File: file, Line: n.Line, Path: ptr, Reason: "unsupported YAML node"})
	return nil
}

func decode(d document, dst any) []Problem {
	dec := json.NewDecoder(bytes.NewReader(d.json))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return []Problem{d.problem("", err.Error())}
	}
	return nil
}

// decodeAll decodes one file per item, checking that each file is named after its id.
func decodeAll[T any](docs []document, dst *[]T, id func(T) string) []Problem {
	var problems []Problem
	for _, d := range docs {
		var v T
		if ps := decode(d, &v); len(ps) > 0 {
			problems = append(problems, ps...)
			continue
		}
		base := strings.TrimSuffix(strings.TrimSuffix(path.Base(d.file), ".yaml"), ".yml")
		if base != id(v) {
			problems = append(problems, d.problem("/id", fmt.Sprintf("is %q but the file is named %s", id(v), path.Base(d.file))))
			continue
		}
		*dst = append(*dst, v)
	}
	return problems
}
