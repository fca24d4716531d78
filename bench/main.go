// Command bench is make bench: it starts a private PostgreSQL, the real server and a bare gin+pgx
// baseline on the same database, seeds deterministic data, and drives both alternately with a
// keep-alive load generator (3 rounds, medians). It prints the ratios against the targets and
// writes bench/results/latest.json. It is a benchmark, not a test: it never fails the build.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/servicekatalog/servicekatalog/internal/devdb"
	"github.com/servicekatalog/servicekatalog/internal/mailsink"
)

func main() {
	duration := flag.Duration("duration", 4*time.Second, "load time per scenario, side and round")
	rounds := flag.Int("rounds", 3, "rounds; each runs baseline and product alternately")
	workers := flag.Int("workers", 8, "concurrent keep-alive connections")
	out := flag.String("out", "", "where to write the results (default bench/results/latest.json for a whole run; a -run of some scenarios writes only with -out)")
	only := flag.String("run", "", "only the scenarios whose name contains this text")
	flag.Parse()
	if *out == "" && *only == "" {
		*out = "bench/results/latest.json"
	}
	if err := run(*duration, *rounds, *workers, *out, *only); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(duration time.Duration, rounds, workers int, out, only string) error {
	ctx := context.Background()
	work := filepath.Join(".data", "bench")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	cl, err := devdb.Open(filepath.Join(work, "pg"))
	if err != nil {
		return err
	}
	adminURL, _, err := cl.Start(ctx)
	if err != nil {
		return err
	}
	defer cl.Stop(ctx)
	dbURL, err := freshDatabase(ctx, adminURL, "bench")
	if err != nil {
		return err
	}
	product, baseline := filepath.Join(work, "servicekatalog"), filepath.Join(work, "baseline")
	for bin, pkg := range map[string]string{product: "./cmd/servicekatalog", baseline: "./bench/baseline"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", pkg, err, out)
		}
	}
	productAddr, baselineAddr := freeAddr(), freeAddr()
	// The product sends its mail over SMTP to a sink in the bench, which sees when each arrives.
	sink, err := mailsink.Start("127.0.0.1:0", "")
	if err != nil {
		return err
	}
	defer sink.Close()
	_, smtpPort, _ := net.SplitHostPort(sink.Addr())
	// The rate limiter stays in the chain, set above what one bench caller sends.
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "APP_ENV=test", "SEED_DEMO=true", "LOG_FORMAT=json",
		"RATE_LIMIT=1000000", "RATE_LIMIT_BURST=1000000", "SMTP_HOST=127.0.0.1", "SMTP_PORT="+smtpPort, "SMTP_TLS=none",
		"PUBLIC_URL=http://"+productAddr) // the dev issuer's name: the token command must sign as the server verifies
	stopProduct, productPid, err := start(product, []string{"serve"}, append(env, "ADDR="+productAddr), filepath.Join(work, "product.log"))
	if err != nil {
		return err
	}
	defer stopProduct()
	if err := waitReady("http://" + productAddr + "/readyz"); err != nil {
		return err
	}
	data, err := seed(ctx, dbURL)
	if err != nil {
		return err
	}
	fmt.Printf("seeded: %d offerings, %d users, %d subscriptions, %d tickets, %d roll-up rows\n", data.offerings, data.users, data.subscriptions,
		data.tickets, data.rollups)
	stopBaseline, baselinePid, err := start(baseline, nil, append(env, "ADDR="+baselineAddr), filepath.Join(work, "baseline.log"))
	if err != nil {
		return err
	}
	defer stopBaseline()
	if err := waitReady("http://" + baselineAddr + "/noop"); err != nil {
		return err
	}
	token, err := bearer(product, env, "spoc.101")
	if err != nil {
		return err
	}
	secretariat, err := bearer(product, env, "secretariat")
	if err != nil {
		return err
	}
	council, err := bearer(product, env, "council")
	if err != nil {
		return err
	}
	unitAdmin, err := bearer(product, env, "unit_admin.hovedstaden")
	if err != nil {
		return err
	}
	for i, o := range data.spread {
		if data.spread[i].token, err = bearer(product, env, "bench.municipality."+o.municipality+".1"); err != nil {
			return err
		}
	}
	time.Sleep(time.Second) // the product reloads its authorisation snapshot after the seed's NOTIFY

	// The notices first, while the sink holds little.
	var notices *noticeReport
	if strings.Contains(noticeName, only) {
		r, err := benchNotices(ctx, dbURL, "http://"+productAddr, "http://"+baselineAddr, secretariat, sink, 5*rounds)
		if err != nil {
			return err
		}
		notices = &r
	}

	var scenarios []scenario
	for _, sc := range buildScenarios("http://"+productAddr, "http://"+baselineAddr, map[string]string{"spoc": token, "council": council}, data) {
		if strings.Contains(sc.name, only) {
			scenarios = append(scenarios, sc)
		}
	}
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	// Each run starts on a quiet product: the mails the orders and tickets cause are sent in the
	// background, and a backlog left by one run would take the CPU from the next.
	quiet := func() error { return drained(ctx, db) }
	// measure drives one side and counts the CPU it took until its mails were sent: they are
	// part of what its operations cost.
	measure := func(o op, pid int) (sample, error) {
		before := readCPU(pid)
		s := drive(o, duration, workers)
		err := quiet()
		s.CPU = perOp(before, readCPU(pid), s.Ops)
		return s, err
	}
	results := make([]result, len(scenarios))
	for r := 0; r < rounds; r++ {
		for i, sc := range scenarios {
			if r == 0 {
				drive(sc.baseline, time.Second, workers) // warm both up
				drive(sc.product, time.Second, workers)
				if err := quiet(); err != nil {
					return err
				}
			}
			b, err := measure(sc.baseline, baselinePid)
			if err != nil {
				return err
			}
			p, err := measure(sc.product, productPid)
			if err != nil {
				return err
			}
			results[i].baseline = append(results[i].baseline, b)
			results[i].product = append(results[i].product, p)
		}
	}
	// Last, as it changes roll-ups the fleet report reads.
	var outages *outageReport
	if strings.Contains(outageName, only) {
		r, err := benchOutages("http://"+productAddr, unitAdmin, data.outageOffering, 20)
		if err != nil {
			return err
		}
		outages = &r
	}
	var uploads *uploadReport
	if strings.Contains(uploadName, only) {
		r, err := benchUploads("http://"+productAddr, token, 10)
		if err != nil {
			return err
		}
		uploads = &r
	}
	report := buildReport(scenarios, results, duration, rounds, workers, data)
	report.Notices, report.Outages, report.Uploads = notices, outages, uploads
	casbin, err := casbinFigures()
	if err != nil {
		return err
	}
	report.Casbin = casbin
	report.print(os.Stdout)
	if out == "" {
		return nil // some scenarios only: the committed results stay those of a whole run
	}
	b, _ := json.MarshalIndent(report, "", "  ")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

