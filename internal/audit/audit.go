// Package audit writes the append-only, hash-chained audit trail. Every change records exactly
// one record inside the caller's transaction, so a change and its record commit or vanish together.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// Change is what a service method reports about one change.
type Change struct {
	Tenant     tenant.ID // whose chain the record joins: the tenant that owns the object
	Action     string    // resource.verb, e.g. role_assignment.create
	ObjectType string
	ObjectID   string
	Diff       any // usually Diff(before, after)
}

// Record is one stored audit record.
type Record struct {
	ID          int64              `json:"id"`
	Tenant      string             `json:"tenant"`
	Seq         int64              `json:"seq"`
	At          time.Time          `json:"at" format:"date-time"`
	Actor       string             `json:"actor"`
	ActorName   string             `json:"actor_name"`
	ActorTenant string             `json:"actor_tenant"`
	Roles       postgres.TextArray `json:"roles" swaggertype:"array,string"`
	Action      string             `json:"action"`
	ObjectType  string             `json:"object_type"`
	ObjectID    string             `json:"object_id"`
	Diff        json.RawMessage    `json:"diff" swaggertype:"object"`
	RequestID   string             `json:"request_id"`
	ClientIP    string             `json:"client_ip"`
	PrevHash    []byte             `json:"-"`
	Hash        []byte             `json:"-"`
}

// TableName is the records' table.
func (Record) TableName() string { return "audit_records" }

// HashHex is the record's hash, hex encoded.
func (r Record) HashHex() string { return hex.EncodeToString(r.Hash) }

// digest is SHA-256 over a fixed JSON encoding of every field but the chain's: seq and the
// previous hash are chained in by link, in the database, where the head row is locked.
func (r Record) digest() []byte {
	body, _ := json.Marshal(struct {
		Tenant      string          `json:"tenant"`
		At          string          `json:"at"`
		Actor       string          `json:"actor"`
		ActorName   string          `json:"actor_name"`
		ActorTenant string          `json:"actor_tenant"`
		Roles       []string        `json:"roles"`
		Action      string          `json:"action"`
		ObjectType  string          `json:"object_type"`
		ObjectID    string          `json:"object_id"`
		Diff        json.RawMessage `json:"diff"`
		RequestID   string          `json:"request_id"`
		ClientIP    string          `json:"client_ip"`
	}{r.Tenant, r.At.UTC().Format(time.RFC3339Nano), r.Actor, r.ActorName,
		r.ActorTenant, r.Roles, r.Action, r.ObjectType, r.ObjectID, r.Diff, r.RequestID, r.ClientIP})
	sum := sha256.Sum256(body)
	return sum[:]
}

// link is the record's hash: SHA-256 over the previous hash, the sequence number (8 bytes, big
// endian) and the digest. Changing any field, or any earlier record, breaks the chain. The append
// statement computes the same in SQL: sha256(prev || int8send(seq) || digest).
func link(prev []byte, seq int64, digest []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	_ = binary.Write(h, binary.BigEndian, seq)
	h.Write(digest)
	return h.Sum(nil)
}

var genesis = make([]byte, sha256.Size)

type head struct {
	Tenant   string
	Seq      int64
	PrevHash []byte
	Hash     []byte
}

func (head) TableName() string { return "audit_heads" }

// Origin is where a request came from.
type Origin struct {
	RequestID string
	ClientIP  string
}

type originKey struct{}

// WithOrigin returns ctx carrying the request's origin for the records written under it.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// Log writes and reads the audit trail.
type Log struct {
	db    *postgres.DB
	clock clock.Clock
}

// New returns the audit log over db.
func New(db *postgres.DB, c clock.Clock) *Log { return &Log{db: db, clock: c} }

// Record appends one record for change c to the tenant's chain, in the transaction of ctx, just
// before it commits. Appends to one chain serialise on its head row until the transaction ends.
func (l *Log) Record(ctx context.Context, c Change) error {
	p, ok := identity.FromContext(ctx)
	if !ok {
		return apperr.New(apperr.Internal, "audit: change without a principal")
	}
	o, _ := ctx.Value(originKey{}).(Origin)
	diff, err := json.Marshal(c.Diff)
	if err != nil {
		return fmt.Errorf("audit: diff: %w", err)
	}
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	rec := Record{
		Tenant: c.Tenant.String(), At: l.clock.Now(),
		Actor: p.Subject, ActorName: p.Name, ActorTenant: p.Acting.String(), Roles: roles,
		Action: c.Action, ObjectType: c.ObjectType, ObjectID: c.ObjectID, Diff: diff,
		RequestID: o.RequestID, ClientIP: o.ClientIP,
	}
	args := map[string]any{"tenant": rec.Tenant, "genesis": hex.EncodeToString(genesis), "digest": hex.EncodeToString(rec.digest()),
		"at": rec.At, "actor": rec.Actor, "actor_name": rec.ActorName, "actor_tenant": rec.ActorTenant, "roles": rec.Roles,
		"action": rec.Action, "object_type": rec.ObjectType, "object_id": rec.ObjectID, "diff": string(rec.Diff),
		"request_id": rec.RequestID, "client_ip": rec.ClientIP}
	// Appended as the transaction's last statement: the chain's head row stays locked only from
	// there to the commit, so one tenant's concurrent changes queue as briefly as possible.
	return postgres.BeforeCommit(ctx, func(ctx context.Context) error {
		return l.db.Conn(ctx).Exec(appendRecord, args).Error
	})
}

// appendRecord links a record to its tenant's chain and stores it in one round trip: the head
// row is created or advanced (and so locked until the transaction ends, which serialises the
// chain's appends) and returns the link the record is stored with. Hashes travel as hex: gorm
// would expand a []byte argument into a list.
const appendRecord = `WITH h AS (
	INSERT INTO audit_heads AS a (tenant, seq, prev_hash, hash)
	VALUES (@tenant, 1, decode(@genesis, 'hex'), sha256(decode(@genesis, 'hex') || int8send(1) || decode(@digest, 'hex')))
	ON CONFLICT (tenant) DO UPDATE
	SET seq = a.seq + 1, prev_hash = a.hash, hash = sha256(a.hash || int8send(a.seq + 1) || decode(@digest, 'hex'))
	RETURNING seq, prev_hash, hash)
INSERT INTO audit_records (tenant, seq, at, actor, actor_name, actor_tenant, roles, action, object_type, object_id,
	diff, request_id, client_ip, prev_hash, hash)
SELECT @tenant, h.seq, @at, @actor, @actor_name, @actor_tenant, @roles, @action, @object_type, @object_id,
	@diff, @request_id, @client_ip, h.prev_hash, h.hash FROM h`

// Diff describes a change from before to after (either may be nil) as the fields that differ.
// A creation shows the new object, a deletion the old one.
func Diff(before, after any) map[string]any {
	b, a := asMap(before), asMap(after)
	switch {
	case b == nil:
		return map[string]any{"created": a}
	case a == nil:
		return map[string]any{"deleted": b}
	}
	changed := map[string]any{}
	for k, av := range a {
		if bv, ok := b[k]; !ok || !reflect.DeepEqual(av, bv) {
			changed[k] = map[string]any{"from": b[k], "to": av}
		}
	}
	for k, bv := range b {
		if _, ok := a[k]; !ok {
			changed[k] = map[string]any{"from": bv, "to": nil}
		}
	}
	return map[string]any{"changed": changed}
}

func asMap(v any) map[string]any {
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return map[string]any{"value": fmt.Sprint(v)}
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return map[string]any{"value": json.RawMessage(raw)}
	}
	return m
}
