package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/servicekatalog/servicekatalog/internal/jobs"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

type noteArgs struct {
	N int `json:"n"`
}

func (noteArgs) Kind() string { return "test.note" }

type noteWorker struct {
	river.WorkerDefaults[noteArgs]
	done chan int
}

func (w *noteWorker) Work(_ context.Context, job *river.Job[noteArgs]) error {
	w.done <- job.Args.N
	return nil
}

// start opens background work on db with a worker that reports each job's N, polling every 3 s
// so that a job worked sooner was announced, not polled.
func start(t *testing.T, db *postgres.DB, id string, setup func(*jobs.Jobs)) chan int {
	t.Helper()
	done := make(chan int, 10)
	j := jobs.New(db)
	jobs.Handle(j, &noteWorker{done: done})
	if setup != nil {
		setup(j)
	}
	if err := j.Open(jobs.Options{ClientID: id, Workers: 2, JobTimeout: 10 * time.Second, RescueAfter: time.Minute, PollInterval: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := j.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		j.Stop(ctx)
	})
	enqueue = func(ctx context.Context, n int) error { return j.Enqueue(ctx, noteArgs{N: n}, nil) }
	return done
}

var enqueue func(ctx context.Context, n int) error

// A job exists exactly when the change that enqueues it commits, and is worked at once.
func TestAJobIsEnqueuedWithItsChangeOnly(t *testing.T) {
	db := pgtest.New(t)
	done := start(t, db, "test-1", nil)
	ctx := context.Background()
	if err := db.Conn(ctx).Exec(`CREATE TABLE changes (n int)`).Error; err != nil {
		t.Fatal(err)
	}
	change := func(n int, fail bool) error {
		return db.InTx(ctx, func(ctx context.Context) error {
			if err := db.Conn(ctx).Exec(`INSERT INTO changes VALUES (?)`, n).Error; err != nil {
				return err
			}
			if err := enqueue(ctx, n); err != nil {
				return err
			}
			if fail {
				return errors.New("the change fails after enqueueing")
			}
			return nil
		})
	}
	if err := change(1, true); err == nil {
		t.Fatal("the failing change succeeded")
	}
	// A first job is worked at the latest by the first poll; by then the client LISTENs.
	if err := change(0, false); err != nil {
		t.Fatal(err)
	}
	if n := <-done; n != 0 {
		t.Fatalf("worked job %d first, want 0", n)
	}
	// River announces at most one insert per queue in its fetch cooldown (100 ms).
	time.Sleep(200 * time.Millisecond)
	began := time.Now()
	if err := change(2, false); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-done:
		if n != 2 {
			t.Errorf("worked job %d, want only the committed change's (2)", n)
		}
		if took := time.Since(began); took > time.Second {
			t.Errorf("the job was worked %s after its commit: not announced, only polled", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the committed change's job was not worked")
	}
	var jobsOf1 int64
	db.Conn(ctx).Raw(`SELECT count(*) FROM river_job WHERE args->>'n' = '1'`).Scan(&jobsOf1)
	if jobsOf1 != 0 {
		t.Errorf("the rolled-back change left %d jobs", jobsOf1)
	}
	if err := enqueue(ctx, 3); err == nil {
		t.Error("a job was enqueued outside a transaction")
	}
}

// Of two instances, only the elected leader enqueues a sweep, so it runs once.
func TestTwoInstancesSweepOnce(t *testing.T) {
	db := pgtest.New(t)
	var runs atomic.Int32
	sweep := func(j *jobs.Jobs) {
		j.Sweep("count", time.Hour, func(ctx context.Context) (int, error) {
			runs.Add(1)
			return 0, nil
		})
	}
	start(t, db, "test-a", sweep)
	start(t, db, "test-b", sweep)
	deadline := time.Now().Add(15 * time.Second)
	for runs.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // time for a second run, which must not come
	if got := runs.Load(); got != 1 {
		t.Errorf("the sweep ran %d times, want once (on the leader, on its election)", got)
	}
}
