package notice

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// Event is something the platform tells a municipality, and the unit concerned, about one of
// their own objects: an SLA warning or breach, an order's change of state, a task's reminder;
// or, without a municipality, a unit alone (an attestation about to expire).
type Event struct {
	Tag string `json:"tag"` // SLA, ORDRE or OPGAVE: the municipality's routes for it apply
	// Key names the event; an event is queued once per key and delivered once to each address,
	// however often it is announced.
	Key          string `json:"key"`
	Municipality string `json:"municipality"`
	// Unit is the unit concerned, which the subject names and whose users holding Role receive
	// it too; none for an event of the secretariat's (a task), which the subject names instead.
	Unit         string      `json:"unit"`
	Role         tenant.Role `json:"role"`
	HighPriority bool        `json:"high_priority"`
	Title        string      `json:"title"`
	Text         string      `json:"text"`
}

// Announce queues e in the transaction of ctx; a dispatcher then delivers it to the
// municipality's mailbox (with its routes for the tag and its cover) and to the unit's users
// holding e.Role, in the subject format of notices. The change that causes an event pays one
// plain insert for it, among its deferred writes (postgres.DB.Defer): no job, no shared row.
func (s *Service) Announce(ctx context.Context, e Event) error {
	return s.AnnounceAll(ctx, []Event{e})
}

// AnnounceAll queues events in the transaction of ctx in one statement, as Announce does each.
func (s *Service) AnnounceAll(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	doc, err := json.Marshal(events)
	if err != nil {
		return err
	}
	err = s.db.Defer(ctx, nil, `INSERT INTO notice_events (key, event)
		SELECT e->>'key', e FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS a(e, n) ORDER BY n
		ON CONFLICT (key) DO NOTHING`, string(doc))
	if err != nil {
		return err
	}
	postgres.AfterCommit(ctx, s.nudge)
	return nil
}

func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// dispatchBatch is how many events one round turns into deliveries at most.
const dispatchBatch = 200

// maxDispatchAttempts is how often an event whose dispatch fails is tried again, further apart
// each time, before it is left pending with its error.
const maxDispatchAttempts = 10

// Dispatch delivers every due pending event and says how many: at once when an event of this
// instance commits, and every interval for those of other instances (an API-only one) and those
// that failed. Every instance that works runs it; instances take disjoint batches.
func (s *Service) Dispatch(ctx context.Context, log *slog.Logger, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		ticked := false
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-tick.C:
			ticked = true
		}
		if _, err := s.DispatchDue(ctx); err != nil && ctx.Err() == nil {
			log.Warn("notice dispatcher", "err", err)
		}
		if ticked {
			var b EventBacklog
			if err := s.db.Conn(ctx).Raw(`SELECT count(*) FILTER (WHERE attempts < ?) AS pending,
				count(*) FILTER (WHERE attempts >= ?) AS failed FROM notice_events WHERE dispatched_at IS NULL`,
				maxDispatchAttempts, maxDispatchAttempts).Scan(&b).Error; err == nil {
				s.backlog.Store(&b)
			}
		}
	}
}

// EventBacklog is what the dispatchers have not delivered: events waiting (or waiting to be tried
// again), and events given up on after maxDispatchAttempts, which need a person.
type EventBacklog struct {
	Pending int64
	Failed  int64
}

// Backlog is the backlog this instance's dispatcher last read (for the metrics).
func (s *Service) Backlog() EventBacklog {
	if b := s.backlog.Load(); b != nil {
		return *b
	}
	return EventBacklog{}
}

// DispatchDue runs rounds until no due event is pending, and says how many it dispatched.
func (s *Service) DispatchDue(ctx context.Context) (int, error) {
	total := 0
	for {
		n, full, err := s.dispatchRound(ctx)
		total += n
		if err != nil || !full {
			return total, err
		}
	}
}

type pendingEvent struct {
	ID    int64
	Event []byte
}

