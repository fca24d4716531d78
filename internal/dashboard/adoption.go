package dashboard

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/usage"
)

//go:embed adoption.html
var adoptionPage string

var adoptionTmpl = template.Must(template.New("adoption").Parse(adoptionPage))

// Spread is one key figure across the peer groups: per group a box from the first to the third
// quartile with the median across it, or a note where the group is too small to be shown.
type Spread struct {
	ID          string
	Title       string
	Description string
	Empty       string // what the page says when no group has the figure
	Boxes       []Box
	Rows        []usage.GroupFigures
}

// Box is one peer group's spread in the drawing.
type Box struct {
	Group, Label      string // the group, and its name short enough to stand under its box
	X, Width, Center  float64
	Q3, Median, Span  float64 // y of the third quartile and the median, and the box's height
	Shown             bool
	Title, Note       string
	MedianPercent     string
	Compared, Members int
}

// PeerLink switches the page to another kind of peer group.
type PeerLink struct {
	By, Label string
	Current   bool
}

// DomainRow is a domain's adoption median in each peer group ("" where not shown).
type DomainRow struct {
	ID, Name string
	Medians  []string
}

// Adoption is the adoption page.
type Adoption struct {
	By          string
	Computed    string // when the newest figure was computed, in Copenhagen; "" before any
	ExampleData bool
	Peers       []PeerLink
	Groups      []string
	Charts      []Spread
	Domains     []DomainRow
	Ticks       []Tick
	SignedInAs  string
	SignOut     string
	MinPeers    int
	Width       float64
	Height      float64
	Left        float64
	Baseline    float64
}

// The key figures the page draws, with what each measures.
var spreads = []struct{ id, title, description, empty string }{
	{usage.Connection, "Tilslutning / Connection", "Systemer besvaret af dem i kortlægningen / systems answered of those in the mapping", noAnswers},
	{usage.Adoption, "Anvendelse / Adoption", "Systemer brugt som primære af dem i brug / systems used as primary of those used", noAnswers},
	{usage.GoalFulfilment, "Målopfyldelse / Goal fulfilment", "Domæner hvis anvendelse når rådets mål / domains whose adoption meets the council's target",
		"Rådet har endnu ikke sat mål for noget domæne. / The council has not set a target for any domain yet (PUT /api/v1/adoption-targets/{domain})."},
}

const noAnswers = "Ingen kommune har svaret endnu. / No municipality has answered yet."

var peerLabels = []PeerLink{{By: usage.ByRegion, Label: "Region"}, {By: usage.ByPopulation, Label: "Indbyggertal / Population"},
	{By: usage.ByGroup, Label: "Kommunegruppe / Municipality group"}}

// BuildAdoption lays out the fleet's adoption figures for the person signed in as who: a chart
// per key figure over all domains, and a table of every domain's adoption median per group.
func BuildAdoption(f usage.Fleet, who, signOut string) Adoption {
	a := Adoption{By: f.By, ExampleData: f.ExampleData, SignedInAs: who, SignOut: signOut, MinPeers: usage.MinPeers,
		Width: Width, Height: Height, Left: left, Baseline: Height - bottom}
	if f.ComputedAt != nil {
		a.Computed = computedAt(*f.ComputedAt)
	}
	for _, p := range peerLabels {
		p.Current = p.By == f.By
		a.Peers = append(a.Peers, p)
	}
	index := map[string]int{}
	for _, g := range f.Groups {
		if _, ok := index[g.Group]; !ok {
			index[g.Group] = len(a.Groups)
			a.Groups = append(a.Groups, g.Group)
		}
	}
	plot := Height - bottom - top
	y := func(percent string) float64 {
		v, _ := strconv.ParseFloat(percent, 64)
		return top + plot*(100-v)/100
	}
	for i := 0; i <= 4; i++ {
		a.Ticks = append(a.Ticks, Tick{Y: top + plot*float64(4-i)/4, Label: strconv.Itoa(25 * i)})
	}
	slot := (Width - left) / float64(max(len(a.Groups), 1))
	for _, sp := range spreads {
		s := Spread{ID: sp.id, Title: sp.title, Description: sp.description, Empty: sp.empty}
		for _, g := range f.Groups {
			if g.KPI != sp.id || g.Domain != "" {
				continue
			}
			s.Rows = append(s.Rows, g)
			x := left + slot*float64(index[g.Group])
			b := Box{Group: g.Group, Label: shortName(g.Group), X: x + slot*0.3, Width: slot * 0.4, Center: x + slot/2, Compared: g.Compared,
				Members: g.Municipalities}
			if g.Median != nil {
				b.Shown, b.MedianPercent = true, *g.Median
				// A group whose quartiles meet is drawn as a sliver around its median.
				b.Q3, b.Median, b.Span = y(*g.Q3), y(*g.Median), max(y(*g.Q1)-y(*g.Q3), 1.5)
				b.Title = fmt.Sprintf("%s: median %s %%, quartiles %s–%s %% (%d of %d municipalities from their own answers)",
					g.Group, *g.Median, *g.Q1, *g.Q3, b.Compared, b.Members)
			} else {
				b.Note = "ikke vist / not shown"
				b.Title = fmt.Sprintf("%s: not shown, %s", g.Group, g.Note)
			}
			s.Boxes = append(s.Boxes, b)
		}
		a.Charts = append(a.Charts, s)
	}
	medians := map[[2]string]string{}
	for _, g := range f.Groups {
		if g.KPI == usage.Adoption && g.Domain != "" && g.Median != nil {
			medians[[2]string{g.Domain, g.Group}] = *g.Median
		}
	}
	for _, d := range f.Domains {
		row := DomainRow{ID: d.ID, Name: d.Name.DA + " / " + d.Name.EN}
		for _, g := range a.Groups {
			row.Medians = append(row.Medians, medians[[2]string{d.ID, g}])
		}
		a.Domains = append(a.Domains, row)
	}
	return a
}

// shortName is a group's name without the words every group of its kind shares.
func shortName(group string) string {
	return strings.TrimPrefix(strings.TrimPrefix(group, "Danmarks Statistik's municipality "), "population ")
}

// RenderAdoption writes the adoption page.
func RenderAdoption(w io.Writer, a Adoption) error { return adoptionTmpl.Execute(w, a) }

// computedAt is t in Copenhagen, as the pages show it.
func computedAt(t time.Time) string { return t.In(clock.Copenhagen).Format("2006-01-02 15:04 MST") }

// Right is the x of the box's right edge.
func (b Box) Right() float64 { return b.X + b.Width }
