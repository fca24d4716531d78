package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// RemoteKeys returns a key function over an external issuer's JWKS, refreshed in the background
// (and on an unknown kid) by keyfunc. Without jwksURL it is read from the issuer's discovery
// document.
func RemoteKeys(ctx context.Context, issuer, jwksURL string) (jwt.Keyfunc, error) {
	if jwksURL == "" {
		var err error
		if jwksURL, err = discoverJWKS(ctx, issuer); err != nil {
			return nil, err
		}
	}
	k, err := keyfunc.NewDefaultCtx(ctx, []string{jwksURL})
	if err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", jwksURL, err)
	}
	return k.Keyfunc, nil
}

// DevKeys returns a key function over the dev issuer's JWKS.
func DevKeys(d *DevIssuer) (jwt.Keyfunc, error) {
	k, err := keyfunc.NewJWKSetJSON(d.JWKS())
	if err != nil {
		return nil, err
	}
	return k.Keyfunc, nil
}

func discoverJWKS(ctx context.Context, issuer string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	url := strings.TrimRight(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("OIDC discovery %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("OIDC discovery %s: status %d", url, resp.StatusCode)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("OIDC discovery %s: %w", url, err)
	}
	if doc.JWKSURI == "" || doc.Issuer != issuer {
		return "", fmt.Errorf("OIDC discovery %s: issuer %q or jwks_uri missing or different", url, doc.Issuer)
	}
	return doc.JWKSURI, nil
}
