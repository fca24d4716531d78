package apptest

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
)

// Mail is a mail the sink received, parsed as a mail client reads it.
type Mail struct {
	Header     mail.Header
	Text, HTML string // the text/plain and text/html parts
}

// MailsTo waits until n mails to address whose subject starts with subject have arrived, for up
// to ten seconds, and returns the ones there are, oldest first.
func (e *Env) MailsTo(t testing.TB, address, subject string, n int) []Mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var out []Mail
		for _, m := range e.Mail.Messages() {
			for _, rcpt := range m.To {
				if rcpt != address {
					continue
				}
				if p := parse(t, m.Data); strings.HasPrefix(p.Subject(), subject) {
					out = append(out, p)
				}
			}
		}
		if len(out) >= n || time.Now().After(deadline) {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func parse(t testing.TB, data []byte) Mail {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("a mail does not parse: %v", err)
	}
	m := Mail{Header: r.Header}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return m
		} else if err != nil {
			t.Fatalf("a mail's part does not parse: %v", err)
		}
		ct, _, _ := p.Header.(*mail.InlineHeader).ContentType()
		b, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		switch ct {
		case "text/plain":
			m.Text = string(b)
		case "text/html":
			m.HTML = string(b)
		}
	}
}

// Subject is the mail's decoded subject.
func (m Mail) Subject() string {
	s, _ := m.Header.Subject()
	return s
}
