// Package dashboard draws the council's dashboard: twelve months of the fleet's service levels
// per unit (compliance, credits, ticket SLA performance) as bar charts drawn on the server in
// SVG, each with the table of its figures, in a page that fetches nothing but its stylesheet.
package dashboard

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/servicekatalog/servicekatalog/internal/slareport"
)

//go:embed dashboard.css
var Stylesheet []byte

//go:embed dashboard.html
var page string

var tmpl = template.Must(template.New("dashboard").Parse(page))

// View is what the dashboard shows, as JSON for programs and drawn for people.
type View struct {
	From        string    `json:"from" example:"2026-01"`
	To          string    `json:"to" example:"2026-12"`
	GeneratedAt time.Time `json:"generated_at" format:"date-time"`
	Months      []string  `json:"months"`
	Units       []string  `json:"units"`
	Charts      []Chart   `json:"charts"`
}

// Chart is one measure per unit and month.
type Chart struct {
	ID    string `json:"id" enums:"compliance,credits,tickets"`
	Title string `json:"title" example:"Subscriptions that met their level"`
	Unit  string `json:"unit" example:"%"` // of the values
	// Series are the units', in the order of View.Units; a value is "" for a month without data.
	Series []Series `json:"series"`
	Max    string   `json:"max" example:"100"` // the top of the scale
	// Bars and Ticks are the drawing.
	Bars  []Bar  `json:"-"`
	Ticks []Tick `json:"-"`
}

// Series is one unit's values, month by month.
type Series struct {
	Unit   string   `json:"unit" example:"hovedstaden"`
	Values []string `json:"values"`
}

// Bar is one drawn bar.
type Bar struct {
	X, Y, Width, Height float64
	Color               string
	Title               string // what a pointer or a screen reader shows: unit, month, value
	Unit, Month, Value  string
}

// Tick is a line of the scale.
type Tick struct {
	Y     float64
	Label string
}

// The drawing's size, in SVG user units.
const (
	Width, Height = 960.0, 260.0
	left, bottom  = 56.0, 36.0
	top           = 12.0
)

// palette tells units apart; the Okabe–Ito colours stay distinct for colour-blind readers.
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// Build makes the view of a fleet report.
func Build(r slareport.Report) View {
	v := View{From: r.From, To: r.To, GeneratedAt: r.GeneratedAt, Months: months(r.From, r.To), Units: []string{}}
	compliance, credits := map[[2]string]string{}, map[[2]string]string{}
	for _, s := range r.Summaries {
		if s.By != "unit" {
			continue
		}
		if !slices.Contains(v.Units, s.Key) {
			v.Units = append(v.Units, s.Key)
		}
		compliance[[2]string{s.Key, s.Month}] = s.CompliancePercent
		credits[[2]string{s.Key, s.Month}] = decimal.RequireFromString(s.Credit).Neg().StringFixed(2)
	}
	met, stopped := map[[2]string]int{}, map[[2]string]int{}
	for _, t := range r.Tickets {
		k := [2]string{t.Unit, t.Month}
		met[k] += t.ResponseMet + t.RestoreMet
		stopped[k] += t.Responded + t.Restored
		if !slices.Contains(v.Units, t.Unit) {
			v.Units = append(v.Units, t.Unit)
		}
	}
	slices.Sort(v.Units)
	tickets := map[[2]string]string{}
	for k, n := range stopped {
		if n > 0 {
			tickets[k] = decimal.NewFromInt(int64(met[k] * 100)).Div(decimal.NewFromInt(int64(n))).StringFixed(1)
		}
	}
	v.Charts = []Chart{
		v.chart("compliance", "Abonnementer der overholdt serviceniveauet / Subscriptions that met their level", "%", compliance, decimal.NewFromInt(100)),
		v.chart("credits", "Servicekredit / Service credits", "DKK", credits, decimal.Zero),
		v.chart("tickets", "Sager inden for SLA (svar og genopretning) / Ticket clocks met (response and restore)", "%", tickets, decimal.NewFromInt(100)),
	}
	return v
}

