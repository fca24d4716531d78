package dashboard

import (
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/usage"
)

func TestEachPeerGroupIsABoxFromQuartileToQuartileOrSaysWhyNot(t *testing.T) {
	p := func(s string) *string { return &s }
	f := usage.Fleet{By: usage.ByRegion, Domains: []usage.DomainName{{ID: "DOM-12", Name: catalog.Text{DA: "Dokumenthåndtering", EN: "Records management"}}},
		Groups: []usage.GroupFigures{
			{Group: "Region Hovedstaden", KPI: usage.Adoption, Municipalities: 29, Compared: 6, Median: p("83.4"), Q1: p("16.7"), Q3: p("100.0")},
			{Group: "Region Hovedstaden", KPI: usage.Adoption, Domain: "DOM-12", Municipalities: 29, Compared: 6, Median: p("100.0"), Q1: p("25.0"), Q3: p("100.0")},
			{Group: "Region Midtjylland", KPI: usage.Adoption, Municipalities: 19, Note: "2 with the figure from their own answers, fewer than 5: not shown"},
			{Group: "Region Hovedstaden", KPI: usage.Connection, Municipalities: 29, Compared: 6, Median: p("12.5"), Q1: p("12.5"), Q3: p("12.5")},
		}}
	a := BuildAdoption(f, "council (council)", "/dashboard/sign-out")
	if strings.Join(a.Groups, ",") != "Region Hovedstaden,Region Midtjylland" || len(a.Charts) != 3 {
		t.Fatalf("groups %v, %d charts", a.Groups, len(a.Charts))
	}
	plot := Height - bottom - top
	tests := []struct {
		chart, box int
		shown      bool
		q3, median float64 // y, as a share of the plot from its top
		span       float64
		title      string
	}{
		{1, 0, true, 0, 0.166, 0.833, "Region Hovedstaden: median 83.4 %, quartiles 16.7–100.0 % (6 of 29 municipalities from their own answers)"},
		{1, 1, false, 0, 0, 0, "Region Midtjylland: not shown, 2 with the figure from their own answers, fewer than 5: not shown"},
		{0, 0, true, 0.875, 0.875, 1.5 / plot, "Region Hovedstaden: median 12.5 %, quartiles 12.5–12.5 % (6 of 29 municipalities from their own answers)"},
	}
	for _, tc := range tests {
		b := a.Charts[tc.chart].Boxes[tc.box]
		near := func(y, share float64) bool { return y > top+plot*share-1 && y < top+plot*share+1 }
		if b.Title != tc.title || b.Shown != tc.shown || tc.shown && (!near(b.Q3, tc.q3) || !near(b.Median, tc.median) || b.Span < plot*tc.span-1 || b.Span > plot*tc.span+1) {
			t.Errorf("chart %d box %d: %+v", tc.chart, tc.box, b)
		}
	}
	if c := a.Charts[2]; len(c.Boxes) != 0 || !strings.Contains(c.Empty, "has not set a target") {
		t.Errorf("goal fulfilment without targets: %+v", c)
	}
	if d := a.Domains[0]; d.Name != "Dokumenthåndtering / Records management" || strings.Join(d.Medians, ",") != "100.0," {
		t.Errorf("the domain row: %+v", d)
	}
	var page strings.Builder
	if err := RenderAdoption(&page, a); err != nil {
		t.Fatal(err)
	}
	if html := page.String(); strings.Count(html, `<g class="spread"`) != 2 || strings.Contains(html, "<script") || strings.Contains(html, "style=") ||
		!strings.Contains(html, "has not set a target") {
		t.Errorf("the page:\n%s", html)
	}
}
