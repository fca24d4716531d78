package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// requiredVocabularies are the kinds of vocabulary the platform relies on.
var requiredVocabularies = []string{"notice_tags", "priorities", "clock_profiles", "control_set"}

// check applies the rules that span files: references resolve, ids are unique, the order
// parameter schemas compile, and each level's figures are consistent.
func check(c *Catalogue, docs map[string][]document, broken map[string]bool) []Problem {
	byFile := map[string]document{}
	for _, ds := range docs {
		for _, d := range ds {
			byFile[d.file] = d
		}
	}
	at := func(file, ptr, reason string) Problem {
		if d, ok := byFile[file]; ok {
			return d.problem(ptr, reason)
		}
		return Problem{File: file, Path: ptr, Reason: reason}
	}
	var ps []Problem
	families := map[string]bool{}
	for i, f := range c.Families {
		if families[f.ID] {
			ps = append(ps, at("families.yaml", fmt.Sprintf("/families/%d/id", i), "duplicate family "+f.ID))
		}
		families[f.ID] = true
	}
	known := func(dir string, ids map[string]bool) map[string]bool {
		for b := range broken {
			if d, id, ok := strings.Cut(b, "/"); ok && d == dir {
				ids[id] = true
			}
		}
		return ids
	}
	calendars := known("calendars", map[string]bool{})
	for _, cal := range c.Calendars {
		calendars[cal.ID] = true
		ps = append(ps, checkCalendar(cal, func(ptr, reason string) Problem { return at("calendars/"+cal.ID+".yaml", ptr, reason) })...)
	}
	levels := known("levels", map[string]bool{})
	for _, l := range c.Levels {
		levels[l.ID] = true
		file := "levels/" + l.ID + ".yaml"
		ps = append(ps, checkLevel(l, calendars, func(ptr, reason string) Problem { return at(file, ptr, reason) })...)
	}
	controls := c.controls()
	kinds := map[string]bool{}
	seenControl := map[string]string{}
	for _, v := range c.Vocabularies {
		kinds[v.Kind] = true
		seen := map[string]bool{}
		for i, e := range v.Entries {
			ptr := fmt.Sprintf("/entries/%d/id", i)
			if seen[e.ID] {
				ps = append(ps, at("vocabularies/"+v.ID+".yaml", ptr, "duplicate entry "+e.ID))
			}
			seen[e.ID] = true
			if v.Kind == "control_set" {
				if other, dup := seenControl[e.ID]; dup && other != v.ID {
					ps = append(ps, at("vocabularies/"+v.ID+".yaml", ptr, "control "+e.ID+" is also in "+other))
				}
				seenControl[e.ID] = v.ID
			}
		}
	}
	for _, k := range requiredVocabularies {
		if !kinds[k] && controls != nil {
			ps = append(ps, Problem{File: "vocabularies/", Reason: "no vocabulary of kind " + k})
		}
	}
	services := known("services", map[string]bool{})
	for _, s := range c.Services {
		services[s.ID] = true
	}
	// With a broken families file or control set, references to them cannot be judged.
	if broken["families"] {
		families = nil
	}
	for b := range broken {
		if strings.HasPrefix(b, "vocabularies/") {
			controls = nil
		}
	}
	for _, s := range c.Services {
		file := "services/" + s.ID + ".yaml"
		for _, p := range CheckService(s, families, levels, services, controls) {
			ps = append(ps, at(file, p.Path, p.Reason))
		}
	}
	return ps
}

// CheckService applies the cross-references of one standard service against the catalogue's
// families, levels, services and controls; a nil set is not checked. Problems carry only Path
// and Reason.
func CheckService(s StandardService, families, levels, services, controls map[string]bool) []Problem {
	var ps []Problem
	add := func(ptr, reason string) { ps = append(ps, Problem{Path: ptr, Reason: reason}) }
	if families != nil && !families[s.Family] {
		add("/family", "no such family "+strconv.Quote(s.Family))
	}
	for i, l := range s.Levels {
		if !levels[l] {
			add(fmt.Sprintf("/levels/%d", i), "no such level "+strconv.Quote(l))
		}
	}
	for i, l := range s.MandatoryLevels {
		if !slices.Contains(s.Levels, l) {
			add(fmt.Sprintf("/mandatory_levels/%d", i), "level "+strconv.Quote(l)+" is not among the service's levels")
		}
	}
	for i, d := range s.Dependencies {
		switch {
		case d == s.ID:
			add(fmt.Sprintf("/dependencies/%d", i), "a service cannot depend on itself")
		case !services[d]:
			add(fmt.Sprintf("/dependencies/%d", i), "no such service "+strconv.Quote(d))
		}
	}
	for i, ctl := range s.RelatedControls {
		if controls != nil && !controls[ctl] {
			add(fmt.Sprintf("/related_controls/%d", i), "no such control "+strconv.Quote(ctl)+" in any control set")
		}
	}
	if err := compileOrderSchema(s.OrderParameters); err != nil {
		add("/order_parameters", "is not a valid JSON Schema: "+schemaError(err))
	}
	return ps
}

