package delivery

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
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

// sendArgs is one sending job: the deliveries it attempts and which attempt of theirs it makes.
// A new set's first attempts go up to batch to a job, so that a notice to every mailbox, or a
// dispatch round's mails, is a few jobs, not one each (River writes, locks and finalises every
// job); an attempt that fails and may pass later is its delivery's own job, scheduled after the
// backoff.
type sendArgs struct {
	IDs     []string `json:"ids"`
	Attempt int      `json:"attempt"`
}

func (sendArgs) Kind() string { return "delivery.send" }

// batch is how many deliveries one job sends, one after another: a notice to the 98 mailboxes is
// 20 jobs, enough for two instances' workers (WORKERS, 10 each) to share.
const batch = 5

// recordEvery is how long a job sends before it records the attempts made so far: what a crash
// makes it send again (each copy with its delivery's Message-ID) is at most this much.
const recordEvery = time.Second

// send enqueues the first attempts of the deliveries ids, up to batch to a job.
func (s *Service) send(ctx context.Context, ids []string) error {
	var params []river.InsertManyParams
	for chunk := range slices.Chunk(ids, batch) {
		params = append(params, river.InsertManyParams{Args: sendArgs{IDs: chunk, Attempt: 1}, InsertOpts: &river.InsertOpts{MaxAttempts: MaxAttempts}})
	}
	if len(params) == 0 {
		return nil
	}
	_, err := s.jobs.EnqueueMany(ctx, params)
	return err
}

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
	return len(ids), s.send(ctx, ids)
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
		if err := s.send(ctx, []string{id}); err != nil {
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

// Work makes one attempt at each of the job's deliveries that is neither delivered nor dead,
// one after another. No transaction is open while a message is sent: a slow mail server holds no
// pool connection and no row lock (each worker sending would hold one of each). River runs a job
// at a time (a stuck one is rescued only after JobTimeout has cancelled it, and makes the
// unrecorded attempts again). The attempts are recorded at the end, and every recordEvery before
// it, in one statement under the rows' locks, with the jobs of the attempts to come, so a
// delivery found delivered or dead by then, by another job, is left as it is.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	s := w.s
	rows, err := s.store.some(ctx, job.Args.IDs)
	if err != nil {
		return err
	}
	n := job.Args.Attempt
	var done []attempted
	var again []river.InsertManyParams
	record := func() error {
		err := s.db.InTx(context.WithoutCancel(ctx), func(ctx context.Context) error {
			if err := s.store.record(ctx, done); err != nil || len(again) == 0 {
				return err
			}
			_, err := s.jobs.EnqueueMany(ctx, again)
			return err
		})
		done, again = done[:0], again[:0]
		return err
	}
	recorded := time.Now()
	for _, r := range rows {
		// A first attempt is at a pending delivery: one found retrying was attempted by this job
		// before a failure cut it short, and its next attempt is enqueued.
		if r.State == Delivered || r.State == Dead || (n == 1 && r.State == Retrying) {
			continue
		}
		var sendErr error
		began := time.Now()
		d, err := r.delivery()
		sender, ok := s.opt.Senders[r.Channel]
		switch {
		case err != nil: // it never will decode: the others of the job go on
			sendErr = &Permanent{Err: fmt.Errorf("the stored message: %w", err)}
		case !ok:
			sendErr = &Permanent{Err: errors.New("no sender for channel " + string(r.Channel))}
		default:
			sendErr = sender.Send(ctx, r.ID, r.Recipient, r.reveal(d.Message))
		}
		a := attempted{ID: r.ID, At: s.clock.Now(), DurationMS: int(time.Since(began).Milliseconds()), Worker: s.opt.Worker, State: Delivered}
		var perm *Permanent
		switch {
		case sendErr == nil:
			a.Outcome, a.DeliveredAt = "delivered", &a.At
		case errors.As(sendErr, &perm) || n >= MaxAttempts:
			a.Outcome, a.Error, a.State, a.LastError = "permanent", sendErr.Error(), Dead, sendErr.Error()
			if perm == nil {
				a.Outcome = "temporary"
			}
		default:
			wait := w.retryIn(r.ID, r.Channel, n)
			next := a.At.Add(wait)
			a.Outcome, a.Error, a.State, a.NextAttemptAt, a.LastError = "temporary", sendErr.Error(), Retrying, &next, sendErr.Error()
			again = append(again, river.InsertManyParams{Args: sendArgs{IDs: []string{r.ID}, Attempt: n + 1},
				InsertOpts: &river.InsertOpts{MaxAttempts: MaxAttempts, ScheduledAt: jobs.Due(wait)}})
		}
		done = append(done, a)
		if time.Since(recorded) >= recordEvery {
			if err := record(); err != nil {
				return err
			}
			recorded = time.Now()
		}
	}
	return record()
}

// NextRetry is for a job whose attempts were not recorded (the database failed, or its process
// died and River rescued it): those whose process died go again at once, as no server refused
// them; the others after River's own backoff.
func (w *sendWorker) NextRetry(job *river.Job[sendArgs]) time.Time {
	if rescue := w.s.opt.RescueAfter; rescue > 0 && job.AttemptedAt != nil && time.Since(*job.AttemptedAt) >= rescue {
		return time.Now()
	}
	return time.Time{}
}

// retryIn is the wait after attempt n of delivery id, its jitter drawn from the delivery and
// attempt so that the record and the schedule agree.
func (w *sendWorker) retryIn(id string, ch Channel, n int) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(id))
	return w.s.opt.Backoff(ch, n, rand.New(rand.NewPCG(h.Sum64(), uint64(n))))
}