// chart lays out values per unit and month as grouped bars: a group per month, a bar per unit.
// A fixed top (max) keeps percentages on a 0–100 scale; zero scales to the largest value.
func (v View) chart(id, title, unit string, values map[[2]string]string, top0 decimal.Decimal) Chart {
	c := Chart{ID: id, Title: title, Unit: unit, Series: []Series{}}
	maxv := top0
	for _, u := range v.Units {
		s := Series{Unit: u, Values: make([]string, len(v.Months))}
		for i, m := range v.Months {
			s.Values[i] = values[[2]string{u, m}]
			if s.Values[i] != "" && top0.IsZero() {
				maxv = decimal.Max(maxv, decimal.RequireFromString(s.Values[i]))
			}
		}
		c.Series = append(c.Series, s)
	}
	if top0.IsZero() {
		maxv = niceCeil(maxv)
	}
	c.Max = maxv.String()
	scale, _ := maxv.Float64()
	plot := Height - bottom - top
	group := (Width - left) / float64(max(len(v.Months), 1))
	bar := group * 0.8 / float64(max(len(v.Units), 1))
	for i := 0; i <= 4; i++ {
		c.Ticks = append(c.Ticks, Tick{Y: top + plot*float64(4-i)/4, Label: maxv.Mul(decimal.NewFromInt(int64(i))).Div(decimal.NewFromInt(4)).Round(1).String()})
	}
	for ui, s := range c.Series {
		for mi, val := range s.Values {
			if val == "" {
				continue
			}
			f, _ := strconv.ParseFloat(val, 64)
			// A zero is drawn as a sliver, so that it reads as a figure and not as a month without one.
			h := max(plot*f/scale, 1.5)
			c.Bars = append(c.Bars, Bar{X: left + group*float64(mi) + group*0.1 + bar*float64(ui), Y: top + plot - h, Width: bar * 0.9, Height: h,
				Color: palette[ui%len(palette)], Title: fmt.Sprintf("%s %s: %s %s", s.Unit, v.Months[mi], val, unit), Unit: s.Unit,
				Month: v.Months[mi], Value: val})
		}
	}
	return c
}

// niceCeil is the smallest of 1, 2, 4, 6, 8 or 10 times a power of ten at or above v (1 for
// nothing): a scale whose quarters are round numbers.
func niceCeil(v decimal.Decimal) decimal.Decimal {
	f, _ := v.Float64()
	if f <= 0 {
		return decimal.NewFromInt(1)
	}
	p := math.Pow(10, math.Floor(math.Log10(f)))
	for _, m := range []float64{1, 2, 4, 6, 8, 10} {
		if m*p >= f {
			return decimal.NewFromFloat(m * p)
		}
	}
	return decimal.NewFromFloat(10 * p)
}

// months lists the months from to to, such as 2026-01.
func months(from, to string) []string {
	f, err1 := time.Parse("2006-01", from)
	t, err2 := time.Parse("2006-01", to)
	var out []string
	for m := f; err1 == nil && err2 == nil && !m.After(t); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// Page is what the page shows besides the view: who is signed in, and the sign-out form.
type Page struct {
	View
	Computed   string // when, in Copenhagen
	SignedInAs string
	SignOut    string // the path the sign-out form posts to
	Legend     []Legend
	Labels     []Label // the months along the bottom
	Width      float64
	Height     float64
	Left       float64
	Baseline   float64
}

// Label is a month's name under its group of bars.
type Label struct {
	X    float64
	Text string
}

// Legend is a unit's colour.
type Legend struct{ Unit, Color string }

// Render writes the page of v for the person signed in as who.
func Render(w io.Writer, v View, who, signOut string) error {
	p := Page{View: v, Computed: computedAt(v.GeneratedAt), SignedInAs: who, SignOut: signOut, Width: Width, Height: Height, Left: left, Baseline: Height - bottom}
	group := (Width - left) / float64(max(len(v.Months), 1))
	for i, m := range v.Months {
		p.Labels = append(p.Labels, Label{X: left + group*(float64(i)+0.5), Text: m})
	}
	for i, u := range v.Units {
		p.Legend = append(p.Legend, Legend{Unit: u, Color: palette[i%len(palette)]})
	}
	return tmpl.Execute(w, p)
}

// SignIn is the page that asks for a token.
type SignIn struct {
	Action  string // where the form posts the token
	Message string // why sign-in is asked for again, if it is
}

var signIn = template.Must(template.New("sign-in").Parse(signInPage))

//go:embed sign-in.html
var signInPage string

// RenderSignIn writes the sign-in page.
func RenderSignIn(w io.Writer, s SignIn) error { return signIn.Execute(w, s) }
