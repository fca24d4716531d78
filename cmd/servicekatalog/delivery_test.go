package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/servicekatalog/servicekatalog/internal/mailsink"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

// world is one database and one mail server, with the real binary's instances started on them.
type world struct {
	t    *testing.T
	bin  string
	env  []string
	url  string // the database's, direct
	db   *pgx.Conn
	sink *mailsink.Sink
}

// newWorld makes a database of the test's own and a mail sink on loopback that the instances send
// through over SMTP; extra is added to every instance's environment.
func newWorld(t *testing.T, extra ...string) *world {
	t.Helper()
	sink, err := mailsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	_, port, _ := net.SplitHostPort(sink.Addr())
	url := pgtest.NewURL(t)
	db, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	env := append(os.Environ(), "DATABASE_URL="+url, "APP_ENV=test", "LOG_FORMAT=json", "LOG_LEVEL=warn",
		"RATE_LIMIT=100000", "RATE_LIMIT_BURST=100000", "SMTP_HOST=127.0.0.1", "SMTP_PORT="+port, "SMTP_TLS=none",
		"PUBLIC_URL=http://servicekatalog.test", "SMTP_TIMEOUT=1s", "JOB_TIMEOUT=2s", "JOB_RESCUE_AFTER=3s")
	return &world{t: t, bin: build(t), env: append(env, extra...), url: url, db: db, sink: sink}
}

// instance is one running serve process.
type instance struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
	base string
	env  []string
}

// start runs an instance named id (its JOBS_CLIENT_ID) and waits until it is ready. The
// instances share a PUBLIC_URL, as behind one address, so a token is good on each.
func (w *world) start(id string, extra ...string) *instance {
	w.t.Helper()
	addr := freeAddr(w.t)
	env := append(append([]string{}, w.env...), "ADDR="+addr, "JOBS_CLIENT_ID="+id)
	env = append(env, extra...)
	cmd, logs := startServer(w.t, w.bin, env, "")
	in := &instance{cmd: cmd, logs: logs, base: "http://" + addr, env: env}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if s, _ := get(in.base + "/readyz"); s == 200 {
			return in
		}
	}
	w.t.Fatalf("%s not ready within a minute:\n%s", id, logs)
	return nil
}

// kill ends the instance with SIGKILL: no shutdown, its transactions cut off.
func (in *instance) kill(t *testing.T) {
	t.Helper()
	if err := in.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	in.cmd.Wait()
}

// verifyMailboxes gives the municipalities named (all, when none are) a verified mailbox
// infra@<code>.example.
func (w *world) verifyMailboxes(codes ...string) {
	w.t.Helper()
	_, err := w.db.Exec(context.Background(), `INSERT INTO mailboxes (municipality, address, verified_at, updated_at)
		SELECT code, 'infra@' || code || '.example', now(), now() FROM municipalities WHERE coalesce(cardinality($1::text[]), 0) = 0 OR code = ANY($1)
		ON CONFLICT (municipality) DO UPDATE SET address = excluded.address, verified_at = now(), pending_address = NULL,
			pending_requested_at = NULL, pending_requested_by = NULL`, codes)
	if err != nil {
		w.t.Fatal(err)
	}
}

// call sends a JSON request and decodes the answer into out, failing unless it has status want.
func call(t *testing.T, method, url, bearer string, body any, want int, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(b))
	req.Header.Set("Authorization", bearer)
	req.Header.Set("Content-Type", "application/json")
	if method == http.MethodPost {
		req.Header.Set("Idempotency-Key", time.Now().Format(time.RFC3339Nano))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d\n%s", method, url, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}

// userToken is a token for an existing user, made by the token command.
func userToken(t *testing.T, bin string, env []string, user string) string {
	t.Helper()
	cmd := exec.Command(bin, "token", "--user", user)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token --user %s: %v", user, err)
	}
	return "Bearer " + strings.TrimSpace(string(out))
}

type published struct {
	ID         string   `json:"id"`
	Subject    string   `json:"subject"`
	Recipients []string `json:"recipients"`
}

// received is what the sink holds whose subject starts with prefix: the Message-IDs each envelope
// recipient got.
func (w *world) received(prefix string) map[string][]string {
	w.t.Helper()
	out := map[string][]string{}
	for _, m := range w.sink.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			w.t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			w.t.Fatal(err)
		}
		if !strings.HasPrefix(subject, prefix) {
			continue
		}
		for _, to := range m.To {
			out[to] = append(out[to], msg.Header.Get("Message-Id"))
		}
	}
	return out
}

