package httpapi_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/identity"
)

func TestBearerTokensAreVerifiedStrictly(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sub := env.User("spoc.101").Subject
	now := env.Clock.Now()
	sameKey := func(issuer, audience string) *identity.DevIssuer {
		d, err := identity.LoadDevIssuer(context.Background(), env.App.DB, issuer, audience)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	mint := func(d *identity.DevIssuer, subject string, ttl time.Duration, at time.Time) string {
		tok, err := d.Mint(subject, ttl, at)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	foreignKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	claims := jwt.RegisteredClaims{Issuer: env.App.DevIssuer.Issuer(), Subject: sub, Audience: jwt.ClaimStrings{apptest.Audience},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodES256, claims).SignedString(foreignKey)
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hmac, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(env.App.DevIssuer.JWKS()))
	noExp := claims
	noExp.ExpiresAt = nil

	tests := []struct {
		name   string
		header string
		status int
		reason string
	}{
		{"a valid token", "Bearer " + env.Token("spoc.101"), 200, ""},
		{"no header", "", 401, "authentication required"},
		{"another scheme", "Basic c3BvYzpwdw==", 401, "Bearer"},
		{"garbage", "Bearer not.a.token", 401, "malformed"},
		{"expired", "Bearer " + mint(env.App.DevIssuer, sub, time.Minute, now.Add(-2*time.Hour)), 401, "expired"},
		{"issued in the future", "Bearer " + mint(env.App.DevIssuer, sub, time.Hour, now.Add(time.Hour)), 401, "not valid yet"},
		{"another issuer", "Bearer " + mint(sameKey("https://evil.example", apptest.Audience), sub, time.Hour, now), 401, "issuer"},
		{"another audience", "Bearer " + mint(sameKey(env.App.DevIssuer.Issuer(), "other-api"), sub, time.Hour, now), 401, "audience"},
		{"signed by another key", "Bearer " + forged, 401, "signature"},
		{"alg none", "Bearer " + unsigned, 401, ""},
		{"HS256 with the public key as secret", "Bearer " + hmac, 401, ""},
		{"no expiry", "Bearer " + must(jwt.NewWithClaims(jwt.SigningMethodES256, noExp).SignedString(foreignKey)), 401, ""},
		{"an unknown subject", "Bearer " + mint(env.App.DevIssuer, "nobody", time.Hour, now), 401, "not an active user"},
		{"an unknown API key", "Bearer skat_doesnotexist", 401, "unknown API key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.header != "" {
				h["Authorization"] = tc.header
			}
			resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/me", Header: h})
			if resp.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.Status, tc.status, resp.Body)
			}
			if tc.status == 401 {
				p := resp.Problem(t)
				if !strings.Contains(p["detail"].(string), tc.reason) {
					t.Errorf("detail %q does not say %q", p["detail"], tc.reason)
				}
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer realm=") {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func TestDevIssuerPublishesItsKeys(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	disc := env.Do(apptest.Request{Method: "GET", Path: "/dev-issuer/.well-known/openid-configuration"})
	if disc.Status != 200 || !strings.Contains(string(disc.Body), `"jwks_uri":"http://servicekatalog.test/dev-issuer/.well-known/jwks.json"`) {
		t.Errorf("discovery: %d %s", disc.Status, disc.Body)
	}
	jwks := env.Do(apptest.Request{Method: "GET", Path: "/dev-issuer/.well-known/jwks.json"})
	if jwks.Status != 200 || !strings.Contains(string(jwks.Body), `"kty":"EC"`) || strings.Contains(string(jwks.Body), `"d":`) {
		t.Errorf("jwks: %d %s", jwks.Status, jwks.Body)
	}
}
