// Package session keeps people's short sign-ins to the app's pages (the council dashboard),
// each made from a bearer token they already hold.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// TTL is how long a sign-in to the app's pages lasts.
const TTL = 30 * time.Minute

// Sessions are the sign-ins: the page's cookie carries a random token of the session's, never the bearer
// token, and the database keeps only its hash, so that every instance knows it and signing
// out ends it everywhere.
type Sessions struct {
	db    *postgres.DB
	audit *audit.Log
	clock clock.Clock
}

// NewSessions returns the sessions.
func New(db *postgres.DB, log *audit.Log, c clock.Clock) *Sessions {
	return &Sessions{db: db, audit: log, clock: c}
}

type sessionRow struct {
	TokenHash   string
	Kind        string
	PrincipalID string
	Name        string
	Subject     string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

func (sessionRow) TableName() string { return "sessions" }

func sessionHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Start signs p in for TTL and returns the session's token and when it expires; expired
// sessions are removed on the way.
func (s *Sessions) Start(ctx context.Context, p identity.Principal) (string, time.Time, error) {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.clock.Now()
	r := sessionRow{TokenHash: sessionHash(token), Kind: p.Kind, PrincipalID: p.ID, Name: p.Name, Subject: p.Subject, CreatedAt: now,
		ExpiresAt: now.Add(TTL)}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Where("expires_at < ?", now).Delete(&sessionRow{}).Error; err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
			return err
		}
		return s.audit.Record(identity.WithPrincipal(ctx, p), audit.Change{Tenant: tenant.PlatformID, Action: "session.start", ObjectType: "session",
			ObjectID: r.TokenHash[:16], Diff: map[string]any{"subject": p.Subject, "expires_at": r.ExpiresAt}})
	})
	return token, r.ExpiresAt, err
}

// Resolve returns the principal of a session that has not expired.
func (s *Sessions) Resolve(ctx context.Context, token string) (identity.Principal, error) {
	var rows []sessionRow
	if token == "" || len(token) > 100 {
		return identity.Principal{}, apperr.New(apperr.Unauthorized, "sign in")
	}
	if err := s.db.Conn(ctx).Where("token_hash = ? AND expires_at > ?", sessionHash(token), s.clock.Now()).Limit(1).Find(&rows).Error; err != nil {
		return identity.Principal{}, err
	}
	if len(rows) == 0 {
		return identity.Principal{}, apperr.New(apperr.Unauthorized, "the sign-in has expired: sign in again")
	}
	r := rows[0]
	return identity.Principal{Kind: r.Kind, ID: r.PrincipalID, Name: r.Name, Subject: r.Subject}, nil
}

// End signs a session out, as the person it belongs to.
func (s *Sessions) End(ctx context.Context, token string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		var rows []sessionRow
		if err := s.db.Conn(ctx).Clauses(clause.Returning{}).Where("token_hash = ?", sessionHash(token)).Delete(&rows).Error; err != nil || len(rows) == 0 {
			return err
		}
		r := rows[0]
		who := identity.Principal{Kind: r.Kind, ID: r.PrincipalID, Name: r.Name, Subject: r.Subject}
		return s.audit.Record(identity.WithPrincipal(ctx, who), audit.Change{Tenant: tenant.PlatformID, Action: "session.end",
			ObjectType: "session", ObjectID: r.TokenHash[:16]})
	})
}
