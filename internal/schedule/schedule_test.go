package schedule

import (
	"sort"
	"strings"
	"testing"
	"time"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/interval"
)

func shipped(t *testing.T) *catalog.Catalogue {
	t.Helper()
	c, problems := catalog.Load(catalogfiles.Files)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	return c
}

func calendar(t *testing.T, c *catalog.Catalogue, id string) catalog.Calendar {
	for _, cal := range c.Calendars {
		if cal.ID == id {
			return cal
		}
	}
	t.Fatalf("no calendar %s", id)
	return catalog.Calendar{}
}

func TestEasterOnKnownDates(t *testing.T) {
	for year, want := range map[int]string{2019: "2019-04-21", 2023: "2023-04-09", 2024: "2024-03-31", 2025: "2025-04-20",
		2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25"} {
		if got := Easter(year).Format(time.DateOnly); got != want {
			t.Errorf("Easter %d = %s, want %s", year, got, want)
		}
	}
}

func TestDanishPublicHolidays(t *testing.T) {
	cal := calendar(t, shipped(t), "dk-public")
	dates := func(year int) string {
		var out []string
		for d := range Holidays(cal, year) {
			out = append(out, d)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	// Published Danish holidays: 2026 has no store bededag (abolished from 2024); 2023 had it on 5 May.
	want2026 := "2026-01-01 2026-04-02 2026-04-03 2026-04-05 2026-04-06 2026-05-14 2026-05-24 2026-05-25 2026-06-05 2026-12-24 2026-12-25 2026-12-26"
	if got := dates(2026); got != want2026 {
		t.Errorf("2026:\n got %s\nwant %s", got, want2026)
	}
	if hs := Holidays(cal, 2023); hs["2023-05-05"] != "Store bededag" {
		t.Errorf("store bededag 2023 missing: %v", hs)
	}
	if hs := Holidays(cal, 2024); len(hs) != 12 || hs["2024-04-26"] != "" {
		t.Errorf("2024 has %d holidays (store bededag must be gone): %v", len(hs), hs)
	}
	contract := Holidays(calendar(t, shipped(t), "dk-contract"), 2026)
	if contract["2026-05-01"] == "" || contract["2026-12-31"] == "" || len(contract) != 14 {
		t.Errorf("contract calendar 2026: %v", contract)
	}
}

func basis(t *testing.T) *Hours {
	t.Helper()
	c := shipped(t)
	l, _ := c.Level("basis")
	s, err := NewHours(l.SupportHours, calendar(t, c, l.SupportHours.Calendar))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func cph(t *testing.T, s string) time.Time {
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDeadlinesInBusinessHours(t *testing.T) {
	s := basis(t)
	tests := []struct {
		name   string
		start  string
		target time.Duration
		clock  string
		pauses [][2]string
		want   string
	}{
		{"within the day", "2026-11-23 09:00", 2 * time.Hour, BusinessHours, nil, "2026-11-23 11:00"},
		{"before opening counts from 08:00", "2026-11-23 06:30", time.Hour, BusinessHours, nil, "2026-11-23 09:00"},
		{"over a weekend", "2026-11-27 15:00", 2 * time.Hour, BusinessHours, nil, "2026-11-30 09:00"},
		{"over Ascension Day and a weekend", "2026-05-13 14:00", 16 * time.Hour, BusinessHours, nil, "2026-05-18 14:00"},
		{"paused Friday 10:00 to Monday 09:00", "2026-05-13 14:00", 16 * time.Hour, BusinessHours,
			[][2]string{{"2026-05-15 10:00", "2026-05-18 09:00"}}, "2026-05-19 13:00"},
		{"over Christmas", "2026-12-23 15:00", 2 * time.Hour, BusinessHours, nil, "2026-12-28 09:00"},
		{"round the clock ignores hours", "2026-05-13 14:00", 16 * time.Hour, RoundTheClock, nil, "2026-05-14 06:00"},
		{"round the clock, paused an hour", "2026-05-13 14:00", 2 * time.Hour, RoundTheClock,
			[][2]string{{"2026-05-13 15:00", "2026-05-13 16:00"}}, "2026-05-13 17:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pauses []interval.Span
			for _, p := range tc.pauses {
				pauses = append(pauses, interval.Span{From: cph(t, p[0]), To: cph(t, p[1])})
			}
			due, ok := s.Deadline(tc.clock, cph(t, tc.start), tc.target, pauses)
			if !ok || !due.Equal(cph(t, tc.want)) {
				t.Fatalf("deadline %v (%v), want %s", due.In(s.Location()), ok, tc.want)
			}
			if got := s.Elapsed(tc.clock, cph(t, tc.start), due, pauses); got != tc.target {
				t.Errorf("elapsed at the deadline = %v, want %v", got, tc.target)
			}
		})
	}
	if _, ok := s.Deadline(BusinessHours, cph(t, "2026-05-13 14:00"), time.Hour, []interval.Span{{From: cph(t, "2026-05-13 14:30")}}); ok {
		t.Error("an open pause still gives a deadline")
	}
}
