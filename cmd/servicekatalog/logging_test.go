package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/config"
)

// syncBuffer is a log's destination that the test reads while the log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if _, rest, ok := strings.Cut(line, `"msg":"`); ok {
			msg, _, _ := strings.Cut(rest, `"`)
			msgs = append(msgs, msg)
		}
	}
	return msgs
}

// TestLogLinesWaitButWarningsDoNot: informational lines wait in the buffer; a warning is
// written at once, after the lines before it; closing writes out the rest, and so does the
// flush interval.
func TestLogLinesWaitButWarningsDoNot(t *testing.T) {
	var out syncBuffer
	log, closeLog := newLogger(config.Config{LogFormat: "json", LogLevel: "info"}, &out, time.Hour)
	steps := []struct {
		do   func()
		want string
	}{
		{func() { log.Info("request one") }, ""},
		{func() { log.Warn("database slow") }, "request one,database slow"},
		{func() { log.Info("request two") }, "request one,database slow"},
		{func() { log.Error("database gone") }, "request one,database slow,request two,database gone"},
		{func() { log.Info("request three") }, "request one,database slow,request two,database gone"},
		{closeLog, "request one,database slow,request two,database gone,request three"},
	}
	for i, s := range steps {
		s.do()
		if got := strings.Join(out.messages(), ","); got != s.want {
			t.Fatalf("step %d: written %q, want %q", i, got, s.want)
		}
	}

	var ticked syncBuffer
	log, closeLog = newLogger(config.Config{LogFormat: "json", LogLevel: "info"}, &ticked, 10*time.Millisecond)
	defer closeLog()
	log.Info("request four")
	eventually(t, "the line written after the flush interval", 5*time.Second, func() bool {
		return strings.Join(ticked.messages(), ",") == "request four"
	})
}
