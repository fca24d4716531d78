package config

import (
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"development defaults", map[string]string{}, ""},
		{"production refuses the dev issuer", map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://x/y"}, "OIDC_ISSUER is required"},
		{"production needs a database", map[string]string{"APP_ENV": "production", "OIDC_ISSUER": "https://idp.example"}, "DATABASE_URL is required"},
		{"production needs a mail server", map[string]string{"APP_ENV": "production", "OIDC_ISSUER": "https://idp.example", "DATABASE_URL": "postgres://x/y"}, "SMTP_HOST is required"},
		{"production with all three", map[string]string{"APP_ENV": "production", "OIDC_ISSUER": "https://idp.example", "DATABASE_URL": "postgres://x/y", "SMTP_HOST": "smtp.kk.example"}, ""},
		{"no workers is API-only", map[string]string{"WORKERS": "0"}, ""},
		{"negative workers", map[string]string{"WORKERS": "-1"}, "WORKERS"},
		{"rescue before the timeout", map[string]string{"JOB_TIMEOUT": "10m", "JOB_RESCUE_AFTER": "5m"}, "JOB_RESCUE_AFTER"},
		{"an SMTP timeout past the job's", map[string]string{"SMTP_TIMEOUT": "2m"}, "SMTP_TIMEOUT"},
		{"profiles on loopback", map[string]string{"PPROF_ADDR": "127.0.0.1:6060"}, ""},
		{"profiles on every interface", map[string]string{"PPROF_ADDR": ":6060"}, "PPROF_ADDR"},
		{"profiles on a host's address", map[string]string{"PPROF_ADDR": "10.0.0.5:6060"}, "PPROF_ADDR"},
		{"unknown environment", map[string]string{"APP_ENV": "staging"}, "APP_ENV"},
		{"bad duration", map[string]string{"SHUTDOWN_TIMEOUT": "soon"}, "SHUTDOWN_TIMEOUT"},
		{"no rate", map[string]string{"RATE_LIMIT": "0"}, "RATE_LIMIT"},
		{"no burst", map[string]string{"RATE_LIMIT_BURST": "0"}, "RATE_LIMIT_BURST"},
		{"rate not a number", map[string]string{"RATE_LIMIT": "fast"}, "RATE_LIMIT"},
		{"a fraction of a request per second", map[string]string{"RATE_LIMIT": "0.5", "RATE_LIMIT_BURST": "5"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"APP_ENV", "DATABASE_URL", "OIDC_ISSUER", "SHUTDOWN_TIMEOUT", "RATE_LIMIT", "RATE_LIMIT_BURST",
				"SMTP_HOST", "WORKERS", "JOB_TIMEOUT", "JOB_RESCUE_AFTER", "SMTP_TIMEOUT", "PPROF_ADDR"} {
				t.Setenv(k, tc.env[k])
			}
			_, err := Load()
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("Load() err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestStringMasksThePassword(t *testing.T) {
	c := Config{DatabaseURL: "postgres://app:s3cret@db.example/sk"}
	if s := c.String(); strings.Contains(s, "s3cret") || !strings.Contains(s, "app:xxxxx@") {
		t.Errorf("String() = %s", s)
	}
}
