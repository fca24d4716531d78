package delivery

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"code.dny.dev/ssrf"
	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Endpoint is a webhook of a municipality or unit that notices and events are posted to, signed
// as Standard Webhooks prescribes. Its secret is shown once, when it is created or rotated.
type Endpoint struct {
	ID        string     `json:"id" format:"uuid"`
	Tenant    string     `json:"tenant" example:"municipality:101"`
	URL       string     `json:"url" example:"https://itsm.kk.example/hooks/servicekatalog"`
	Rotating  *time.Time `json:"previous_secret_until" format:"date-time" extensions:"x-nullable"` // the old secret also signs until then
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at" format:"date-time"`
	Version   int        `json:"version"`
}

// EndpointWithSecret is an endpoint with the secret to verify its signatures, shown this once.
type EndpointWithSecret struct {
	Endpoint
	Secret string `json:"secret" example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"`
}

// NewWebhook registers an endpoint.
type NewWebhook struct {
	URL string `json:"url" validate:"required,max=2000" example:"https://itsm.kk.example/hooks/servicekatalog"`
}

// Rotation is how long the previous secret keeps signing after a rotation.
const Rotation = 24 * time.Hour

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

// checkURL accepts an https URL without credentials (http too when private targets are allowed,
// for development). Where it points is checked when it is dialled.
func (s *Service) checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.User != nil || u.Fragment != "":
		return apperr.Field("/url", "must be an absolute URL without credentials, such as https://itsm.kk.example/hooks")
	case u.Scheme != "https" && !(u.Scheme == "http" && s.opt.AllowPrivateWebhooks):
		return apperr.Field("/url", "must be https")
	}
	return nil
}

// AddWebhook registers an endpoint of tenant t and returns it with its secret.
func (s *Service) AddWebhook(ctx context.Context, t tenant.ID, in NewWebhook) (EndpointWithSecret, error) {
	if err := validation.Check(in); err != nil {
		return EndpointWithSecret{}, err
	}
	if err := s.checkURL(in.URL); err != nil {
		return EndpointWithSecret{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "webhook.create", in, func(ctx context.Context) (EndpointWithSecret, error) {
		secret, err := newSecret()
		if err != nil {
			return EndpointWithSecret{}, err
		}
		r := webhookRow{ID: uuid.NewString(), Tenant: t.String(), URL: in.URL, Secret: secret, CreatedBy: actor.Subject,
			CreatedAt: s.clock.Now(), Version: 1}
		if err := s.store.insertWebhook(ctx, r); apperr.Is(err, apperr.Conflict) {
			return EndpointWithSecret{}, apperr.Field("/url", "is registered already")
		} else if err != nil {
			return EndpointWithSecret{}, err
		}
		w := r.webhook()
		return EndpointWithSecret{Endpoint: w, Secret: secret}, s.audit.Record(ctx, audit.Change{Tenant: t, Action: "webhook.create",
			ObjectType: "webhook", ObjectID: w.ID, Diff: audit.Diff(nil, w)})
	})
}

// Webhooks lists tenant t's endpoints.
func (s *Service) Webhooks(ctx context.Context, t tenant.ID) ([]Endpoint, error) {
	rows, err := s.store.webhooks(ctx, t.String())
	out := make([]Endpoint, len(rows))
	for i, r := range rows {
		out[i] = r.webhook()
	}
	return out, err
}

// RotateWebhook gives an endpoint a new secret if it is still at version; the previous one keeps
// signing for Rotation, so that the receiver can switch.
func (s *Service) RotateWebhook(ctx context.Context, t tenant.ID, id string, version int) (EndpointWithSecret, error) {
	var out EndpointWithSecret
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.webhook(ctx, t.String(), id, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		secret, err := newSecret()
		if err != nil {
			return err
		}
		until := s.clock.Now().Add(Rotation)
		previous := r.Secret
		r.PreviousSecret, r.PreviousUntil, r.Secret, r.Version = &previous, &until, secret, r.Version+1
		if err := s.store.saveWebhook(ctx, r); err != nil {
			return err
		}
		out = EndpointWithSecret{Endpoint: r.webhook(), Secret: secret}
		return s.audit.Record(ctx, audit.Change{Tenant: t, Action: "webhook.rotate", ObjectType: "webhook", ObjectID: id,
			Diff: map[string]any{"previous_secret_until": until}})
	})
	return out, err
}

