package notice

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/jobs"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Options wire the service.
type Options struct {
	PublicURL  string // links in mails start with it
	MailDomain string // the right-hand side of Message-IDs
}

// Service is the notices' use cases.
type Service struct {
	db            *postgres.DB
	store         store
	audit         *audit.Log
	catalog       *catalog.Service
	directory     *directory.Service
	subscriptions *subscription.Service
	mailboxes     *mailbox.Service
	deliveries    *delivery.Service
	jobs          *jobs.Jobs
	clock         clock.Clock
	opt           Options
	wake          chan struct{} // an event of this instance committed
	backlog       atomic.Pointer[EventBacklog]
}

// NewService returns the notice service and registers its escalation worker with j.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, dir *directory.Service, subs *subscription.Service,
	boxes *mailbox.Service, d *delivery.Service, j *jobs.Jobs, c clock.Clock, o Options) *Service {
	s := &Service{db: db, store: store{db}, audit: log, catalog: cat, directory: dir, subscriptions: subs, mailboxes: boxes,
		deliveries: d, jobs: j, clock: c, opt: o, wake: make(chan struct{}, 1)}
	jobs.Handle(j, &escalateWorker{s: s})
	jobs.Handle(j, &legacyAnnounce{s: s})
	return s
}

// swaggerUI links the operation op in Swagger UI, which is where the people a mail goes to work:
// the API's own URLs would answer them 401 in a browser.
func (s *Service) swaggerUI(op string) string { return s.SwaggerUI("notices", op) }

// SwaggerUI links operation op under tag in Swagger UI, for the mails of other capabilities.
func (s *Service) SwaggerUI(tag, op string) string {
	return s.opt.PublicURL + "/swagger/index.html#/" + strings.ReplaceAll(tag, " ", "%20") + "/" + op
}

// AckPath is where an acknowledgement link points: a page with a button, which posts back.
const AckPath = "/notices/acknowledge"

// AckLinkValidity is how long an acknowledgement link works.
const AckLinkValidity = 14 * 24 * time.Hour

// Publish publishes a notice of sender (unit:SLUG, or the platform for the secretariat): it is
// recorded with its recipients, each recipient address gets a delivery, and a high-priority
// notice gets an acknowledgement per municipality with its escalation scheduled.
func (s *Service) Publish(ctx context.Context, sender tenant.ID, in NewNotice) (Notice, error) {
	return idempotency.Run(ctx, s.db, "notice.publish", in, func(ctx context.Context) (Notice, error) { return s.Send(ctx, sender, in) })
}

// Send publishes in, checked, from sender in the transaction of ctx: for a change that announces
// itself (a security incident), whose own request is the one a retry repeats.
func (s *Service) Send(ctx context.Context, sender tenant.ID, in NewNotice) (Notice, error) {
	if err := validation.Check(in); err != nil {
		return Notice{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var out Notice
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		tags, err := s.tags(ctx)
		if err != nil {
			return err
		}
		holders, err := s.holders(ctx, sender, in.Scope)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		ack, err := in.check(tags, now, noticeDays(ctx, s.catalog, holders))
		if err != nil {
			return err
		}
		name, short, err := s.senderName(ctx, sender)
		if err != nil {
			return err
		}
		id := uuid.NewString()
		n := Notice{ID: id, ThreadID: id, Seq: 1, Kind: First, Sender: sender.String(), SenderName: name, Tags: in.Tags,
			HighPriority: in.HighPriority, Emergency: in.Emergency, EmergencyWhy: strings.TrimSpace(in.EmergencyReason),
			Title: strings.TrimSpace(in.Title), Body: in.Body, Subject: Subject(in.Tags, in.HighPriority, in.Title, short),
			PlannedStart: in.PlannedStart, PlannedEnd: in.PlannedEnd, Scope: in.Scope, Recipients: codes(holders),
			TagsVersion: tags.Version, PublishedBy: actor.Subject, PublishedAt: now}
		if len(n.Recipients) == 0 {
			return apperr.New(apperr.Conflict, "no municipality subscribes to what the notice names; nobody would receive it")
		}
		if in.HighPriority {
			due := now.Add(time.Duration(ack) * time.Minute)
			n.AckMinutes, n.AckDueAt = ack, &due
		}
		out = n
		return s.send(ctx, n, nil, tags)
	})
	return out, err
}