// dispatchRound claims a batch of due events and delivers them in one transaction, with one read
// of each kind of recipient for the batch. A batch that fails is tried event by event, so that one
// event that cannot be delivered holds no other back; that one is tried again later.
func (s *Service) dispatchRound(ctx context.Context) (n int, full bool, err error) {
	var claimed []pendingEvent
	var cause error
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Raw(`SELECT id, event FROM notice_events
			WHERE dispatched_at IS NULL AND next_at <= now() AND attempts < ?
			ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, maxDispatchAttempts, dispatchBatch).Scan(&claimed).Error; err != nil {
			return err
		}
		cause = s.dispatch(ctx, claimed)
		return cause
	})
	full = len(claimed) == dispatchBatch
	if err == nil || err != cause {
		if err == nil {
			n = len(claimed)
		}
		return n, full, err
	}
	for _, r := range claimed {
		var one error
		err = s.db.InTx(ctx, func(ctx context.Context) error {
			var still []pendingEvent
			if err := s.db.Conn(ctx).Raw(`SELECT id, event FROM notice_events WHERE id = ? AND dispatched_at IS NULL
				FOR UPDATE SKIP LOCKED`, r.ID).Scan(&still).Error; err != nil {
				return err
			}
			one = s.dispatch(ctx, still)
			return one
		})
		switch {
		case err == nil:
			n++
		case err == one && ctx.Err() == nil:
			err = s.db.InTx(ctx, func(ctx context.Context) error { return s.failed(ctx, r.ID, one) })
		}
		if err != nil {
			return n, false, err
		}
	}
	return n, full, nil
}

// dispatch delivers the claimed events and marks them dispatched, in the transaction of ctx.
func (s *Service) dispatch(ctx context.Context, claimed []pendingEvent) error {
	if len(claimed) == 0 {
		return nil
	}
	events, ids := make([]Event, len(claimed)), make([]int64, len(claimed))
	for i, r := range claimed {
		if err := json.Unmarshal(r.Event, &events[i]); err != nil {
			return fmt.Errorf("event %d: %w", r.ID, err)
		}
		ids[i] = r.ID
	}
	if err := s.deliver(ctx, events); err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`UPDATE notice_events SET dispatched_at = now() WHERE id IN ?`, ids).Error
}

// failed records that event id could not be delivered now: it waits 2^attempts seconds.
func (s *Service) failed(ctx context.Context, id int64, cause error) error {
	return s.db.Conn(ctx).Exec(`UPDATE notice_events SET attempts = attempts + 1, last_error = ?,
		next_at = now() + make_interval(secs => power(2, attempts + 1)) WHERE id = ?`, cause.Error(), id).Error
}

// deliver enqueues the deliveries of events, in the transaction of ctx: their ids come from each
// event's key, so an event delivered twice reaches each address once.
func (s *Service) deliver(ctx context.Context, events []Event) error {
	tags, err := s.tags(ctx)
	if err != nil {
		return err
	}
	// The reads shared by the batch: each tag's recipients in its events' municipalities, each
	// unit's users holding each role, the webhooks of every tenant concerned.
	codesByTag := map[string][]string{}
	type unitRole struct {
		unit string
		role tenant.Role
	}
	users := map[unitRole][]directory.User{}
	var tenants []string
	for _, e := range events {
		if e.Municipality != "" && !slices.Contains(codesByTag[e.Tag], e.Municipality) {
			codesByTag[e.Tag] = append(codesByTag[e.Tag], e.Municipality)
		}
		if e.Unit != "" {
			users[unitRole{e.Unit, e.Role}] = nil
		}
		tenants = append(tenants, eventTenants(e)...)
	}
	boxes := map[string]map[string][]mailbox.Recipient{}
	for tag, codes := range codesByTag {
		if boxes[tag], err = s.mailboxes.Recipients(ctx, codes, []string{tag}); err != nil {
			return err
		}
	}
	for k := range users {
		if users[k], err = s.directory.UsersWithRole(ctx, tenant.ForUnit(k.unit), k.role); err != nil {
			return err
		}
	}
	slices.Sort(tenants)
	hooks, err := s.deliveries.Endpoints(ctx, slices.Compact(tenants))
	if err != nil {
		return err
	}
	var items []delivery.New
	for _, e := range events {
		to := map[string]string{} // address: whose
		for _, r := range boxes[e.Tag][e.Municipality] {
			to[r.Address] = tenant.ForMunicipality(e.Municipality).String()
		}
		sender := platformShort
		if e.Unit != "" {
			sender = e.Unit
			for _, u := range users[unitRole{e.Unit, e.Role}] {
				if _, taken := to[u.Email]; u.Email != "" && !taken {
					to[u.Email] = tenant.ForUnit(e.Unit).String()
				}
			}
		}
		entry, _ := tags.Tag(e.Tag)
		msg := delivery.Message{Subject: Subject([]string{e.Tag}, e.HighPriority, e.Title, sender),
			Headers: s.baseHeaders(entry, []string{e.Tag}, e.HighPriority), Text: e.Text}
		mails := make([]delivery.New, 0, len(to))
		for addr, whose := range to {
			mails = append(mails, delivery.New{SubjectType: "event", SubjectID: e.Key, Channel: delivery.Mail, Recipient: addr,
				Tenant: whose, Sender: tenant.PlatformID.String(), Message: msg})
		}
		slices.SortFunc(mails, func(a, b delivery.New) int { return strings.Compare(a.Recipient, b.Recipient) })
		items = append(items, mails...)
		items = append(items, hooks.To(eventTenants(e), "event", e.Key, tenant.PlatformID.String(), strings.ToLower(e.Tag)+".event",
			map[string]any{"key": e.Key, "tag": e.Tag, "title": e.Title, "text": e.Text, "municipality": e.Municipality, "unit": e.Unit,
				"high_priority": e.HighPriority})...)
	}
	_, err = s.deliveries.Enqueue(ctx, items...)
	return err
}

// eventTenants are the tenants whose webhooks hear of e: the municipality's, then the unit's.
func eventTenants(e Event) []string {
	var out []string
	if e.Municipality != "" {
		out = append(out, tenant.ForMunicipality(e.Municipality).String())
	}
	if e.Unit != "" {
		out = append(out, tenant.ForUnit(e.Unit).String())
	}
	return out
}

// legacyAnnounce works a job of the kind an event was before events had their own table, which an
// instance of the earlier version may enqueue while a rolling upgrade runs: it queues the event.
type legacyAnnounce struct {
	river.WorkerDefaults[legacyEvent]
	s *Service
}

type legacyEvent struct{ Event }

func (legacyEvent) Kind() string { return "notice.announce" }

func (w *legacyAnnounce) Work(ctx context.Context, job *river.Job[legacyEvent]) error {
	return w.s.Announce(ctx, job.Args.Event)
}
