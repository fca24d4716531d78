package usage_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/usage"
)

// The key figures are kept as answers change and published with numerator, denominator and data
// quality; the peer group (the region) is shown by median and quartiles, and not below five.
func TestAdoptionFiguresAreComparedWithThePeerGroupFairly(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	council := env.Token("council")
	target := func(version string, percent float64) apptest.Response {
		return env.Do(apptest.Request{Method: "PUT", Path: "/api/v1/adoption-targets/DOM-12", Token: council,
			Header: map[string]string{"If-Match": version}, Body: map[string]any{"target_percent": percent}})
	}
	apptest.MustStatus(t, "the target", target("*", 50), 200)
	if resp := target(`"7"`, 60); resp.Status != 412 {
		t.Errorf("a stale target: %d", resp.Status)
	}
	if resp := env.Do(apptest.Request{Method: "PUT", Path: "/api/v1/adoption-targets/DOM-12", Token: env.Token("spoc.101"),
		Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"target_percent": 1}}); resp.Status != 403 {
		t.Errorf("a SPOC sets the target: %d", resp.Status)
	}

	env.AnswerAsSixOfHovedstaden(t)

	var f usage.Figures
	resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/adoption", Token: env.Token("spoc.101")})
	apptest.MustStatus(t, "the figures", resp, 200)
	resp.Decode(t, &f)
	kpi := func(id, domain string) usage.KPI {
		for _, k := range f.KPIs {
			if k.ID == id && k.Domain == domain {
				return k
			}
		}
		t.Fatalf("no %s figure for %q", id, domain)
		return usage.KPI{}
	}
	value := func(k usage.KPI) string {
		if k.ValuePercent == nil {
			return "null"
		}
		return *k.ValuePercent
	}
	tests := []struct {
		id, domain, value string
		num, den          int
		quality           usage.Quality
		peers             string // median q1 q3 of n, or "" when the group is not shown
	}{
		{usage.Connection, "", "37.5", 3, 8, usage.Complete, "12.5 12.5 12.5 of 6"},
		// 101's 66.7 among four at 100 (1 of 1) and two at 0: the median between 66.7 and 100.
		{usage.Adoption, "", "66.7", 2, 3, usage.Partial, "83.4 16.7 100.0 of 6"},
		// 101 and three more use the records system as primary, two as secondary: 4 of 6 at 100 %.
		{usage.Adoption, "DOM-12", "100.0", 1, 1, usage.Complete, "100.0 25.0 100.0 of 6"},
		{usage.GoalFulfilment, "DOM-12", "100.0", 1, 1, usage.Complete, "100.0 25.0 100.0 of 6"},
		{usage.GoalFulfilment, "", "100.0", 1, 1, usage.Partial, "100.0 25.0 100.0 of 6"},
		{usage.Adoption, "DOM-11", "100.0", 1, 1, usage.Complete, ""}, // only 101 answered payroll
		{usage.Adoption, "DOM-06", "null", 0, 0, usage.Default, ""},   // nobody answered care
	}
	for _, tc := range tests {
		k := kpi(tc.id, tc.domain)
		peers := ""
		if k.Peers != nil {
			peers = k.Peers.Median + " " + k.Peers.Q1 + " " + k.Peers.Q3 + " of " + strconv.Itoa(k.Peers.Municipalities)
		}
		if value(k) != tc.value || k.Numerator != tc.num || k.Denominator != tc.den || k.DataQuality != tc.quality || peers != tc.peers ||
			k.Description == "" || (k.Peers == nil && k.PeersNote == "") {
			t.Errorf("%s %q: %s %d/%d %s peers %q (%s; %s)", tc.id, tc.domain, value(k), k.Numerator, k.Denominator, k.DataQuality, peers,
				k.QualityNote, k.PeersNote)
		}
	}
	if f.PeerGroup != "Region Hovedstaden" || f.ComputedAt == nil || !f.ExampleData {
		t.Errorf("the figures: group %q computed %v example %v", f.PeerGroup, f.ComputedAt, f.ExampleData)
	}
	// Compared by population band once the secretariat has filled the populations in (test data);
	// by Danmarks Statistik's group, not yet filled in, the answer says so.
	sec := env.Token("secretariat")
	for code, population := range map[string]int{"101": 650000, "147": 104000, "151": 130000, "153": 160000, "155": 110000, "157": 120000} {
		apptest.MustStatus(t, "population", env.Do(apptest.Request{Method: "PATCH", Path: "/api/v1/municipalities/" + code, Token: sec,
			Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"population": population}}), 200)
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/adoption?peer=population", Token: env.Token("spoc.101")}).Decode(t, &f)
	if k := kpi(usage.Adoption, "DOM-12"); f.PeerGroup != "population 100,000 and more" || k.Peers == nil || k.Peers.Municipalities != 6 {
		t.Errorf("by population: %q %+v", f.PeerGroup, k.Peers)
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/adoption?peer=municipality_group", Token: env.Token("spoc.101")}).Decode(t, &f)
	if k := kpi(usage.Adoption, "DOM-12"); k.Peers != nil || k.PeersNote != "the municipality's group (Danmarks Statistik) is not filled in: the secretariat fills it in" {
		t.Errorf("by a group not filled in: %+v %q", k.Peers, k.PeersNote)
	}
	// The fleet view compares groups; the exports carry the same figures.
	var fleet usage.Fleet
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/adoption", Token: sec})
	apptest.MustStatus(t, "the fleet view", resp, 200)
	resp.Decode(t, &fleet)
	var hovedstaden, small *usage.GroupFigures
	for i, g := range fleet.Groups {
		if g.KPI == usage.Adoption && g.Domain == "DOM-12" {
			switch g.Group {
			case "Region Hovedstaden":
				hovedstaden = &fleet.Groups[i]
			case "Region Midtjylland":
				small = &fleet.Groups[i]
			}
		}
	}
	if hovedstaden == nil || hovedstaden.Median == nil || *hovedstaden.Median != "100.0" || *hovedstaden.Q1 != "25.0" ||
		hovedstaden.Answered != 6 || hovedstaden.Compared != 6 || hovedstaden.Default != hovedstaden.Municipalities-6 {
		t.Errorf("Region Hovedstaden in the fleet view: %+v", hovedstaden)
	}
	if small == nil || small.Median != nil || small.Note == "" {
		t.Errorf("a region where nobody answered: %+v", small)
	}
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/adoption?format=csv", Token: sec})
	if csv := string(resp.Body); resp.Status != 200 || !strings.HasPrefix(csv, "group,kpi,domain,municipalities,answered,partial,default,compared,median_percent") ||
		!strings.Contains(csv, "\nRegion Hovedstaden,adoption,DOM-12,") {
		t.Errorf("the fleet CSV: %d %.300s", resp.Status, csv)
	}
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/adoption?format=csv", Token: env.Token("spoc.101")})
	if csv := string(resp.Body); resp.Status != 200 || !strings.Contains(csv, "\n101,adoption,DOM-12,1,1,100.0,answered,,Region Hovedstaden,6,100.0,25.0,100.0,") {
		t.Errorf("101's CSV: %d %s", resp.Status, csv)
	}
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/adoption", Token: env.Token("spoc.751")}); resp.Status != 403 {
		t.Errorf("751 reads 101's figures: %d", resp.Status)
	}
}