// FollowUp adds an update or the closure to the thread of notice id, sent by sender to the
// thread's recipients with the thread's subject.
func (s *Service) FollowUp(ctx context.Context, sender tenant.ID, id string, in NewFollowUp) (Notice, error) {
	return idempotency.Run(ctx, s.db, "notice.follow_up", in, func(ctx context.Context) (Notice, error) { return s.SendFollowUp(ctx, sender, id, in) })
}

// SendFollowUp adds in to the thread of notice id in the transaction of ctx, as FollowUp does,
// for a change that announces itself.
func (s *Service) SendFollowUp(ctx context.Context, sender tenant.ID, id string, in NewFollowUp) (Notice, error) {
	if err := validation.Check(in); err != nil {
		return Notice{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var out Notice
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		first, err := s.store.get(ctx, id, sender.String(), "")
		if err != nil {
			return err
		}
		thread, err := s.store.lockThread(ctx, first.ThreadID)
		if err != nil {
			return err
		}
		root, last := thread[0], thread[len(thread)-1]
		if last.Kind == Closure {
			return apperr.New(apperr.Conflict, "the thread is closed; publish a new notice")
		}
		tags, err := s.tags(ctx)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		n := Notice{ID: uuid.NewString(), ThreadID: root.ThreadID, Seq: last.Seq + 1, Kind: in.Kind, Sender: root.Sender,
			SenderName: root.SenderName, Tags: root.Tags, HighPriority: in.HighPriority, Title: root.Title, Body: in.Body,
			Subject: root.Subject, PlannedStart: root.PlannedStart, PlannedEnd: root.PlannedEnd, Scope: root.Scope,
			Recipients: root.Recipients, TagsVersion: tags.Version, PublishedBy: actor.Subject, PublishedAt: now}
		if in.HighPriority {
			ack := root.AckMinutes
			if ack == 0 {
				ack = 24 * 60
			}
			due := now.Add(time.Duration(ack) * time.Minute)
			n.AckMinutes, n.AckDueAt = ack, &due
		}
		out = n
		return s.send(ctx, n, thread, tags)
	})
	return out, err
}