func freshDatabase(ctx context.Context, adminURL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	for _, sql := range []string{`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`, `CREATE DATABASE ` + name} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return "", err
		}
	}
	u, _ := url.Parse(adminURL)
	u.Path = "/" + name
	return u.String(), nil
}

// drained waits until the product has no background work due: no job available, running or to be
// retried now, no announced event waiting for its deliveries.
func drained(ctx context.Context, db *pgx.Conn) error {
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var due int
		err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM river_job WHERE state IN ('available', 'running')
			OR (state = 'retryable' AND scheduled_at <= now())) + (SELECT count(*) FROM notice_events WHERE dispatched_at IS NULL)`).Scan(&due)
		if err != nil || due == 0 {
			return err
		}
	}
	return errors.New("the product's background jobs did not drain within 5 minutes")
}

// bearer is a token for user, made by the product's token command.
func bearer(product string, env []string, user string) (string, error) {
	cmd := exec.Command(product, "token", "--user", user)
	cmd.Env = env
	tok, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("token --user %s: %w", user, err)
	}
	return "Bearer " + strings.TrimSpace(string(tok)), nil
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs bin and returns how to stop it and its process id.
func start(bin string, args, env []string, logPath string) (func(), int, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logf, logf
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	return func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		logf.Close()
	}, cmd.Process.Pid, nil
}

func waitReady(u string) error {
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
	}
	return fmt.Errorf("%s not ready within 60 s", u)
}

// op is one operation of a scenario: it returns whether it succeeded.
type op func(c *http.Client, i int64) bool

type scenario struct {
	name              string
	target            string
	minRatio          float64
	maxP99            float64    // 0: no p99 target
	latency           [2]float64 // {factor, ms}: product p50 ≤ factor × baseline p50 + ms, instead of a throughput ratio
	zeroErrors        bool
	baseline, product op
}

func request(c *http.Client, method, u, auth string, body []byte, header map[string]string, want int, check string) bool {
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == want && (check == "" || bytes.Contains(b, []byte(check)))
}

var runID = time.Now().UnixNano()

func buildScenarios(product, baseline string, tokens map[string]string, d seeded) []scenario {
	token := tokens["spoc"]
	from, to := slaMonths()
	span := "?from=" + from + "&to=" + to
	bareSpan := "?from=" + from + "-01&to=" + to + "-01"
	orderBody := `{"items":[{"action":"add","offering_id":"` + d.orderOffering + `","level":"standard","quantity":1,"parameters":{"vcpu":2,"memory_gb":8,"disk_gb":100,"os":"rhel-9"}}]}`
	ticketBody := `{"title":"Bench","priority":"P3","category":"incident","subscription_id":"` + d.ticketSubscription + `"}`
	key := func(kind string, i int64) map[string]string {
		return map[string]string{"Idempotency-Key": fmt.Sprintf("%s-%d-%d", kind, runID, i)}
	}
	var seq atomic.Int64
	return []scenario{
		{name: "authorised offering GET", target: "≥ 0.60×, p99 ≤ 2.5×", minRatio: 0.60, maxP99: 2.5,
			baseline: func(c *http.Client, i int64) bool {
				return request(c, "GET", baseline+"/offerings/"+d.readOffering, "", nil, nil, 200, d.readOffering)
			},
			product: func(c *http.Client, i int64) bool {
				return request(c, "GET", product+"/api/v1/offerings/"+d.readOffering, token, nil, nil, 200, d.readOffering)
			}},
		{name: "offering list (50 rows)", target: "≥ 0.60×", minRatio: 0.60,
			baseline: func(c *http.Client, i int64) bool {
				return request(c, "GET", baseline+"/offerings", "", nil, nil, 200, `"items"`)
			},
			product: func(c *http.Client, i int64) bool {
				return request(c, "GET", product+"/api/v1/offerings?limit=50", token, nil, nil, 200, `"next":"/api/v1/offerings?`)
			}},
		{name: "order creation", target: "≥ 0.60×, zero errors", minRatio: 0.60, zeroErrors: true,
			baseline: func(c *http.Client, i int64) bool {
				return request(c, "POST", baseline+"/rows", "", []byte(orderBody), nil, 201, "")
			},
			product: func(c *http.Client, i int64) bool {
				return request(c, "POST", product+"/api/v1/municipalities/101/orders", token, []byte(orderBody), key("order", seq.Add(1)), 201, `"acknowledged"`)
			}},
		// The same orders from many municipalities: each appends to its own audit chain, so this row
		// shows what the one-municipality row loses to the queue on one chain's head.
		{name: fmt.Sprintf("order creation, %d municipalities", len(d.spread)), target: "≥ 0.60×, zero errors", minRatio: 0.60, zeroErrors: true,
			baseline: func(c *http.Client, i int64) bool {
				return request(c, "POST", baseline+"/rows", "", []byte(orderBody), nil, 201, "")
			},
			product: func(c *http.Client, i int64) bool {
				n := seq.Add(1)
				o := d.spread[n%int64(len(d.spread))]
				body := `{"items":[{"action":"add","offering_id":"` + o.offering + `","level":"standard","quantity":1,"parameters":{"vcpu":2,"memory_gb":8,"disk_gb":100,"os":"rhel-9"}}]}`
				return request(c, "POST", product+"/api/v1/municipalities/"+o.municipality+"/orders", o.token, []byte(body), key("order", n), 201, `"acknowledged"`)
			}},
		{name: "ticket creation + escalation", target: "≥ 0.50×", minRatio: 0.50,
			baseline: func(c *http.Client, i int64) bool {
				return request(c, "POST", baseline+"/rows", "", []byte(ticketBody), nil, 201, "")
			},
			product: func(c *http.Client, i int64) bool {
				req, _ := http.NewRequest("POST", product+"/api/v1/municipalities/101/tickets", strings.NewReader(ticketBody))
				req.Header.Set("Authorization", token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("ticket-%d-%d", runID, seq.Add(1)))
				resp, err := c.Do(req)
				if err != nil {
					return false
				}
				var t struct {
					ID string `json:"id"`
				}
				json.NewDecoder(resp.Body).Decode(&t)
				resp.Body.Close()
				return resp.StatusCode == 201 && request(c, "POST", product+"/api/v1/municipalities/101/tickets/"+t.ID+"/escalate",
					token, []byte(`{"reason":"bench"}`), nil, 200, `"escalated"`)
			}},
		{name: "fleet SLA report, 12 months", target: "p50 ≤ 1.5× + 50ms", latency: [2]float64{1.5, 50},
			baseline: func(c *http.Client, i int64) bool {
				return request(c, "GET", baseline+"/sla/fleet"+bareSpan, "", nil, nil, 200, `"municipality"`)
			},
			product: func(c *http.Client, i int64) bool {
				return request(c, "GET", product+"/api/v1/sla-report"+span, tokens["council"], nil, nil, 200, `"summaries"`)
			}},
		{name: "municipality SLA report, 12 months", target: "p50 ≤ 1.5× + 10ms", latency: [2]float64{1.5, 10},
			baseline: func(c *http.Client, i int64) bool {
				return request(c, "GET", baseline+"/sla/municipalities/101"+bareSpan, "", nil, nil, 200, `"lines"`)
			},
			product: func(c *http.Client, i int64) bool {
				return request(c, "GET", product+"/api/v1/municipalities/101/sla-report"+span, token, nil, nil, 200, `"lines"`)
			}},
		{name: "adoption figures of one municipality", target: "≥ 0.60×", minRatio: 0.60,
			baseline: func(c *http.Client, i int64) bool {
				return request(c, "GET", baseline+"/adoption/101", "", nil, nil, 200, `"figures"`)
			},
			product: func(c *http.Client, i int64) bool {
				return request(c, "GET", product+"/api/v1/municipalities/101/adoption", token, nil, nil, 200, `"kpis"`)
			}},
		{name: "no-database route, full middleware", target: "≥ 0.70×", minRatio: 0.70,
			baseline: func(c *http.Client, i int64) bool {
				return request(c, "GET", baseline+"/noop", "", nil, nil, 200, "ok")
			},
			product: func(c *http.Client, i int64) bool {
				return request(c, "GET", product+"/api/v1/me", token, nil, nil, 200, `"spoc"`)
			}},
	}
}

