package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/postgres/pgtest"
)

// TestThePoolKeepsABurstsConnections runs bursts of as many transactions as the pool holds: with
// no idle limit given, the connections they used are kept for the next burst instead of closed on
// return and opened again (database/sql's own default keeps two).
func TestThePoolKeepsABurstsConnections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const conns = 6
	db, err := postgres.Open(ctx, pgtest.NewURL(t), postgres.Options{MaxConns: conns})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 5 {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range conns {
			wg.Go(func() {
				<-start
				err := db.InTx(ctx, func(ctx context.Context) error { return db.Conn(ctx).Exec(`SELECT pg_sleep(0.02)`).Error })
				if err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
	}
	st := db.SQL().Stats()
	if st.MaxIdleClosed != 0 || st.OpenConnections != conns {
		t.Errorf("after five bursts of %d: %d connections open, %d closed for the idle limit; want %d and 0",
			conns, st.OpenConnections, st.MaxIdleClosed, conns)
	}
}
