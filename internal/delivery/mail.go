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
// the delivery's id as its Message-ID.
type MailSender struct {
	cfg  SMTP
	opts []mail.Option
}

// NewMailSender checks the settings and returns a sender; it connects only to send.
func NewMailSender(cfg SMTP) (*MailSender, error) {
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(cfg.Timeout)}
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
	return &MailSender{cfg: cfg, opts: opts}, nil
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
	client, err := mail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return err
	}
	err = client.DialAndSendWithContext(ctx, msg)
	var se *mail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return &Permanent{err}
	}
	return err
}
