package subscription

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/date"
	"github.com/servicekatalog/servicekatalog/internal/money"
	"github.com/servicekatalog/servicekatalog/internal/tabular"
)

func decimalInt(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }

// CostLine is one subscription's cost in a month.
type CostLine struct {
	SubscriptionID string       `json:"subscription_id" format:"uuid"`
	ServiceID      string       `json:"service_id" example:"CMP-01"`
	Unit           string       `json:"unit" example:"hovedstaden"`
	Level          string       `json:"level" example:"standard"`
	Quantity       int          `json:"quantity" example:"4"` // at the end of the month, or when it ended
	Days           int          `json:"days" example:"30"`    // days billed in the month
	Recurring      money.Amount `json:"recurring" swaggertype:"string" example:"2760.00"`
	OneOff         money.Amount `json:"one_off" swaggertype:"string" example:"0.00"`
	// CreditPercent and Credit are the service credit the month earned by missing its level,
	// off the recurring cost (negative); "0" until the month is over.
	CreditPercent string       `json:"credit_percent" example:"5"`
	Credit        money.Amount `json:"credit" swaggertype:"string" example:"-138.00"`
	Total         money.Amount `json:"total" swaggertype:"string" example:"2622.00"`
}

// CostTotal sums costs for one key (a standard service or a unit).
type CostTotal struct {
	Key       string       `json:"key" example:"CMP-01"`
	Recurring money.Amount `json:"recurring" swaggertype:"string"`
	OneOff    money.Amount `json:"one_off" swaggertype:"string"`
	Credit    money.Amount `json:"credit" swaggertype:"string"`
	Total     money.Amount `json:"total" swaggertype:"string"`
}

// CostReport is a municipality's costs for one month, in DKK.
type CostReport struct {
	Municipality string       `json:"municipality" example:"101"`
	Month        string       `json:"month" example:"2026-11"`
	Lines        []CostLine   `json:"lines"`
	ByService    []CostTotal  `json:"by_service"`
	ByUnit       []CostTotal  `json:"by_unit"`
	Recurring    money.Amount `json:"recurring" swaggertype:"string"`
	OneOff       money.Amount `json:"one_off" swaggertype:"string"`
	Credit       money.Amount `json:"credit" swaggertype:"string"`
	Total        money.Amount `json:"total" swaggertype:"string"`
}

// Credits says what share of each of a municipality's subscriptions' recurring cost a month
// earned back as service credit, as a percentage (none for a subscription that earned none, and
// until the month is over).
type Credits interface {
	CreditPercents(ctx context.Context, code string, month time.Time) (map[string]decimal.Decimal, error)
}

// UseCredits has the cost reports carry the service credits c computes.
func (s *Service) UseCredits(c Credits) { s.credits = c }

// ParseMonth reads the month parameter, "YYYY-MM".
func ParseMonth(s string) (time.Time, error) {
	m, err := date.ParseMonth(s)
	if err != nil {
		return m, apperr.Param("month", err.Error())
	}
	return m, nil
}

// Costs computes a municipality's costs for month from the priced periods: recurring cost pro
// rata by day (price × quantity × days billed ÷ days in the month), one-off fees in the month a
// period starts. Each line is rounded to øre once, at the end.
func (s *Service) Costs(ctx context.Context, code string, month time.Time) (CostReport, error) {
	start := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	rows, err := s.store.periods(ctx, code, start, end)
	if err != nil {
		return CostReport{}, err
	}
	credits := map[string]decimal.Decimal{}
	if s.credits != nil {
		if credits, err = s.credits.CreditPercents(ctx, code, start); err != nil {
			return CostReport{}, err
		}
	}
	return costs(code, start, rows, credits), nil
}

