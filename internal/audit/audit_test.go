package audit_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/directory"
)

func TestChainsVerifyAndTamperingIsFound(t *testing.T) {
	env := apptest.New(t)
	ctx := env.System()
	rep, err := env.App.Audit.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Chains < 10 || rep.Records < 100 {
		t.Fatalf("fresh chains: %+v", rep)
	}
	db := env.App.DB.Conn(ctx)
	// The owner can lift the guard; an intruder with that power still cannot hide the change.
	for _, sql := range []string{
		`ALTER TABLE audit_records DISABLE TRIGGER audit_records_no_update`,
		`UPDATE audit_records SET diff = '{"created":{"role":"council"}}' WHERE tenant = 'municipality:101' AND seq = 2`,
		`ALTER TABLE audit_records ENABLE TRIGGER audit_records_no_update`,
	} {
		if err := db.Exec(sql).Error; err != nil {
			t.Fatal(err)
		}
	}
	rep, err = env.App.Audit.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := audit.Break{Tenant: "municipality:101", Seq: 2, Reason: "its content does not match its hash"}
	if len(rep.Broken) != 1 || rep.Broken[0] != want {
		t.Errorf("broken = %+v, want %+v", rep.Broken, want)
	}
}

func TestRecordsAreAppendOnly(t *testing.T) {
	env := apptest.New(t)
	db := env.App.DB.Conn(env.System())
	for _, sql := range []string{
		`UPDATE audit_records SET action = 'x' WHERE seq = 1`,
		`DELETE FROM audit_records WHERE seq = 1`,
		`TRUNCATE audit_records`,
	} {
		if err := db.Exec(sql).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want refused as append-only", sql, err)
		}
	}
}

func TestAChangeWhoseAuditRecordFailsIsRolledBack(t *testing.T) {
	env := apptest.New(t)
	ctx := env.System()
	db := env.App.DB.Conn(ctx)
	if err := db.Exec(`CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit store refuses' USING ERRCODE = 'P0001'; END $$`).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_records FOR EACH ROW EXECUTE FUNCTION fail_audit()`).Error; err != nil {
		t.Fatal(err)
	}
	_, err := env.App.Directory.CreateUnit(ctx, directory.NewUnit{Slug: "oest", Name: "Øst", Region: "Region Sjælland"})
	if err == nil || !strings.Contains(err.Error(), "audit store refuses") {
		t.Fatalf("CreateUnit err = %v, want the audit failure", err)
	}
	if _, err := env.App.Directory.Unit(ctx, "oest"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the unit exists after its audit record failed: %v", err)
	}
}

func TestAuditorsReadAndExportTheLog(t *testing.T) {
	env := apptest.New(t)
	aud := env.Token("auditor")
	resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/audit?tenant=unit:midt&action=unit.create", Token: aud})
	var l apptest.List[audit.Record]
	resp.Decode(t, &l)
	if resp.Status != 200 || len(l.Items) != 1 || l.Items[0].ObjectID != "midt" {
		t.Fatalf("filtered list: %d %s", resp.Status, resp.Body)
	}
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/audit?format=jsonl&tenant=municipality:101", Token: aud})
	if resp.Status != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("export: %d %v", resp.Status, resp.Header)
	}
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(resp.Body))
	for sc.Scan() {
		var r audit.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.Tenant != "municipality:101" {
			t.Fatalf("line %d: %v %s", lines, err, sc.Bytes())
		}
		lines++
	}
	if lines < 4 {
		t.Errorf("exported %d records of municipality:101", lines)
	}
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/audit/verify", Token: aud})
	var rep audit.Report
	resp.Decode(t, &rep)
	if resp.Status != 200 || !rep.OK() {
		t.Errorf("verify: %d %s", resp.Status, resp.Body)
	}
	for _, bad := range []string{"from=yesterday", "format=xml"} {
		if got := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/audit?" + bad, Token: aud}).Status; got != 400 {
			t.Errorf("%s: %d, want 400", bad, got)
		}
	}
}