// send records notice n (after the thread's earlier notices), its deliveries and, if it is high
// priority, its acknowledgements and their escalations, and audits it, in the transaction of ctx.
func (s *Service) send(ctx context.Context, n Notice, earlier []Notice, tags catalog.Vocabulary) error {
	escalation, err := s.scheduleEscalation(ctx, n)
	if err != nil {
		return err
	}
	if err := s.store.insert(ctx, n, escalation); err != nil {
		return err
	}
	entries := make([]catalog.Entry, 0, len(n.Tags))
	for _, t := range n.Tags {
		e, ok := tags.Tag(t)
		if !ok { // a thread's tag the vocabulary has dropped since: shown by its code
			e = catalog.Entry{ID: t, Name: catalog.Text{DA: t, EN: t}}
		}
		entries = append(entries, e)
	}
	byCode, err := s.mailboxes.Recipients(ctx, n.Recipients, n.Tags)
	if err != nil {
		return err
	}
	municipalities, err := s.directory.Municipalities(ctx, n.Recipients)
	if err != nil {
		return err
	}
	mail, err := compose(n, entries)
	if err != nil {
		return err
	}
	var items []delivery.New
	var acks []ackRow
	for _, code := range n.Recipients {
		link, token := "", ""
		if n.HighPriority {
			var hash []byte
			var err error
			if token, hash, err = newToken(); err != nil {
				return err
			}
			link = s.opt.PublicURL + AckPath + "?token=" + delivery.SecretPlaceholder
			acks = append(acks, ackRow{NoticeID: n.ID, Municipality: code, LinkTokenHash: hash, DueAt: *n.AckDueAt})
		}
		rs := byCode[code]
		if len(rs) == 0 {
			continue // no verified mailbox: the notice waits in the municipality's inbox
		}
		msg := mail.message(municipalities[code].Name, link, s.swaggerUI("getMunicipalityNotice"))
		for _, r := range rs {
			m := msg
			m.Headers = s.headers(n, earlier, entries, r.Address)
			items = append(items, delivery.New{SubjectType: "notice", SubjectID: n.ID, Channel: delivery.Mail, Recipient: r.Address,
				Tenant: tenant.ForMunicipality(code).String(), Sender: n.Sender, Message: m, Secret: token})
		}
	}
	tenants := make([]string, len(n.Recipients))
	for i, code := range n.Recipients {
		tenants[i] = tenant.ForMunicipality(code).String()
	}
	hooks, err := s.deliveries.ToWebhooks(ctx, tenants, "notice", n.ID, n.Sender, "notice."+string(n.Kind), webhookPayload(n))
	if err != nil {
		return err
	}
	if _, err := s.deliveries.Enqueue(ctx, append(items, hooks...)...); err != nil {
		return err
	}
	if err := s.store.insertAcks(ctx, acks); err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Change{Tenant: senderTenant(n.Sender), Action: "notice." + string(n.Kind), ObjectType: "notice",
		ObjectID: n.ID, Diff: map[string]any{"subject": n.Subject, "tags": n.Tags, "high_priority": n.HighPriority, "thread_id": n.ThreadID,
			"municipality_count": len(n.Recipients), "mail_count": len(items)}})
}

func senderTenant(s string) tenant.ID {
	t, err := tenant.Parse(s)
	if err != nil {
		return tenant.PlatformID
	}
	return t
}

// headers are the mail headers of notice n to address: priority, the list its first tag's family
// names, and the thread (References to the earlier notices' Message-IDs to the same address).
func (s *Service) headers(n Notice, earlier []Notice, tags []catalog.Entry, address string) map[string]string {
	var first catalog.Entry
	if len(tags) > 0 {
		first = tags[0]
	}
	h := s.baseHeaders(first, n.Tags, n.HighPriority)
	h["Thread-Topic"] = n.Title
	var replies []time.Time
	if len(earlier) > 0 {
		var refs []string
		for _, e := range earlier {
			refs = append(refs, "<"+delivery.MessageID(delivery.ID("notice", e.ID, delivery.Mail, address), s.opt.MailDomain)+">")
			if e.Seq > 1 {
				replies = append(replies, e.PublishedAt)
			}
		}
		h["References"], h["In-Reply-To"] = strings.Join(refs, " "), refs[len(refs)-1]
		replies = append(replies, n.PublishedAt)
	}
	start := n.PublishedAt
	if len(earlier) > 0 {
		start = earlier[0].PublishedAt
	}
	h["Thread-Index"] = threadIndex(n.ThreadID, start, replies)
	return h
}

func newToken() (token string, hash []byte, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	return token, sum[:], nil
}

func (s *Service) tags(ctx context.Context) (catalog.Vocabulary, error) {
	return catalog.Get[catalog.Vocabulary](ctx, s.catalog, catalog.KindVocabulary, catalog.NoticeTagsID)
}

