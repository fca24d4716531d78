// Package audit writes the append-only, hash-chained audit trail. Every change records exactly
// one record inside the caller's transaction, so a change and its record commit or vanish together.
// The record is appended unsealed, touching no row another change touches; the sequencer (Seal)
// links it into its tenant's chain moments after it commits.
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
	"sync/atomic"
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
	Seq         *int64             `json:"seq" extensions:"x-nullable"` // null until the sequencer seals the record, moments after its change commits
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
// previous hash are chained in by link when the record is sealed.
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
// endian) and the digest. Changing any field, or any earlier record, breaks the chain.
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

// OriginFrom returns the origin ctx carries, if any.
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// Log writes and reads the audit trail.
type Log struct {
	db      *postgres.DB
	clock   clock.Clock
	wake    chan struct{} // a record committed: the sequencer has work
	backlog atomic.Pointer[Backlog]
}

// New returns the audit log over db.
func New(db *postgres.DB, c clock.Clock) *Log {
	l := &Log{db: db, clock: c, wake: make(chan struct{}, 1)}
	l.backlog.Store(&Backlog{})
	return l
}

// Record appends one unsealed record for change c to the tenant's chain, in the transaction of
// ctx, among its deferred writes (postgres.DB.Defer). It touches no shared row, so concurrent
// changes of one tenant do not queue on each other; the sequencer is woken when the transaction
// commits.
func (l *Log) Record(ctx context.Context, c Change) error {
	p, ok := identity.FromContext(ctx)
	if !ok {
		return apperr.New(apperr.Internal, "audit: change without a principal")
	}
	o := OriginFrom(ctx)
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
	err = l.db.Defer(ctx, nil, `INSERT INTO audit_records (tenant, at, actor, actor_name, actor_tenant, roles, action,
		object_type, object_id, diff, request_id, client_ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.Tenant, rec.At, rec.Actor, rec.ActorName, rec.ActorTenant, rec.Roles, rec.Action, rec.ObjectType, rec.ObjectID,
		string(rec.Diff), rec.RequestID, rec.ClientIP)
	if err != nil {
		return err
	}
	postgres.AfterCommit(ctx, l.nudge)
	return nil
}

// Diff describes a change from before to after (either may be nil) as the fields that differ.
// A creation shows the new object, a deletion the old one. The fields are kept as the JSON they
// are recorded as, and compared as written (one encoder writes equal values alike), decoded only
// where that differs in an object or an array, which may hold JSON written elsewhere (a document
// read back from the database) with its keys in another order.
func Diff(before, after any) map[string]any {
	b, a := fields(before), fields(after)
	switch {
	case b == nil:
		return map[string]any{"created": a}
	case a == nil:
		return map[string]any{"deleted": b}
	}
	changed := map[string]any{}
	for k, av := range a {
		if bv, ok := b[k]; !ok || !same(av, bv) {
			changed[k] = map[string]json.RawMessage{"from": orNull(bv), "to": av}
		}
	}
	for k, bv := range b {
		if _, ok := a[k]; !ok {
			changed[k] = map[string]json.RawMessage{"from": bv, "to": null}
		}
	}
	return map[string]any{"changed": changed}
}

var null = json.RawMessage("null")

func same(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if len(a) == 0 || len(b) == 0 || a[0] != b[0] || a[0] != '{' && a[0] != '[' {
		return false
	}
	var av, bv any
	return decode(a, &av) == nil && decode(b, &bv) == nil && reflect.DeepEqual(av, bv)
}

func decode(raw json.RawMessage, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

func orNull(v json.RawMessage) json.RawMessage {
	if v == nil {
		return null
	}
	return v
}

// fields is v's JSON object field by field; a value that is not an object is one field, value.
func fields(v any) map[string]json.RawMessage {
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		text, _ := json.Marshal(fmt.Sprint(v))
		return map[string]json.RawMessage{"value": text}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return map[string]json.RawMessage{"value": raw}
	}
	return m
}
