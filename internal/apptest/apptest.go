// Package apptest runs the whole application for a test: its own database with the reference
// and demo data, the real router behind a real HTTP server, and real tokens from the dev issuer.
// Only the clock is the test's to move.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"
	"github.com/servicekatalog/servicekatalog/internal/app"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/httpapi"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/jobs"
	"github.com/servicekatalog/servicekatalog/internal/mailsink"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
	"github.com/servicekatalog/servicekatalog/internal/seed"
)

// Audience is the token audience the test application expects.
const Audience = "servicekatalog"

// Env is a running application.
type Env struct {
	t      testing.TB
	App    *app.App
	Server *httptest.Server
	Clock  *clock.Manual
	URL    string         // the test database's URL
	Mail   *mailsink.Sink // the SMTP server on loopback the application's mail goes to
}

// Option changes how the application is wired for a test.
type Option func(*app.Options)

// New starts the application on a fresh database loaded with reference and demo data. Rate
// limits are out of the way unless an option sets them.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	e := start(t, pgtest.NewURL(t), opts...)
	sctx := e.System()
	if _, err := seed.Reference(sctx, e.App.Directory); err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(sctx, e.App.Directory); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Catalog.SyncFiles(sctx, catalogfiles.Files); err != nil {
		t.Fatal(err)
	}
	return e
}

// Replica starts a second instance of the application on the same database, listening for
// changes made elsewhere like every served instance does.
func (e *Env) Replica(t testing.TB) *Env {
	t.Helper()
	r := start(t, e.URL)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go r.App.Listen(ctx, slog.New(slog.DiscardHandler))
	return r
}

func start(t testing.TB, url string, opts ...Option) *Env {
	t.Helper()
	db := pgtest.Open(t, url)
	c := clock.NewManual(time.Now())
	sink, err := mailsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	host, port, _ := net.SplitHostPort(sink.Addr())
	portN, _ := strconv.Atoi(port)
	mailer, err := delivery.NewMailSender(delivery.SMTP{Host: host, Port: portN, TLS: "none", From: "Servicekatalog <noreply@servicekatalog.test>",
		Domain: "servicekatalog.test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	o := app.Options{
		Log: slog.New(slog.DiscardHandler), Clock: c, PublicURL: "http://servicekatalog.test",
		Audience: Audience, Algs: []string{"ES256"}, RateLimit: 1e6, RateBurst: 1e9,
		Jobs:    jobs.Options{ClientID: "test-" + t.Name(), JobTimeout: 10 * time.Second, RescueAfter: time.Minute, PollInterval: time.Second},
		Senders: map[delivery.Channel]delivery.Sender{delivery.Mail: mailer}, MailDomain: "servicekatalog.test",
		WebhookTimeout: 5 * time.Second, AllowPrivateWebhooks: true, // the tests' receivers listen on loopback
	}
	for _, opt := range opts {
		opt(&o)
	}
	a, err := app.New(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	if o.Jobs.Workers > 0 {
		if err := a.Jobs.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			a.Jobs.Stop(ctx)
		})
	}
	seqCtx, stopSequencer := context.WithCancel(context.Background())
	t.Cleanup(stopSequencer)
	go a.Audit.Sequence(seqCtx, slog.New(slog.DiscardHandler), 20*time.Millisecond)
	if o.Jobs.Workers > 0 {
		go a.Notices.Dispatch(seqCtx, slog.New(slog.DiscardHandler), 50*time.Millisecond)
	}
	srv := httptest.NewUnstartedServer(a.API.Handler())
	httpapi.Configure(srv.Config)
	srv.Listener = httpapi.Listener(srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)
	return &Env{t: t, App: a, Server: srv, Clock: c, URL: url, Mail: sink}
}

// Working makes the application work its background jobs (deliveries, sweeps) with workers at a
// time, as serve does, until the test ends.
func Working(workers int) Option {
	return func(o *app.Options) { o.Jobs.Workers = workers }
}

// FastRetries makes failed deliveries retry after a few milliseconds instead of the production
// schedule, so that a test sees retries, the dead letter and redrive in a moment.
func FastRetries() Option {
	return func(o *app.Options) {
		o.Backoff = func(delivery.Channel, int, *rand.Rand) time.Duration { return 20 * time.Millisecond }
	}
}