// sample is one timed run of one side of a scenario.
type sample struct {
	Ops    int64   `json:"ops"`
	Errors int64   `json:"errors"`
	RPS    float64 `json:"rps"`
	P50    float64 `json:"p50_ms"`
	P90    float64 `json:"p90_ms"`
	P99    float64 `json:"p99_ms"`
	// CPU is what an operation cost the machine, the server and PostgreSQL, its mails included.
	CPU cpuPerOp `json:"cpu_per_op"`
}

// drive runs op on workers keep-alive connections for d and measures it.
func drive(o op, d time.Duration, workers int) sample {
	var ops, errs atomic.Int64
	lat := make([][]time.Duration, workers)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}, Timeout: 10 * time.Second}
			for time.Now().Before(deadline) {
				start := time.Now()
				ok := o(c, ops.Add(1))
				lat[w] = append(lat[w], time.Since(start))
				if !ok {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000
	}
	n := int64(len(all))
	return sample{Ops: n, Errors: errs.Load(), RPS: float64(n) / d.Seconds(), P50: pct(0.50), P90: pct(0.90), P99: pct(0.99)}
}

type result struct{ baseline, product []sample }

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// side is the medians of one side's rounds.
type side struct {
	RPS    float64  `json:"rps"`
	P50    float64  `json:"p50_ms"`
	P90    float64  `json:"p90_ms"`
	P99    float64  `json:"p99_ms"`
	Errors int64    `json:"errors"`
	CPU    cpuPerOp `json:"cpu_per_op"`
}

