package mailbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Service is the mailboxes' use cases.
type Service struct {
	db         *postgres.DB
	store      store
	audit      *audit.Log
	catalog    *catalog.Service
	directory  *directory.Service
	deliveries *delivery.Service
	clock      clock.Clock
	publicURL  string
}

// NewService returns the mailbox service; links in its mails start with publicURL.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, dir *directory.Service, d *delivery.Service, c clock.Clock,
	publicURL string) *Service {
	return &Service{db: db, store: store{db}, audit: log, catalog: cat, directory: dir, deliveries: d, clock: c, publicURL: publicURL}
}

func (s *Service) record(ctx context.Context, code, action, objectType, id string, diff any) error {
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: action, ObjectType: objectType,
		ObjectID: id, Diff: diff})
}

// Get returns a municipality's mailbox.
func (s *Service) Get(ctx context.Context, code string) (Mailbox, error) {
	if _, err := s.directory.Municipality(ctx, code); err != nil {
		return Mailbox{}, err
	}
	r, _, err := s.store.get(ctx, code, false)
	return r.mailbox(), err
}

// Set registers a new address if the mailbox is still at version: it is pending, and a
// confirmation link is sent to it, until someone there confirms it; the verified address, if any,
// stays in use until then. Setting the pending address again sends a new link.
func (s *Service) Set(ctx context.Context, code string, version int, in Input) (Mailbox, error) {
	if err := validation.Check(in); err != nil {
		return Mailbox{}, err
	}
	if err := plainAddress("/address", in.Address); err != nil {
		return Mailbox{}, err
	}
	m, err := s.directory.Municipality(ctx, code)
	if err != nil {
		return Mailbox{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var out Mailbox
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		r, exists, err := s.store.get(ctx, code, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		if r.Address != nil && strings.EqualFold(*r.Address, in.Address) {
			return apperr.Field("/address", "is the verified address already")
		}
		before := r.mailbox()
		now := s.clock.Now()
		r.PendingAddress, r.PendingRequestedBy, r.PendingRequestedAt = &in.Address, &actor.Subject, &now
		if err := s.sendLink(ctx, m, &r); err != nil {
			return err
		}
		r.Version++
		if err := s.store.save(ctx, r, exists); err != nil {
			return err
		}
		out = r.mailbox()
		return s.record(ctx, code, "mailbox.change", "mailbox", code, audit.Diff(before, out))
	})
	return out, err
}

// sendLink gives the pending address of r a new confirmation token and enqueues the mail with
// its link, in the transaction of ctx. The platform keeps the token's hash; the token goes with
// the delivery as its secret, kept out of its message.
func (s *Service) sendLink(ctx context.Context, m directory.Municipality, r *row) error {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	now := s.clock.Now()
	expires := now.Add(LinkValidity)
	r.LinkTokenHash, r.LinkSentAt, r.LinkExpiresAt, r.UpdatedAt = sum[:], &now, &expires, now
	requester := ""
	if r.PendingRequestedBy != nil {
		names, err := s.directory.ActorNames(ctx, []string{*r.PendingRequestedBy})
		if err != nil {
			return err
		}
		requester = names[*r.PendingRequestedBy]
	}
	msg, err := confirmationMail(m, *r.PendingAddress, requester, s.publicURL+ConfirmPath+"?token="+delivery.SecretPlaceholder, expires)
	if err != nil {
		return err
	}
	_, err = s.deliveries.Enqueue(ctx, delivery.New{SubjectType: "mailbox_confirmation", SubjectID: uuid.NewString(),
		Channel: delivery.Mail, Recipient: *r.PendingAddress, Tenant: m.Tenant().String(), Sender: tenant.PlatformID.String(),
		Message: msg, Secret: token})
	return err
}

// ConfirmPath is where a confirmation link points: a page with a button, which posts back.
const ConfirmPath = "/mailbox/confirm"

// SendLinks sends a confirmation link to each pending address that has none yet (addresses
// registered before verification existed) and returns how many it sent.
func (s *Service) SendLinks(ctx context.Context) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		rows, err := s.store.unsent(ctx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			m, err := s.directory.Municipality(ctx, r.Municipality)
			if err != nil {
				return err
			}
			if err := s.sendLink(ctx, m, &r); err != nil {
				return err
			}
			r.Version++
			if err := s.store.save(ctx, r, true); err != nil {
				return err
			}
			if err := s.record(ctx, r.Municipality, "mailbox.link_sent", "mailbox", r.Municipality,
				map[string]any{"address": *r.PendingAddress, "expires_at": r.LinkExpiresAt}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Confirmation is what a confirmation link is about, as its page shows it.
type Confirmation struct {
	Municipality directory.Municipality
	Address      string
	ExpiresAt    time.Time
}

// errLink is the one answer to a link that does not work, whatever the reason, so that a
// guessed token learns nothing.
var errLink = apperr.New(apperr.NotFound, "this confirmation link does not work: it is wrong, used or more than 72 hours old; register the address again to get a new one")

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Confirmation reads what the link with token confirms, changing nothing.
func (s *Service) Confirmation(ctx context.Context, token string) (Confirmation, error) {
	r, err := s.store.byToken(ctx, tokenHash(token), false)
	if apperr.Is(err, apperr.NotFound) || err == nil && !r.LinkExpiresAt.After(s.clock.Now()) {
		return Confirmation{}, errLink
	} else if err != nil {
		return Confirmation{}, err
	}
	m, err := s.directory.Municipality(ctx, r.Municipality)
	return Confirmation{Municipality: m, Address: *r.PendingAddress, ExpiresAt: *r.LinkExpiresAt}, err
}

// Confirm verifies the pending address whose link carries token: it becomes the address notices
// go to. The link works once, within LinkValidity.
func (s *Service) Confirm(ctx context.Context, token string) (Mailbox, error) {
	var out Mailbox
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.byToken(ctx, tokenHash(token), true)
		if apperr.Is(err, apperr.NotFound) || err == nil && !r.LinkExpiresAt.After(s.clock.Now()) {
			return errLink
		} else if err != nil {
			return err
		}
		before := r.mailbox()
		now := s.clock.Now()
		r.Address, r.VerifiedAt = r.PendingAddress, &now
		r.PendingAddress, r.PendingRequestedBy, r.PendingRequestedAt = nil, nil, nil
		r.LinkTokenHash, r.LinkSentAt, r.LinkExpiresAt = nil, nil, nil
		r.Version, r.UpdatedAt = r.Version+1, now
		if err := s.store.save(ctx, r, true); err != nil {
			return err
		}
		out = r.mailbox()
		return s.record(ctx, r.Municipality, "mailbox.confirm", "mailbox", r.Municipality, audit.Diff(before, out))
	})
	return out, err
}

// tags checks tag against the notice tags of the catalogue, for the field at ptr.
func (s *Service) tag(ctx context.Context, ptr, tag string) error {
	v, err := catalog.Get[catalog.Vocabulary](ctx, s.catalog, catalog.KindVocabulary, catalog.NoticeTagsID)
	if err != nil {
		return err
	}
	if _, ok := v.Tag(tag); !ok {
		ids := make([]string, len(v.Entries))
		for i, e := range v.Entries {
			ids[i] = e.ID
		}
		return apperr.Field(ptr, "is not a notice tag (tags: "+strings.Join(ids, ", ")+")")
	}
	return nil
}

// Routes lists a municipality's routing rules by tag.
func (s *Service) Routes(ctx context.Context, code string) ([]Route, error) {
	if _, err := s.directory.Municipality(ctx, code); err != nil {
		return nil, err
	}
	return s.store.routes(ctx, code)
}

// AddRoute adds a routing rule: notices with the tag also go to the addresses. A tag has one rule.
func (s *Service) AddRoute(ctx context.Context, code string, in NewRoute) (Route, error) {
	if err := validation.Check(in); err != nil {
		return Route{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "mailbox.route", in, func(ctx context.Context) (Route, error) {
		if _, err := s.directory.Municipality(ctx, code); err != nil {
			return Route{}, err
		}
		if err := s.tag(ctx, "/tag", in.Tag); err != nil {
			return Route{}, err
		}
		if err := addresses("/addresses", in.Addresses); err != nil {
			return Route{}, err
		}
		now := s.clock.Now()
		r := routeRow{ID: uuid.NewString(), Municipality: code, Tag: in.Tag, Addresses: in.Addresses, CreatedBy: actor.Subject,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.store.insertRoute(ctx, r); apperr.Is(err, apperr.Conflict) {
			return Route{}, apperr.Field("/tag", "has a routing rule already; change its addresses instead")
		} else if err != nil {
			return Route{}, err
		}
		out := r.route()
		return out, s.record(ctx, code, "mailbox.route.create", "mailbox_route", r.ID, audit.Diff(nil, out))
	})
}

// UpdateRoute replaces a rule's addresses if it is still at version.
func (s *Service) UpdateRoute(ctx context.Context, code, id string, version int, in RoutePatch) (Route, error) {
	if err := validation.Check(in); err != nil {
		return Route{}, err
	}
	if err := addresses("/addresses", in.Addresses); err != nil {
		return Route{}, err
	}
	var out Route
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.route(ctx, code, id, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		before := r.route()
		r.Addresses, r.UpdatedAt, r.Version = in.Addresses, s.clock.Now(), r.Version+1
		if err := s.store.saveRoute(ctx, r); err != nil {
			return err
		}
		out = r.route()
		return s.record(ctx, code, "mailbox.route.update", "mailbox_route", id, audit.Diff(before, out))
	})
	return out, err
}

// DeleteRoute removes a rule if it is still at version.
func (s *Service) DeleteRoute(ctx context.Context, code, id string, version int) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.route(ctx, code, id, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		if err := s.store.deleteRoute(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, code, "mailbox.route.delete", "mailbox_route", id, audit.Diff(r.route(), nil))
	})
}

