package delivery

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/jobs"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// Delivery is the record of one message to one recipient on one channel.
type Delivery struct {
	ID            string     `json:"id" format:"uuid"` // also the Message-ID (mail) or webhook-id
	SubjectType   string     `json:"subject_type" example:"notice"`
	SubjectID     string     `json:"subject_id"`
	Channel       Channel    `json:"channel"`
	Recipient     string     `json:"recipient" example:"it-drift@kk.example"`
	Tenant        string     `json:"tenant" example:"municipality:101"`
	Sender        string     `json:"sender" example:"unit:midt"`
	Message       Message    `json:"message"`
	State         State      `json:"state"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at" format:"date-time" extensions:"x-nullable"`
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at" format:"date-time"`
	UpdatedAt     time.Time  `json:"updated_at" format:"date-time"`
	DeliveredAt   *time.Time `json:"delivered_at" format:"date-time" extensions:"x-nullable"`
	Version       int        `json:"version"`
	History       []Attempt  `json:"attempt_history,omitempty"`
}

// Attempt is one try at a delivery.
type Attempt struct {
	N          int       `json:"n" gorm:"column:n"`
	At         time.Time `json:"at" format:"date-time"`
	Outcome    string    `json:"outcome" enums:"delivered,temporary,permanent"`
	Error      string    `json:"error"`
	DurationMS int       `json:"duration_ms"`
	Worker     string    `json:"worker"`
}

// Permanent marks a failure that retrying cannot mend (an SMTP 5xx, a webhook's 410 Gone).
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// Sender sends one delivery's message to its recipient; id is the delivery's id (Message-ID,
// webhook-id). A *Permanent error stops the retries.
type Sender interface {
	Send(ctx context.Context, id, recipient string, m Message) error
}

// Options wire the service.
type Options struct {
	Senders map[Channel]Sender
	// Worker names this process in each attempt.
	Worker string
	// Backoff is the wait after a failed attempt; nil: the package's Backoff. Tests shorten it.
	Backoff func(ch Channel, n int, jitter *rand.Rand) time.Duration
	// WebhookTimeout bounds each webhook attempt; AllowPrivateWebhooks lets webhooks reach
	// loopback, private and link-local addresses and plain http (development and tests only).
	WebhookTimeout       time.Duration
	AllowPrivateWebhooks bool
	// RescueAfter is how long a job runs before River deems its process dead and runs it again
	// (JOB_RESCUE_AFTER): an attempt that old was cut off, not refused.
	RescueAfter time.Duration
}

// Service is the deliveries' use cases and the worker that sends them.
type Service struct {
	db    *postgres.DB
	store store
	jobs  *jobs.Jobs
	audit *audit.Log
	clock clock.Clock
	opt   Options
}

// NewService returns the delivery service and registers its worker with j.
func NewService(db *postgres.DB, log *audit.Log, j *jobs.Jobs, c clock.Clock, o Options) *Service {
	if o.Backoff == nil {
		o.Backoff = Backoff
	}
	s := &Service{db: db, store: store{db}, jobs: j, audit: log, clock: c, opt: o}
	senders := map[Channel]Sender{Webhook: s.NewWebhookSender(cmp.Or(o.WebhookTimeout, 10*time.Second), o.AllowPrivateWebhooks)}
	maps.Copy(senders, o.Senders)
	s.opt.Senders = senders
	jobs.Handle(j, &sendWorker{s: s})
	return s
}

type sendArgs struct {
	ID      string  `json:"id"`
	Channel Channel `json:"channel"`
}

func (sendArgs) Kind() string { return "delivery.send" }

// Enqueue records the deliveries that do not exist yet (the same subject, channel and recipient
// is one delivery) and enqueues their sending, in the transaction of ctx. It returns how many it
// created.
func (s *Service) Enqueue(ctx context.Context, items ...New) (int, error) {
	now := s.clock.Now()
	rows := make([]row, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		id := ID(it.SubjectType, it.SubjectID, it.Channel, it.Recipient)
		if seen[id] {
			continue
		}
		seen[id] = true
		msg, err := json.Marshal(it.Message)
		if err != nil {
			return 0, err
		}
		rows = append(rows, row{ID: id, SubjectType: it.SubjectType, SubjectID: it.SubjectID, Channel: it.Channel, Recipient: it.Recipient,
			Tenant: it.Tenant, Sender: it.Sender, Message: msg, Secret: secret(it.Secret), State: Pending, CreatedAt: now, UpdatedAt: now, Version: 1})
	}
	ids, err := s.store.insert(ctx, rows)
	if err != nil {
		return 0, err
	}
	channel := map[string]Channel{}
	for _, r := range rows {
		channel[r.ID] = r.Channel
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: sendArgs{ID: id, Channel: channel[id]}, InsertOpts: &river.InsertOpts{MaxAttempts: MaxAttempts}}
	}
	_, err = s.jobs.EnqueueMany(ctx, params)
	return len(ids), err
}

// Filter selects deliveries.
type Filter struct {
	State       State
	Tenant      string
	Sender      string
	SubjectType string
	SubjectID   string
}