// RemoveWebhook removes an endpoint if it is still at version.
func (s *Service) RemoveWebhook(ctx context.Context, t tenant.ID, id string, version int) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.webhook(ctx, t.String(), id, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		if err := s.store.deleteWebhook(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Tenant: t, Action: "webhook.delete", ObjectType: "webhook", ObjectID: id,
			Diff: audit.Diff(r.webhook(), nil)})
	})
}

// ToWebhooks is a delivery of event with payload to each endpoint of the tenants, about the
// subject, on behalf of sender.
func (s *Service) ToWebhooks(ctx context.Context, tenants []string, subjectType, subjectID, sender, event string, payload any) ([]New, error) {
	es, err := s.Endpoints(ctx, tenants)
	return es.To(tenants, subjectType, subjectID, sender, event, payload), err
}

// Endpoints are webhook endpoints of some tenants, read once for the deliveries of many subjects.
type Endpoints []webhookRow

// Endpoints reads the webhook endpoints of tenants.
func (s *Service) Endpoints(ctx context.Context, tenants []string) (Endpoints, error) {
	return s.store.webhooksOf(ctx, tenants)
}

// To are the deliveries of one subject to the endpoints of tenants, as ToWebhooks makes them.
func (es Endpoints) To(tenants []string, subjectType, subjectID, sender, event string, payload any) []New {
	var out []New
	for _, r := range es {
		if slices.Contains(tenants, r.Tenant) {
			out = append(out, New{SubjectType: subjectType, SubjectID: subjectID, Channel: Webhook, Recipient: r.URL, Tenant: r.Tenant,
				Sender: sender, Message: Message{Event: event, Payload: payload, Endpoint: r.ID}})
		}
	}
	return out
}

// WebhookSender posts deliveries to endpoints, signed with the endpoint's secrets at the moment
// of each attempt, through a dialer that refuses loopback, private and link-local addresses.
type WebhookSender struct {
	store  store
	client *http.Client
	now    func() time.Time
}

// NewWebhookSender returns the sender; allowPrivate lets it reach any address (development and
// tests only: it opens the platform to requests into its own network).
func (s *Service) NewWebhookSender(timeout time.Duration, allowPrivate bool) *WebhookSender {
	dialer := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		dialer.Control = ssrf.New(ssrf.WithAnyPort()).Safe
	}
	transport := &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}
	return &WebhookSender{store: s.store, now: time.Now, client: &http.Client{Transport: transport, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Send posts the message. A 2xx is delivered; 410 Gone and a refused address are Permanent;
// anything else may pass.
func (ws *WebhookSender) Send(ctx context.Context, id, recipient string, m Message) error {
	r, err := ws.store.webhookByID(ctx, m.Endpoint)
	if err != nil {
		return &Permanent{fmt.Errorf("the webhook is gone: %w", err)}
	}
	now := ws.now()
	body, err := json.Marshal(map[string]any{"type": m.Event, "timestamp": now.UTC().Format(time.RFC3339), "data": m.Payload})
	if err != nil {
		return &Permanent{err}
	}
	msgID := "msg_" + id
	secrets := []string{r.Secret}
	if r.PreviousSecret != nil && r.PreviousUntil != nil && now.Before(*r.PreviousUntil) {
		secrets = append(secrets, *r.PreviousSecret)
	}
	var sigs []string
	for _, sec := range secrets {
		wh, err := standardwebhooks.NewWebhook(sec)
		if err != nil {
			return &Permanent{err}
		}
		sig, err := wh.Sign(msgID, now, body)
		if err != nil {
			return &Permanent{err}
		}
		sigs = append(sigs, sig)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(body))
	if err != nil {
		return &Permanent{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Servicekatalog-Webhooks/1")
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", fmt.Sprint(now.Unix()))
	req.Header.Set("webhook-signature", strings.Join(sigs, " "))
	resp, err := ws.client.Do(req)
	if err != nil {
		if errors.Is(err, ssrf.ErrProhibitedIP) || errors.Is(err, ssrf.ErrProhibitedNetwork) || errors.Is(err, ssrf.ErrProhibitedPort) {
			return &Permanent{fmt.Errorf("%s is not a public address: %w", r.URL, err)}
		}
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusGone:
		return &Permanent{fmt.Errorf("%s answered 410 Gone", r.URL)}
	}
	return fmt.Errorf("%s answered %d", r.URL, resp.StatusCode)
}
