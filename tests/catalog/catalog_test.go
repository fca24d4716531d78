package catalog_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"
	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
)

func TestCatalogueReadsAndFilters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tok := env.Token("first_line.101")
	ids := func(query string) string {
		var l apptest.List[catalog.ServiceEntry]
		resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/catalog/services" + query, Token: tok})
		apptest.MustStatus(t, query, resp, 200)
		resp.Decode(t, &l)
		var out []string
		for _, s := range l.Items {
			out = append(out, s.ID)
		}
		return strings.Join(out, ",")
	}
	tests := []struct{ query, want string }{
		{"?family=storage", "STO-01,STO-02,STO-03,STO-04"},
		{"?level=plus&family=network", "NET-01,NET-04,NET-05,NET-06"},
		{"?mandatory=false", "CMP-02,NET-03,STO-04"},
		{"?q=BACKUP", "STO-03"},
		{"?q=katastrofe", "STO-04"},
		{"?family=security&limit=2", "SEC-01,SEC-02"},
	}
	for _, tc := range tests {
		if got := ids(tc.query); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.query, got, tc.want)
		}
	}
	apptest.MustStatus(t, "bad bool", env.Do(apptest.Request{Method: "GET", Path: "/api/v1/catalog/services?mandatory=maybe", Token: tok}), 400)

	var lvl catalog.Level
	resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/catalog/levels/basis", Token: tok})
	apptest.MustStatus(t, "level", resp, 200)
	resp.Decode(t, &lvl)
	if lvl.Availability.TargetPercent != 99.5 || lvl.Priorities["P1"].RestoreMinutes != 480 || lvl.SupportHours.Weekly["monday"].From != "08:00" {
		t.Errorf("basis = %+v", lvl)
	}
	var voc catalog.Vocabulary
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/catalog/vocabularies/notice-tags", Token: tok}).Decode(t, &voc)
	var tags []string
	for _, e := range voc.Entries {
		tags = append(tags, e.ID)
	}
	if got := strings.Join(tags, " "); got != "DRIFT NEDBRUD PLANLAGT SIKKERHED RELEASE AENDRING INFO SLA ORDRE OPGAVE" || voc.Version != 3 {
		t.Errorf("notice tags version %d = %s", voc.Version, got)
	}
	var cal catalog.Calendar
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/catalog/calendars/dk-public", Token: tok}).Decode(t, &cal)
	if cal.TimeZone != "Europe/Copenhagen" || len(cal.EasterRelative) != 8 {
		t.Errorf("calendar = %+v", cal)
	}
	for _, p := range []string{"/api/v1/catalog/families", "/api/v1/catalog/levels", "/api/v1/catalog/calendars", "/api/v1/catalog/vocabularies"} {
		apptest.MustStatus(t, p, env.Do(apptest.Request{Method: "GET", Path: p, Token: tok}), 200)
	}
	apptest.MustStatus(t, "unknown service", env.Do(apptest.Request{Method: "GET", Path: "/api/v1/catalog/services/XXX-01", Token: tok}), 404)
}

func TestSyncIsIdempotentAuditedAndRetiresInsteadOfDeleting(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := env.System()
	rep, err := env.App.Catalog.SyncFiles(ctx, catalogfiles.Files)
	if err != nil || rep.Created+rep.Updated+rep.Retired != 0 || rep.Unchanged != 39 {
		t.Fatalf("second sync: %+v %v", rep, err)
	}
	if got := len(env.AuditOf(t, "catalog.service.create", "CMP-01")); got != 1 {
		t.Errorf("CMP-01 creation audit records = %d", got)
	}
	m := apptest.CatalogueWith(func(path string, b []byte) []byte {
		switch path {
		case "services/STO-04.yaml":
			return nil
		case "services/CMP-02.yaml":
			return []byte(strings.Replace(string(b), "en: Managed database", "en: Managed database service", 1))
		}
		return b
	})
	rep, err = env.App.Catalog.SyncFiles(ctx, m)
	if err != nil || rep.Updated != 1 || rep.Retired != 1 || rep.Created != 0 {
		t.Fatalf("sync without STO-04 and with CMP-02 renamed: %+v %v", rep, err)
	}
	e, err := env.App.Catalog.GetService(ctx, "STO-04")
	if err != nil || e.RetiredAt == nil {
		t.Errorf("STO-04 after removal: %+v %v", e, err)
	}
	if e, _ := env.App.Catalog.GetService(ctx, "CMP-02"); e.Name.EN != "Managed database service" || e.Version != 2 {
		t.Errorf("CMP-02 after the change: %+v", e)
	}
	tok := env.Token("council")
	var l apptest.List[catalog.ServiceEntry]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/catalog/services?family=storage&include_retired=true", Token: tok}).Decode(t, &l)
	if len(l.Items) != 4 || l.Items[3].RetiredAt == nil {
		t.Errorf("storage with retired: %+v", l.Items)
	}
	recs := env.AuditOf(t, "catalog.service.update", "CMP-02")
	if len(recs) != 1 || !strings.Contains(string(recs[0].Diff), "Managed database service") || recs[0].Tenant != "council" {
		t.Errorf("update audit = %+v", recs)
	}
}

