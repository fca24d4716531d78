package httpapi_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// TestEveryAnswerOfTheServerLayerIsAProblem: what net/http and the router answer by themselves,
// before any handler of ours runs, is an RFC 9457 problem document too.
func TestEveryAnswerOfTheServerLayerIsAProblem(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	addr := env.Server.Listener.Addr().String()
	big := strings.Repeat("x", 70<<10)
	tests := []struct {
		name   string
		raw    string
		status int
	}{
		{"headers over 64 KiB", "GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", 431},
		{"a request line over 64 KiB", "GET /livez?" + big + " HTTP/1.1\r\nHost: x\r\n\r\n", 431},
		{"not HTTP", "HELLO\r\n\r\n", 400},
		{"no Host header", "GET /livez HTTP/1.1\r\n\r\n", 400},
		{"two Host headers", "GET /livez HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"a header without a colon", "GET /livez HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n", 400},
		{"a bad Content-Length", "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nContent-Length: -4\r\n\r\n", 400},
		{"an unknown transfer coding", "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"HTTP/2 in plain text", "GET /livez HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"an expectation", "GET /livez HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417},
		{"an unknown route", "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404},
		{"an unknown method", "BREW /livez HTTP/1.1\r\nHost: x\r\n\r\n", 405},
		{"a method a route lacks", "DELETE /api/v1/units HTTP/1.1\r\nHost: x\r\n\r\n", 405},
		{"a body over 1 MiB", "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.Token("secretariat") +
			"\r\nIdempotency-Key: big\r\nContent-Type: application/json\r\nContent-Length: 1048599\r\n\r\n{\"name\":\"" + strings.Repeat("n", 1048588) + "\"}", 413},
		{"an unknown Swagger UI file", "GET /swagger/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n", 404},
		{"a malformed query", "GET /api/v1/units?a=%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			go io.WriteString(conn, tc.raw) // the server may answer before it has read everything
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %q %.200s, want %d application/problem+json", resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.status)
			}
			var p struct {
				Type, Title, Detail string
				Status              int
			}
			if err := json.Unmarshal(body, &p); err != nil || p.Status != tc.status || p.Type == "" || p.Title == "" || p.Detail == "" {
				t.Errorf("problem %s: %+v %v", body, p, err)
			}
			t.Logf("%d %s: %s", p.Status, p.Title, p.Detail)
		})
	}
}
