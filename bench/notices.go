package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/servicekatalog/servicekatalog/internal/mailsink"
)

// noticeName is the notice bench's name for -run.
const noticeName = "notice to 98 mailboxes"

// noticeReport is the notice bench: one high-priority outage notice to every municipality at a
// time, published and then delivered over SMTP to the bench's own mail sink, against the bare
// server inserting the same number of rows in one transaction.
type noticeReport struct {
	Scenario   string  `json:"scenario"`
	Recipients int     `json:"recipients"`
	Rows       int     `json:"rows_per_publish"`
	Notices    int     `json:"notices"`
	BaseP50    float64 `json:"baseline_insert_p50_ms"`
	PublishP50 float64 `json:"publish_p50_ms"`
	PublishMax float64 `json:"publish_max_ms"`
	Ratio      float64 `json:"publish_ratio"` // publish ÷ bare insert, latency
	PublishMet bool    `json:"publish_met"`
	LastP50    float64 `json:"last_delivery_p50_ms"` // from the publish's request to the last mail received
	LastMax    float64 `json:"last_delivery_max_ms"`
	PerSecond  float64 `json:"deliveries_per_second"` // recipients ÷ time to the last, median
	LastMet    bool    `json:"last_delivery_met"`
}

// noticeRows is the rows a high-priority notice to 98 mailboxes writes: the notice, its two
// escalation steps' jobs and, per municipality, its acknowledgement, its delivery and the
// delivery's job.
const noticeRows = 1 + 2 + 98*3

// benchNotices publishes n notices one after another (after two to warm up), each waited for
// until its last mail arrived, and as many bare inserts of the same rows: the bare deliveries
// carry a message the product rendered.
func benchNotices(ctx context.Context, dbURL, product, baseline, token string, sink *mailsink.Sink, n int) (noticeReport, error) {
	c := &http.Client{Timeout: 30 * time.Second}
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return noticeReport{}, err
	}
	defer db.Close(ctx)
	var base, publish, last, rate []float64
	recipients := 0
	message := json.RawMessage(`{}`)
	for i := -2; i < n; i++ {
		title := fmt.Sprintf("Bench outage %d-%d", runID, i)
		body, _ := json.Marshal(map[string]any{"tags": []string{"NEDBRUD"}, "high_priority": true, "title": title,
			"body":  "Virtual servers in the Ballerup data centre do not answer since 09:12.\n\n- Affected: **CMP-01**\n- Next update at 10:00",
			"scope": map[string]any{"all": true}})
		bare, _ := json.Marshal(map[string]any{"rows": noticeRows, "deliveries": 98, "notice": json.RawMessage(body), "message": message})
		t0 := time.Now()
		if _, err := post(c, baseline+"/fanout", "", bare, nil); err != nil {
			return noticeReport{}, err
		}
		b := time.Since(t0)
		seen := len(sink.Messages())
		t0 = time.Now()
		out, err := post(c, product+"/api/v1/notices", token, body, map[string]string{"Idempotency-Key": fmt.Sprintf("notice-%d-%d", runID, i)})
		if err != nil {
			return noticeReport{}, err
		}
		p := time.Since(t0)
		var pub struct {
			Subject    string   `json:"subject"`
			Recipients []string `json:"recipients"`
		}
		json.Unmarshal(out, &pub)
		recipients = len(pub.Recipients)
		at, err := lastArrival(sink, seen, pub.Subject, recipients, 30*time.Second)
		if err != nil {
			return noticeReport{}, err
		}
		if i < 0 {
			err := db.QueryRow(ctx, `SELECT message FROM deliveries WHERE subject_type = 'notice' ORDER BY created_at DESC LIMIT 1`).Scan(&message)
			if err != nil {
				return noticeReport{}, err
			}
			continue
		}
		l := at.Sub(t0)
		base, publish, last = append(base, ms(b)), append(publish, ms(p)), append(last, ms(l))
		rate = append(rate, float64(recipients)/l.Seconds())
	}
	r := noticeReport{Scenario: noticeName, Recipients: recipients, Rows: noticeRows, Notices: n,
		BaseP50: median(base), PublishP50: median(publish), PublishMax: maxOf(publish), LastP50: median(last), LastMax: maxOf(last),
		PerSecond: median(rate)}
	r.Ratio = r.PublishP50 / r.BaseP50
	r.PublishMet, r.LastMet = r.Ratio <= 2.5, r.LastMax <= 2000
	return r, nil
}

// lastArrival waits until the sink, past its first seen messages, holds want mails with subject,
// and returns when the last of them arrived.
func lastArrival(sink *mailsink.Sink, seen int, subject string, want int, within time.Duration) (time.Time, error) {
	got, last := 0, time.Time{}
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		msgs := sink.Messages()
		for _, m := range msgs[seen:] {
			h, err := mail.ReadMessage(bytes.NewReader(m.Data))
			if err != nil {
				return last, err
			}
			if s, _ := new(mime.WordDecoder).DecodeHeader(h.Header.Get("Subject")); s == subject {
				got++
				last = m.At
			}
		}
		seen = len(msgs)
		if got >= want {
			return last, nil
		}
	}
	return last, fmt.Errorf("%q: %d of %d mails within %v", subject, got, want, within)
}

func post(c *http.Client, u, auth string, body []byte, header map[string]string) ([]byte, error) {
	req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 {
		return nil, fmt.Errorf("POST %s: %d %s", u, resp.StatusCode, b)
	}
	return b, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func maxOf(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)-1]
}

func (r noticeReport) print(w io.Writer) {
	fmt.Fprintf(w, "%s (%d rows each, %d notices one at a time):\n", r.Scenario, r.Rows, r.Notices)
	fmt.Fprintf(w, "  publish: bare insert p50 %.2fms, product p50 %.2fms (max %.2fms): %.2f× (target ≤ 2.5×) %v\n",
		r.BaseP50, r.PublishP50, r.PublishMax, r.Ratio, r.PublishMet)
	fmt.Fprintf(w, "  delivery over SMTP: last of %d after p50 %.0fms, max %.0fms; %.0f deliveries/s (target last ≤ 2000ms) %v\n",
		r.Recipients, r.LastP50, r.LastMax, r.PerSecond, r.LastMet)
}