// costs prices a month from the periods that overlap it (in the order read): per subscription
// the recurring price pro rata by day and the one-off fees of the periods that start in it, less
// the credit percent of the recurring cost, each line rounded to øre once, at the end, and
// totals per standard service and unit.
func costs(code string, start time.Time, rows []costPeriod, credits map[string]decimal.Decimal) CostReport {
	end := start.AddDate(0, 1, 0)
	daysInMonth := decimalInt(int(end.Sub(start).Hours() / 24))
	rep := CostReport{Municipality: code, Month: start.Format("2006-01"), Lines: []CostLine{}}
	byID := map[string]*CostLine{}
	exact := map[string][2]decimal.Decimal{} // recurring, one-off before rounding
	var order []string
	for _, p := range rows {
		from, to := p.FromDay, end
		if from.Before(start) {
			from = start
		}
		if p.ToDay != nil && p.ToDay.Before(to) {
			to = *p.ToDay
		}
		days := int(to.Sub(from).Hours() / 24)
		l, ok := byID[p.SubscriptionID]
		if !ok {
			l = &CostLine{SubscriptionID: p.SubscriptionID, ServiceID: p.ServiceID, Unit: p.Unit}
			byID[p.SubscriptionID] = l
			order = append(order, p.SubscriptionID)
		}
		l.Level, l.Quantity, l.Days = p.Level, p.Quantity, l.Days+days
		sums := exact[p.SubscriptionID]
		sums[0] = sums[0].Add(p.MonthlyPrice.Mul(decimalInt(p.Quantity)).Mul(decimalInt(days)).Div(daysInMonth))
		if !p.FromDay.Before(start) {
			sums[1] = sums[1].Add(p.OneOff.Decimal)
		}
		exact[p.SubscriptionID] = sums
	}
	services, units := map[string]*CostTotal{}, map[string]*CostTotal{}
	for _, id := range order {
		l := byID[id]
		pct := credits[id]
		l.Recurring = money.Amount{Decimal: exact[id][0].Round(2)}
		l.OneOff = money.Amount{Decimal: exact[id][1].Round(2)}
		l.CreditPercent = pct.String()
		l.Credit = money.Amount{Decimal: exact[id][0].Mul(pct).Div(decimal.NewFromInt(100)).Round(2).Neg()}
		l.Total = money.Amount{Decimal: l.Recurring.Add(l.OneOff.Decimal).Add(l.Credit.Decimal)}
		rep.Lines = append(rep.Lines, *l)
		add(services, l.ServiceID, *l)
		add(units, l.Unit, *l)
		rep.Recurring = money.Amount{Decimal: rep.Recurring.Add(l.Recurring.Decimal)}
		rep.OneOff = money.Amount{Decimal: rep.OneOff.Add(l.OneOff.Decimal)}
		rep.Credit = money.Amount{Decimal: rep.Credit.Add(l.Credit.Decimal)}
	}
	rep.Total = money.Amount{Decimal: rep.Recurring.Add(rep.OneOff.Decimal).Add(rep.Credit.Decimal)}
	rep.ByService, rep.ByUnit = sorted(services), sorted(units)
	return rep
}

func add(m map[string]*CostTotal, key string, l CostLine) {
	t, ok := m[key]
	if !ok {
		t = &CostTotal{Key: key}
		m[key] = t
	}
	t.Recurring = money.Amount{Decimal: t.Recurring.Add(l.Recurring.Decimal)}
	t.OneOff = money.Amount{Decimal: t.OneOff.Add(l.OneOff.Decimal)}
	t.Credit = money.Amount{Decimal: t.Credit.Add(l.Credit.Decimal)}
	t.Total = money.Amount{Decimal: t.Recurring.Add(t.OneOff.Decimal).Add(t.Credit.Decimal)}
}

func sorted(m map[string]*CostTotal) []CostTotal {
	out := make([]CostTotal, 0, len(m))
	for _, t := range m {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Sheets are the report as tables: the lines with a total line, and the totals per standard
// service and per unit. The first is what a CSV holds.
func (r CostReport) Sheets() []tabular.Sheet {
	lines := tabular.Sheet{Name: "Costs", Columns: tabular.Join(tabular.Texts("municipality", "month", "subscription_id", "service_id", "unit", "level"),
		tabular.Of(tabular.Integer, "quantity", "days"), tabular.Of(tabular.Percent, "credit_percent"),
		tabular.Of(tabular.Amount, "recurring_dkk", "one_off_dkk", "credit_dkk", "total_dkk"))}
	for _, l := range r.Lines {
		lines.Rows = append(lines.Rows, []string{r.Municipality, r.Month, l.SubscriptionID, l.ServiceID, l.Unit, l.Level,
			strconv.Itoa(l.Quantity), strconv.Itoa(l.Days), l.CreditPercent, l.Recurring.String(), l.OneOff.String(), l.Credit.String(),
			l.Total.String()})
	}
	lines.Rows = append(lines.Rows, []string{r.Municipality, r.Month, "TOTAL", "", "", "", "", "", "", r.Recurring.String(), r.OneOff.String(),
		r.Credit.String(), r.Total.String()})
	out := []tabular.Sheet{lines}
	for _, sheet := range []struct {
		name   string
		totals []CostTotal
	}{{"By service", r.ByService}, {"By unit", r.ByUnit}} {
		t := tabular.Sheet{Name: sheet.name, Columns: tabular.Join(tabular.Texts("key"),
			tabular.Of(tabular.Amount, "recurring_dkk", "one_off_dkk", "credit_dkk", "total_dkk"))}
		for _, x := range sheet.totals {
			t.Rows = append(t.Rows, []string{x.Key, x.Recurring.String(), x.OneOff.String(), x.Credit.String(), x.Total.String()})
		}
		out = append(out, t)
	}
	return out
}

// FileName is the name of the report's file, without its extension.
func (r CostReport) FileName() string { return "costs-" + r.Municipality + "-" + r.Month }
