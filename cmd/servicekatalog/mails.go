package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/servicekatalog/servicekatalog/internal/config"
	"github.com/servicekatalog/servicekatalog/internal/mailsink"
)

// shownHeaders are the headers `mails N` prints, in this order: what a mail rule or a reader
// of the mailbox goes by.
var shownHeaders = []string{"Message-Id", "Date", "From", "To", "Subject", "Importance", "X-Priority", "List-Id",
	"In-Reply-To", "References", "Thread-Topic", "Thread-Index"}

// mailsCmd lists the mails the development sink kept (mails), by recipient and as they arrived,
// or shows one (mails N): its headers and its text part. --to keeps the mails to one address,
// --subject those whose subject contains a text. With --at-least N it first waits, up to ten
// seconds, until the sink holds N mails of those: mail leaves a moment after the change that sends it.
func mailsCmd(ctx context.Context, cfg config.Config, args []string, out io.Writer) error {
	if cfg.SMTPHost != "" {
		return fmt.Errorf("mail goes to SMTP_HOST %s, not to the sink: read it there", cfg.SMTPHost)
	}
	fs := flag.NewFlagSet("mails", flag.ContinueOnError)
	atLeast := fs.Int("at-least", 0, "wait until the sink holds this many mails (to --to)")
	only := fs.String("to", "", "only the mails to this address")
	subject := fs.String("subject", "", "only the mails whose subject contains this text")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("mails: %w", errUsage)
	}
	args = fs.Args()
	dir := filepath.Join(cfg.DataDir, "mail")
	read := func() ([]mailsink.Stored, []string, error) {
		all, err := mailsink.Read(dir)
		var out []mailsink.Stored
		var to []string
		for _, m := range all {
			h, herr := header(m.Data)
			if herr != nil {
				return nil, nil, fmt.Errorf("%s: %w", m.File, herr)
			}
			if (*only == "" || strings.EqualFold(strings.Trim(h.Get("To"), "<>"), *only)) && strings.Contains(h.Get("Subject"), *subject) {
				out, to = append(out, m), append(to, h.Get("To"))
			}
		}
		return out, to, err
	}
	stored, to, err := read()
	for deadline := time.Now().Add(10 * time.Second); err == nil && len(stored) < *atLeast; stored, to, err = read() {
		if time.Now().After(deadline) {
			return fmt.Errorf("the sink holds %d mails, not %d, after ten seconds", len(stored), *atLeast)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err != nil {
		return err
	}
	// By recipient, each one's mails as they arrived: deliveries to different addresses race.
	order := make([]int, len(stored))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return to[order[a]] < to[order[b]] })
	sorted := make([]mailsink.Stored, len(stored))
	for i, j := range order {
		sorted[i] = stored[j]
	}
	stored = sorted
	if len(args) == 0 {
		if len(stored) == 0 {
			fmt.Fprintln(out, "no mail yet")
		}
		for i, s := range stored {
			h, err := header(s.Data)
			if err != nil {
				return fmt.Errorf("%s: %w", s.File, err)
			}
			subject, _ := h.Subject()
			fmt.Fprintf(out, "%3d  %-28s %s\n", i+1, h.Get("To"), subject)
		}
		return nil
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 || n > len(stored) {
		return fmt.Errorf("mails %s: give a number from 1 to %d: %w", args[0], len(stored), errUsage)
	}
	r, err := mail.CreateReader(bytes.NewReader(stored[n-1].Data))
	if err != nil {
		return err
	}
	for _, k := range shownHeaders {
		v := r.Header.Get(k)
		if k == "Subject" {
			v, _ = r.Header.Subject()
		}
		if v != "" {
			fmt.Fprintf(out, "%s: %s\n", k, v)
		}
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if ct, _, _ := p.Header.(*mail.InlineHeader).ContentType(); ct == "text/plain" {
			body, err := io.ReadAll(p.Body)
			if err != nil {
				return err
			}
			// Mail travels with CRLF line ends; a terminal shows lines.
			fmt.Fprintf(out, "\n%s\n", strings.TrimRight(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n"))
		}
	}
}

func header(data []byte) (mail.Header, error) {
	r, err := mail.CreateReader(bytes.NewReader(data))
	if err != nil {
		return mail.Header{}, err
	}
	return r.Header, nil
}
