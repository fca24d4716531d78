package delivery_test

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/mailsink"
)

// Mails in a row share a connection; one the server closed while it was idle is replaced before
// anything is sent over it, and the mail goes over the next.
func TestMailsShareAConnectionAndAClosedOneIsReplaced(t *testing.T) {
	sink, err := mailsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	addr := sink.Addr()
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	sender, err := delivery.NewMailSender(delivery.SMTP{Host: host, Port: p, TLS: "none", From: "Servicekatalog <noreply@servicekatalog.test>",
		Domain: "servicekatalog.test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	send := func(id string) {
		t.Helper()
		if err := sender.Send(context.Background(), id, "it-drift@kk.example", delivery.Message{Subject: "Mail " + id, Text: "Text.\n"}); err != nil {
			t.Fatalf("send %s: %v", id, err)
		}
	}
	for _, id := range []string{"a", "b", "c"} {
		send(id)
	}
	if got := sink.Messages(); len(got) != 3 || got[0].Conn != 1 || got[1].Conn != 1 || got[2].Conn != 1 {
		t.Errorf("three mails in a row: %d mails, connections %v", len(got), conns(got))
	}

	sink.Close() // the server goes, and comes back on the same address
	again, err := mailsink.Start(addr, "")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	send("d")
	if got := again.Messages(); len(got) != 1 || got[0].Conn != 1 {
		t.Errorf("after the server closed the connection: %d mails, connections %v", len(got), conns(got))
	}
}

func conns(ms []mailsink.Message) []int {
	out := make([]int, len(ms))
	for i, m := range ms {
		out[i] = m.Conn
	}
	return out
}
