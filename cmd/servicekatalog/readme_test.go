package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

var update = flag.Bool("update", false, "record the output of the README's walk-through anew")

// walkthroughClock is the day the README's walk-through runs on: a Monday morning in Copenhagen.
const walkthroughClock = "2026-11-23T09:30:00+01:00"

// step is one command of the README's walk-through and the output the README shows for it.
type step struct {
	line int // of the command in README.md, from 1
	cmd  string
	want []string
	out  int // index of the first output line in the file's lines
}

// walkthrough reads the README's console blocks: a line "$ cmd" is a command, continued on the
// next line while it ends in a backslash or inside a quoted string, as a shell would read it; the
// lines after it until the next command are its output.
func walkthrough(lines []string) []step {
	var steps []step
	in := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case !in && l == "```console":
			in = true
		case in && l == "```":
			in = false
		case in && strings.HasPrefix(l, "$ "):
			s := step{line: i + 1, cmd: strings.TrimPrefix(l, "$ ")}
			for incomplete(s.cmd) {
				i++
				s.cmd += "\n" + lines[i]
			}
			s.out = i + 1
			steps = append(steps, s)
		case in && len(steps) > 0:
			steps[len(steps)-1].want = append(steps[len(steps)-1].want, l)
		}
	}
	return steps
}

// incomplete reports whether a shell would read on after cmd: it ends in an escaped newline or
// inside single or double quotes.
func incomplete(cmd string) bool {
	var quote rune
	escaped := false
	for _, r := range cmd {
		switch {
		case escaped:
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			}
		case r == '\\':
			escaped = true
		case quote == '"':
			if r == '"' {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		}
	}
	return quote != 0 || escaped
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timeRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
)

// normaliser makes two runs comparable: each id becomes its place among the ids seen so far
// (so an id that comes back must be the same one), and instants become <time>.
type normaliser map[string]string

func (n normaliser) line(s string) string {
	s = uuidRE.ReplaceAllStringFunc(s, func(id string) string {
		if _, ok := n[id]; !ok {
			n[id] = fmt.Sprintf("<id %d>", len(n)+1)
		}
		return n[id]
	})
	return timeRE.ReplaceAllString(s, "<time>")
}

// TestTheREADMEWalkThroughRunsAsShown runs every command of the README's console blocks, in
// order, in one shell state (variables and functions carry over), against the real server on a
// fresh database with the demo data, and compares each output with the README's (ids and times
// aside). With -update it writes the outputs into the README instead.
func TestTheREADMEWalkThroughRunsAsShown(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README walk-through needs %s (apt-get install %s)", tool, tool)
		}
	}
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	steps := walkthrough(lines)
	if len(steps) < 40 {
		t.Fatalf("only %d commands in the README's console blocks", len(steps))
	}

	// The reader's checkout: the binary under bin/, the catalogue beside it.
	work := t.TempDir()
	if err := os.MkdirAll(filepath.Join(work, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(build(t), filepath.Join(work, "bin", "servicekatalog")); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-r", "../../catalog", work).CombinedOutput(); err != nil {
		t.Fatalf("copy the catalogue: %v %s", err, out)
	}
	addr := freeAddr(t)
	env := append(os.Environ(), "DATABASE_URL="+pgtest.NewURL(t), "ADDR="+addr, "PUBLIC_URL=http://"+addr,
		"APP_ENV=development", "LOG_FORMAT=json", "LOG_LEVEL=warn", "CLOCK_START="+walkthroughClock, "DATA_DIR="+filepath.Join(work, ".data"))
	_, logs := startServer(t, filepath.Join(work, "bin", "servicekatalog"), env, work)
	eventually(t, "ready", 30*time.Second, func() bool { s, _ := get("http://" + addr + "/readyz"); return s == 200 })

	state := filepath.Join(work, ".shell-state")
	if err := os.WriteFile(state, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	wantN, gotN := normaliser{}, normaliser{}
	failed := 0
	for i := range steps {
		s := &steps[i]
		sh := exec.Command("bash", "-c", `__sk_cmd=$SK_CMD __sk_state=$SK_STATE; unset SK_CMD SK_STATE; source "$__sk_state"
			set -o pipefail; eval "$__sk_cmd"; __sk_status=$?
			{ export -p; declare -f; } > "$__sk_state"; exit $__sk_status`)
		sh.Dir = work
		sh.Env = append(env, "SK_STATE="+state, "SK_CMD="+strings.ReplaceAll(s.cmd, "localhost:8080", addr))
		out, err := sh.CombinedOutput()
		got := strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(out), addr, "localhost:8080"), "\n"), "\n")
		if len(out) == 0 {
			got = nil
		}
		if err != nil {
			t.Errorf("README.md:%d: %s\nfailed: %v\n%s", s.line, s.cmd, err, out)
			failed++
		}
		if *update {
			s.want = got
			continue
		}
		var want, have []string
		for _, l := range s.want {
			want = append(want, wantN.line(l))
		}
		for _, l := range got {
			have = append(have, gotN.line(l))
		}
		if strings.Join(want, "\n") != strings.Join(have, "\n") {
			t.Errorf("README.md:%d: %s\nthe README shows:\n%s\nthe command printed:\n%s", s.line, s.cmd,
				strings.Join(want, "\n"), strings.Join(have, "\n"))
			failed++
		}
	}
	if *update && failed > 0 {
		t.Fatalf("%d commands failed: README.md is left as it was", failed)
	}
	if *update {
		var out []string
		next := 0
		for _, s := range steps {
			out = append(out, lines[next:s.out]...)
			out = append(out, s.want...)
			next = s.out
			for next < len(lines) && !strings.HasPrefix(lines[next], "$ ") && lines[next] != "```" {
				next++
			}
		}
		out = append(out, lines[next:]...)
		if err := os.WriteFile("../../README.md", []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded the output of %d commands into README.md", len(steps))
		return
	}
	t.Logf("%d commands of the README run as shown (%d differ)", len(steps), failed)
	if failed > 0 {
		t.Logf("server log:\n%s", logs.String())
	}
}
