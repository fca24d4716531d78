package usage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tabular"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// The key figures, as KOMBIT's FLIS pages publish theirs: each with what it measures, its
// numerator and denominator.
const (
	Connection     = "connection"      // systems answered of those in the mapping
	Adoption       = "adoption"        // systems used as primary of those used
	GoalFulfilment = "goal_fulfilment" // domains whose adoption meets the council's target
)

// Quality says how far a figure rests on the municipality's own answers.
type Quality string

// The qualities of a figure.
const (
	Complete Quality = "answered" // every system of the domain answered
	Partial  Quality = "partial"  // some answered; the rest left out
	Default  Quality = "default"  // nothing answered: the peer group's median stands in
)

// MinPeers is the smallest peer group whose figures are shown: fewer would tell on each other.
const MinPeers = 5

// Peer groups a municipality is compared within.
const (
	ByRegion     = "region"
	ByPopulation = "population"         // the population band
	ByGroup      = "municipality_group" // Danmarks Statistik's five groups
)

// PeerGroups lists the peer groups.
var PeerGroups = []string{ByRegion, ByPopulation, ByGroup}

// band is a population band: from its lower bound to below its upper one (none: 0).
type band struct {
	from, to int
	name     string
}

// bands are the population bands, in order; the last has no upper bound.
var bands = []band{{0, 20000, "under 20,000"}, {20000, 50000, "20,000-49,999"}, {50000, 100000, "50,000-99,999"}, {100000, 0, "100,000 and more"}}

// KPI is one key figure of a municipality, for a domain or ("") for all of them.
type KPI struct {
	ID          string `json:"id" enums:"connection,adoption,goal_fulfilment"`
	Domain      string `json:"domain" example:"DOM-12"` // "" for all domains
	Description string `json:"description"`
	Numerator   int    `json:"numerator" example:"6"`
	Denominator int    `json:"denominator" example:"8"`
	// ValuePercent is numerator ÷ denominator, or the peer group's median when the data quality
	// is default; null when there is nothing to divide by.
	ValuePercent *string `json:"value_percent" example:"75.0" extensions:"x-nullable"`
	DataQuality  Quality `json:"data_quality"`
	QualityNote  string  `json:"quality_note" example:"6 of 8 systems answered; the other 2 are left out"`
	// Peers is the figure across the municipality's peer group; null when fewer than MinPeers
	// of the group have answered (PeersNote says so).
	Peers     *Peers `json:"peers" extensions:"x-nullable"`
	PeersNote string `json:"peers_note"`
}

// Peers is a figure's spread across a peer group: never a ranking.
type Peers struct {
	Group          string `json:"group" example:"Region Hovedstaden"`
	Municipalities int    `json:"municipalities" example:"12"` // with the figure from their own answers
	Median         string `json:"median_percent" example:"70.0"`
	Q1             string `json:"q1_percent" example:"55.0"`
	Q3             string `json:"q3_percent" example:"82.5"`
}

// Figures are a municipality's key figures, as kept.
type Figures struct {
	Municipality string `json:"municipality" example:"101"`
	PeerGroup    string `json:"peer_group" example:"Region Hovedstaden"`
	// ComputedAt is when the municipality's figures last changed: they are recomputed on each
	// answer and periodically (every minute by default), and keep this time while they come out
	// the same.
	ComputedAt  *time.Time `json:"computed_at" format:"date-time" extensions:"x-nullable"`
	ExampleData bool       `json:"example_data"`
	KPIs        []KPI      `json:"kpis"`
}

// Target is the council's goal for a domain's adoption.
type Target struct {
	Domain        string    `json:"domain" example:"DOM-12"`
	TargetPercent string    `json:"target_percent" example:"80"`
	SetBy         string    `json:"set_by"`
	SetAt         time.Time `json:"set_at" format:"date-time"`
	Version       int       `json:"version"`
}

// NewTarget is a target to set.
type NewTarget struct {
	TargetPercent float64 `json:"target_percent" validate:"min=0,max=100" example:"80"`
}

