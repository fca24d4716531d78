package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"time"
)

// Backlog is what the sequencer has not sealed yet.
type Backlog struct {
	Records int64 `json:"records" example:"0"`
	// When the oldest unsealed record's change was made; absent when none waits.
	Oldest *time.Time `json:"oldest,omitempty" format:"date-time"`
}

// Age is how long the oldest unsealed record has waited at now.
func (b Backlog) Age(now time.Time) time.Duration {
	if b.Oldest == nil {
		return 0
	}
	return now.Sub(*b.Oldest)
}

const sealBatch = 2000

// sequencerLock is the advisory lock that makes one transaction at a time seal. It is taken per
// transaction, so it holds through a pooler that pools by transaction (PgBouncer).
const sequencerLock int64 = 0x6175646974 // "audit"

// Seal links the committed unsealed records into their tenants' chains and says how many it
// sealed: in the order they committed, to within a round (a round's in the order written), each
// appended at its chain's end. While another instance seals, it returns 0 at once.
func (l *Log) Seal(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := l.sealBatch(ctx)
		total += n
		if err != nil || n < sealBatch {
			return total, err
		}
	}
}

type sealed struct {
	ID     int64  `json:"id,omitempty"`
	Tenant string `json:"tenant,omitempty"`
	Seq    int64  `json:"seq"`
	Prev   string `json:"prev"`
	Hash   string `json:"hash"`
}

func (l *Log) sealBatch(ctx context.Context) (int, error) {
	var n int
	err := l.db.InTx(ctx, func(ctx context.Context) error {
		db := l.db.Conn(ctx)
		// The lock first, on its own: the records are then read in a snapshot taken after it was
		// granted, so they include the seals of the round that held it before.
		var held bool
		if err := db.Raw(`SELECT pg_try_advisory_xact_lock(?)`, sequencerLock).Scan(&held).Error; err != nil || !held {
			return err
		}
		var rows []Record
		if err := db.Raw(`SELECT id, tenant, at, actor, actor_name, actor_tenant, roles, action, object_type, object_id,
				diff, request_id, client_ip
			FROM audit_records WHERE seq IS NULL ORDER BY id LIMIT ?`, sealBatch).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		tenants := map[string]*head{}
		for _, r := range rows {
			tenants[r.Tenant] = &head{Tenant: r.Tenant, Hash: genesis}
		}
		names := make([]string, 0, len(tenants))
		for t := range tenants {
			names = append(names, t)
		}
		var heads []head
		if err := db.Where("tenant IN ?", names).Find(&heads).Error; err != nil {
			return err
		}
		for _, h := range heads {
			*tenants[h.Tenant] = h
		}
		links := make([]sealed, len(rows))
		for i, r := range rows {
			h := tenants[r.Tenant]
			seq := h.Seq + 1
			hash := link(h.Hash, seq, r.digest())
			links[i] = sealed{ID: r.ID, Seq: seq, Prev: hex.EncodeToString(h.Hash), Hash: hex.EncodeToString(hash)}
			h.Seq, h.PrevHash, h.Hash = seq, h.Hash, hash
		}
		ends := make([]sealed, 0, len(tenants))
		for _, h := range tenants {
			ends = append(ends, sealed{Tenant: h.Tenant, Seq: h.Seq, Prev: hex.EncodeToString(h.PrevHash), Hash: hex.EncodeToString(h.Hash)})
		}
		recs, _ := json.Marshal(links)
		hs, _ := json.Marshal(ends)
		n = len(rows)
		// Hashes travel as hex in one JSON document each: gorm would expand a []byte into a list.
		return db.Exec(`WITH r AS (
				UPDATE audit_records a SET seq = v.seq, prev_hash = decode(v.prev, 'hex'), hash = decode(v.hash, 'hex')
				FROM jsonb_to_recordset(?::jsonb) AS v(id bigint, seq bigint, prev text, hash text) WHERE a.id = v.id)
			INSERT INTO audit_heads (tenant, seq, prev_hash, hash)
			SELECT h.tenant, h.seq, decode(h.prev, 'hex'), decode(h.hash, 'hex')
			FROM jsonb_to_recordset(?::jsonb) AS h(tenant text, seq bigint, prev text, hash text)
			ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, prev_hash = excluded.prev_hash, hash = excluded.hash`,
			string(recs), string(hs)).Error
	})
	return n, err
}

// Backlog reads how many records wait to be sealed and since when.
func (l *Log) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	err := l.db.Conn(ctx).Raw(`SELECT count(*) AS records, min(at) AS oldest FROM audit_records WHERE seq IS NULL`).Scan(&b).Error
	return b, err
}

// Unsealed is the backlog the sequencer of this instance last read (for the metrics).
func (l *Log) Unsealed() Backlog { return *l.backlog.Load() }

func (l *Log) nudge() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Sequence seals records until ctx ends: at once when a change of this instance commits, and
// every interval for the changes of other instances and those of a round another instance held.
// Every instance runs it; the advisory lock lets one seal at a time.
func (l *Log) Sequence(ctx context.Context, log *slog.Logger, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		ticked := false
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		case <-tick.C:
			ticked = true
		}
		if _, err := l.Seal(ctx); err != nil && ctx.Err() == nil {
			log.Warn("audit sequencer", "err", err)
		}
		if ticked {
			if b, err := l.Backlog(ctx); err == nil {
				l.backlog.Store(&b)
			}
		}
	}
}
