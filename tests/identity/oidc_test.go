// Package identity_test: signing in with an external OpenID Connect issuer, as production does,
// against a real issuer on loopback serving its discovery document and keys.
package identity_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/servicekatalog/servicekatalog/internal/app"
	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// issuer is an OpenID Connect issuer whose keys can be rotated.
type issuer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	keys map[string]*ecdsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	is := &issuer{keys: map[string]*ecdsa.PrivateKey{}}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks.json"})
		case "/jwks.json":
			w.Write(is.jwks(t))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(is.srv.Close)
	is.rotate(t, "key-1")
	return is
}

// rotate adds a signing key to the published set.
func (is *issuer) rotate(t *testing.T, kid string) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys[kid] = k
}

func (is *issuer) jwks(t *testing.T) []byte {
	is.mu.Lock()
	defer is.mu.Unlock()
	set := jwkset.NewMemoryStorage()
	for kid, k := range is.keys {
		jwk, err := jwkset.NewJWKFromKey(k.Public(), jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
			ALG: jwkset.AlgES256, KID: kid, USE: jwkset.UseSig}})
		if err == nil {
			err = set.KeyWrite(context.Background(), jwk)
		}
		if err != nil {
			t.Error(err)
		}
	}
	b, _ := set.JSONPublic(context.Background())
	return b
}

// token signs claims for subject with key kid (or with a key the issuer never published).
func (is *issuer) token(t *testing.T, kid, iss, aud, subject string, exp time.Time) string {
	is.mu.Lock()
	k, ok := is.keys[kid]
	is.mu.Unlock()
	if !ok {
		k, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.RegisteredClaims{Issuer: iss, Subject: subject, Audience: jwt.ClaimStrings{aud},
		IssuedAt: jwt.NewNumericDate(exp.Add(-time.Hour)), ExpiresAt: jwt.NewNumericDate(exp)})
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokensOfAnExternalIssuerAreVerifiedWithItsPublishedKeys(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	env := apptest.New(t, func(o *app.Options) { o.OIDCIssuer = is.srv.URL }) // keys found through discovery
	if env.App.DevIssuer != nil {
		t.Fatal("the dev issuer is on beside an external one")
	}
	soon := env.Clock.Now().Add(time.Hour)
	me := func(token string) apptest.Response {
		return env.Do(apptest.Request{Method: "GET", Path: "/api/v1/me", Token: token})
	}
	if resp := me(is.token(t, "key-1", is.srv.URL, apptest.Audience, "spoc.101", soon)); resp.Status != 200 ||
		!strings.Contains(string(resp.Body), `"name":"spoc.101"`) {
		t.Fatalf("a token of the issuer: %d %s", resp.Status, resp.Body)
	}
	// The issuer rotates its keys: a token with the new key id makes the server fetch the set
	// again (at most once in 5 minutes, keyfunc's default, so forged key ids cannot make it
	// hammer the issuer; the set is also refreshed every hour).
	is.rotate(t, "key-2")
	if resp := me(is.token(t, "key-2", is.srv.URL, apptest.Audience, "spoc.101", soon)); resp.Status != 200 {
		t.Errorf("a token of the issuer's new key: %d %s", resp.Status, resp.Body)
	}
	for name, token := range map[string]string{
		"signed with a key the issuer never published": is.token(t, "stolen", is.srv.URL, apptest.Audience, "spoc.101", soon),
		"for another audience":                         is.token(t, "key-1", is.srv.URL, "another-service", "spoc.101", soon),
		"from another issuer":                          is.token(t, "key-1", "https://evil.example", apptest.Audience, "spoc.101", soon),
		"expired":                                      is.token(t, "key-1", is.srv.URL, apptest.Audience, "spoc.101", env.Clock.Now().Add(-time.Minute)),
		"for nobody the directory knows":               is.token(t, "key-1", is.srv.URL, apptest.Audience, "nobody", soon),
	} {
		if resp := me(token); resp.Status != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("a token %s: %d %s", name, resp.Status, resp.Body)
		}
	}
}