// counts are a municipality's answers in one domain (or all).
type counts struct{ systems, answered, used, primary int }

// tally counts current answers by domain, and all domains under "".
func tally(l list, current map[string]answerRow) map[string]counts {
	out := map[string]counts{"": {}}
	for _, d := range l.domains {
		out[d.ID] = counts{}
	}
	for _, sys := range l.systems {
		for _, key := range []string{sys.Domain, ""} {
			c := out[key]
			c.systems++
			if a, ok := current[sys.ID]; ok {
				c.answered++
				if a.Answer != NotUsed {
					c.used++
				}
				if a.Answer == Primary {
					c.primary++
				}
			}
			out[key] = c
		}
	}
	return out
}

// refresh recomputes the kept figures of municipalities codes, in the transaction of ctx, and
// returns how many municipalities' figures changed.
func (s *Service) refresh(ctx context.Context, codes []string) (int, error) {
	l, err := s.list(ctx)
	if err != nil {
		return 0, err
	}
	answers, err := s.store.currentOf(ctx, codes)
	if err != nil {
		return 0, err
	}
	for _, code := range codes { // one that has answered nothing has figures too: nothing answered
		if answers[code] == nil {
			answers[code] = map[string]answerRow{}
		}
	}
	return s.keep(ctx, l, answers)
}

// keep stores the figures of each municipality of answers (its current answers) on list l, and
// returns how many municipalities' figures changed.
func (s *Service) keep(ctx context.Context, l list, answers map[string]map[string]answerRow) (int, error) {
	now := s.clock.Now()
	var rows []figureRow
	for code, current := range answers {
		for domain, c := range tally(l, current) {
			rows = append(rows, figureRow{Municipality: code, Domain: domain, Systems: c.systems, Answered: c.answered, Used: c.used,
				Primary: c.primary, ComputedAt: now})
		}
	}
	return s.store.saveFigures(ctx, rows)
}

// newest is the latest computed_at of rows, or at when that is later (nil: none yet). A row
// keeps its time while its counts come out the same, so the rows of one municipality differ.
func newest(at *time.Time, rows map[string]figureRow) *time.Time {
	for _, r := range rows {
		if at == nil || r.ComputedAt.After(*at) {
			at = &r.ComputedAt
		}
	}
	return at
}

// Refresh recomputes every municipality's figures: the periodic job that follows the
// catalogue's lists. It returns how many municipalities' figures changed.
func (s *Service) Refresh(ctx context.Context) (int, error) {
	codes, err := s.directory.MunicipalityCodes(ctx)
	if err != nil {
		return 0, err
	}
	var changed int
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		changed, err = s.refresh(ctx, codes)
		return err
	})
	return changed, err
}

// Figures returns municipality code's key figures per domain and for all, each against its peer
// group of kind by (one of PeerGroups) by median and quartiles; read where staleness is accepted
// (postgres.Stale).
func (s *Service) Figures(ctx context.Context, code, by string) (Figures, error) {
	return postgres.Stale(ctx, s.db, func(ctx context.Context) (Figures, error) { return s.figures(ctx, code, by) })
}

