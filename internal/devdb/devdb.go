// Package devdb runs a private PostgreSQL cluster for development, tests and benchmarks from the
// server binaries installed on the machine. It is never used when DATABASE_URL is set.
//
// The cluster lives under a directory of the project (DATA_DIR, default .data): data/ holds the
// cluster, password its generated password, postgres.log the server log. initdb and postgres refuse to
// run as root, so as root they run as the postgres user through runuser.
package devdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Role and Database are what the private cluster creates for the application. The role may
// create databases so that tests can clone their own from a template.
const (
	Role     = "servicekatalog"
	Database = "servicekatalog"
)

// Cluster is a private PostgreSQL cluster.
type Cluster struct {
	dir      string // the project-side directory (password, log)
	data     string // the cluster's data directory
	bin      string
	runAs    string // "postgres" when we are root, else empty
	password string
	port     int
}

// Open locates (or prepares) the cluster under dir without starting it.
func Open(dir string) (*Cluster, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, err
	}
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: abs, data: filepath.Join(abs, "data"), bin: bin}
	if os.Geteuid() == 0 {
		c.runAs = "postgres"
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root needs a postgres user to own the cluster: %w", err)
		}
		// The postgres user must reach the data directory; a project under /root is out of its
		// reach, so the cluster then lives under /var/tmp, keyed by the project path.
		if !c.reachable(abs) {
			sum := sha256.Sum256([]byte(abs))
			c.data = filepath.Join("/var/tmp", "servicekatalog-"+hex.EncodeToString(sum[:6]), "data")
		}
	}
	return c, nil
}

// Start initialises the cluster if needed, starts it if it is not running, and makes sure the
// application role and database exist. It returns the application's connection URL and whether
// this call started the server (and so should stop it).
func (c *Cluster) Start(ctx context.Context) (dsn string, started bool, err error) {
	if err := c.loadOrCreatePassword(ctx); err != nil {
		return "", false, err
	}
	if _, err := os.Stat(filepath.Join(c.data, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return "", false, err
		}
	}
	if port, ok := c.runningPort(ctx); ok {
		c.port = port
	} else {
		port, perr := c.choosePort()
		if perr != nil {
			return "", false, perr
		}
		c.port, started = port, true
		_ = os.Remove(c.ownerFile()) // whoever owned it is gone: it was not running
		opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", port)
		if out, err := c.pg(ctx, "pg_ctl", "-D", c.data, "-l", c.logPath(), "-w", "-t", "60", "-o", opts, "start"); err != nil {
			return "", false, fmt.Errorf("pg_ctl start: %v: %s (see %s)", err, out, c.logPath())
		}
	}
	if err := c.ensureApplicationDatabase(ctx); err != nil {
		return "", started, err
	}
	return c.URL(Database), started, nil
}

// Stop shuts the cluster down (fast mode: running transactions are rolled back).
func (c *Cluster) Stop(ctx context.Context) error {
	if _, ok := c.runningPort(ctx); !ok {
		return nil
	}
	if out, err := c.pg(ctx, "pg_ctl", "-D", c.data, "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

// ownerFile names the process that stops the cluster when it ends.
func (c *Cluster) ownerFile() string { return filepath.Join(c.dir, "owner.pid") }

// Own makes this process the cluster's owner, the one that stops it when it ends, unless another
// live process owns it: a cluster left running by a server that crashed is adopted, one in use by
// a server that runs is shared and left to it. It reports whether this process owns the cluster.
func (c *Cluster) Own() (bool, error) {
	if b, err := os.ReadFile(c.ownerFile()); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid != os.Getpid() && alive(pid) {
			return false, nil
		}
	}
	return true, os.WriteFile(c.ownerFile(), []byte(strconv.Itoa(os.Getpid())), 0o644)
}

// Release stops the cluster and gives up its ownership.
func (c *Cluster) Release(ctx context.Context) error {
	err := c.Stop(ctx)
	if rerr := os.Remove(c.ownerFile()); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}

// alive reports whether a process with pid runs (signal 0 tests for it without sending one).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// URL is the application role's connection URL for database db.
func (c *Cluster) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(Role, c.password),
		Host: "127.0.0.1:" + strconv.Itoa(c.port), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

func (c *Cluster) superURL() string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword("postgres", c.password),
		Host: "127.0.0.1:" + strconv.Itoa(c.port), Path: "/postgres", RawQuery: "sslmode=disable"}
	return u.String()
}

// logPath is beside the data directory, where the cluster owner may write.
func (c *Cluster) logPath() string { return filepath.Join(filepath.Dir(c.data), "postgres.log") }

