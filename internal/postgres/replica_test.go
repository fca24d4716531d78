package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

// TestStaleReadsSeeTheCallersWritesAndFallBackWhenTheReplicaStops runs a primary and a streaming
// replica of it (pg_basebackup -R): a read given to Stale right after a write always sees the
// write, whichever server answers it; reads with no write just before them are the replica's;
// once the replica is stopped, the same reads are answered by the primary, without an error.
func TestStaleReadsSeeTheCallersWritesAndFallBackWhenTheReplicaStops(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, replicaURL, replica := pgtest.Replicated(t)
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 4, ReplicaURL: replicaURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Conn(ctx).Exec(`CREATE TABLE IF NOT EXISTS notes (n int PRIMARY KEY)`).Error; err != nil {
		t.Fatal(err)
	}
	// read reports whether note n is there, and whether the replica said so.
	read := func(n int) (seen, byReplica bool, err error) {
		type answer struct{ seen, byReplica bool }
		a, err := postgres.Stale(ctx, db, func(ctx context.Context) (a answer, err error) {
			err = db.Conn(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM notes WHERE n = ?), pg_is_in_recovery()`, n).Row().Scan(&a.seen, &a.byReplica)
			if err == nil && postgres.OnReplica(ctx) != a.byReplica {
				err = fmt.Errorf("OnReplica says %v; the replica answered: %v", postgres.OnReplica(ctx), a.byReplica)
			}
			return a, err
		})
		return a.seen, a.byReplica, err
	}
	const writes = 300
	var answeredByReplica int64
	for n := range writes {
		if err := db.InTx(ctx, func(ctx context.Context) error { return db.Conn(ctx).Exec(`INSERT INTO notes VALUES (?)`, n).Error }); err != nil {
			t.Fatal(err)
		}
		seen, byReplica, err := read(n)
		if err != nil || !seen {
			t.Fatalf("the read after write %d: seen %v, %v", n, seen, err)
		}
		if byReplica {
			answeredByReplica++
		}
	}
	afterWrite, _ := db.StaleReads()
	if afterWrite != answeredByReplica {
		t.Errorf("counted %d by the replica; it answered %d", afterWrite, answeredByReplica)
	}
	// Reads with no write just before them: the replica has replayed everything, and answers.
	const reads = 100
	for n := range reads {
		if seen, _, err := read(n); err != nil || !seen {
			t.Fatalf("read %d: seen %v, %v", n, seen, err)
		}
	}
	served, fellBack := db.StaleReads()
	if served+fellBack != writes+reads || served-afterWrite < reads*9/10 {
		t.Errorf("the replica answered %d of %d reads without a write before them, and %d of %d in all", served-afterWrite, reads, served, writes+reads)
	}
	t.Logf("%d writes, each read back at once: %d answered by the replica, the rest by the primary (the replica had not replayed the "+
		"write yet); %d reads with no write before them: %d by the replica", writes, afterWrite, reads, served-afterWrite)

	if err := replica.StopNow(ctx); err != nil {
		t.Fatal(err)
	}
	for n := range 20 {
		seen, byReplica, err := read(n)
		if err != nil || !seen || byReplica {
			t.Fatalf("read %d with the replica stopped: seen %v, by the replica %v, %v", n, seen, byReplica, err)
		}
	}
	served2, fellBack2 := db.StaleReads()
	if served2 != served || fellBack2 != fellBack+20 {
		t.Errorf("with the replica stopped: %d more by the replica, %d more by the primary", served2-served, fellBack2-fellBack)
	}
}