// Covers lists a municipality's cover periods that have not ended, soonest first.
func (s *Service) Covers(ctx context.Context, code string) ([]Cover, error) {
	if _, err := s.directory.Municipality(ctx, code); err != nil {
		return nil, err
	}
	return s.store.covers(ctx, s.clock.Now(), code)
}

// Readiness is whether a municipality's mailbox is set up as seed 000 asks: a verified address
// and a cover, and what was found, in words.
type Readiness struct {
	Ready  bool
	Detail string
}

// Ready tells, for each of municipalities codes, whether its mailbox is set up: the evidence of
// the task that asks for it.
func (s *Service) Ready(ctx context.Context, codes []string) (map[string]Readiness, error) {
	boxes, err := s.store.mailboxes(ctx, codes)
	if err != nil {
		return nil, err
	}
	covers, err := s.store.covers(ctx, s.clock.Now(), codes...)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, c := range covers {
		count[c.Municipality]++
	}
	out := make(map[string]Readiness, len(codes))
	for _, code := range codes {
		var found []string
		b, ok := boxes[code]
		switch {
		case ok && b.Address != nil:
			found = append(found, *b.Address+" verified")
		case ok && b.PendingAddress != nil:
			found = append(found, *b.PendingAddress+" registered, not yet confirmed from the mail")
		default:
			found = append(found, "no infrastructure mailbox registered")
		}
		switch count[code] {
		case 0:
			found = append(found, "no cover set")
		case 1:
			found = append(found, "a cover set")
		default:
			found = append(found, fmt.Sprintf("%d covers set", count[code]))
		}
		out[code] = Readiness{Ready: ok && b.Address != nil && count[code] > 0, Detail: strings.Join(found, "; ")}
	}
	return out, nil
}