func (s *Service) figures(ctx context.Context, code, by string) (Figures, error) {
	m, err := s.directory.Municipality(ctx, code)
	if err != nil {
		return Figures{}, err
	}
	l, err := s.domains(ctx) // the figures are kept: the systems are not needed to read them
	if err != nil {
		return Figures{}, err
	}
	group, peers, missing, err := s.peersOf(ctx, m, by)
	if err != nil {
		return Figures{}, err
	}
	kept, err := s.store.figures(ctx, append(peers, code))
	if err != nil {
		return Figures{}, err
	}
	targets, err := s.store.targets(ctx)
	if err != nil {
		return Figures{}, err
	}
	out := Figures{Municipality: code, PeerGroup: group, ExampleData: l.exampleData, KPIs: []KPI{}}
	mine := kept[code]
	out.ComputedAt = newest(nil, mine)
	domains := []string{""}
	for _, d := range l.domains {
		domains = append(domains, d.ID)
	}
	for _, d := range domains {
		for _, id := range []string{Connection, Adoption, GoalFulfilment} {
			k, ok := figure(id, d, mine, targets)
			if !ok {
				continue
			}
			var values []decimal.Decimal
			for _, p := range peers {
				if num, den, q, ok := measure(id, d, kept[p], targets); ok && q != Default && den > 0 {
					values = append(values, tenths(num, den))
				}
			}
			switch {
			case missing != "":
				k.PeersNote = missing
			case len(values) >= MinPeers:
				slices.SortFunc(values, func(a, b decimal.Decimal) int { return a.Cmp(b) })
				k.Peers = &Peers{Group: group, Municipalities: len(values), Median: quantile(values, 2).StringFixed(1),
					Q1: quantile(values, 1).StringFixed(1), Q3: quantile(values, 3).StringFixed(1)}
				if k.DataQuality == Default {
					k.ValuePercent, k.QualityNote = &k.Peers.Median, k.QualityNote+": the median of "+group+" stands in"
				}
			default:
				k.PeersNote = fmt.Sprintf("fewer than %d municipalities of %s have answered: the group is not shown", MinPeers, group)
			}
			out.KPIs = append(out.KPIs, k)
		}
	}
	return out, nil
}

// peersOf returns m's peer group of kind by: its name and codes, or why there is none (the data
// it groups by is not filled in for m).
func (s *Service) peersOf(ctx context.Context, m directory.Municipality, by string) (string, []string, string, error) {
	switch by {
	case ByPopulation:
		if m.Population == nil {
			return "", nil, "the municipality's population is not filled in: the secretariat fills it in", nil
		}
		b := bandOf(*m.Population)
		codes, err := s.directory.WithPopulation(ctx, b.from, b.to)
		return groupOf(m, by), codes, "", err
	case ByGroup:
		if m.MunicipalityGroup == nil {
			return "", nil, "the municipality's group (Danmarks Statistik) is not filled in: the secretariat fills it in", nil
		}
		codes, err := s.directory.InGroup(ctx, *m.MunicipalityGroup)
		return groupOf(m, by), codes, "", err
	case ByRegion, "":
		codes, err := s.directory.InRegion(ctx, m.Region)
		return m.Region, codes, "", err
	}
	return "", nil, "", apperr.Param("peer", "must be region, population or municipality_group")
}

// measure counts key figure id of domain d from a municipality's kept counts: its numerator,
// denominator and data quality; false when the domain has no figure of the kind (a goal without
// a target).
func measure(id, d string, kept map[string]figureRow, targets map[string]decimal.Decimal) (num, den int, q Quality, ok bool) {
	c := kept[d]
	q = qualityOf(c)
	meets := func(c figureRow, target decimal.Decimal) bool { // primary ÷ used ≥ target %, in hundredths of a percent
		return int64(c.Primary)*10000 >= target.Shift(2).IntPart()*int64(c.Used)
	}
	switch id {
	case Connection:
		return c.Answered, c.Systems, Complete, true // what is unanswered is what this figure counts
	case Adoption:
		return c.Primary, c.Used, q, true
	case GoalFulfilment:
		if d == "" {
			for domain, target := range targets {
				if dc := kept[domain]; dc.Used > 0 {
					den++
					if meets(dc, target) {
						num++
					}
				}
			}
			return num, den, q, len(targets) > 0
		}
		target, ok := targets[d]
		if !ok {
			return 0, 0, q, false
		}
		if c.Used > 0 {
			den = 1
			if meets(c, target) {
				num = 1
			}
		}
		return num, den, q, true
	}
	return 0, 0, q, false
}

// qualityOf is how far a domain's counts rest on the municipality's answers.
func qualityOf(c figureRow) Quality {
	switch {
	case c.Answered == 0:
		return Default
	case c.Answered < c.Systems:
		return Partial
	}
	return Complete
}