// holders are the municipalities a notice of sender with scope reaches: with scope all, every
// municipality (the secretariat) or every customer of the unit; else the subscribers of the
// services or offerings.
func (s *Service) holders(ctx context.Context, sender tenant.ID, sc Scope) ([]subscription.Holder, error) {
	unit := ""
	if sender.Kind == tenant.Unit {
		unit = sender.Key
	}
	if sc.All && unit == "" {
		all, err := s.directory.MunicipalityCodes(ctx)
		out := make([]subscription.Holder, len(all))
		for i, c := range all {
			out[i] = subscription.Holder{Municipality: c}
		}
		return out, err
	}
	if sc.All {
		return s.subscriptions.Holders(ctx, unit, nil, nil)
	}
	var out []subscription.Holder
	if len(sc.Services)+len(sc.Offerings) > 0 {
		hs, err := s.subscriptions.Holders(ctx, unit, sc.Services, sc.Offerings)
		if err != nil {
			return nil, err
		}
		out = hs
	}
	if len(sc.Municipalities) == 0 {
		return out, nil
	}
	var known []subscription.Holder
	var err error
	if unit != "" {
		known, err = s.subscriptions.Holders(ctx, unit, nil, nil)
	} else {
		var all []string
		all, err = s.directory.MunicipalityCodes(ctx)
		for _, c := range all {
			known = append(known, subscription.Holder{Municipality: c})
		}
	}
	if err != nil {
		return nil, err
	}
	for i, code := range sc.Municipalities {
		n := len(out)
		for _, h := range known {
			if h.Municipality == code {
				out = append(out, h)
			}
		}
		if len(out) == n {
			reason := "is not the code of a municipality"
			if unit != "" {
				reason = "is not a municipality that subscribes to the unit's services"
			}
			return nil, apperr.Field(fmt.Sprintf("/scope/municipalities/%d", i), reason)
		}
	}
	return out, nil
}

func codes(hs []subscription.Holder) []string {
	out := []string{}
	for _, h := range hs {
		if !slices.Contains(out, h.Municipality) {
			out = append(out, h.Municipality)
		}
	}
	return out
}

// noticeDays is the notice planned maintenance needs: the longest maintenance notice of the
// levels the recipients hold, and never under MinNoticeDays.
func noticeDays(ctx context.Context, cat *catalog.Service, hs []subscription.Holder) int {
	days := MinNoticeDays
	seen := map[string]bool{}
	for _, h := range hs {
		if h.Level == "" || seen[h.Level] {
			continue
		}
		seen[h.Level] = true
		if l, err := catalog.Get[catalog.Level](ctx, cat, catalog.KindLevel, h.Level); err == nil && l.Maintenance.NoticeDays > days {
			days = l.Maintenance.NoticeDays
		}
	}
	return days
}

// How the secretariat signs its notices, in full and in the subject.
const (
	platformName  = "Sekretariatet for de fælles driftsenheder"
	platformShort = "sekretariatet"
)

// senderName is how a notice names its sender: in full, and in the subject (the unit's slug, or
// "secretariat").
func (s *Service) senderName(ctx context.Context, sender tenant.ID) (name, short string, err error) {
	if sender.Kind != tenant.Unit {
		return platformName, platformShort, nil
	}
	u, err := s.directory.Unit(ctx, sender.Key)
	return u.Name, u.Slug, err
}

// Get returns a notice as sender (a unit, or the platform for any) reads it.
func (s *Service) Get(ctx context.Context, sender tenant.ID, id string) (Notice, error) {
	if sender.Kind == tenant.Unit {
		return s.store.get(ctx, id, sender.String(), "")
	}
	return s.store.get(ctx, id, "", "")
}

// List returns one page of notices, oldest first: a unit's own, or every notice for the platform
// and the council.
func (s *Service) List(ctx context.Context, sender tenant.ID, p page.Request) (page.Page[Notice], error) {
	if sender.Kind == tenant.Unit {
		return s.store.list(ctx, sender.String(), "", p)
	}
	return s.store.list(ctx, "", "", p)
}

