package usage_test

import (
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/task"
	"github.com/servicekatalog/servicekatalog/internal/usage"
)

// A municipality maps its IT systems: answers are checked all together and kept with their
// history; a system it proposes joins every municipality's list once the secretariat accepts it;
// its submission is the evidence of the mapping task. Another municipality reads none of it.
func TestAMunicipalityMapsItsSystemsAndSubmits(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	spoc, sec := env.Token("spoc.101"), env.Token("secretariat")
	path := "/api/v1/municipalities/101/usage-mapping"
	mapping := func() usage.Mapping {
		var m usage.Mapping
		resp := env.Do(apptest.Request{Method: "GET", Path: path, Token: spoc})
		apptest.MustStatus(t, "the mapping", resp, 200)
		resp.Decode(t, &m)
		return m
	}
	if m := mapping(); len(m.Domains) != 14 || m.Systems != 8 || m.Answered != 0 || !m.ExampleData || m.Submitted != nil {
		t.Errorf("the mapping before any answer: %d domains, %d systems, %d answered", len(m.Domains), m.Systems, m.Answered)
	}
	answer := func(answers ...map[string]any) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: path + "/answers", Token: spoc, Header: apptest.Key(), Body: map[string]any{"answers": answers}})
	}
	resp := answer(map[string]any{"system": "SYS-ESDH", "answer": "primary"}, map[string]any{"system": "SYS-NOPE", "answer": "primary"},
		map[string]any{"system": "SYS-OKO", "answer": "sometimes"}, map[string]any{"system": "SYS-ESDH", "answer": "secondary"})
	for _, want := range []string{`"/answers/1/system"`, `"/answers/2/answer"`, `"/answers/3/system"`, "is answered already at /answers/0"} {
		if resp.Status != 400 || !strings.Contains(string(resp.Body), want) {
			t.Errorf("bad answers: %d, want %s in %s", resp.Status, want, resp.Body)
		}
	}
	if m := mapping(); m.Answered != 0 {
		t.Errorf("a refused list stored %d answers", m.Answered)
	}
	apptest.MustStatus(t, "answer", answer(map[string]any{"system": "SYS-ESDH", "answer": "primary"},
		map[string]any{"system": "SYS-OKO", "answer": "secondary", "note": "Read-only access to the old finance system"}), 201)
	apptest.MustStatus(t, "answer again", answer(map[string]any{"system": "SYS-ESDH", "answer": "not_used"},
		map[string]any{"system": "SYS-OKO", "answer": "secondary", "note": "Read-only access to the old finance system"}), 201)
	var history apptest.List[usage.Given]
	env.Do(apptest.Request{Method: "GET", Path: path + "/history", Token: spoc}).Decode(t, &history)
	var got []string
	for _, g := range history.Items {
		got = append(got, g.System+" "+string(g.Answer))
	}
	if strings.Join(got, ", ") != "SYS-ESDH primary, SYS-OKO secondary, SYS-ESDH not_used" {
		t.Errorf("the history (an unchanged answer adds nothing): %s", strings.Join(got, ", "))
	}

	// A proposed system joins every municipality's list once accepted.
	var p usage.Proposal
	resp = env.Do(apptest.Request{Method: "POST", Path: path + "/proposals", Token: spoc, Header: apptest.Key(),
		Body: map[string]any{"domain": "DOM-02", "name": "KMD Momentum", "description": "Our primary system for employment cases."}})
	apptest.MustStatus(t, "propose", resp, 201)
	resp.Decode(t, &p)
	decide := func(id string, body map[string]any) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/usage-mapping/proposals/" + id + "/decision", Token: sec, Body: body})
	}
	if resp := decide(p.ID, map[string]any{"outcome": "accepted", "system_id": "SYS-ESDH"}); resp.Status != 400 {
		t.Errorf("accepted under an id in use: %d %s", resp.Status, resp.Body)
	}
	apptest.MustStatus(t, "accept", decide(p.ID, map[string]any{"outcome": "accepted", "system_id": "SYS-MOMENTUM"}), 200)
	if resp := decide(p.ID, map[string]any{"outcome": "rejected", "reason": "Changed our mind"}); resp.Status != 409 {
		t.Errorf("decided twice: %d", resp.Status)
	}
	var in751 usage.Mapping
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/usage-mapping", Token: env.Token("spoc.751")}).Decode(t, &in751)
	found := false
	for _, d := range in751.Domains {
		for _, s := range d.Systems {
			found = found || s.ID == "SYS-MOMENTUM" && s.Proposed && d.ID == "DOM-02"
		}
	}
	if !found || in751.Systems != 9 {
		t.Errorf("751's list after the acceptance: %d systems, Momentum %v", in751.Systems, found)
	}

	// The submission is the mapping task's evidence.
	var issued task.Task
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/tasks", Token: sec, Header: apptest.Key(), Body: map[string]any{"number": 7,
		"title": "Kortlæg hvilke it-systemer kommunen anvender/ikke anvender", "type": "mandatory", "duration_days": 5,
		"start_on": "2026-11-23", "end_on": "2026-12-04", "evidence": "usage_mapping_submitted", "municipalities": []string{"101"}}}).Decode(t, &issued)
	var a task.Assignment
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/tasks/" + issued.ID, Token: spoc}).Decode(t, &a)
	if a.Check == nil || a.Check.Met || a.Check.Detail != "the usage mapping is not submitted yet" {
		t.Errorf("the check before the submission: %+v", a.Check)
	}
	apptest.MustStatus(t, "submit", env.Do(apptest.Request{Method: "POST", Path: path + "/submissions", Token: spoc, Header: apptest.Key()}), 201)
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/tasks/" + issued.ID, Token: spoc}).Decode(t, &a)
	if a.Check == nil || !a.Check.Met || !strings.Contains(a.Check.Detail, "with 2 of 9 systems answered") {
		t.Errorf("the check after the submission: %+v", a.Check)
	}

	// 751 reads nothing of 101's; the secretariat reads it.
	if resp := env.Do(apptest.Request{Method: "GET", Path: path, Token: env.Token("spoc.751")}); resp.Status != 403 {
		t.Errorf("751 reads 101's mapping: %d", resp.Status)
	}
	if resp := env.Do(apptest.Request{Method: "GET", Path: path, Token: sec}); resp.Status != 200 {
		t.Errorf("the secretariat reads 101's mapping: %d", resp.Status)
	}
	if len(env.AuditOf(t, "usage.answer", "101")) != 2 || len(env.AuditOf(t, "usage.submit", "101")) != 1 {
		t.Error("the answers and the submission are not audited")
	}
}