// compileOrderSchema checks that an order parameter schema is a JSON Schema (draft 2020-12).
func compileOrderSchema(raw []byte) error {
	_, err := OrderSchema(raw)
	return err
}

// compiled caches order parameter schemas by their text: orders validate against the same few
// schemas over and over.
var compiled sync.Map // string → *jsonschema.Schema

// OrderSchema compiles a standard service's order parameter schema. It never loads anything
// from the network: a remote $ref fails.
func OrderSchema(raw []byte) (*jsonschema.Schema, error) {
	if sch, ok := compiled.Load(string(raw)); ok {
		return sch.(*jsonschema.Schema), nil
	}
	sch, err := compileOrderParameters(raw)
	if err == nil {
		compiled.Store(string(raw), sch)
	}
	return sch, err
}

func compileOrderParameters(raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(noLoader{})
	if err := c.AddResource("urn:servicekatalog:order-parameters", doc); err != nil {
		return nil, err
	}
	return c.Compile("urn:servicekatalog:order-parameters")
}

// schemaError says briefly why a schema does not compile: the innermost failures against the
// metaschema rather than the whole tree.
func schemaError(err error) string {
	var sve *jsonschema.SchemaValidationError
	if errors.As(err, &sve) {
		err = sve.Err
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var out []string
	for _, l := range leaves(ve) {
		p := l.ptr
		if p == "" {
			p = "/"
		}
		out = append(out, "at "+p+": "+l.msg)
	}
	return strings.Join(out, "; ")
}

type leaf struct{ ptr, msg string }

var printer = message.NewPrinter(language.English)

// leaves lists the innermost failures of a validation error, where the reasons are specific.
func leaves(ve *jsonschema.ValidationError) []leaf {
	if len(ve.Causes) == 0 {
		ptr := ""
		for _, tok := range ve.InstanceLocation {
			ptr += "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
		}
		return []leaf{{ptr, ve.ErrorKind.LocalizedString(printer)}}
	}
	var out []leaf
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("remote schema %s is not loaded", url)
}

func checkLevel(l Level, calendars map[string]bool, at func(ptr, reason string) Problem) []Problem {
	var ps []Problem
	if !calendars[l.SupportHours.Calendar] {
		ps = append(ps, at("/support_hours/calendar", "no such calendar "+strconv.Quote(l.SupportHours.Calendar)))
	}
	if l.SupportHours.Always == (len(l.SupportHours.Weekly) > 0) {
		ps = append(ps, at("/support_hours", "give weekly hours, or always: true, not both"))
	}
	for day, span := range l.SupportHours.Weekly {
		if span.From >= span.To {
			ps = append(ps, at("/support_hours/weekly/"+day, "must end after it starts"))
		}
	}
	for _, p := range []string{"P1", "P2", "P3", "P4"} {
		t := l.Priorities[p]
		if t.RestoreMinutes < t.ResponseMinutes {
			ps = append(ps, at("/priorities/"+p+"/restore_minutes", "is shorter than the response target"))
		}
	}
	return ps
}

func checkCalendar(c Calendar, at func(ptr, reason string) Problem) []Problem {
	var ps []Problem
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		ps = append(ps, at("/time_zone", "is not a known time zone"))
	}
	for i, h := range c.Fixed {
		if time.Date(2024, time.Month(h.Month), h.Day, 0, 0, 0, 0, time.UTC).Day() != h.Day {
			ps = append(ps, at(fmt.Sprintf("/fixed/%d/day", i), "is not a day of that month"))
		}
	}
	return ps
}

// CheckOrderParameters validates order parameters against the service's order parameter
// schema. Problems carry a JSON pointer into the parameters and the reason.
func CheckOrderParameters(s StandardService, params []byte) []Problem {
	sch, err := OrderSchema(s.OrderParameters)
	if err != nil {
		return []Problem{{Reason: "the service's order parameter schema does not compile: " + schemaError(err)}}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(params))
	if err != nil {
		return []Problem{{Reason: "is not valid JSON"}}
	}
	var ve *jsonschema.ValidationError
	if err := sch.Validate(inst); !errors.As(err, &ve) {
		return nil
	}
	var out []Problem
	for _, l := range leaves(ve) {
		out = append(out, Problem{Path: l.ptr, Reason: l.msg})
	}
	return out
}