// Received is a notice as a municipality's inbox shows it, with its acknowledgement.
type Received struct {
	Notice
	MustAcknowledge bool       `json:"must_acknowledge"`
	AcknowledgedAt  *time.Time `json:"acknowledged_at" format:"date-time" extensions:"x-nullable"`
	AcknowledgedBy  *string    `json:"acknowledged_by" extensions:"x-nullable"`
}

// Inbox returns one page of the notices sent to a municipality, oldest first.
func (s *Service) Inbox(ctx context.Context, code string, p page.Request) (page.Page[Received], error) {
	ns, err := s.store.list(ctx, "", code, p)
	if err != nil {
		return page.Page[Received]{}, err
	}
	out := page.Page[Received]{Items: make([]Received, len(ns.Items)), Next: ns.Next}
	ids := make([]string, len(ns.Items))
	for i, n := range ns.Items {
		out.Items[i], ids[i] = Received{Notice: n}, n.ID
	}
	acks, err := s.store.acks(ctx, ids)
	if err != nil {
		return out, err
	}
	for i := range out.Items {
		for _, a := range acks {
			if a.NoticeID == out.Items[i].ID && a.Municipality == code {
				out.Items[i].MustAcknowledge, out.Items[i].AcknowledgedAt, out.Items[i].AcknowledgedBy = true, a.AcknowledgedAt, a.AcknowledgedBy
			}
		}
	}
	return out, nil
}

// Received returns one notice sent to a municipality.
func (s *Service) Received(ctx context.Context, code, id string) (Received, error) {
	n, err := s.store.get(ctx, id, "", code)
	if err != nil {
		return Received{}, err
	}
	r := Received{Notice: n}
	if a, err := s.store.ack(ctx, id, code, false); err == nil {
		r.MustAcknowledge, r.AcknowledgedAt, r.AcknowledgedBy = true, a.AcknowledgedAt, a.AcknowledgedBy
	} else if !apperr.Is(err, apperr.NotFound) {
		return r, err
	}
	return r, nil
}

// Acknowledge records that the municipality has seen a high-priority notice, as the caller of
// ctx, in one transaction that, for the last of the notice's municipalities, cancels its
// escalation. A second acknowledgement changes nothing.
func (s *Service) Acknowledge(ctx context.Context, code, id string) (Received, error) {
	actor, _ := identity.FromContext(ctx)
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		a, err := s.store.ack(ctx, id, code, true)
		if apperr.Is(err, apperr.NotFound) {
			if _, err := s.store.get(ctx, id, "", code); err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "the notice is not high priority; it needs no acknowledgement")
		} else if err != nil {
			return err
		}
		return s.acknowledge(ctx, a, actor.Subject)
	})
	if err != nil {
		return Received{}, err
	}
	return s.Received(ctx, code, id)
}

// acknowledge records a's acknowledgement by by; the last of a notice's acknowledgements cancels
// its escalation.
func (s *Service) acknowledge(ctx context.Context, a ackRow, by string) error {
	if a.AcknowledgedAt != nil {
		return nil
	}
	escalation, err := s.store.lockEscalation(ctx, a.NoticeID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	a.AcknowledgedAt, a.AcknowledgedBy = &now, &by
	if err := s.store.saveAck(ctx, a); err != nil {
		return err
	}
	open, err := s.store.unacknowledgedCount(ctx, a.NoticeID)
	if err != nil {
		return err
	}
	if open == 0 {
		escalation = append(escalation, a.EscalationJobs...)
	} else {
		escalation = a.EscalationJobs
	}
	if err := s.jobs.Cancel(ctx, escalation...); err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(a.Municipality), Action: "notice.acknowledge",
		ObjectType: "notice", ObjectID: a.NoticeID, Diff: map[string]any{"acknowledged_by": by, "due_at": a.DueAt,
			"late": now.After(a.DueAt)}})
}

// Link is what an acknowledgement link is about, as its page shows it.
type Link struct {
	Notice       Notice
	Municipality directory.Municipality
	DueAt        time.Time
	Acknowledged *time.Time
}

