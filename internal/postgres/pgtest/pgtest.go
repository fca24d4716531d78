// Package pgtest gives each test a fresh PostgreSQL database, cloned from a template that is
// migrated once per set of migrations. The server is the one make test starts (TEST_DATABASE_URL).
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/servicekatalog/servicekatalog/internal/devdb"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/migrations"
)

var (
	once     sync.Once
	template string
	setupErr error
)

// URL returns the server's URL from TEST_DATABASE_URL, failing the test without it.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run the tests with make test, which starts a private PostgreSQL")
	}
	return u
}

// New returns a migrated, empty database of its own for the test, dropped at its end.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	return Open(t, NewURL(t))
}

// Open opens url for the rest of the test.
func Open(t testing.TB, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{MaxConns: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewURL creates the test's database and returns its URL.
func NewURL(t testing.TB) string {
	t.Helper()
	base := URL(t)
	once.Do(func() { template, setupErr = ensureTemplate(base) })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	name := "t_" + randomHex(8)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template)); err != nil {
		t.Fatalf("clone template: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	})
	return withDatabase(base, name)
}

// ensureTemplate creates and migrates the template for the current migrations once, under an
// advisory lock, since test binaries of several packages run at the same time.
func ensureTemplate(base string) (string, error) {
	name := "tmpl_" + migrationsHash()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect to TEST_DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7419001)`); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock(7419001)`)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
		return "", err
	}
	db, err := postgres.Open(ctx, withDatabase(base, name), postgres.Options{MaxConns: 2})
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := db.Migrate(ctx, io.Discard); err != nil {
		conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE %s WITH (FORCE)`, name))
		return "", err
	}
	return name, db.Close()
}

func migrationsHash() string {
	h := sha256.New()
	h.Write([]byte(migrations.GoVersions))
	fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := migrations.FS.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Replicated starts a private PostgreSQL of the test's own and a streaming replica of it
// (pg_basebackup -R), both stopped at the test's end, and returns their application URLs and the
// replica, for the test to stop sooner.
func Replicated(t testing.TB) (primaryURL, replicaURL string, replica *devdb.Cluster) {
	t.Helper()
	ctx := context.Background()
	start := func(c *devdb.Cluster, err error) (*devdb.Cluster, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		url, _, err := c.Start(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Stop(context.Background()) })
		return c, url
	}
	primary, primaryURL := start(devdb.Open(filepath.Join(t.TempDir(), "primary")))
	replica, replicaURL = start(primary.Replica(ctx, filepath.Join(t.TempDir(), "replica")))
	return primaryURL, replicaURL, replica
}