// System is a context acting as the command line (secretariat), for setting up test data.
func (e *Env) System() context.Context {
	return identity.WithPrincipal(context.Background(), identity.System("test"))
}

// Sweep runs a periodic job's work once, as the job runner does, and returns what it changed.
func (e *Env) Sweep(t testing.TB, sweep func(context.Context) (int, error)) int {
	t.Helper()
	n, err := sweep(e.System())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Token returns a dev-issuer token for username, valid for 8 hours of the test clock (as the
// token command issues by default).
func (e *Env) Token(username string) string {
	e.t.Helper()
	u := e.User(username)
	tok, err := e.App.DevIssuer.Mint(u.Subject, 8*time.Hour, e.Clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// User returns the user with username.
func (e *Env) User(username string) directory.User {
	e.t.Helper()
	u, err := e.App.Directory.UserByUsername(context.Background(), username)
	if err != nil {
		e.t.Fatalf("user %s: %v", username, err)
	}
	return u
}

// Response is a received HTTP response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem is the problem document of an error response.
func (r Response) Problem(t testing.TB) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d has Content-Type %q, want application/problem+json; body %s", r.Status, ct, r.Body)
	}
	var p map[string]any
	r.Decode(t, &p)
	return p
}

// Request is one request to send.
type Request struct {
	Method string
	Path   string
	Token  string     // bearer credential, empty for none
	Body   any        // marshalled as JSON; a string or []byte is sent as is
	Form   url.Values // sent as a page's form instead of Body
	Header map[string]string
}

// Do sends r to the application over HTTP.
func (e *Env) Do(r Request) Response {
	e.t.Helper()
	var body io.Reader
	contentType := "application/json"
	switch b := r.Body.(type) {
	case nil:
		if r.Form != nil {
			body, contentType = strings.NewReader(r.Form.Encode()), "application/x-www-form-urlencoded"
		}
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(r.Method, e.Server.URL+r.Path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := checkAgainstSpec(req, resp.StatusCode, resp.Header, b); err != nil {
		e.t.Errorf("%s %s: the %d response does not match api-docs: %v", r.Method, r.Path, resp.StatusCode, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// List is a decoded list response.
type List[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next" extensions:"x-nullable"`
}

// Unchanged fails t for every table whose content differs from the fingerprint before.
func (e *Env) Unchanged(t testing.TB, before map[string]string, what string) {
	t.Helper()
	for table, digest := range e.Fingerprint(t) {
		if before[table] != digest {
			t.Errorf("%s changed table %s", what, table)
		}
	}
}

// Sealed waits until the audit sequencer has sealed every committed record, so that sealing
// changes no table after this.
func (e *Env) Sealed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := e.App.Audit.Seal(ctx); err != nil {
			t.Fatal(err)
		}
		b, err := e.App.Audit.Backlog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b.Records == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d audit records still unsealed after 10 s", b.Records)
		}
	}
}

// Fingerprint is a digest of every table's whole content, to show that a request changed nothing.
func (e *Env) Fingerprint(t testing.TB) map[string]string {
	t.Helper()
	e.Sealed(t)
	var rows []struct {
		Name, Digest string
	}
	err := e.App.DB.Conn(context.Background()).Raw(`SELECT table_name AS name,
		(xpath('/row/d/text()', query_to_xml(format(
			'SELECT md5(coalesce(string_agg(x::text, %L ORDER BY x::text), %L)) AS d FROM %I x', ',', '', table_name),
			false, true, '')))[1]::text AS digest
		FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Name] = r.Digest
	}
	return out
}

// DoAtOnce sends the requests concurrently and returns their statuses in the same order.
func (e *Env) DoAtOnce(reqs ...Request) []int {
	statuses := make([]int, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() { statuses[i] = e.Do(r).Status })
	}
	wg.Wait()
	return statuses
}

// Repeat is n copies of r, for DoAtOnce.
func Repeat(r Request, n int) []Request {
	out := make([]Request, n)
	for i := range out {
		out[i] = r
	}
	return out
}