var errLink = apperr.New(apperr.NotFound, "this acknowledgement link does not work: it is wrong or more than 14 days old; acknowledge the notice in Servicekatalog instead")

func (s *Service) byLink(ctx context.Context, token string) (ackRow, error) {
	sum := sha256.Sum256([]byte(token))
	a, err := s.store.ackByToken(ctx, sum[:])
	if apperr.Is(err, apperr.NotFound) {
		return a, errLink
	}
	return a, err
}

// LinkInfo reads what the acknowledgement link with token is about, changing nothing.
func (s *Service) LinkInfo(ctx context.Context, token string) (Link, error) {
	a, err := s.byLink(ctx, token)
	if err != nil {
		return Link{}, err
	}
	n, err := s.store.get(ctx, a.NoticeID, "", "")
	if err != nil {
		return Link{}, err
	}
	if s.clock.Now().After(n.PublishedAt.Add(AckLinkValidity)) {
		return Link{}, errLink
	}
	m, err := s.directory.Municipality(ctx, a.Municipality)
	return Link{Notice: n, Municipality: m, DueAt: a.DueAt, Acknowledged: a.AcknowledgedAt}, err
}

// AcknowledgeByLink acknowledges the notice the link with token is for, on behalf of its
// municipality (the link is the credential).
func (s *Service) AcknowledgeByLink(ctx context.Context, token string) (Link, error) {
	info, err := s.LinkInfo(ctx, token)
	if err != nil {
		return Link{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		a, err := s.store.ack(ctx, info.Notice.ID, info.Municipality.Code, true)
		if err != nil {
			return err
		}
		return s.acknowledge(ctx, a, "link in the mail to "+info.Municipality.Code)
	})
	if err != nil {
		return Link{}, err
	}
	return s.LinkInfo(ctx, token)
}

// Unacknowledged is a municipality's high-priority notices not acknowledged in time, for the
// council's overview.
type Unacknowledged struct {
	Municipality string    `json:"municipality" example:"101"`
	Name         string    `json:"name" example:"København"`
	Notices      []Overdue `json:"notices"`
}

// Overdue is one unacknowledged high-priority notice.
type Overdue struct {
	ID          string    `json:"id" format:"uuid"`
	Subject     string    `json:"subject" example:"[NEDBRUD] ! File service down (midt)"`
	Sender      string    `json:"sender" example:"unit:midt"`
	PublishedAt time.Time `json:"published_at" format:"date-time"`
	DueAt       time.Time `json:"due_at" format:"date-time"`
	MinutesLate int       `json:"minutes_late" example:"45"`
	Escalations int       `json:"escalations" example:"1"` // the escalation steps sent
}

// Overview lists, per municipality, the high-priority notices past their acknowledgement limit.
func (s *Service) Overview(ctx context.Context) ([]Unacknowledged, error) {
	now := s.clock.Now()
	rows, err := s.store.unacknowledged(ctx, now, true)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(rows))
	for i, r := range rows {
		codes[i] = r.Municipality
	}
	names, err := s.directory.Municipalities(ctx, codes)
	if err != nil {
		return nil, err
	}
	out := []Unacknowledged{}
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].Municipality != r.Municipality {
			out = append(out, Unacknowledged{Municipality: r.Municipality, Name: names[r.Municipality].Name})
		}
		u := &out[len(out)-1]
		u.Notices = append(u.Notices, Overdue{ID: r.NoticeID, Subject: r.Subject, Sender: r.Sender, PublishedAt: r.PublishedAt,
			DueAt: r.DueAt, MinutesLate: int(now.Sub(r.DueAt).Minutes()), Escalations: r.Steps})
	}
	return out, nil
}

// Steps are when an unacknowledged notice escalates, after its due time: at once to the cover
// and the SPOCs, and again after as long as the limit was, to them and the secretariat.
var Steps = 2