// AddCover adds deputies to the municipality's notices for a period, e.g. a colleague's holiday.
func (s *Service) AddCover(ctx context.Context, code string, in NewCover) (Cover, error) {
	if err := validation.Check(in); err != nil {
		return Cover{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "mailbox.cover", in, func(ctx context.Context) (Cover, error) {
		if _, err := s.directory.Municipality(ctx, code); err != nil {
			return Cover{}, err
		}
		from, to, err := in.period(s.clock.Now())
		if err != nil {
			return Cover{}, err
		}
		if err := addresses("/deputies", in.Deputies); err != nil {
			return Cover{}, err
		}
		r := coverRow{ID: uuid.NewString(), Municipality: code, Covering: strings.TrimSpace(in.Covering), Deputies: in.Deputies,
			StartsAt: from, EndsAt: to, TimeZone: in.TimeZone, Reason: strings.TrimSpace(in.Reason), CreatedBy: actor.Subject,
			CreatedAt: s.clock.Now(), Version: 1}
		if err := s.store.insertCover(ctx, r); err != nil {
			return Cover{}, err
		}
		out := r.cover()
		return out, s.record(ctx, code, "mailbox.cover.create", "mailbox_cover", r.ID, audit.Diff(nil, out))
	})
}

// DeleteCover ends a cover early (removes it) if it is still at version.
func (s *Service) DeleteCover(ctx context.Context, code, id string, version int) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.cover(ctx, code, id)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(r.Version, version); err != nil {
			return err
		}
		if err := s.store.deleteCover(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, code, "mailbox.cover.delete", "mailbox_cover", id, audit.Diff(r.cover(), nil))
	})
}

// Recipients returns, per municipality with a verified mailbox, who receives a notice with tags
// now: the mailbox, the routes for the tags and the deputies of the cover in force.
func (s *Service) Recipients(ctx context.Context, codes []string, tags []string) (map[string][]Recipient, error) {
	now := s.clock.Now()
	boxes, err := s.store.verified(ctx, codes)
	if err != nil || len(boxes) == 0 {
		return nil, err
	}
	verified := make([]string, len(boxes))
	for i, b := range boxes {
		verified[i] = b.Municipality
	}
	routes, err := s.store.routes(ctx, verified...)
	if err != nil {
		return nil, err
	}
	covers, err := s.store.covers(ctx, now, verified...)
	if err != nil {
		return nil, err
	}
	byCode := func(code string) ([]Route, []Cover) {
		var rs []Route
		var cs []Cover
		for _, r := range routes {
			if r.Municipality == code {
				rs = append(rs, r)
			}
		}
		for _, c := range covers {
			if c.Municipality == code {
				cs = append(cs, c)
			}
		}
		return rs, cs
	}
	out := make(map[string][]Recipient, len(boxes))
	for _, b := range boxes {
		rs, cs := byCode(b.Municipality)
		out[b.Municipality] = recipients(b.mailbox(), rs, cs, tags, now)
	}
	return out, nil
}

// Deputies returns the addresses of the municipality's cover in force now, for escalations.
func (s *Service) Deputies(ctx context.Context, code string) ([]string, error) {
	covers, err := s.store.covers(ctx, s.clock.Now(), code)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range covers {
		if c.Active(s.clock.Now()) {
			out = append(out, c.Deputies...)
		}
	}
	return out, nil
}