// The periodic refresh writes no figure that comes out the same, and says it changed none; a
// system taken off the catalogue's list changes every municipality's figures, and their time.
func TestTheRefreshChangesOnlyFiguresThatDiffer(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.AnswerAsSixOfHovedstaden(t)
	computedAt := func() time.Time {
		t.Helper()
		var f usage.Figures
		resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/adoption", Token: env.Token("spoc.101")})
		apptest.MustStatus(t, "the figures", resp, 200)
		resp.Decode(t, &f)
		if f.ComputedAt == nil {
			t.Fatal("no computed_at")
		}
		return *f.ComputedAt
	}
	refresh := func() int { return env.Sweep(t, env.App.Usage.Refresh) }
	refresh() // the municipalities that have answered nothing have figures too
	kept := computedAt()

	env.Clock.Advance(time.Hour)
	if n := refresh(); n != 0 {
		t.Errorf("a refresh with nothing changed changed the figures of %d municipalities", n)
	}
	if got := computedAt(); !got.Equal(kept) {
		t.Errorf("computed_at moved from %v to %v though nothing changed", kept, got)
	}

	if _, err := env.App.Catalog.SyncFiles(env.System(), apptest.CatalogueWith(func(path string, b []byte) []byte {
		if path == "vocabularies/it-systems.yaml" {
			s := strings.Replace(string(b), "version: 1", "version: 2", 1)
			return []byte(regexp.MustCompile(`(?m)^  - \{id: SYS-LON,.*\n`).ReplaceAllString(s, ""))
		}
		return b
	})); err != nil {
		t.Fatal(err)
	}
	codes, err := env.App.Directory.MunicipalityCodes(env.System())
	if err != nil {
		t.Fatal(err)
	}
	if n := refresh(); n != len(codes) {
		t.Errorf("a system off the list changed the figures of %d municipalities, want all %d", n, len(codes))
	}
	if got := computedAt(); !got.Equal(env.Clock.Now()) {
		t.Errorf("computed_at %v after the list changed, want %v", got, env.Clock.Now())
	}
}