// escalateArgs is one step of a notice's escalation.
type escalateArgs struct {
	Notice string `json:"notice"`
	// Municipality limits the step to one municipality: before migration 00011 a notice had a
	// job per municipality and step.
	Municipality string `json:"municipality,omitempty"`
	Step         int    `json:"step"`
}

func (escalateArgs) Kind() string { return "notice.escalate" }

// scheduleEscalation enqueues the escalation steps of high-priority notice n, in one statement, to
// run at their times unless every acknowledgement has come first, and returns their jobs; a step
// is unique, so it fires once.
func (s *Service) scheduleEscalation(ctx context.Context, n Notice) ([]int64, error) {
	if !n.HighPriority {
		return nil, nil
	}
	params := make([]river.InsertManyParams, Steps)
	limit := time.Duration(n.AckMinutes) * time.Minute
	for i := range Steps {
		params[i] = river.InsertManyParams{Args: escalateArgs{Notice: n.ID, Step: i + 1},
			InsertOpts: &river.InsertOpts{ScheduledAt: n.AckDueAt.Add(time.Duration(i) * limit), MaxAttempts: 10,
				UniqueOpts: river.UniqueOpts{ByArgs: true}}}
	}
	return s.jobs.EnqueueMany(ctx, params)
}

type escalateWorker struct {
	river.WorkerDefaults[escalateArgs]
	s *Service
}

// Work sends one escalation step to each municipality that has not acknowledged. Its deliveries
// are named by the step, and each municipality's escalated steps are recorded, so a step that runs
// twice (after a crash) sends nothing twice.
func (w *escalateWorker) Work(ctx context.Context, job *river.Job[escalateArgs]) error {
	s, step := w.s, job.Args.Step
	return s.db.InTx(ctx, func(ctx context.Context) error {
		acks, err := s.store.toEscalate(ctx, job.Args.Notice, job.Args.Municipality, step)
		if err != nil || len(acks) == 0 {
			return err
		}
		n, err := s.store.get(ctx, job.Args.Notice, "", "")
		if err != nil {
			return err
		}
		codes := make([]string, len(acks))
		for i, a := range acks {
			codes[i] = a.Municipality
		}
		ms, err := s.directory.Municipalities(ctx, codes)
		if err != nil {
			return err
		}
		var items []delivery.New
		for _, a := range acks {
			m := ms[a.Municipality]
			to, err := s.escalationRecipients(ctx, a.Municipality, step)
			if err != nil {
				return err
			}
			msg, err := escalationMail(n, m, step, a.DueAt, s.swaggerUI("acknowledgeNotice"))
			if err != nil {
				return err
			}
			for _, addr := range to {
				items = append(items, delivery.New{SubjectType: "notice_escalation", SubjectID: fmt.Sprintf("%s/%s/%d", n.ID, m.Code, step),
					Channel: delivery.Mail, Recipient: addr, Tenant: m.Tenant().String(), Sender: tenant.PlatformID.String(), Message: msg})
			}
			a.EscalatedSteps = step
			if err := s.store.saveAck(ctx, a); err != nil {
				return err
			}
			if err := s.audit.Record(identity.WithPrincipal(ctx, identity.System("escalation")), audit.Change{
				Tenant: m.Tenant(), Action: "notice.escalate", ObjectType: "notice", ObjectID: n.ID,
				Diff: map[string]any{"municipality": m.Code, "step": step, "recipients": to}}); err != nil {
				return err
			}
		}
		_, err = s.deliveries.Enqueue(ctx, items...)
		return err
	})
}