// figure is key figure id of domain d from a municipality's kept counts, as published.
func figure(id, d string, kept map[string]figureRow, targets map[string]decimal.Decimal) (KPI, bool) {
	num, den, q, ok := measure(id, d, kept, targets)
	if !ok {
		return KPI{}, false
	}
	k := KPI{ID: id, Domain: d, Numerator: num, Denominator: den, DataQuality: q}
	c := kept[d]
	switch q {
	case Default:
		k.QualityNote = "no system answered"
	case Partial:
		k.QualityNote = fmt.Sprintf("%d of %d systems answered; the other %d are left out", c.Answered, c.Systems, c.Systems-c.Answered)
	}
	switch {
	case id == Connection:
		k.Description = "Systems answered, of the systems of the mapping."
	case id == Adoption:
		k.Description = "Systems used as the primary system, of the systems used (primary or secondary)."
	case d == "":
		k.Description = "Domains whose adoption meets the council's target, of the domains with a target and a system in use."
	default:
		k.Description = "Whether the domain's adoption meets the council's target of " + targets[d].String() + " %: 1 of 1 when it does."
	}
	if den > 0 && q != Default {
		v := decimal.NewFromInt(int64(num * 100)).Div(decimal.NewFromInt(int64(den))).StringFixed(1)
		k.ValuePercent = &v
	}
	return k, true
}

// tenths is num ÷ den in percent to one decimal, rounded half up, without a division of decimals.
func tenths(num, den int) decimal.Decimal {
	return decimal.New((int64(num)*2000+int64(den))/(2*int64(den)), -1)
}

// quantile is the q-th quartile of sorted values, interpolated between the ranks around it (as
// a spreadsheet's QUARTILE.INC).
func quantile(sorted []decimal.Decimal, q int) decimal.Decimal {
	pos := decimal.NewFromInt(int64(len(sorted) - 1)).Mul(decimal.NewFromInt(int64(q))).Div(decimal.NewFromInt(4))
	lo := pos.Floor().IntPart()
	frac := pos.Sub(decimal.NewFromInt(lo))
	if int(lo)+1 >= len(sorted) {
		return sorted[lo]
	}
	return sorted[lo].Add(sorted[lo+1].Sub(sorted[lo]).Mul(frac))
}

// Targets returns the council's adoption targets by domain.
func (s *Service) Targets(ctx context.Context) ([]Target, error) { return s.store.targetList(ctx) }

// SetTarget sets the council's adoption target of domain, if it is still at version (any
// version for a domain without one).
func (s *Service) SetTarget(ctx context.Context, domain string, version int, in NewTarget) (Target, error) {
	if err := validation.Check(in); err != nil {
		return Target{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var out Target
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		l, err := s.list(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(l.domains, func(e catalog.Entry) bool { return e.ID == domain }) {
			return apperr.NotFoundf("domain")
		}
		old, found, err := s.store.target(ctx, domain)
		if err != nil {
			return err
		}
		if found && version != apperr.AnyVersion && old.Version != version {
			return apperr.New(apperr.PreconditionFailed, "the target has changed since you read it; read it again")
		}
		r := targetRow{Domain: domain, TargetPercent: decimal.NewFromFloat(in.TargetPercent).Round(2), SetBy: actor.Subject, SetAt: s.clock.Now(),
			Version: old.Version + 1}
		if err := s.store.saveTarget(ctx, r); err != nil {
			return err
		}
		out = r.target()
		var before any
		if found {
			before = old.target()
		}
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.CouncilID, Action: "adoption.target", ObjectType: "adoption_target",
			ObjectID: domain, Diff: audit.Diff(before, out)})
	})
	return out, err
}

// GroupFigures is one key figure of one domain across one peer group, for the fleet view.
type GroupFigures struct {
	Group          string `json:"group" example:"Region Hovedstaden"`
	KPI            string `json:"kpi" enums:"connection,adoption,goal_fulfilment"`
	Domain         string `json:"domain" example:"DOM-12"` // "" for all domains
	Municipalities int    `json:"municipalities" example:"29"`
	Answered       int    `json:"answered" example:"20"` // with every system of the domain answered
	Partial        int    `json:"partial" example:"5"`
	Default        int    `json:"default" example:"4"` // nothing answered
	// Compared is how many have the figure from their own answers: the median and quartiles are theirs.
	Compared int `json:"compared" example:"25"`
	// Median, Q1 and Q3 are over the municipalities with the figure from their own answers;
	// null when fewer than MinPeers have it (Note says so).
	Median *string `json:"median_percent" example:"70.0" extensions:"x-nullable"`
	Q1     *string `json:"q1_percent" example:"55.0" extensions:"x-nullable"`
	Q3     *string `json:"q3_percent" example:"82.5" extensions:"x-nullable"`
	Note   string  `json:"note"`
}