func summarise(ss []sample) side {
	var rps, p50, p90, p99, machine, server, pg []float64
	var errs int64
	for _, s := range ss {
		rps, p50, p90, p99 = append(rps, s.RPS), append(p50, s.P50), append(p90, s.P90), append(p99, s.P99)
		machine, server, pg = append(machine, s.CPU.Machine), append(server, s.CPU.Server), append(pg, s.CPU.Postgres)
		errs += s.Errors
	}
	return side{RPS: median(rps), P50: median(p50), P90: median(p90), P99: median(p99), Errors: errs,
		CPU: cpuPerOp{Machine: median(machine), Server: median(server), Postgres: median(pg)}}
}

type row struct {
	Scenario string  `json:"scenario"`
	Baseline side    `json:"baseline"`
	Product  side    `json:"product"`
	Ratio    float64 `json:"ratio"`     // product ÷ baseline throughput
	P99Ratio float64 `json:"p99_ratio"` // product ÷ baseline p99 latency
	// P50Budget is the p50 a latency target allows the product (factor × baseline p50 + ms).
	P50Budget float64 `json:"p50_budget_ms,omitempty"`
	Target    string  `json:"target"`
	Met       bool    `json:"met"`
}

type report struct {
	Date     string         `json:"date"`
	Machine  string         `json:"machine"`
	Duration string         `json:"duration_per_run"`
	Rounds   int            `json:"rounds"`
	Workers  int            `json:"workers"`
	Data     map[string]int `json:"data"`
	Rows     []row          `json:"scenarios"`
	Notices  *noticeReport  `json:"notices,omitempty"`
	Outages  *outageReport  `json:"outages,omitempty"`
	Uploads  *uploadReport  `json:"uploads,omitempty"`
	Casbin   map[string]any `json:"casbin"`
}