// escalationRecipients are who an escalation step goes to: the cover in force and the SPOCs,
// and at the second step the secretariat as well.
func (s *Service) escalationRecipients(ctx context.Context, code string, step int) ([]string, error) {
	to, err := s.mailboxes.Deputies(ctx, code)
	if err != nil {
		return nil, err
	}
	add := func(t tenant.ID, role tenant.Role) error {
		us, err := s.directory.UsersWithRole(ctx, t, role)
		for _, u := range us {
			if u.Email != "" && !slices.Contains(to, u.Email) {
				to = append(to, u.Email)
			}
		}
		return err
	}
	if err := add(tenant.ForMunicipality(code), tenant.SPOC); err != nil {
		return nil, err
	}
	if step >= 2 {
		if err := add(tenant.PlatformID, tenant.Secretariat); err != nil {
			return nil, err
		}
	}
	return to, nil
}

// webhookPayload is what a webhook receives of a notice: the notice without the other
// recipients.
func webhookPayload(n Notice) map[string]any {
	return map[string]any{"id": n.ID, "thread_id": n.ThreadID, "seq": n.Seq, "kind": n.Kind, "sender": n.Sender, "sender_name": n.SenderName,
		"subject": n.Subject, "tags": n.Tags, "high_priority": n.HighPriority, "title": n.Title, "body": n.Body,
		"planned_start": n.PlannedStart, "planned_end": n.PlannedEnd, "ack_due_at": n.AckDueAt, "published_at": n.PublishedAt}
}

// baseHeaders are the headers of every notice and event mail: the List-Id of the first tag's
// family, the tags for rules that read headers, no auto-replies, and the priority.
func (s *Service) baseHeaders(first catalog.Entry, tags []string, high bool) map[string]string {
	list, ok := first.Attributes["list"].(string)
	if !ok {
		list = "info"
	}
	h := map[string]string{"List-Id": `"Servicekatalog ` + strings.ToUpper(list) + `" <` + list + ".notices." + s.opt.MailDomain + ">",
		"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All", "X-Servicekatalog-Tags": strings.Join(tags, ",")}
	if high {
		h["Importance"], h["X-Priority"], h["Priority"] = "high", "1 (Highest)", "urgent"
	}
	return h
}

// TagsChanged tells every municipality that the notice tags changed, when a catalogue sync
// brings a new version of them (catalog.OnUpdate): the mailboxes' rules route on the tags.
func (s *Service) TagsChanged(ctx context.Context, kind, id string, doc []byte) error {
	if kind != catalog.KindVocabulary || id != catalog.NoticeTagsID {
		return nil
	}
	var v catalog.Vocabulary
	if err := json.Unmarshal(doc, &v); err != nil {
		return err
	}
	all, err := s.directory.MunicipalityCodes(ctx)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Notitsmærkerne i emnefeltet er ændret til version %d. Opdatér jeres mailregler.\n\n"+
		"The tags in the subject changed to version %d. Update your mail rules.\n\n", v.Version, v.Version)
	for _, e := range v.Entries {
		fmt.Fprintf(&b, "- **[%s]** %s / %s", e.ID, e.Name.DA, e.Name.EN)
		if e.Description != nil {
			fmt.Fprintf(&b, ": %s / %s", e.Description.DA, e.Description.EN)
		}
		fmt.Fprintf(&b, " (kvittering inden %d min. ved høj prioritet / acknowledge within %d min when high priority)\n", limit(e), limit(e))
	}
	actor, _ := identity.FromContext(ctx)
	id = uuid.NewString()
	title := fmt.Sprintf("Notitsmærker version %d / Notice tags version %d", v.Version, v.Version)
	n := Notice{ID: id, ThreadID: id, Seq: 1, Kind: First, Sender: tenant.PlatformID.String(), SenderName: platformName,
		Tags: []string{"AENDRING"}, Title: title, Body: b.String(), Subject: Subject([]string{"AENDRING"}, false, title, platformShort),
		Scope: Scope{All: true}, Recipients: all, TagsVersion: v.Version, PublishedBy: actor.Subject, PublishedAt: s.clock.Now()}
	return s.send(ctx, n, nil, v)
}