// Fleet is every peer group's figures, per domain and key figure: the secretariat's and the
// council's view, which compares groups and never ranks municipalities.
type Fleet struct {
	By string `json:"by" enums:"region,population,municipality_group"`
	// ComputedAt is when the newest of the kept figures last changed; null before any answer.
	ComputedAt  *time.Time     `json:"computed_at" format:"date-time" extensions:"x-nullable"`
	ExampleData bool           `json:"example_data"`
	Domains     []DomainName   `json:"domains"`
	Groups      []GroupFigures `json:"groups"`
}

// DomainName names a domain of the figures.
type DomainName struct {
	ID   string       `json:"id" example:"DOM-12"`
	Name catalog.Text `json:"name"`
}

// Fleet returns the figures of every peer group of kind by, read where staleness is accepted.
func (s *Service) Fleet(ctx context.Context, by string) (Fleet, error) {
	return postgres.Stale(ctx, s.db, func(ctx context.Context) (Fleet, error) { return s.fleet(ctx, by) })
}

func (s *Service) fleet(ctx context.Context, by string) (Fleet, error) {
	if by == "" {
		by = ByRegion
	}
	if !slices.Contains(PeerGroups, by) {
		return Fleet{}, apperr.Param("peer", "must be region, population or municipality_group")
	}
	l, err := s.domains(ctx)
	if err != nil {
		return Fleet{}, err
	}
	codes, err := s.directory.MunicipalityCodes(ctx)
	if err != nil {
		return Fleet{}, err
	}
	ms, err := s.directory.Municipalities(ctx, codes)
	if err != nil {
		return Fleet{}, err
	}
	kept, err := s.store.figures(ctx, codes)
	if err != nil {
		return Fleet{}, err
	}
	targets, err := s.store.targets(ctx)
	if err != nil {
		return Fleet{}, err
	}
	groups := map[string][]string{}
	var names []string
	for _, code := range codes {
		g := groupOf(ms[code], by)
		if _, ok := groups[g]; !ok {
			names = append(names, g)
		}
		groups[g] = append(groups[g], code)
	}
	slices.Sort(names)
	out := Fleet{By: by, ExampleData: l.exampleData, Domains: []DomainName{}, Groups: []GroupFigures{}}
	domains := []string{""}
	for _, d := range l.domains {
		domains = append(domains, d.ID)
		out.Domains = append(out.Domains, DomainName{ID: d.ID, Name: d.Name})
	}
	for _, rows := range kept {
		out.ComputedAt = newest(out.ComputedAt, rows)
	}
	for _, g := range names {
		for _, d := range domains {
			for _, id := range []string{Connection, Adoption, GoalFulfilment} {
				row := GroupFigures{Group: g, KPI: id, Domain: d, Municipalities: len(groups[g])}
				var values []decimal.Decimal
				for _, code := range groups[g] {
					num, den, q, ok := measure(id, d, kept[code], targets)
					if !ok {
						continue
					}
					// Tallied by the answers, also for connection, whose own quality is always complete.
					switch qualityOf(kept[code][d]) {
					case Complete:
						row.Answered++
					case Partial:
						row.Partial++
					default:
						row.Default++
					}
					if q != Default && den > 0 {
						values = append(values, tenths(num, den))
					}
				}
				row.Compared = len(values)
				if row.Answered+row.Partial+row.Default == 0 {
					continue // a goal without a target
				}
				switch {
				case g == populationMissing || g == groupMissing:
					row.Note = "not a peer group: the secretariat fills in what these municipalities are grouped by"
				case len(values) >= MinPeers:
					slices.SortFunc(values, func(a, b decimal.Decimal) int { return a.Cmp(b) })
					med, q1, q3 := quantile(values, 2).StringFixed(1), quantile(values, 1).StringFixed(1), quantile(values, 3).StringFixed(1)
					row.Median, row.Q1, row.Q3 = &med, &q1, &q3
				default:
					row.Note = fmt.Sprintf("%d with the figure from their own answers, fewer than %d: not shown", len(values), MinPeers)
				}
				out.Groups = append(out.Groups, row)
			}
		}
	}
	return out, nil
}