// deliveryIDs are the notice's deliveries by recipient, and how many are delivered.
func (w *world) deliveryIDs(notice string) (ids map[string]string, delivered int) {
	w.t.Helper()
	rows, err := w.db.Query(context.Background(), `SELECT recipient, id::text, state FROM deliveries
		WHERE subject_type = 'notice' AND subject_id = $1`, notice)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	ids = map[string]string{}
	for rows.Next() {
		var to, id, state string
		if err := rows.Scan(&to, &id, &state); err != nil {
			w.t.Fatal(err)
		}
		ids[to] = id
		if state == "delivered" {
			delivered++
		}
	}
	return ids, delivered
}

// jobs says how many of River's jobs are in each kind and state, and their errors: what a failure
// shows.
func (w *world) jobs() string {
	var s string
	w.db.QueryRow(context.Background(), `SELECT coalesce(string_agg(kind || '/' || state || ': ' || n || ' ' || errs, '; '), 'none')
		FROM (SELECT kind, state::text, count(*) n, coalesce(max(errors::text), '') errs FROM river_job GROUP BY 1, 2) j`).Scan(&s)
	return s
}

// checkMessageIDs fails unless every recipient of a delivery received the notice, and every copy
// a recipient received carries its delivery's Message-ID; it returns how many copies were extra.
func (w *world) checkMessageIDs(notice, subject string) (duplicates int) {
	w.t.Helper()
	ids, _ := w.deliveryIDs(notice)
	got := w.received(subject)
	if len(got) != len(ids) {
		w.t.Errorf("%d recipients received %q, %d deliveries", len(got), subject, len(ids))
	}
	for to, id := range ids {
		if len(got[to]) == 0 {
			w.t.Errorf("%s received nothing", to)
		}
		for _, mid := range got[to] {
			if !strings.HasPrefix(mid, "<"+id+"@") {
				w.t.Errorf("%s received Message-Id %s, its delivery is %s", to, mid, id)
			}
		}
		duplicates += max(len(got[to])-1, 0)
	}
	return duplicates
}

// TestDeliveriesOutliveAKilledWorkerAndTwoInstancesSendOnce runs the real binary against a real
// SMTP server: an instance killed while it sends a notice to all 98 mailboxes loses nothing (the
// others finish it, and a mail sent twice carries its delivery's Message-ID both times), and two
// instances sharing the work send each recipient its mail once.
func TestDeliveriesOutliveAKilledWorkerAndTwoInstancesSendOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "SEED_DEMO=false")
	// A slow mail server, so that the kill falls among the sending, after some mails were received
	// and before their sender heard so.
	w.sink.Slow(150 * time.Millisecond)
	a := w.start("a")
	w.verifyMailboxes()
	bearer := secretariatToken(t, w.bin, a.env, a.base)
	notice := map[string]any{"tags": []string{"INFO"}, "title": "New backup retention", "body": "From 1 January backups are kept for 35 days.",
		"scope": map[string]any{"all": true}}
	var first published
	call(t, "POST", a.base+"/api/v1/notices", bearer, notice, 201, &first)
	if len(first.Recipients) != 98 {
		t.Fatalf("%d recipients, want all 98", len(first.Recipients))
	}
	for deadline := time.Now().Add(30 * time.Second); len(w.sink.Messages()) < 12; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d mails sent in 30 s; jobs %s\n%s", len(w.sink.Messages()), w.jobs(), a.logs)
		}
	}
	a.kill(t)
	killed := time.Now()
	_, before := w.deliveryIDs(first.ID)
	t.Logf("killed with %d mails received, %d deliveries recorded delivered", len(w.sink.Messages()), before)
	if before == 98 {
		t.Fatal("everything was delivered before the kill")
	}

	b := w.start("b")
	w.start("c")
	eventually(t, "every delivery delivered after the kill", 2*time.Minute, func() bool { _, n := w.deliveryIDs(first.ID); return n == 98 })
	dup := w.checkMessageIDs(first.ID, first.Subject)
	t.Logf("98 delivered %.1f s after the kill (a new leader rescues the cut-off attempts, which go again at once); %d sent twice with the same Message-ID",
		time.Since(killed).Seconds(), dup)

	w.sink.Slow(20 * time.Millisecond)
	notice["title"] = "Backup retention: the date"
	var second published
	call(t, "POST", b.base+"/api/v1/notices", bearer, notice, 201, &second)
	eventually(t, "the second notice delivered", time.Minute, func() bool { _, n := w.deliveryIDs(second.ID); return n == 98 })
	if dup := w.checkMessageIDs(second.ID, second.Subject); dup != 0 {
		t.Errorf("two instances sent %d mails twice", dup)
	}
	var workers []string
	if err := w.db.QueryRow(context.Background(), `SELECT array_agg(DISTINCT a.worker ORDER BY a.worker) FROM delivery_attempts a
		JOIN deliveries d ON d.id = a.delivery_id WHERE d.subject_id = $1`, second.ID).Scan(&workers); err != nil {
		t.Fatal(err)
	}
	if len(workers) != 2 {
		t.Errorf("the second notice was sent by %v, want both instances", workers)
	}
	t.Logf("two instances %v: 98 recipients, each Message-ID once", workers)
}

