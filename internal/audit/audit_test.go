package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

func TestChainsVerifyAndTamperingIsFound(t *testing.T) {
	env := apptest.New(t)
	ctx := env.System()
	env.Sealed(t)
	rep, err := env.App.Audit.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Chains < 10 || rep.Records < 100 || rep.Unsealed.Records != 0 {
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
	ctx := env.System()
	db := env.App.DB.Conn(ctx)
	env.Sealed(t)
	unsealed := `INSERT INTO audit_records (tenant, at, actor, actor_name, actor_tenant, roles, action, object_type, object_id, diff, request_id, client_ip)
		VALUES ('platform', now(), 'x', 'x', 'platform', '{}', 'forged.create', 'x', 'x', '{}', '', '') RETURNING id`
	var id int64
	if err := db.Raw(unsealed).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE audit_records SET action = 'x' WHERE seq = 1`,
		`UPDATE audit_records SET seq = 99, prev_hash = hash WHERE seq = 1`, // sealed once only
		fmt.Sprintf(`UPDATE audit_records SET action = 'x' WHERE id = %d`, id),
		fmt.Sprintf(`UPDATE audit_records SET action = 'x', seq = 1, prev_hash = '\x00', hash = '\x00' WHERE id = %d`, id), // sealing changes nothing else
		`DELETE FROM audit_records WHERE seq = 1`,
		fmt.Sprintf(`DELETE FROM audit_records WHERE id = %d`, id),
		`TRUNCATE audit_records`,
	} {
		if err := db.Exec(sql).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want refused as append-only", sql, err)
		}
	}
}

// Records are sealed in the order their changes committed: a transaction left open holds back
// no one else's, and its own record joins the chain's end when it commits.
func TestTheSequencerSealsInCommitOrder(t *testing.T) {
	env := apptest.New(t)
	ctx := env.System()
	log := env.App.Audit
	change := func(ctx context.Context, id string) error {
		return log.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality("101"), Action: "probe.create", ObjectType: "probe", ObjectID: id})
	}
	written, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- env.App.DB.InTx(ctx, func(ctx context.Context) error {
			if err := change(ctx, "begun first"); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written
	if err := env.App.DB.InTx(ctx, func(ctx context.Context) error { return change(ctx, "committed first") }); err != nil {
		t.Fatal(err)
	}
	seqOf := func(id string) *int64 {
		var r audit.Record
		if err := env.App.DB.Conn(ctx).Where("object_id = ?", id).Take(&r).Error; err != nil {
			t.Fatal(err)
		}
		return r.Seq
	}
	env.Sealed(t)
	if seqOf("committed first") == nil {
		t.Fatal("the committed change waits for a transaction still open")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	env.Sealed(t)
	first, second := seqOf("committed first"), seqOf("begun first")
	if second == nil || *second != *first+1 {
		t.Fatalf("sealed at %d and %v, want the one committed first, then the other", *first, second)
	}
	rep, err := log.Verify(ctx)
	if err != nil || !rep.OK() || rep.Unsealed.Records != 0 {
		t.Errorf("verify: %+v %v", rep, err)
	}
}

// Two instances writing at once: each appends without waiting for the other, their sequencers
// take turns, and every chain verifies with every record in it.
func TestTwoInstancesWritingAtOnceLeaveChainsThatVerify(t *testing.T) {
	env := apptest.New(t)
	second := env.Replica(t)
	ctx := env.System()
	before, err := env.App.Audit.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers*each)
	for i, e := range []*apptest.Env{env, second} {
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; n < each; n++ {
					slug := fmt.Sprintf("u%d-%d-%d", i, w, n)
					_, err := e.App.Directory.CreateUnit(ctx, directory.NewUnit{Slug: slug, Name: slug, Region: "Region Midtjylland"})
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	env.Sealed(t)
	rep, err := env.App.Audit.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Unsealed.Records != 0 || rep.Records != before.Records+before.Unsealed.Records+2*writers*each {
		t.Errorf("after %d changes on two instances: %+v (before: %+v)", 2*writers*each, rep, before)
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