// List returns one page of deliveries, oldest first.
func (s *Service) List(ctx context.Context, f Filter, p page.Request) (page.Page[Delivery], error) {
	rows, err := s.store.list(ctx, f, p)
	if err != nil {
		return page.Page[Delivery]{}, err
	}
	out := page.Page[Delivery]{Items: make([]Delivery, len(rows.Items)), Next: rows.Next}
	for i, r := range rows.Items {
		if out.Items[i], err = r.delivery(); err != nil {
			return page.Page[Delivery]{}, err
		}
	}
	return out, nil
}

// Get returns a delivery with its attempts.
func (s *Service) Get(ctx context.Context, id string) (Delivery, error) {
	r, err := s.store.get(ctx, id, false)
	if err != nil {
		return Delivery{}, err
	}
	d, err := r.delivery()
	if err != nil {
		return d, err
	}
	d.History, err = s.store.attempts(ctx, id)
	return d, err
}

// Counts returns how many of a subject's deliveries are in each state.
func (s *Service) Counts(ctx context.Context, subjectType, subjectID string) (map[State]int, error) {
	return s.store.counts(ctx, subjectType, subjectID)
}

// Redrive sends a dead delivery again if it is still at version: it is pending, and a new job
// makes up to MaxAttempts more attempts.
func (s *Service) Redrive(ctx context.Context, id string, version int) (Delivery, error) {
	var out Delivery
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.get(ctx, id, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		if r.State != Dead {
			return apperr.Newf(apperr.Conflict, "the delivery is %s; only a dead one is redriven", r.State)
		}
		r.State, r.NextAttemptAt, r.UpdatedAt, r.Version = Pending, nil, s.clock.Now(), r.Version+1
		if err := s.store.save(ctx, r); err != nil {
			return err
		}
		if err := s.jobs.Enqueue(ctx, sendArgs{ID: id, Channel: r.Channel}, &river.InsertOpts{MaxAttempts: MaxAttempts}); err != nil {
			return err
		}
		if out, err = r.delivery(); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.PlatformID, Action: "delivery.redrive", ObjectType: "delivery",
			ObjectID: id, Diff: map[string]any{"recipient": r.Recipient, "attempts_before": r.Attempts}})
	})
	return out, err
}

type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	s *Service
}

// Work makes one attempt. No transaction is open while the message is sent: a slow mail server
// holds no pool connection and no row lock (each worker sending would hold one of each). River
// runs one job of a delivery at a time (a stuck one is rescued only after JobTimeout has cancelled
// it), and the attempt is recorded in one statement under the row's lock, so a delivery found
// delivered or dead by then, by an earlier attempt, is left as it is.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	s := w.s
	r, err := s.store.get(ctx, job.Args.ID, false)
	if err != nil {
		return err
	}
	if r.State == Delivered || r.State == Dead {
		return nil
	}
	d, err := r.delivery()
	if err != nil {
		return err
	}
	sender, ok := s.opt.Senders[r.Channel]
	if !ok {
		return river.JobCancel(errors.New("no sender for channel " + string(r.Channel)))
	}
	began := time.Now()
	sendErr := sender.Send(ctx, r.ID, r.Recipient, r.reveal(d.Message))
	took := int(time.Since(began).Milliseconds())
	a := Attempt{At: s.clock.Now(), DurationMS: took, Worker: s.opt.Worker}
	next := attemptResult{State: Delivered, DeliveredAt: &a.At}
	var outcome error
	var perm *Permanent
	switch {
	case sendErr == nil:
		a.Outcome = "delivered"
	case errors.As(sendErr, &perm) || job.Attempt >= job.MaxAttempts:
		a.Outcome, a.Error, next = "permanent", sendErr.Error(), attemptResult{State: Dead, LastError: sendErr.Error()}
		if !errors.As(sendErr, &perm) {
			a.Outcome = "temporary"
		}
		outcome = river.JobCancel(sendErr)
	default:
		at := a.At.Add(w.retryIn(job.Args, job.Attempt))
		a.Outcome, a.Error, next = "temporary", sendErr.Error(), attemptResult{State: Retrying, NextAttemptAt: &at, LastError: sendErr.Error()}
		outcome = sendErr
	}
	if err := s.store.record(context.WithoutCancel(ctx), r.ID, a, next); err != nil {
		return err
	}
	return outcome
}

// NextRetry follows Backoff, with the same jitter the delivery's record shows; an attempt whose
// process died (River rescues it) goes again at once, as no server refused it.
func (w *sendWorker) NextRetry(job *river.Job[sendArgs]) time.Time {
	if rescue := w.s.opt.RescueAfter; rescue > 0 && job.AttemptedAt != nil && time.Since(*job.AttemptedAt) >= rescue {
		return time.Now()
	}
	return time.Now().Add(w.retryIn(job.Args, job.Attempt))
}

// retryIn is the wait after attempt n of a job, its jitter drawn from the delivery and attempt so
// that the record and the schedule agree.
func (w *sendWorker) retryIn(a sendArgs, n int) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(a.ID))
	return w.s.opt.Backoff(a.Channel, n, rand.New(rand.NewPCG(h.Sum64(), uint64(n))))
}