// TestAnEscalationFiresOnceAcrossRestartsAndNeverAfterTheAcknowledgement: a high-priority notice
// is published, and every instance is killed before its limit; an instance started after the
// limit sends the escalation, once, and another restart sends it no more. The municipality that
// acknowledged in time is never escalated. The instances' clocks run 30 minutes minus lead behind,
// so that the 30-minute limit falls due seconds after the publication.
func TestAnEscalationFiresOnceAcrossRestartsAndNeverAfterTheAcknowledgement(t *testing.T) {
	t.Parallel()
	const lead = 8 * time.Second
	w := newWorld(t, "SEED_DEMO=true")
	clock := func() string { return "CLOCK_START=" + time.Now().Add(-30*time.Minute+lead).Format(time.RFC3339Nano) }
	a := w.start("a", clock())
	w.verifyMailboxes("101", "751")
	bearer := secretariatToken(t, w.bin, a.env, a.base)
	var n published
	call(t, "POST", a.base+"/api/v1/notices", bearer, map[string]any{"tags": []string{"NEDBRUD"}, "high_priority": true,
		"title": "Network down in both data centres", "body": "We are working on it.", "scope": map[string]any{"all": true}}, 201, &n)
	if len(n.Recipients) != 98 {
		t.Fatalf("%d recipients, want all 98", len(n.Recipients))
	}
	due := time.Now().Add(lead)
	call(t, "POST", a.base+"/api/v1/municipalities/751/notices/"+n.ID+"/acknowledge", userToken(t, w.bin, a.env, "spoc.751"), nil, 200, nil)
	a.kill(t)

	time.Sleep(time.Until(due) + time.Second)
	escalations := func(to string) int { return len(w.received("[ESKALERING]")[to]) }
	if n := escalations("spoc.101@demo.example"); n != 0 {
		t.Fatalf("%d escalations while no instance ran", n)
	}
	b := w.start("b", clock())
	steps := func() string {
		var s string
		w.db.QueryRow(context.Background(), `SELECT string_agg((args->>'step') || ':' || state, ',' ORDER BY args->>'step')
			FROM river_job WHERE kind = 'notice.escalate' AND args->>'notice' = $1`, n.ID).Scan(&s)
		return s
	}
	restarted := time.Now()
	for deadline := time.Now().Add(time.Minute); escalations("spoc.101@demo.example") != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no escalation within a minute of the restart: %s; jobs %s\n%s", steps(), w.jobs(), b.logs)
		}
	}
	t.Logf("escalated %.1f s after the restart (a new leader's first scheduler pass)", time.Since(restarted).Seconds())
	eventually(t, "the first step done", 10*time.Second, func() bool { return strings.HasPrefix(steps(), "1:completed") })
	b.kill(t)

	w.start("c", clock())
	time.Sleep(6 * time.Second) // longer than River's scheduler interval: a step left to run would have run
	if got := escalations("spoc.101@demo.example"); got != 1 {
		t.Errorf("101's SPOC received %d escalations, want 1", got)
	}
	if got := escalations("spoc.751@demo.example"); got != 0 {
		t.Errorf("751 acknowledged in time, and its SPOC received %d escalations", got)
	}
	if s := steps(); s != "1:completed,2:scheduled" {
		t.Errorf("escalation jobs: %s", s)
	}
	var audited int
	w.db.QueryRow(context.Background(), `SELECT count(*) FROM audit_records WHERE action = 'notice.escalate' AND object_id = $1
		AND tenant = 'municipality:101'`, n.ID).Scan(&audited)
	if audited != 1 {
		t.Errorf("%d escalations of 101 audited, want 1", audited)
	}
}
