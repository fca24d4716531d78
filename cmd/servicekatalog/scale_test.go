package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

// pgBouncer starts PgBouncer in transaction pooling mode, with poolSize server connections per
// database, in front of the server of direct (a database URL), and returns direct's database
// through it. What the instances need of a URL through it (PgBouncer 1.18 keeps no prepared
// statement of a client across transactions) is in the query: pgx describes a statement once and
// sends it unnamed with every execution.
func pgBouncer(t *testing.T, direct string, poolSize int) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/pgbouncer"); err != nil {
			t.Skip("PgBouncer is not installed (apt-get install pgbouncer)")
		}
	}
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	dir, err := os.MkdirTemp("", "pgbouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	listen := freeAddr(t)
	host, port, _ := net.SplitHostPort(listen)
	serverHost, serverPort, _ := net.SplitHostPort(u.Host)
	// statement_timeout cannot travel as a startup parameter through a pooler: PgBouncer ignores
	// it, and it is set on the database instead (README, "Running at scale").
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s
[pgbouncer]
listen_addr = %s
listen_port = %s
unix_socket_dir =
auth_type = scram-sha-256
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 1000
ignore_startup_parameters = statement_timeout
`, serverHost, serverPort, host, port, filepath.Join(dir, "userlist.txt"), poolSize)
	files := map[string]string{"pgbouncer.ini": ini, "userlist.txt": fmt.Sprintf("%q %q\n", u.User.Username(), password)}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{filepath.Join(dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		// PgBouncer refuses to run as root; it switches to the user given, who must read its files.
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		for _, p := range []string{dir, filepath.Join(dir, "pgbouncer.ini"), filepath.Join(dir, "userlist.txt")} {
			if err := os.Chown(p, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
		args = append([]string{"-u", "postgres"}, args...)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	via := *u
	via.Host = listen
	q := via.Query()
	q.Set("default_query_exec_mode", "cache_describe")
	via.RawQuery = q.Encode()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, direct)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{strings.TrimPrefix(u.Path, "/")}.Sanitize()+` SET statement_timeout = '15s'`); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		conn, err := pgx.Connect(ctx, via.String())
		if err == nil {
			defer conn.Close(ctx)
			var timeout string
			if err := conn.QueryRow(ctx, `SHOW statement_timeout`).Scan(&timeout); err != nil || timeout != "15s" {
				t.Fatalf("statement_timeout through PgBouncer: %q %v", timeout, err)
			}
			return via.String()
		}
		if time.Now().After(deadline) {
			t.Fatalf("PgBouncer does not answer: %v\n%s", err, logs.String())
		}
	}
}

// front is one address before several instances, as a load balancer is: each request goes to the
// next instance in turn, and each instance's share is counted.
type front struct {
	ln     net.Listener
	base   string
	served []atomic.Int64
}

func newFront(t *testing.T) *front {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &front{ln: ln, base: "http://" + ln.Addr().String()}
}

// serve forwards to the instances from now on, keeping the Host the client asked for.
func (f *front) serve(instances ...*instance) {
	f.served = make([]atomic.Int64, len(instances))
	targets := make([]*url.URL, len(instances))
	for i, in := range instances {
		targets[i], _ = url.Parse(in.base)
	}
	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		i := int(next.Add(1) % uint64(len(targets)))
		f.served[i].Add(1)
		r.SetURL(targets[i])
		r.Out.Host = r.In.Host
	}}
	go http.Serve(f.ln, proxy)
}

// send makes a JSON request through the front without failing the test, for use from goroutines.
func send(method, url, bearer, key string, body any) (int, []byte, http.Header) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(b))
	req.Header.Set("Authorization", bearer)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error()), nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header
}

// TestThreeInstancesBehindOneAddressThroughPgBouncer runs the topology of "Running at scale": three
// instances of the real binary behind one address, reaching PostgreSQL through PgBouncer in
// transaction pooling mode with LISTEN and the migrations on DATABASE_DIRECT_URL. Through the
// front: two units publish offerings, two municipalities' SPOCs order from them at once, a
// retried order is answered by another instance from the stored answer, a ticket is escalated to
// the second line, the isolation probe is refused, and a notice reaches all 98 mailboxes through
// the job queue. Afterwards the audit chains written by three instances at once verify.
func TestThreeInstancesBehindOneAddressThroughPgBouncer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const poolSize = 8
	viaBouncer := pgBouncer(t, w.url, poolSize)
	f := newFront(t)
	w.env = append(w.env, "DATABASE_URL="+viaBouncer, "DATABASE_DIRECT_URL="+w.url, "PUBLIC_URL="+f.base)
	instances := []*instance{w.start("a")}
	instances = append(instances, w.start("b"), w.start("c"))
	f.serve(instances...)
	api := f.base + "/api/v1"
	env := instances[0].env
	tok := func(user string) string { return userToken(t, w.bin, env, user) }
	council := tok("council")
	// A user made now, so that every instance knows it by the time it publishes (each learns of the
	// new user through LISTEN/NOTIFY, a moment apart).
	secretariat := secretariatToken(t, w.bin, env, f.base)

	offerings := map[string]string{}
	for _, unit := range []string{"hovedstaden", "midt"} {
		adm := tok("unit_admin." + unit)
		var o struct{ ID string }
		call(t, "POST", api+"/units/"+unit+"/offerings", adm, map[string]any{"service_id": "CMP-01", "terms": map[string]any{
			"levels":         []map[string]string{{"level": "standard", "monthly_price": "690.00", "one_off_fee": "1200.00"}},
			"capacity_limit": 800, "lead_time_days": 5, "delivery": "own", "delivery_notes": "", "contact": "servicedesk@" + unit + ".example",
			"claims_conformance": false}}, 201, &o)
		call(t, "POST", api+"/units/"+unit+"/offerings/"+o.ID+"/submit", adm, nil, 200, nil)
		call(t, "POST", api+"/offerings/"+o.ID+"/decision", council, map[string]string{"outcome": "approved", "reason": "Meets the standard level."}, 200, nil)
		offerings[unit] = o.ID
	}

	// Two municipalities order at once, each from its owner unit, every order through the front.
	buyers := []struct{ code, unit, token string }{{"101", "hovedstaden", tok("spoc.101")}, {"751", "midt", tok("spoc.751")}}
	const perWorker, workersPerBuyer = 15, 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	failures, orderOf := []string{}, map[string]string{}
	for _, b := range buyers {
		for wk := range workersPerBuyer {
			wg.Go(func() {
				for i := range perWorker {
					key := fmt.Sprintf("scale-%s-%d-%d", b.code, wk, i)
					body := map[string]any{"items": []map[string]any{{"action": "add", "offering_id": offerings[b.unit], "level": "standard", "quantity": 1,
						"parameters": map[string]any{"vcpu": 2, "memory_gb": 8, "disk_gb": 100, "os": "rhel-9"}}}}
					status, raw, _ := send("POST", api+"/municipalities/"+b.code+"/orders", b.token, key, body)
					var o struct{ ID string }
					json.Unmarshal(raw, &o)
					mu.Lock()
					if status != 201 {
						failures = append(failures, fmt.Sprintf("%d %s", status, raw))
					}
					orderOf[b.code] = o.ID
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	orders := len(buyers) * workersPerBuyer * perWorker
	if len(failures) > 0 {
		t.Fatalf("%d of %d orders failed, first: %s", len(failures), orders, failures[0])
	}
	var stored int
	w.db.QueryRow(context.Background(), `SELECT count(*) FROM orders`).Scan(&stored)
	if stored != orders {
		t.Errorf("%d orders stored, want %d", stored, orders)
	}
	// The same request again, answered by the next instance in turn: the stored answer, not a new order.
	retry := map[string]any{"items": []map[string]any{{"action": "add", "offering_id": offerings["hovedstaden"], "level": "standard", "quantity": 1,
		"parameters": map[string]any{"vcpu": 2, "memory_gb": 8, "disk_gb": 100, "os": "rhel-9"}}}}
	for range instances {
		if status, raw, h := send("POST", api+"/municipalities/101/orders", buyers[0].token, "scale-101-0-0", retry); status != 201 || h.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the retried order: %d, Idempotent-Replayed %q: %s", status, h.Get("Idempotent-Replayed"), raw)
		}
	}

	// A ticket on a subscription (one of the orders, as if completed) escalated to the second line,
	// who sees it; the other unit's second line does not.
	var sub string
	if err := w.db.QueryRow(context.Background(), `INSERT INTO subscriptions (id, municipality, unit, offering_id, offering_version, service_id,
			family, level, quantity, parameters, monthly_price, one_off_fee, state, started_on, order_id, created_at, updated_at)
		SELECT gen_random_uuid(), '101', 'hovedstaden', $1, 1, 'CMP-01', s.doc->>'family', 'standard', 1, '{}', 690, 1200, 'active',
			current_date, $2, now(), now() FROM catalog_entries s WHERE s.kind = 'service' AND s.id = 'CMP-01' RETURNING id`,
		offerings["hovedstaden"], orderOf["101"]).Scan(&sub); err != nil {
		t.Fatal(err)
	}
	fl := tok("first_line.101")
	var ticket struct{ ID, State string }
	call(t, "POST", api+"/municipalities/101/tickets", fl, map[string]string{"title": "S: drive unreachable", "priority": "P3",
		"category": "incident", "subscription_id": sub}, 201, &ticket)
	call(t, "POST", api+"/municipalities/101/tickets/"+ticket.ID+"/escalate", fl, map[string]string{"reason": "Storage controller suspected"}, 200, &ticket)
	if ticket.State != "escalated" {
		t.Errorf("ticket after escalation: %s", ticket.State)
	}
	for range instances {
		call(t, "GET", api+"/units/hovedstaden/tickets/"+ticket.ID, tok("second_line.hovedstaden"), nil, 200, nil)
	}

	// The isolation probe, on every instance: another tenant's path is refused, another tenant's
	// object through our own path is not found.
	spoc := buyers[0].token
	for range instances {
		for _, p := range []struct {
			path, token string
			want        int
		}{
			{"/municipalities/751/orders", spoc, 403},
			{"/municipalities/101/orders/" + orderOf["751"], spoc, 404},
			{"/units/midt/tickets/" + ticket.ID, tok("second_line.midt"), 404},
			{"/units/hovedstaden/orders", spoc, 403},
		} {
			if status, raw, _ := send("GET", api+p.path, p.token, "", nil); status != p.want {
				t.Errorf("GET %s: %d, want %d: %s", p.path, status, p.want, raw)
			}
		}
	}

	// The job queue through the pooler: a notice to every municipality is delivered by the instances.
	w.verifyMailboxes()
	var notice published
	call(t, "POST", api+"/notices", secretariat, map[string]any{"tags": []string{"INFO"}, "title": "New backup retention",
		"body": "From 1 January backups are kept for 35 days.", "scope": map[string]any{"all": true}}, 201, &notice)
	eventually(t, "the notice delivered to all 98 mailboxes", time.Minute, func() bool { _, n := w.deliveryIDs(notice.ID); return n == 98 })

	for i := range instances {
		if n := f.served[i].Load(); n == 0 {
			t.Errorf("instance %d served nothing", i)
		}
	}
	var serverConns int
	w.db.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`).Scan(&serverConns)
	t.Logf("%d orders from 2 municipalities, a ticket, the probe and a notice to 98 through one address: instances served %d, %d, %d requests; "+
		"PostgreSQL has %d connections to the database (at most %d through PgBouncer, the rest direct: LISTEN and this test's)",
		orders, f.served[0].Load(), f.served[1].Load(), f.served[2].Load(), serverConns, poolSize)

	// Every change of the three instances has its record, sealed into a chain that verifies. The
	// instances are still at work (a sweep, the last deliveries), so a record may be in flight.
	var rep struct {
		Chains, Records int
		Broken          []any
		Unsealed        struct{ Records int }
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		verify := exec.Command(w.bin, "audit", "verify")
		verify.Env = env
		out, err := verify.Output()
		if err != nil || json.Unmarshal(out, &rep) != nil || len(rep.Broken) > 0 {
			t.Fatalf("audit verify: %v\n%s", err, out)
		}
		if rep.Unsealed.Records == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit verify: records unsealed after 10 s\n%s", out)
		}
	}
	var changes int
	w.db.QueryRow(context.Background(), `SELECT count(*) FROM audit_records WHERE action = 'order.create'`).Scan(&changes)
	if changes != orders {
		t.Errorf("%d order.create audit records, want %d", changes, orders)
	}
	t.Logf("audit verify: %d chains, %d records, none broken, none unsealed", rep.Chains, rep.Records)
}

