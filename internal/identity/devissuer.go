package identity

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// DevIssuerPath is where the dev issuer lives below PUBLIC_URL; its issuer URL is
// PUBLIC_URL + DevIssuerPath.
const DevIssuerPath = "/dev-issuer"

// DevIssuer is the built-in OIDC-style issuer for development and tests. Its ES256 key is kept in
// the database so that every instance and the token command sign and verify alike. Tokens it
// mints go through the same verification as an external issuer's.
type DevIssuer struct {
	issuer   string
	audience string
	kid      string
	key      *ecdsa.PrivateKey
	jwks     json.RawMessage
}

type signingKey struct {
	Kid        string
	Algorithm  string
	PrivateKey []byte
	CreatedAt  time.Time
}

// LoadDevIssuer loads the dev issuer's key from the database, creating it on first use.
func LoadDevIssuer(ctx context.Context, db *postgres.DB, issuer, audience string) (*DevIssuer, error) {
	var keys []signingKey
	err := db.InTx(ctx, func(ctx context.Context) error {
		// One key for the whole database, even when several instances start at once.
		if err := db.Conn(ctx).Exec(`SELECT pg_advisory_xact_lock(hashtext('servicekatalog.signing_keys'))`).Error; err != nil {
			return err
		}
		if err := db.Conn(ctx).Table("signing_keys").Order("created_at, kid").Find(&keys).Error; err != nil {
			return err
		}
		if len(keys) > 0 {
			return nil
		}
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return err
		}
		row := signingKey{Kid: uuid.NewString(), Algorithm: "ES256", PrivateKey: der, CreatedAt: time.Now().UTC()}
		keys = append(keys, row)
		return db.Conn(ctx).Table("signing_keys").Create(&row).Error
	})
	if err != nil {
		return nil, err
	}
	return newDevIssuer(issuer, audience, keys)
}

func newDevIssuer(issuer, audience string, keys []signingKey) (*DevIssuer, error) {
	set := jwkset.NewMemoryStorage()
	var signer *ecdsa.PrivateKey
	for _, row := range keys {
		parsed, err := x509.ParsePKCS8PrivateKey(row.PrivateKey)
		if err != nil {
			return nil, err
		}
		k, ok := parsed.(*ecdsa.PrivateKey)
		if !ok {
			return nil, errors.New("dev issuer: signing key is not ECDSA")
		}
		if signer == nil {
			signer = k
		}
		jwk, err := jwkset.NewJWKFromKey(k.Public(), jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
			ALG: jwkset.AlgES256, KID: row.Kid, USE: jwkset.UseSig}})
		if err != nil {
			return nil, err
		}
		if err := set.KeyWrite(context.Background(), jwk); err != nil {
			return nil, err
		}
	}
	raw, err := set.JSONPublic(context.Background())
	if err != nil {
		return nil, err
	}
	return &DevIssuer{issuer: issuer, audience: audience, kid: keys[0].Kid, key: signer, jwks: raw}, nil
}

// Issuer is the issuer URL (the iss claim).
func (d *DevIssuer) Issuer() string { return d.issuer }

// JWKS is the public key set, as served at the issuer's jwks_uri.
func (d *DevIssuer) JWKS() json.RawMessage { return d.jwks }

// Discovery is the issuer's OpenID configuration document (the parts a verifier needs).
func (d *DevIssuer) Discovery() map[string]any {
	return map[string]any{
		"issuer":                                d.issuer,
		"jwks_uri":                              d.issuer + "/.well-known/jwks.json",
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"subject_types_supported":               []string{"public"},
		"response_types_supported":              []string{"token"},
	}
}

// Mint signs an access token for subject, valid for ttl from now.
func (d *DevIssuer) Mint(subject string, ttl time.Duration, now time.Time) (string, error) {
	jti := make([]byte, 12)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	claims := jwt.RegisteredClaims{
		Issuer:    d.issuer,
		Subject:   subject,
		Audience:  jwt.ClaimStrings{d.audience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		ID:        base64.RawURLEncoding.EncodeToString(jti),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = d.kid
	return t.SignedString(d.key)
}