func TestProposalsAreValidatedDecidedAndExportedAsYAML(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin, council := env.Token("unit_admin.midt"), env.Token("council")
	post := func(tok string, body any) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/catalog/proposals", Token: tok, Header: apptest.Key(), Body: body})
	}
	bad := post(admin, map[string]any{"change": "new", "rationale": "GPUs", "service": apptest.Proposal("CMP-09", "gold")})
	apptest.MustStatus(t, "unknown level", bad, 400)
	if !strings.Contains(string(bad.Body), `"pointer":"/service/levels/0"`) {
		t.Errorf("problem: %s", bad.Body)
	}
	schemaBad := post(admin, map[string]any{"change": "new", "rationale": "GPUs", "service": map[string]any{"id": "cmp9"}})
	apptest.MustStatus(t, "schema", schemaBad, 400)
	if !strings.Contains(string(schemaBad.Body), `"pointer":"/service/id"`) {
		t.Errorf("problem: %s", schemaBad.Body)
	}
	apptest.MustStatus(t, "new but exists", post(admin, map[string]any{"change": "new", "rationale": "dup", "service": apptest.Proposal("CMP-01", "basis")}), 400)
	apptest.MustStatus(t, "change but absent", post(admin, map[string]any{"change": "change", "rationale": "x y", "service": apptest.Proposal("CMP-09", "basis")}), 400)

	resp := post(admin, map[string]any{"change": "new", "rationale": "Municipalities ask for GPU capacity.", "service": apptest.Proposal("CMP-09", "standard", "plus")})
	apptest.MustStatus(t, "propose", resp, 201)
	var p catalog.Proposal
	resp.Decode(t, &p)
	if p.Proposer != "unit:midt" || p.State != catalog.ProposalSubmitted {
		t.Fatalf("proposal = %+v", p)
	}
	path := "/api/v1/catalog/proposals/" + p.ID
	apptest.MustStatus(t, "another unit reads it", env.Do(apptest.Request{Method: "GET", Path: path, Token: env.Token("unit_admin.nord")}), 404)
	apptest.MustStatus(t, "export before acceptance", env.Do(apptest.Request{Method: "GET", Path: path + "/yaml", Token: admin}), 409)
	apptest.MustStatus(t, "accept", env.Do(apptest.Request{Method: "POST", Path: path + "/decision", Token: council,
		Body: map[string]any{"outcome": "approved", "reason": "Fits the compute family."}}), 200)
	apptest.MustStatus(t, "decide twice", env.Do(apptest.Request{Method: "POST", Path: path + "/decision", Token: council,
		Body: map[string]any{"outcome": "rejected", "reason": "Changed my mind."}}), 409)

	yaml := env.Do(apptest.Request{Method: "GET", Path: path + "/yaml", Token: admin})
	apptest.MustStatus(t, "export", yaml, 200)
	if yaml.Header.Get("Content-Disposition") != `attachment; filename="CMP-09.yaml"` || strings.Contains(string(yaml.Body), "{") {
		t.Errorf("export headers %v body:\n%s", yaml.Header, yaml.Body)
	}
	// The exported file joins the catalogue as it is.
	m := fstest.MapFS{}
	for _, dir := range []string{".", "levels", "calendars", "services", "vocabularies"} {
		entries, _ := catalogfiles.Files.ReadDir(dir)
		for _, e := range entries {
			if !e.IsDir() {
				name := strings.TrimPrefix(dir+"/"+e.Name(), "./")
				b, _ := catalogfiles.Files.ReadFile(name)
				m[name] = &fstest.MapFile{Data: b}
			}
		}
	}
	m["services/CMP-09.yaml"] = &fstest.MapFile{Data: yaml.Body}
	cat, problems := catalog.Load(m)
	if len(problems) > 0 {
		t.Fatalf("the exported YAML does not load: %v\n%s", problems, yaml.Body)
	}
	s, _ := cat.Service("CMP-09")
	want, _ := json.Marshal(apptest.Proposal("CMP-09", "standard", "plus")["order_parameters"])
	if string(s.OrderParameters) != string(want) || s.Name.EN != "GPU servers" {
		t.Errorf("round trip: %+v", s)
	}
	var queue apptest.List[map[string]any]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/reviews", Token: council}).Decode(t, &queue)
	if len(queue.Items) != 0 {
		t.Errorf("a decided proposal is still queued: %v", queue.Items)
	}
}
