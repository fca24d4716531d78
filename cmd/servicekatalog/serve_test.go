package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/servicekatalog/servicekatalog/internal/devdb"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

// proxy forwards TCP to target while up, and drops connections while down: a database that can
// be taken away and given back.
type proxy struct {
	ln     net.Listener
	target string
	up     atomic.Bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !p.up.Load() {
				c.Close()
				continue
			}
			go p.forward(c)
		}
	}()
	return p
}

func (p *proxy) forward(c net.Conn) {
	defer c.Close()
	d, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer d.Close()
	go io.Copy(d, c)
	io.Copy(c, d)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "servicekatalog")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServer starts bin serve with env, in dir unless it is empty, gathering what it prints; the
// process is killed when the test ends, if it has not ended.
func startServer(t *testing.T, bin string, env []string, dir string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve")
	// Each server's mail sink on a port of its own, as servers of several tests run at once.
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = append(env, "MAIL_SINK_ADDR="+freeAddr(t)), dir, &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, &logs
}

func get(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After") + " " + string(b)
}

// secretariatToken creates a platform secretariat with the token command, another process, and
// waits until the server has heard of the new user (the command's NOTIFY reaches it within ms).
func secretariatToken(t *testing.T, bin string, env []string, base string) string {
	t.Helper()
	cmd := exec.Command(bin, "token", "--user", "ops.secretariat", "--create", "--role", "secretariat", "--tenant", "platform")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	bearer := "Bearer " + strings.TrimSpace(string(out))
	eventually(t, "the server knows the new user", 5*time.Second, func() bool {
		req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
		req.Header.Set("Authorization", bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return bearer
}

func eventually(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("%s: not within %v", what, within)
}

// TestServeWaitsForTheDatabaseAndShutsDownGracefully runs the real binary: started while the
// database is unreachable it is live but not ready; once the database answers it becomes ready;
// on SIGTERM a request in flight completes and the process exits cleanly.
func TestServeWaitsForTheDatabaseAndShutsDownGracefully(t *testing.T) {
	dbURL := pgtest.NewURL(t)
	u, _ := url.Parse(dbURL)
	p := newProxy(t, u.Host)
	viaProxy := *u
	viaProxy.Host = p.ln.Addr().String()
	addr := freeAddr(t)
	base := "http://" + addr
	env := append(os.Environ(), "DATABASE_URL="+viaProxy.String(), "ADDR="+addr, "PUBLIC_URL="+base, "APP_ENV=test",
		"SEED_DEMO=false", "LOG_FORMAT=json", "DATA_DIR="+t.TempDir(), "SHUTDOWN_TIMEOUT=10s")
	bin := build(t)
	cmd, logs := startServer(t, bin, env, "")

	eventually(t, "live while the database is down", 10*time.Second, func() bool { s, _ := get(base + "/livez"); return s == 200 })
	if s, body := get(base + "/readyz"); s != 503 || !strings.HasPrefix(body, "5 ") || !strings.Contains(body, "waiting for the database") {
		t.Fatalf("readyz while the database is down: %d %s", s, body)
	}
	p.up.Store(true)
	eventually(t, "ready once the database answers", 15*time.Second, func() bool { s, _ := get(base + "/readyz"); return s == 200 })

	bearer := secretariatToken(t, bin, append(env, "DATABASE_URL="+dbURL), base)
	ctx := context.Background()
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	for _, sql := range []string{
		`CREATE FUNCTION slow_unit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1.5); RETURN NEW; END $$`,
		`CREATE TRIGGER slow_unit BEFORE INSERT ON units FOR EACH ROW EXECUTE FUNCTION slow_unit()`,
	} {
		if _, err := db.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	status := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/api/v1/units", strings.NewReader(`{"slug":"oest","name":"Øst","region":"Region Sjælland"}`))
		req.Header.Set("Authorization", bearer)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "graceful")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	time.Sleep(400 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if s := <-status; s != 201 {
		t.Fatalf("the request in flight at SIGTERM got %d\n%s", s, logs.String())
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("did not exit after SIGTERM\n%s", logs.String())
	}
	var units int
	db.QueryRow(ctx, `SELECT count(*) FROM units WHERE slug = 'oest'`).Scan(&units)
	if units != 1 {
		t.Errorf("the completed request's unit: %d rows", units)
	}
}

// TestADatabaseRestartUnderLoad stops and restarts a PostgreSQL cluster of its own under a steady
// stream of writes and reads: during the outage only 503s, service again within 5 s of the restart,
// and every write that was acknowledged is stored.
func TestADatabaseRestartUnderLoad(t *testing.T) {
	ctx := context.Background()
	cl, err := devdb.Open(filepath.Join(t.TempDir(), "pg"))
	if err != nil {
		t.Fatal(err)
	}
	dbURL, _, err := cl.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Stop(ctx)
	addr := freeAddr(t)
	base := "http://" + addr
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "ADDR="+addr, "PUBLIC_URL="+base, "APP_ENV=test", "SEED_DEMO=false",
		"LOG_FORMAT=json", "DB_STATEMENT_TIMEOUT=2s", "RATE_LIMIT=100000", "RATE_LIMIT_BURST=100000") // the load is the outage's, not the limiter's
	bin := build(t)
	_, logs := startServer(t, bin, env, "")
	eventually(t, "ready", 30*time.Second, func() bool { s, _ := get(base + "/readyz"); return s == 200 })
	bearer := secretariatToken(t, bin, env, base)

	type result struct {
		slug   string
		status int
		at     time.Time
	}
	results := make(chan result, 10000)
	stop := make(chan struct{})
	go func() {
		client := &http.Client{Timeout: 5 * time.Second}
		for i := 0; ; i++ {
			select {
			case <-stop:
				close(results)
				return
			default:
			}
			slug := fmt.Sprintf("load-%d", i)
			req, _ := http.NewRequest("POST", base+"/api/v1/units", strings.NewReader(`{"slug":"`+slug+`","name":"Load","region":"R"}`))
			req.Header.Set("Authorization", bearer)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", slug)
			status := 0
			if resp, err := client.Do(req); err == nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
			results <- result{slug, status, time.Now()}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	time.Sleep(time.Second)
	if err := cl.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	restarted := time.Now()
	if _, _, err := cl.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * time.Second)
	close(stop)

	var acknowledged []string
	var firstOKAfterRestart time.Time
	counts := map[int]int{}
	for r := range results {
		counts[r.status]++
		switch r.status {
		case 201:
			acknowledged = append(acknowledged, r.slug)
			if r.at.After(restarted) && firstOKAfterRestart.IsZero() {
				firstOKAfterRestart = r.at
			}
		case 503:
		default:
			t.Errorf("%s: status %d (only 201 or 503 are acceptable)", r.slug, r.status)
		}
	}
	t.Logf("statuses %v; first success %.1f s after the restart", counts, firstOKAfterRestart.Sub(restarted).Seconds())
	if counts[503] == 0 || counts[201] == 0 {
		t.Fatalf("the outage was not observed: %v\n%s", counts, logs.String())
	}
	if firstOKAfterRestart.IsZero() || firstOKAfterRestart.Sub(restarted) > 5*time.Second {
		t.Errorf("no recovery within 5 s of the restart")
	}
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	var stored int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM units WHERE slug = ANY($1)`, acknowledged).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != len(acknowledged) {
		t.Errorf("%d writes acknowledged, %d stored", len(acknowledged), stored)
	}
}

// TestServeStopsTheClusterItAdopts: a private cluster left running (as by a server that
// crashed) is adopted by the next server, which stops it on SIGTERM; a command run meanwhile
// (token) uses the cluster and leaves it to the server.
func TestServeStopsTheClusterItAdopts(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	cl, err := devdb.Open(filepath.Join(dataDir, "pg"))
	if err != nil {
		t.Fatal(err)
	}
	dbURL, _, err := cl.Start(ctx) // left running, owned by nobody
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Stop(ctx)
	addr := freeAddr(t)
	base := "http://" + addr
	env := append(os.Environ(), "ADDR="+addr, "PUBLIC_URL="+base, "APP_ENV=test", "SEED_DEMO=false", "LOG_FORMAT=json",
		"DATA_DIR="+dataDir, "DATABASE_URL=")
	bin := build(t)
	cmd, logs := startServer(t, bin, env, "")
	eventually(t, "ready", 30*time.Second, func() bool { s, _ := get(base + "/readyz"); return s == 200 })
	eventually(t, "the adoption logged", 5*time.Second, func() bool {
		return strings.Contains(logs.String(), "adopted private PostgreSQL left running")
	})
	secretariatToken(t, bin, env, base)
	if s, body := get(base + "/readyz"); s != 200 {
		t.Fatalf("after the token command: %d %s", s, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, logs.String())
	}
	eventually(t, "the adopted cluster stopped", 10*time.Second, func() bool {
		c, err := pgx.Connect(ctx, dbURL)
		if err == nil {
			c.Close(ctx)
		}
		return err != nil
	})
}
