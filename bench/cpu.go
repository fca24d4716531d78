package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuTimes is the CPU time used so far by the whole machine, by the server under test and by
// PostgreSQL's processes, read from /proc. A scenario's CPU per operation compares the two sides
// whatever the machine's speed does from one run to the next, which moves the rates by a quarter.
type cpuTimes struct{ machine, server, postgres time.Duration }

// tick is the kernel's unit of CPU time in /proc (USER_HZ, 100 on Linux).
const tick = 10 * time.Millisecond

func readCPU(server int) cpuTimes {
	var t cpuTimes
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
		for _, i := range []int{1, 2, 3, 6, 7} {
			if i < len(f) {
				n, _ := strconv.ParseInt(f[i], 10, 64)
				t.machine += time.Duration(n) * tick
			}
		}
	}
	t.server = processCPU(strconv.Itoa(server))
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if comm, err := os.ReadFile(filepath.Join(d, "comm")); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			t.postgres += processCPU(filepath.Base(d))
		}
	}
	return t
}

// processCPU is the user and system time process pid has used.
func processCPU(pid string) time.Duration {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command's closing parenthesis, from the state (field 3) on; utime and
	// stime are fields 14 and 15.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * tick
}

// cpuPerOp is what one operation cost, in milliseconds of CPU.
type cpuPerOp struct {
	Machine  float64 `json:"machine_ms"`
	Server   float64 `json:"server_ms"`
	Postgres float64 `json:"postgres_ms"`
}

func perOp(before, after cpuTimes, ops int64) cpuPerOp {
	if ops == 0 {
		return cpuPerOp{}
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(ops) }
	return cpuPerOp{Machine: ms(after.machine - before.machine), Server: ms(after.server - before.server),
		Postgres: ms(after.postgres - before.postgres)}
}