func buildReport(scs []scenario, rs []result, d time.Duration, rounds, workers int, data seeded) report {
	rep := report{Date: time.Now().UTC().Format(time.RFC3339), Machine: fmt.Sprintf("%d cores, %s, %s/%s", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH),
		Duration: d.String(), Rounds: rounds, Workers: workers,
		Data: map[string]int{"offerings": data.offerings, "users": data.users, "subscriptions": data.subscriptions, "tickets": data.tickets,
			"rollup_rows": data.rollups}}
	for i, sc := range scs {
		b, p := summarise(rs[i].baseline), summarise(rs[i].product)
		r := row{Scenario: sc.name, Baseline: b, Product: p, Ratio: p.RPS / b.RPS, P99Ratio: p.P99 / b.P99, Target: sc.target}
		r.Met = r.Ratio >= sc.minRatio && (sc.maxP99 == 0 || r.P99Ratio <= sc.maxP99) && (!sc.zeroErrors || p.Errors == 0) && b.Errors == 0
		if sc.latency[0] > 0 {
			r.P50Budget = sc.latency[0]*b.P50 + sc.latency[1]
			r.Met = p.P50 <= r.P50Budget && b.Errors == 0 && p.Errors == 0
		}
		rep.Rows = append(rep.Rows, r)
	}
	return rep
}

func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "\n%s; %d rounds × %s per side, %d connections\n", r.Machine, r.Rounds, r.Duration, r.Workers)
	fmt.Fprintf(w, "%-36s %10s %10s %7s %9s %9s %9s %9s %7s  %-22s %s\n", "scenario", "base rps", "prod rps", "ratio", "base p50", "prod p50",
		"base p99", "prod p99", "p99 ×", "target", "met")
	for _, x := range r.Rows {
		fmt.Fprintf(w, "%-36s %10.0f %10.0f %6.2f× %7.2fms %7.2fms %7.2fms %7.2fms %6.2f×  %-22s %v (errors %d/%d)\n", x.Scenario, x.Baseline.RPS,
			x.Product.RPS, x.Ratio, x.Baseline.P50, x.Product.P50, x.Baseline.P99, x.Product.P99, x.P99Ratio, x.Target, x.Met, x.Baseline.Errors,
			x.Product.Errors)
	}
	fmt.Fprintf(w, "\nCPU per operation, ms (machine: every process; server: the product or the bare baseline; its mails included)\n")
	fmt.Fprintf(w, "%-36s %9s %9s %9s %9s %9s %9s %9s\n", "scenario", "base all", "server", "postgres", "prod all", "server", "postgres", "all ×")
	for _, x := range r.Rows {
		b, p := x.Baseline.CPU, x.Product.CPU
		if b.Machine == 0 {
			continue
		}
		fmt.Fprintf(w, "%-36s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %8.2f×\n", x.Scenario, b.Machine, b.Server, b.Postgres,
			p.Machine, p.Server, p.Postgres, p.Machine/b.Machine)
	}
	if r.Notices != nil {
		r.Notices.print(w)
	}
	if r.Outages != nil {
		r.Outages.print(w)
	}
	if r.Uploads != nil {
		r.Uploads.print(w)
	}
	fmt.Fprintf(w, "casbin check: %v\n", r.Casbin)
}

// casbinFigures runs the authorisation benchmark and reads its median and p99 per check.
func casbinFigures() (map[string]any, error) {
	out, err := exec.Command("go", "test", "./internal/authz", "-run", "^$", "-bench", "Authorize", "-benchtime", "200000x").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("casbin benchmark: %v\n%s", err, out)
	}
	figures := map[string]any{"target": "median ≤ 5000 ns, deny ≤ 2× allow"}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 7 && strings.HasPrefix(f[0], "BenchmarkAuthorize/") {
			name := strings.TrimSuffix(strings.TrimPrefix(f[0], "BenchmarkAuthorize/"), "-"+fmt.Sprint(runtime.NumCPU()))
			for i := 2; i+1 < len(f); i += 2 {
				if f[i+1] == "median-ns/check" || f[i+1] == "p99-ns/check" {
					figures[name+"_"+strings.TrimSuffix(f[i+1], "-ns/check")+"_ns"] = f[i]
				}
			}
		}
	}
	return figures, nil
}
