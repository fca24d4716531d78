// Package mailsink is an SMTP server on loopback that keeps what it receives: the mail server of
// `make run` (so a newcomer sees the notices the platform sends, as files under DATA_DIR/mail)
// and of the tests. It accepts any sender and recipient; a test can make it answer a recipient
// with an SMTP error.
package mailsink

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message as received: the envelope and the raw RFC 5322 text.
type Message struct {
	From string
	To   []string
	Data []byte
	At   time.Time
	// Conn numbers the connection the message came over, from 1 in each sink.
	Conn int
}

// Sink is a running SMTP server.
type Sink struct {
	srv    *smtp.Server
	ln     net.Listener
	dir    string
	mu     sync.Mutex
	msgs   []Message
	reject func(rcpt string) error
	slow   time.Duration
	seq    int
	conns  int
}

// Start listens on addr (e.g. 127.0.0.1:0) and keeps messages in memory and, when dir is not
// empty, as numbered .eml files in dir.
func Start(addr, dir string) (*Sink, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Sink{ln: ln, dir: dir}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.conns++
		return &session{sink: s, conn: s.conns}, nil
	}))
	s.srv.Domain = "mailsink.localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	s.srv.MaxMessageBytes = 10 << 20
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is where the sink listens.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Close stops the server.
func (s *Sink) Close() error { return s.srv.Close() }

// Reject makes the sink answer RCPT TO with fn's error (an *smtp.SMTPError says the code) for
// the recipients it returns one for; nil accepts everyone again.
func (s *Sink) Reject(fn func(rcpt string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = fn
}

// Slow makes the sink wait d after keeping each message before it answers, as a busy server does:
// a sender that dies meanwhile has had its mail received without knowing it.
func (s *Sink) Slow(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slow = d
}

// Messages returns what the sink received, oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

func (s *Sink) keep(m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	s.seq++
	if s.dir == "" {
		return nil
	}
	name := filepath.Join(s.dir, fmt.Sprintf("%s-%04d.eml", m.At.UTC().Format("20060102T150405"), s.seq))
	return os.WriteFile(name, m.Data, 0o640)
}

type session struct {
	sink *Sink
	conn int
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.sink.mu.Lock()
	reject := x.sink.reject
	x.sink.mu.Unlock()
	if reject != nil {
		if err := reject(to); err != nil {
			return err
		}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	if len(x.to) == 0 {
		return errors.New("no recipients")
	}
	if err := x.sink.keep(Message{From: x.from, To: x.to, Data: b.Bytes(), At: time.Now(), Conn: x.conn}); err != nil {
		return err
	}
	x.sink.mu.Lock()
	slow := x.sink.slow
	x.sink.mu.Unlock()
	time.Sleep(slow)
	return nil
}

// Stored is a mail kept under a sink's directory.
type Stored struct {
	File string
	Data []byte
}

// Read returns the mails kept in dir, oldest first.
func Read(dir string) ([]Stored, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]Stored, 0, len(names))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, Stored{File: n, Data: b})
	}
	return out, nil
}
