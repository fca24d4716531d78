package httpapi

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// MaxHeaderBytes bounds a request's headers (and request line); more is a 431 problem.
const MaxHeaderBytes = 64 << 10

// Configure sets what every instance's http.Server needs: timeouts against slow clients and
// the header limit. Serve it on a Listener, so that net/http's own answers are problems too.
func Configure(srv *http.Server) {
	srv.ReadHeaderTimeout = 5 * time.Second
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 60 * time.Second
	srv.IdleTimeout = 120 * time.Second
	srv.MaxHeaderBytes = MaxHeaderBytes
}

// Listener wraps ln so that the answers net/http writes by itself, before any handler runs, are
// RFC 9457 problem documents like every other error: headers over the limit (431), a request
// that is not HTTP/1.1 (400), an unsupported transfer coding (501) or protocol version (505),
// an Expect header it cannot meet (417). net/http offers no hook for these, so the plain-text
// answers it writes to the connection are recognised and rewritten.
func Listener(ln net.Listener) net.Listener { return problemListener{ln} }

type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return problemConn{c}, nil
}

type problemConn struct{ net.Conn }

// plainAnswer is how net/http writes the answers it gives itself: the status line, then exactly
// these two headers and no Date, in an order no response of a handler has (Go sorts headers, so
// Connection would come before Content-Type, and it adds Date).
var plainAnswer = regexp.MustCompile(`^HTTP/1\.1 (\d{3}) [^\r\n]*\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n(?:\d{3} [A-Za-z ]+(?:: )?)?(.*)$`)

// expectationFailed is net/http's answer to an Expect header other than 100-continue.
var expectationFailed = []byte("HTTP/1.1 417 Expectation Failed\r\n")

func (c problemConn) Write(p []byte) (int, error) {
	if len(p) < 12 || !bytes.HasPrefix(p, []byte("HTTP/1.1 4")) && !bytes.HasPrefix(p, []byte("HTTP/1.1 5")) {
		return c.Conn.Write(p)
	}
	var status int
	var text string
	if m := plainAnswer.FindSubmatch(p); m != nil {
		status, _ = strconv.Atoi(string(m[1]))
		text = string(m[2])
	} else if bytes.HasPrefix(p, expectationFailed) {
		status = http.StatusExpectationFailed
	} else {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(transportProblem(status, text)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// transportProblem is the whole HTTP answer for an error found before the request could be read.
func transportProblem(status int, text string) []byte {
	kind, detail := apperr.Invalid, "the request is not valid HTTP/1.1"
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		kind, detail = apperr.HeadersTooLarge, "the request line and headers exceed "+strconv.Itoa(MaxHeaderBytes>>10)+" KiB"
	case http.StatusNotImplemented:
		kind, detail = apperr.NotImplemented, "the request's transfer coding is not supported; send chunked or a Content-Length"
	case http.StatusHTTPVersionNotSupported:
		kind, detail = apperr.HTTPVersion, "only HTTP/1.1 and HTTP/1.0 are served"
	case http.StatusExpectationFailed:
		kind, detail = apperr.ExpectationFailed, "only the expectation 100-continue is supported"
	case http.StatusBadRequest:
		if text != "" && text != "Bad Request" {
			detail = "the request is not valid HTTP/1.1: " + text
		}
	default:
		detail = http.StatusText(status)
	}
	k := kinds[kind]
	body, _ := json.Marshal(map[string]any{"type": "/problems/" + string(kind), "title": k.title, "status": status,
		"detail": detail, "request_id": uuid.NewString()})
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	b.WriteString("Cache-Control: no-store\r\nConnection: close\r\nContent-Type: " + problemJSON + "\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\nDate: " + time.Now().UTC().Format(http.TimeFormat) + "\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}