// TestReportsAreReadFromTheReplicaAndFromThePrimaryOnceItStops runs the real binary on a primary
// and a streaming replica of it (pg_basebackup -R) under a steady load of SLA reports and adoption
// figures, with tickets written meanwhile: the replica answers reports while it has caught up;
// stopped at once under the load, the primary answers them, and no request gets a 5xx.
func TestReportsAreReadFromTheReplicaAndFromThePrimaryOnceItStops(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, replicaURL, replica := pgtest.Replicated(t)
	addr := freeAddr(t)
	base := "http://" + addr
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "DATABASE_REPLICA_URL="+replicaURL, "ADDR="+addr, "PUBLIC_URL="+base,
		"APP_ENV=test", "LOG_FORMAT=json", "LOG_LEVEL=warn", "DATA_DIR="+t.TempDir(), "RATE_LIMIT=100000", "RATE_LIMIT_BURST=100000")
	bin := build(t)
	_, logs := startServer(t, bin, env, "")
	eventually(t, "ready", time.Minute, func() bool { s, _ := get(base + "/readyz"); return s == 200 })
	council, spoc, fl := userToken(t, bin, env, "council"), userToken(t, bin, env, "spoc.101"), userToken(t, bin, env, "first_line.101")
	reads := []struct{ path, token string }{
		{"/api/v1/sla-report?from=2026-01&to=2026-11", council},
		{"/api/v1/municipalities/101/sla-report?from=2026-01&to=2026-11", spoc},
		{"/api/v1/adoption", council},
		{"/api/v1/municipalities/101/adoption", spoc},
	}
	var statuses sync.Map // "status": *atomic.Int64
	count := func(status int) {
		n, _ := statuses.LoadOrStore(status, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	// load sends request n = 0, 1, … until stop, counting the answers' statuses.
	load := func(request func(n int) int) {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
					count(request(n))
				}
			}
		})
	}
	for i := range 4 {
		load(func(n int) int {
			r := reads[(i+n)%len(reads)]
			status, _, _ := send("GET", base+r.path, r.token, "", nil)
			return status
		})
	}
	load(func(n int) int {
		status, _, _ := send("POST", base+"/api/v1/municipalities/101/tickets", fl, fmt.Sprintf("replica-%d", n),
			map[string]string{"title": "Printer queue stuck", "priority": "P4", "category": "request"})
		return status
	})
	metric := func(name string) int {
		_, body := get(base + "/metrics")
		for line := range strings.Lines(body) {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				n, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
				return int(n)
			}
		}
		return -1
	}
	time.Sleep(2 * time.Second)
	beforeStop := metric("servicekatalog_db_stale_reads_replica_total")
	if err := replica.StopNow(ctx); err != nil {
		t.Fatal(err)
	}
	stopped := metric("servicekatalog_db_stale_reads_replica_total")
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()
	byReplica, byPrimary := metric("servicekatalog_db_stale_reads_replica_total"), metric("servicekatalog_db_stale_reads_primary_total")
	seen := map[int]int64{}
	statuses.Range(func(k, v any) bool { seen[k.(int)] = v.(*atomic.Int64).Load(); return true })
	for status, n := range seen {
		if status != 200 && status != 201 {
			t.Errorf("%d requests got %d\n%s", n, status, logs)
		}
	}
	if beforeStop <= 0 || byReplica != stopped || byPrimary <= 0 {
		t.Errorf("reports by the replica: %d in the first 2 s, %d by the stop, %d at the end; by the primary %d", beforeStop, stopped, byReplica, byPrimary)
	}
	t.Logf("statuses %v; reports answered by the replica %d (all before it stopped), by the primary %d", seen, byReplica, byPrimary)
}
