package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/config"
)

// logFlushEvery is how long a log line may wait in the buffer: what a crash can lose of the
// informational lines (the access log's line per request), never of a warning or an error.
const logFlushEvery = 100 * time.Millisecond

// newLogger logs to w at cfg's level and in its format, through a logBuffer flushed every
// flushEvery; closeLog writes out what is buffered.
func newLogger(cfg config.Config, w io.Writer, flushEvery time.Duration) (log *slog.Logger, closeLog func()) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	b := newLogBuffer(w, flushEvery)
	var h slog.Handler = slog.NewJSONHandler(b, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(b, opts)
	}
	return slog.New(flushingHandler{h, b}), b.close
}

// logBuffer gathers log lines and writes them out every flushEvery, as Envoy's file access log
// does (every second), so that the access log's line per request costs no system call of its own.
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop context.CancelFunc
	done chan struct{}
}

func newLogBuffer(w io.Writer, flushEvery time.Duration) *logBuffer {
	ctx, stop := context.WithCancel(context.Background())
	b := &logBuffer{w: bufio.NewWriterSize(w, 64<<10), stop: stop, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				b.flush()
			}
		}
	}()
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *logBuffer) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.w.Flush() // a log that cannot be written has nowhere to say so
}

func (b *logBuffer) close() {
	b.stop()
	<-b.done
	b.flush()
}

// flushingHandler writes a warning or an error out at once, with the lines buffered before it.
type flushingHandler struct {
	slog.Handler
	b *logBuffer
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.b.flush()
	}
	return err
}

func (h flushingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(as), h.b}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.b}
}