// bandOf is the population band of a population.
func bandOf(population int) band {
	for _, b := range bands[1:] {
		if population < b.from {
			break
		}
		if b.to == 0 || population < b.to {
			return b
		}
	}
	return bands[0]
}

// Where the data a peer group is formed by is missing, the municipalities are listed under these
// names and not compared: they are not a group of peers.
const (
	populationMissing = "population not filled in"
	groupMissing      = "group not filled in"
)

// groupOf names m's peer group of kind by.
func groupOf(m directory.Municipality, by string) string {
	switch by {
	case ByPopulation:
		if m.Population == nil {
			return populationMissing
		}
		return "population " + bandOf(*m.Population).name
	case ByGroup:
		if m.MunicipalityGroup == nil {
			return groupMissing
		}
		return fmt.Sprintf("Danmarks Statistik's municipality group %d", *m.MunicipalityGroup)
	}
	return m.Region
}

// FileName is the name of the fleet view's file, without its extension.
func (f Fleet) FileName() string { return "adoption-" + f.By }

// Sheets are the fleet view as one table.
func (f Fleet) Sheets() []tabular.Sheet {
	t := tabular.Sheet{Name: "Adoption", Columns: tabular.Join(tabular.Texts("group", "kpi", "domain"),
		tabular.Of(tabular.Integer, "municipalities", "answered", "partial", "default", "compared"),
		tabular.Of(tabular.Percent, "median_percent", "q1_percent", "q3_percent"), tabular.Texts("note"))}
	for _, g := range f.Groups {
		t.Rows = append(t.Rows, []string{g.Group, g.KPI, g.Domain, strconv.Itoa(g.Municipalities), strconv.Itoa(g.Answered),
			strconv.Itoa(g.Partial), strconv.Itoa(g.Default), strconv.Itoa(g.Compared), text(g.Median), text(g.Q1), text(g.Q3), g.Note})
	}
	return []tabular.Sheet{t}
}

// FileName is the name of a municipality's figures' file, without its extension.
func (f Figures) FileName() string { return "adoption-" + f.Municipality }

// Sheets are a municipality's figures as one table.
func (f Figures) Sheets() []tabular.Sheet {
	t := tabular.Sheet{Name: "Adoption", Columns: tabular.Join(tabular.Texts("municipality", "kpi", "domain"),
		tabular.Of(tabular.Integer, "numerator", "denominator"), tabular.Of(tabular.Percent, "value_percent"),
		tabular.Texts("data_quality", "quality_note", "peer_group"), tabular.Of(tabular.Integer, "peers"),
		tabular.Of(tabular.Percent, "peer_median_percent", "peer_q1_percent", "peer_q3_percent"), tabular.Texts("peers_note"))}
	for _, k := range f.KPIs {
		peers, med, q1, q3 := "", "", "", ""
		if k.Peers != nil {
			peers, med, q1, q3 = strconv.Itoa(k.Peers.Municipalities), k.Peers.Median, k.Peers.Q1, k.Peers.Q3
		}
		t.Rows = append(t.Rows, []string{f.Municipality, k.ID, k.Domain, strconv.Itoa(k.Numerator), strconv.Itoa(k.Denominator),
			text(k.ValuePercent), string(k.DataQuality), k.QualityNote, f.PeerGroup, peers, med, q1, q3, k.PeersNote})
	}
	return []tabular.Sheet{t}
}

func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
