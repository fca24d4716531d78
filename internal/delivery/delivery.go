// Package delivery carries every message the platform sends, by mail (SMTP) or signed webhook,
// through one pipeline: one delivery row per recipient and channel is the record (state,
// attempts, next attempt); a job per delivery, enqueued in the transaction that causes it, sends
// it and retries with backoff; permanent failures and exhausted retries end in the dead letter
// list, from which an administrator redrives. Delivery is at least once, and a duplicate carries
// the same Message-ID or webhook-id, so the receiver can drop it.
package delivery

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/clock"
)

// Channel is how a delivery travels.
type Channel string

// The channels.
const (
	Mail    Channel = "mail"
	Webhook Channel = "webhook"
)

// State is where a delivery stands.
type State string

// The states of a delivery.
const (
	Pending   State = "pending"   // waiting for its first attempt
	Retrying  State = "retrying"  // an attempt failed for a reason that may pass; another follows
	Delivered State = "delivered" // the receiver accepted it
	Dead      State = "dead"      // failed for good, or out of attempts: in the dead letter list
)

// States lists the states of a delivery.
var States = []State{Pending, Retrying, Delivered, Dead}

// Message is what one delivery carries. For mail, Subject, Headers, Text and HTML; for a
// webhook, Event and Payload.
type Message struct {
	Subject string            `json:"subject,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Text    string            `json:"text,omitempty"`
	HTML    string            `json:"html,omitempty"`
	Event   string            `json:"event,omitempty"`
	Payload any               `json:"payload,omitempty" swaggertype:"object"`
	// Endpoint is the webhook a webhook delivery goes to; its secrets sign each attempt.
	Endpoint string `json:"endpoint,omitempty" format:"uuid"`
}

// New is a delivery to create: what it is about (Subject), who it is for and what it carries.
type New struct {
	// SubjectType and SubjectID name what the delivery is about (a notice, a confirmation); with
	// the channel and recipient they make the delivery's identity, so the same event is never
	// delivered twice to the same recipient.
	SubjectType, SubjectID string
	Channel                Channel
	Recipient              string // an address, or the webhook's URL
	// Tenant is whose delivery it is (the receiving municipality or unit); Sender the tenant on
	// whose behalf it is sent (a unit, the platform).
	Tenant, Sender string
	Message        Message
	// Secret, when set, replaces SecretPlaceholder in the message's text and HTML as it is sent;
	// it is never shown with the delivery. It is the token of a link that acts for the recipient.
	Secret string
}

// SecretPlaceholder marks where a delivery's secret goes in its message.
const SecretPlaceholder = "__secret__" // safe in a URL, so templates leave it as it is

var namespace = uuid.MustParse("5b0c2b1e-8f3a-4c55-9a51-3d3c5e0f5a11")

// ID is the identity of the delivery of subject to recipient on channel: the same inputs always
// give the same id, which becomes its Message-ID (mail) or webhook-id.
func ID(subjectType, subjectID string, ch Channel, recipient string) string {
	return uuid.NewSHA1(namespace, []byte(subjectType+"\x00"+subjectID+"\x00"+string(ch)+"\x00"+recipient)).String()
}

// MaxAttempts is how many times a delivery is tried before it is dead.
const MaxAttempts = 10

// webhookSchedule is the Standard Webhooks retry schedule: the wait before attempt 2, 3, …
var webhookSchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 10 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// Backoff is the wait after failed attempt n (1-based) on ch: for mail 30 s doubling up to an
// hour, for webhooks the Standard Webhooks schedule; either with up to 20 % jitter, so that many
// deliveries failing together do not come back together.
func Backoff(ch Channel, n int, jitter *rand.Rand) time.Duration {
	var d time.Duration
	switch {
	case ch == Webhook:
		d = webhookSchedule[min(n, len(webhookSchedule))-1]
	case n >= 8:
		d = time.Hour
	default:
		d = min(30*time.Second<<(n-1), time.Hour)
	}
	f := 0.8 + 0.4*rand.Float64()
	if jitter != nil {
		f = 0.8 + 0.4*jitter.Float64()
	}
	return time.Duration(float64(d) * f)
}

var danishMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
	"november", "december"}

// When is how a mail says a moment to its readers, in Copenhagen time: in Danish
// ("3. december 2026 kl. 09.30") and in English ("3 December 2026, 09:30 Copenhagen time").
func When(t time.Time) (da, en string) {
	t = t.In(clock.Copenhagen)
	da = fmt.Sprintf("%d. %s %d kl. %02d.%02d", t.Day(), danishMonths[t.Month()-1], t.Year(), t.Hour(), t.Minute())
	en = t.Format("2 January 2006, 15:04") + " Copenhagen time"
	return da, en
}
