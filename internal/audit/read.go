package audit

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// Filter selects audit records; empty fields select everything.
type Filter struct {
	Tenant     string
	Action     string
	ObjectType string
	ObjectID   string
	Actor      string
	From, To   time.Time // From inclusive, To exclusive
}

// List returns one page of the records matching f, oldest first. What has committed is sealed
// first, so that a reader sees the records with their places in the chains.
func (l *Log) List(ctx context.Context, f Filter, p page.Request) (page.Page[Record], error) {
	if _, err := l.Seal(ctx); err != nil {
		return page.Page[Record]{}, err
	}
	q := l.db.Conn(ctx).Model(&Record{})
	for col, v := range map[string]string{"tenant": f.Tenant, "action": f.Action, "object_type": f.ObjectType,
		"object_id": f.ObjectID, "actor": f.Actor} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To)
	}
	return postgres.Page(q, p, func(r Record) []string { return []string{strconv.FormatInt(r.ID, 10)} }, page.Col{Expr: "id", Kind: page.Int})
}

// Break is the first broken link found in a chain.
type Break struct {
	Tenant string `json:"tenant"`
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// Report is the result of verifying every chain.
type Report struct {
	Chains  int     `json:"chains"`
	Records int64   `json:"records"` // sealed records verified
	Broken  []Break `json:"broken"`  // at most one per chain: its first broken link
	// Unsealed is what the sequencer has yet to link: committed changes' records, sealed within
	// moments unless a long transaction holds them back. They are verified once sealed.
	Unsealed Backlog `json:"unsealed"`
}

// OK reports whether every chain verified.
func (r Report) OK() bool { return len(r.Broken) == 0 }

// Verify seals what has committed (what no running instance sealed yet is verified too), then
// recomputes every chain from its first record up to its head as read when it began (the
// sequencer may extend it meanwhile), checks that the head is where the chain ends, and reports
// the unsealed backlog: what open transactions hold back.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	rep := Report{Broken: []Break{}}
	if _, err := l.Seal(ctx); err != nil {
		return rep, err
	}
	var err error
	if rep.Unsealed, err = l.Backlog(ctx); err != nil {
		return rep, err
	}
	var heads []head
	if err := l.db.Conn(ctx).Order("tenant").Find(&heads).Error; err != nil {
		return rep, err
	}
	for _, h := range heads {
		rep.Chains++
		n, brk, err := l.verifyChain(ctx, h)
		if err != nil {
			return rep, err
		}
		rep.Records += n
		if brk != nil {
			rep.Broken = append(rep.Broken, *brk)
		}
	}
	return rep, nil
}

const verifyBatch = 1000

func (l *Log) verifyChain(ctx context.Context, h head) (int64, *Break, error) {
	prev, seq := genesis, int64(0)
	var n int64
	for {
		var rows []Record
		if err := l.db.Conn(ctx).Where("tenant = ? AND seq > ? AND seq <= ?", h.Tenant, seq, h.Seq).
			Order("seq").Limit(verifyBatch).Find(&rows).Error; err != nil {
			return n, nil, err
		}
		for _, r := range rows {
			n++
			switch {
			case *r.Seq != seq+1:
				return n, &Break{h.Tenant, seq + 1, fmt.Sprintf("record %d is missing", seq+1)}, nil
			case !bytes.Equal(r.PrevHash, prev):
				return n, &Break{h.Tenant, *r.Seq, "does not link to the previous record's hash"}, nil
			case !bytes.Equal(link(prev, *r.Seq, r.digest()), r.Hash):
				return n, &Break{h.Tenant, *r.Seq, "its content does not match its hash"}, nil
			}
			prev, seq = r.Hash, *r.Seq
		}
		if len(rows) < verifyBatch {
			break
		}
	}
	if seq != h.Seq || !bytes.Equal(prev, h.Hash) {
		return n, &Break{h.Tenant, seq + 1, fmt.Sprintf("the chain ends at %d but its head says %d", seq, h.Seq)}, nil
	}
	return n, nil, nil
}

// Ref names one audit record.
type Ref struct {
	ID     int64  `json:"id" example:"4211"`
	Tenant string `json:"tenant" example:"council"`
	Seq    *int64 `json:"seq" example:"17" extensions:"x-nullable"` // null until the record is sealed
}

// OfDecisions returns the audit record written with each of the council's decisions ids, which
// every deciding change records as diff.decision.
func (l *Log) OfDecisions(ctx context.Context, ids []string) (map[string]Ref, error) {
	out := map[string]Ref{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		Decision string
		Ref
	}
	err := l.db.Conn(ctx).Raw(`SELECT diff -> 'decision' ->> 'id' AS decision, id, tenant, seq FROM audit_records
		WHERE (diff -> 'decision' ->> 'id') = ANY(?)`, postgres.TextArray(ids)).Scan(&rows).Error
	for _, r := range rows {
		out[r.Decision] = r.Ref
	}
	return out, err
}
