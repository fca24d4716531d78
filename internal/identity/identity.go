// Package identity says who is calling: the Principal, bearer JWT verification against an OIDC
// issuer's JWKS (or the built-in dev issuer's), and API keys for machine clients.
package identity

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// Kinds of principal.
const (
	KindUser   = "user"
	KindAPIKey = "api_key"
	KindSystem = "system"
)

// Principal is an authenticated caller. Acting and Roles are set once authorisation has decided
// which of the caller's tenants the request acts for.
type Principal struct {
	Kind    string // user, api_key or system
	ID      string // user or API key id
	Name    string // username or API key name
	Subject string // casbin subject: user:<id> or apikey:<id>
	Acting  tenant.ID
	Roles   []tenant.Role // the roles held in Acting
}

// UserSubject and KeySubject are the casbin subjects of users and API keys.
func UserSubject(id string) string { return "user:" + id }

// KeySubject is the casbin subject of an API key.
func KeySubject(id string) string { return "apikey:" + id }

// System is the principal of command-line administration (seed, token --create).
func System(name string) Principal {
	return Principal{Kind: KindSystem, ID: "system", Name: name, Subject: "system",
		Acting: tenant.PlatformID, Roles: []tenant.Role{tenant.Secretariat}}
}

// HasRole reports whether the principal holds r in its acting tenant.
func (p Principal) HasRole(r tenant.Role) bool { return slices.Contains(p.Roles, r) }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal carried by ctx.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// User is what authentication needs to know of a user.
type User struct {
	ID       string
	Username string
	Active   bool
}

// APIKey is what authentication needs to know of an API key.
type APIKey struct {
	ID        string
	Name      string
	Tenant    tenant.ID
	Roles     []tenant.Role
	ExpiresAt time.Time
	Revoked   bool
}

// Directory answers who a token subject or an API key is. The authorizer keeps it in memory and
// reloads it when role assignments change, so authentication needs no database round trip.
type Directory interface {
	UserBySubject(subject string) (User, bool)
	APIKeyByHash(hash [32]byte) (APIKey, bool)
}

// APIKeyPrefix starts every API key, so that a key is told from a JWT at a glance (and by
// secret scanners).
const APIKeyPrefix = "skat_"

// HashAPIKey is how API keys are stored and looked up: only the SHA-256 of the secret is kept.
// The secret is 32 random bytes, so a plain hash is enough (no password stretching needed).
func HashAPIKey(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// Authenticator turns an Authorization header into a Principal.
type Authenticator struct {
	keyfunc jwt.Keyfunc
	parser  *jwt.Parser
	dir     Directory
	now     func() time.Time
	// verified remembers tokens whose signature and claims were checked, until they expire:
	// a signature check costs far more than the rest of a request.
	verified sync.Map // sha256 of the token → verifiedToken
	entries  atomic.Int64
}

type verifiedToken struct {
	subject string
	expires time.Time
}

// maxVerified bounds the verified-token cache; when full it is emptied and refills.
const maxVerified = 100_000

// NewAuthenticator verifies tokens with keys from keyfunc, requiring issuer, audience, expiry and
// one of algs.
func NewAuthenticator(keyfunc jwt.Keyfunc, issuer, audience string, algs []string, dir Directory, now func() time.Time) *Authenticator {
	parser := jwt.NewParser(
		jwt.WithValidMethods(algs),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(now),
	)
	return &Authenticator{keyfunc: keyfunc, parser: parser, dir: dir, now: now}
}

// ErrNoCredentials means the request carried no Authorization header.
var ErrNoCredentials = apperr.New(apperr.Unauthorized, "authentication required: send Authorization: Bearer <token or API key>")

// Authenticate checks the Authorization header's bearer credential: a JWT or an API key.
func (a *Authenticator) Authenticate(header string) (Principal, error) {
	if header == "" {
		return Principal{}, ErrNoCredentials
	}
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || cred == "" {
		return Principal{}, apperr.New(apperr.Unauthorized, "the Authorization header must be: Bearer <token or API key>")
	}
	if strings.HasPrefix(cred, APIKeyPrefix) {
		return a.apiKey(cred)
	}
	return a.token(cred)
}

func (a *Authenticator) token(raw string) (Principal, error) {
	var buf [2048]byte // the token's bytes on the stack: a request's token is under 2 KiB
	key := sha256.Sum256(append(buf[:0], raw...))
	subject := ""
	if v, ok := a.verified.Load(key); ok && a.now().Before(v.(verifiedToken).expires) {
		subject = v.(verifiedToken).subject
	} else {
		var claims jwt.RegisteredClaims
		if _, err := a.parser.ParseWithClaims(raw, &claims, a.keyfunc); err != nil {
			return Principal{}, apperr.Wrap(apperr.Unauthorized, tokenProblem(err), err)
		}
		subject = claims.Subject
		if a.entries.Add(1) > maxVerified {
			a.verified.Clear()
			a.entries.Store(1)
		}
		a.verified.Store(key, verifiedToken{subject: subject, expires: claims.ExpiresAt.Time})
	}
	u, ok := a.dir.UserBySubject(subject)
	if !ok || !u.Active {
		return Principal{}, apperr.New(apperr.Unauthorized, "the token's subject is not an active user")
	}
	return Principal{Kind: KindUser, ID: u.ID, Name: u.Username, Subject: UserSubject(u.ID)}, nil
}

func tokenProblem(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "the token was not issued by the configured issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "the token is not meant for this service (audience)"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "the token lacks a required claim (exp)"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the token's signature cannot be verified"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "the token is not valid yet"
	}
	return "the token is malformed"
}

func (a *Authenticator) apiKey(secret string) (Principal, error) {
	k, ok := a.dir.APIKeyByHash(HashAPIKey(secret))
	switch {
	case !ok:
		return Principal{}, apperr.New(apperr.Unauthorized, "unknown API key")
	case k.Revoked:
		return Principal{}, apperr.New(apperr.Unauthorized, "the API key has been revoked")
	case !a.now().Before(k.ExpiresAt):
		return Principal{}, apperr.New(apperr.Unauthorized, "the API key has expired")
	}
	return Principal{Kind: KindAPIKey, ID: k.ID, Name: k.Name, Subject: KeySubject(k.ID)}, nil
}
