// Package jobs is the platform's background work, on River (riverqueue/river) over the
// application's database. A job is inserted in the transaction of the change that causes it
// (Enqueue), so a rolled-back change leaves no job and a committed one is never lost. The
// instances that work (serve, unless WORKERS=0) run the workers; the periodic sweeps are enqueued
// by the elected leader only, so two instances sweep once.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"

	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// Options are the settings of the background work, named explicitly rather than left to River's
// defaults.
type Options struct {
	// ClientID names this process in River's leader election and in each job's attempts.
	ClientID string
	// Workers is how many jobs this instance works at once; 0 makes it API-only (it still
	// enqueues).
	Workers int
	// JobTimeout cancels a job's context after this long.
	JobTimeout time.Duration
	// RescueAfter is when a job still running (its worker died with its process) is made
	// available again.
	RescueAfter time.Duration
	// PollInterval is how often the workers look for jobs besides being told by LISTEN/NOTIFY.
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Due is the ScheduledAt of a job due after wait: that moment, unless it falls within one pass of
// River's scheduler (which makes scheduled jobs available every five seconds, its default) and
// would run up to a pass late; then zero, available at once, as River does with its own retries.
func Due(wait time.Duration) time.Time {
	if wait <= 5*time.Second {
		return time.Time{}
	}
	return time.Now().Add(wait)
}

// Jobs inserts and works the platform's jobs.
type Jobs struct {
	db       *postgres.DB
	workers  *river.Workers
	periodic []*river.PeriodicJob
	sweeps   map[string]func(context.Context) (int, error)
	log      *slog.Logger
	client   *river.Client[*sql.Tx]
	working  bool // this instance works jobs
	started  bool
	listener *pgxpool.Pool
}

// New returns the background work over db; register the workers and sweeps, then Open.
func New(db *postgres.DB) *Jobs {
	j := &Jobs{db: db, workers: river.NewWorkers(), sweeps: map[string]func(context.Context) (int, error){}, log: slog.New(slog.DiscardHandler)}
	river.AddWorker(j.workers, &sweepWorker{jobs: j})
	return j
}

// Handle registers the worker of jobs of type T.
func Handle[T river.JobArgs](j *Jobs, w river.Worker[T]) { river.AddWorker(j.workers, w) }

// sweepArgs is a periodic sweep, by name.
type sweepArgs struct {
	Name string `json:"name"`
}

func (sweepArgs) Kind() string { return "sweep" }

// Sweep makes the leader enqueue sweep name every interval (and once when it is elected); fn
// does the work and says how many things it changed.
func (j *Jobs) Sweep(name string, every time.Duration, fn func(ctx context.Context) (int, error)) {
	j.sweeps[name] = fn
	j.periodic = append(j.periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			// A sweep waiting or running is not queued again, so slow sweeps do not pile up.
			return sweepArgs{Name: name}, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true,
				ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
					rivertype.JobStateScheduled}}}
		}, &river.PeriodicJobOpts{ID: name, RunOnStart: true}))
}

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	jobs *Jobs
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[sweepArgs]) error {
	fn, ok := w.jobs.sweeps[job.Args.Name]
	if !ok {
		return river.JobCancel(fmt.Errorf("no sweep %q", job.Args.Name))
	}
	n, err := fn(identity.WithPrincipal(ctx, identity.System("sweep:"+job.Args.Name)))
	if err != nil {
		return err
	}
	if n > 0 {
		w.jobs.log.Info("sweep", "name", job.Args.Name, "changed", n)
	}
	return nil
}

// Open builds the client after the workers and sweeps are registered; from then on Enqueue
// works. With workers, Start then works the jobs.
func (j *Jobs) Open(o Options) error {
	if o.Logger != nil {
		j.log = o.Logger
	}
	// A fetch takes at most as many jobs as there are free workers, and River waits FetchCooldown
	// (100 ms by default) between fetches: a notice's 98 deliveries would take a second to be
	// fetched. Idle, workers still fetch only when told of a job or at the poll interval.
	cfg := &river.Config{ID: o.ClientID, Logger: j.log, JobTimeout: o.JobTimeout, RescueStuckJobsAfter: o.RescueAfter,
		FetchPollInterval: o.PollInterval, FetchCooldown: 10 * time.Millisecond, Workers: j.workers}
	driver := riverdatabasesql.New(j.db.SQL())
	if o.Workers > 0 {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}}
		cfg.PeriodicJobs = j.periodic
		// A dedicated connection LISTENs, so that a job inserted anywhere is worked at once and
		// not at the next poll; directly, as a transaction pooler would not keep a LISTEN.
		pcfg, err := pgxpool.ParseConfig(j.db.DirectURL())
		if err != nil {
			return err
		}
		pcfg.MinConns, pcfg.MaxConns = 0, 1
		if j.listener, err = pgxpool.NewWithConfig(context.Background(), pcfg); err != nil {
			return err
		}
		driver = riverdatabasesql.NewWithPgxListener(j.db.SQL(), j.listener)
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return err
	}
	j.client, j.working = client, o.Workers > 0
	return nil
}

// Start works the jobs and, when this instance is elected leader, enqueues the sweeps, until
// Stop. An API-only instance (no workers) does nothing.
func (j *Jobs) Start(ctx context.Context) error {
	if !j.working {
		return nil
	}
	j.started = true
	return j.client.Start(ctx)
}

// Stop lets the jobs in hand finish (until ctx ends, then cancels them) and stops working.
func (j *Jobs) Stop(ctx context.Context) error {
	if !j.started {
		return nil
	}
	err := j.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = j.client.StopAndCancel(context.Background())
	}
	if j.listener != nil {
		j.listener.Close()
	}
	return err
}

// Enqueue inserts a job in the transaction of ctx, which it requires: the job exists exactly when
// the change that causes it commits.
func (j *Jobs) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := j.EnqueueMany(ctx, []river.InsertManyParams{{Args: args, InsertOpts: opts}})
	return err
}

// EnqueueMany inserts jobs in the transaction of ctx, as Enqueue, in one statement, and returns
// their ids.
func (j *Jobs) EnqueueMany(ctx context.Context, params []river.InsertManyParams) ([]int64, error) {
	if len(params) == 0 {
		return nil, nil
	}
	tx, err := j.tx(ctx, params[0].Args.Kind())
	if err != nil {
		return nil, err
	}
	res, err := j.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.Job.ID
	}
	return ids, nil
}

// Cancel cancels jobs in the transaction of ctx: a job not yet running never runs; one running
// now finishes, and is not retried.
func (j *Jobs) Cancel(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := j.tx(ctx, "cancel")
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := j.client.JobCancelTx(ctx, tx, id); err != nil && !errors.Is(err, river.ErrNotFound) {
			return err
		}
	}
	return nil
}

func (j *Jobs) tx(ctx context.Context, what string) (*sql.Tx, error) {
	if j.client == nil {
		return nil, errors.New("jobs: used before Open")
	}
	tx, ok := j.db.SQLTx(ctx)
	if !ok {
		return nil, fmt.Errorf("jobs: %s outside a transaction", what)
	}
	return tx, nil
}
