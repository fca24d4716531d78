package delivery

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/wneessen/go-mail"
)

// SMTP is how mail leaves the platform.
type SMTP struct {
	Host     string
	Port     int
	TLS      string // "starttls" (required), "tls" (implicit, port 465) or "none" (loopback and tests only)
	Username string
	Password string
	From     string // the sender, e.g. "Servicekatalog <noreply@servicekatalog.example>"
	// Domain is the right-hand side of the Message-IDs, e.g. servicekatalog.example.
	Domain  string
	Timeout time.Duration
}

// MailSender sends deliveries as mail through an SMTP server, one message per delivery with
// the delivery's id as its Message-ID. It keeps a few connections open between messages, so that
// a busy moment does not pay a connection, a greeting and a TLS handshake for every mail.
type MailSender struct {
	cfg  SMTP
	opts []mail.Option
	idle chan idleConn
}

// idleConn is a connection kept open after a message, and since when.
type idleConn struct {
	client *mail.Client
	since  time.Time
}

const (
	// idleConns is how many connections wait for the next message at most.
	idleConns = 4
	// idleFor is how long one waits: well below the 5 minutes RFC 5321 lets a server wait for a
	// command, so that servers seldom close one first.
	idleFor = 30 * time.Second
)

// NewMailSender checks the settings and returns a sender; it connects only to send.
func NewMailSender(cfg SMTP) (*MailSender, error) {
	// A message on a kept connection is MAIL, RCPT, DATA and the text: no NOOP before it (a
	// connection the server closed fails at MAIL, before anything is accepted, and is replaced)
	// and no RSET after it, since a completed transaction leaves the session reset (RFC 5321
	// 4.1.1.4). Two round trips of six fewer per mail.
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(cfg.Timeout), mail.WithoutNoop(), mail.WithoutRset()}
	switch cfg.TLS {
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("SMTP TLS mode %q is not starttls, tls or none", cfg.TLS)
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	if _, err := mail.NewClient(cfg.Host, opts...); err != nil {
		return nil, err
	}
	m := mail.NewMsg()
	if err := m.From(cfg.From); err != nil {
		return nil, fmt.Errorf("MAIL_FROM %q: %w", cfg.From, err)
	}
	return &MailSender{cfg: cfg, opts: opts, idle: make(chan idleConn, idleConns)}, nil
}

// MessageID is the Message-ID of delivery id, without the angle brackets.
func (s *MailSender) MessageID(id string) string { return MessageID(id, s.cfg.Domain) }

// MessageID is the Message-ID of delivery id in domain, without the angle brackets.
func MessageID(id, domain string) string { return id + "@" + domain }

// Send builds the message and hands it to the SMTP server. A 5xx answer is Permanent; anything
// else (4xx, no connection, a timeout) may pass.
func (s *MailSender) Send(ctx context.Context, id, recipient string, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return &Permanent{err}
	}
	if err := msg.To(recipient); err != nil {
		return &Permanent{fmt.Errorf("recipient %q: %w", recipient, err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(s.MessageID(id))
	msg.SetDate()
	names := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		msg.SetGenHeader(mail.Header(k), m.Headers[k])
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	err := s.send(ctx, msg)
	var se *mail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return &Permanent{err}
	}
	return err
}

// send hands msg to the server over an idle connection when one is open, else over a new one. A
// connection the server closed while it was idle fails at MAIL, and one the server will take no
// more messages on answers 4xx, before the message is accepted: either is replaced, and the
// message goes over the next.
func (s *MailSender) send(ctx context.Context, msg *mail.Msg) error {
	for {
		client, reused := s.take()
		if client == nil {
			var err error
			if client, err = mail.NewClient(s.cfg.Host, s.opts...); err != nil {
				return err
			}
			if err := client.DialWithContext(ctx); err != nil {
				return err
			}
		}
		err := client.Send(msg)
		var se *mail.SendError
		switch {
		case err == nil:
			s.keep(client)
			return nil
		case msg.IsDelivered(): // accepted; only the reset after it failed
			client.Close()
			return nil
		case reused && errors.As(err, &se) && (se.Reason == mail.ErrSMTPMailFrom && se.ErrorCode() < 500 || se.IsTemp()):
			client.Close()
		default:
			client.Close()
			return err
		}
	}
}

// take returns an idle connection, closing those that waited too long, or nil.
func (s *MailSender) take() (*mail.Client, bool) {
	for {
		select {
		case c := <-s.idle:
			if time.Since(c.since) < idleFor {
				return c.client, true
			}
			c.client.Close()
		default:
			return nil, false
		}
	}
}

// keep lets client wait for the next message, or closes it when enough wait.
func (s *MailSender) keep(client *mail.Client) {
	select {
	case s.idle <- idleConn{client: client, since: time.Now()}:
	default:
		client.Close()
	}
}