// loadOrCreatePassword reads the cluster's password, kept beside its data directory (readable by
// us only). A cluster whose password is lost (its data outlived the file) cannot be entered, so
// it is removed and initialised anew: it holds nothing but this project's development data.
func (c *Cluster) loadOrCreatePassword(ctx context.Context) error {
	path := filepath.Join(filepath.Dir(c.data), "password")
	if b, err := os.ReadFile(path); err == nil {
		c.password = strings.TrimSpace(string(b))
		return nil
	}
	if _, err := os.Stat(filepath.Join(c.data, "PG_VERSION")); err == nil {
		c.pg(ctx, "pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop")
		if err := os.RemoveAll(c.data); err != nil {
			return fmt.Errorf("remove a cluster whose password is lost: %w", err)
		}
	}
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return err
	}
	c.password = hex.EncodeToString(buf)
	if err := os.MkdirAll(filepath.Dir(c.data), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(c.password+"\n"), 0o600)
}

func (c *Cluster) initdb(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Dir(c.data), 0o755); err != nil {
		return err
	}
	// initdb reads the password from a file the cluster owner can read; it is removed right after.
	pw, err := os.CreateTemp(filepath.Dir(c.data), "pwfile")
	if err != nil {
		return err
	}
	defer os.Remove(pw.Name())
	if _, err := pw.WriteString(c.password + "\n"); err != nil {
		return err
	}
	pw.Close()
	if c.runAs != "" {
		if err := c.chownToOwner(filepath.Dir(c.data), pw.Name()); err != nil {
			return err
		}
	}
	out, err := c.pg(ctx, "initdb", "-D", c.data, "-U", "postgres", "--auth=scram-sha-256",
		"--pwfile="+pw.Name(), "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
	if err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	return nil
}

func (c *Cluster) chownToOwner(paths ...string) error {
	u, err := user.Lookup(c.runAs)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, p := range paths {
		if err := os.Chown(p, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// runningPort reports the port of a server already running on this data directory.
func (c *Cluster) runningPort(ctx context.Context) (int, bool) {
	if _, err := c.pg(ctx, "pg_ctl", "-D", c.data, "status"); err != nil {
		return 0, false
	}
	b, err := os.ReadFile(filepath.Join(c.data, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	return port, err == nil
}

func (c *Cluster) ensureApplicationDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.superURL())
	if err != nil {
		return fmt.Errorf("connect to private cluster: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, Role).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		sql := fmt.Sprintf(`CREATE ROLE %s LOGIN CREATEDB PASSWORD %s`,
			pgx.Identifier{Role}.Sanitize(), quoteLiteral(c.password))
		if _, err := conn.Exec(ctx, sql); err != nil {
			return err
		}
	}
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, Database).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s OWNER %s`,
			pgx.Identifier{Database}.Sanitize(), pgx.Identifier{Role}.Sanitize())); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) pg(ctx context.Context, tool string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	path := filepath.Join(c.bin, tool)
	var cmd *exec.Cmd
	if c.runAs != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	// The server must outlive this process's terminal signals (Ctrl-C in make run stops it on purpose).
	cmd.Dir = "/"
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func (c *Cluster) reachable(dir string) bool {
	cmd := exec.Command("runuser", "-u", c.runAs, "--", "test", "-x", dir)
	return cmd.Run() == nil
}

// findBinaries returns the directory holding initdb, pg_ctl and postgres.
func findBinaries() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", errors.New("no PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin); install postgresql or set DATABASE_URL")
	}
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
	return filepath.Dir(matches[0]), nil
}

func versionOf(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

// choosePort keeps the port of the cluster's last start while it is free, so that URLs handed
// out stay valid across restarts; otherwise it takes a free one and remembers it.
func (c *Cluster) choosePort() (int, error) {
	path := filepath.Join(c.dir, "port")
	if b, err := os.ReadFile(path); err == nil {
		if port, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
				l.Close()
				return port, nil
			}
		}
	}
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	return port, os.WriteFile(path, []byte(strconv.Itoa(port)+"\n"), 0o644)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Replica makes the cluster under dir a streaming replica of c, which must be running: a base
// backup of c that follows its write-ahead log (pg_basebackup -R), with c's roles and password.
// Start starts it, read-only; an existing replica under dir is kept.
func (c *Cluster) Replica(ctx context.Context, dir string) (*Cluster, error) {
	r, err := Open(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(r.data, "PG_VERSION")); err == nil {
		return r, nil
	}
	if err := os.MkdirAll(filepath.Dir(r.data), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(r.data), "password"), []byte(c.password+"\n"), 0o600); err != nil {
		return nil, err
	}
	if r.runAs != "" {
		if err := r.chownToOwner(filepath.Dir(r.data)); err != nil {
			return nil, err
		}
	}
	if out, err := r.pg(ctx, "pg_basebackup", "-D", r.data, "-R", "-X", "stream", "-c", "fast", "-d", c.superURL()); err != nil {
		return nil, fmt.Errorf("pg_basebackup: %v: %s", err, out)
	}
	return r, nil
}

// StopNow stops the cluster at once (immediate mode: as a crash would, recovered at the next start).
func (c *Cluster) StopNow(ctx context.Context) error {
	if out, err := c.pg(ctx, "pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}
