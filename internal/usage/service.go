package usage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// The catalogue's lists the mapping is made of.
const (
	domainsVocabulary = "municipal-domains"
	systemsVocabulary = "it-systems"
)

// Service is the usage mapping's use cases.
type Service struct {
	db        *postgres.DB
	store     store
	audit     *audit.Log
	catalog   *catalog.Service
	directory *directory.Service
	clock     clock.Clock
}

// NewService returns the usage mapping service.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, dir *directory.Service, c clock.Clock) *Service {
	return &Service{db: db, store: store{db}, audit: log, catalog: cat, directory: dir, clock: c}
}

// list is the domains and systems every municipality maps: the catalogue's, and the proposed
// systems the secretariat accepted.
type list struct {
	domains     []catalog.Entry
	systems     []System
	exampleData bool
}

func (s *Service) list(ctx context.Context) (list, error) {
	l, err := s.domains(ctx)
	if err != nil {
		return list{}, err
	}
	syss, err := catalog.Get[catalog.Vocabulary](ctx, s.catalog, catalog.KindVocabulary, systemsVocabulary)
	if err != nil {
		return list{}, err
	}
	l.exampleData = l.exampleData || syss.ExampleData
	for _, e := range syss.Entries {
		domain, _ := e.Attributes["domain"].(string)
		l.systems = append(l.systems, System{ID: e.ID, Domain: domain, Name: e.Name})
	}
	added, err := s.store.accepted(ctx)
	l.systems = append(l.systems, added...)
	return l, err
}

// domains is the list's domains alone, from the catalogue.
func (s *Service) domains(ctx context.Context) (list, error) {
	doms, err := catalog.Get[catalog.Vocabulary](ctx, s.catalog, catalog.KindVocabulary, domainsVocabulary)
	return list{domains: doms.Entries, exampleData: doms.ExampleData}, err
}

// Mapping returns municipality code's mapping as it stands: every domain with its systems and
// the current answers.
func (s *Service) Mapping(ctx context.Context, code string) (Mapping, error) {
	if _, err := s.directory.Municipality(ctx, code); err != nil {
		return Mapping{}, err
	}
	l, err := s.list(ctx)
	if err != nil {
		return Mapping{}, err
	}
	current, err := s.store.current(ctx, code)
	if err != nil {
		return Mapping{}, err
	}
	names, err := s.answerers(ctx, current)
	if err != nil {
		return Mapping{}, err
	}
	m := Mapping{Municipality: code, Domains: []Domain{}, Systems: len(l.systems), ExampleData: l.exampleData}
	for _, d := range l.domains {
		dom := Domain{ID: d.ID, Name: d.Name, Systems: []Mapped{}}
		for _, sys := range l.systems {
			if sys.Domain != d.ID {
				continue
			}
			mp := Mapped{System: sys}
			if a, ok := current[sys.ID]; ok {
				mp.Answer, mp.Note, mp.AnsweredBy, mp.AnsweredAt, mp.Source = &a.Answer, a.Note, names[a.AnsweredBy], &a.AnsweredAt, &a.Source
				m.Answered++
			}
			dom.Systems = append(dom.Systems, mp)
		}
		m.Domains = append(m.Domains, dom)
	}
	subs, err := s.store.latestSubmissions(ctx, []string{code})
	if sub, ok := subs[code]; ok {
		m.Submitted = &sub
	}
	return m, err
}

// answerers are the names of the people who gave the answers.
func (s *Service) answerers(ctx context.Context, current map[string]answerRow) (map[string]string, error) {
	var subjects []string
	for _, a := range current {
		if !slices.Contains(subjects, a.AnsweredBy) {
			subjects = append(subjects, a.AnsweredBy)
		}
	}
	return s.directory.ActorNames(ctx, subjects)
}

// Answer records answers of municipality code, those that change what it answered; an answer
// for a system the mapping does not have is refused, by its place in the list.
func (s *Service) Answer(ctx context.Context, code string, in NewAnswers, source Source) (Mapping, error) {
	if err := validation.Check(in); err != nil {
		return Mapping{}, err
	}
	return idempotency.Run(ctx, s.db, "usage.answer", in, func(ctx context.Context) (Mapping, error) {
		changed, err := s.record(ctx, code, in.Answers, source, nil)
		if err != nil {
			return Mapping{}, err
		}
		if len(changed) > 0 {
			if err := s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: "usage.answer", ObjectType: "usage_mapping",
				ObjectID: code, Diff: map[string]any{"source": source, "answers": changed}}); err != nil {
				return Mapping{}, err
			}
		}
		return s.Mapping(ctx, code)
	})
}

// record stores the answers that change municipality code's mapping, in the transaction of ctx,
// and returns them; every answer is checked first, and one problem refuses them all.
func (s *Service) record(ctx context.Context, code string, answers []NewAnswer, source Source, upload *string) ([]NewAnswer, error) {
	l, err := s.list(ctx)
	if err != nil {
		return nil, err
	}
	e := &apperr.Error{Kind: apperr.Invalid, Msg: "the answers have problems; nothing was stored"}
	seen := map[string]int{}
	for i, a := range answers {
		p := fmt.Sprintf("/answers/%d", i)
		if !known(l.systems, a.System) {
			e.Fields = append(e.Fields, apperr.FieldError{Pointer: p + "/system", Reason: "is not a system of the mapping"})
		} else if j, twice := seen[a.System]; twice {
			e.Fields = append(e.Fields, apperr.FieldError{Pointer: p + "/system", Reason: fmt.Sprintf("is answered already at /answers/%d", j)})
		}
		seen[a.System] = i
		if !slices.Contains(Answers, a.Answer) {
			e.Fields = append(e.Fields, apperr.FieldError{Pointer: p + "/answer", Reason: "must be primary, secondary or not_used"})
		}
	}
	if len(e.Fields) > 0 {
		return nil, e
	}
	current, err := s.store.current(ctx, code)
	if err != nil {
		return nil, err
	}
	actor, _ := identity.FromContext(ctx)
	now := s.clock.Now()
	var rows []answerRow
	var changed []NewAnswer
	for _, a := range answers {
		note := strings.TrimSpace(a.Note)
		if c, ok := current[a.System]; ok && c.Answer == a.Answer && c.Note == note {
			continue
		}
		rows = append(rows, answerRow{Municipality: code, SystemID: a.System, Answer: a.Answer, Note: note, AnsweredBy: actor.Subject,
			AnsweredAt: now, Source: source, UploadID: upload})
		changed = append(changed, NewAnswer{System: a.System, Answer: a.Answer, Note: note})
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if err := s.store.addAnswers(ctx, rows); err != nil {
		return nil, err
	}
	for _, r := range rows { // the answers as they now stand: the figures follow, without reading them again
		current[r.SystemID] = r
	}
	_, err = s.keep(ctx, l, map[string]map[string]answerRow{code: current})
	return changed, err
}

// Sheet writes municipality code's mapping as the workbook it fills in.
func (s *Service) Sheet(ctx context.Context, code string, w io.Writer) error {
	m, err := s.Mapping(ctx, code)
	if err != nil {
		return err
	}
	proposals, err := s.store.proposalsOf(ctx, code)
	if err != nil {
		return err
	}
	return WriteSheet(w, m, proposals, s.clock.Now().In(clock.Copenhagen))
}

// Upload takes a filled-in workbook of municipality code: every row is checked, and only a
// sheet without a problem is stored, whole, with its SHA-256 and the answers it changed. The
// same file uploaded again changes nothing and answers as the first time.
func (s *Service) Upload(ctx context.Context, code string, file []byte) (Upload, error) {
	if _, err := s.directory.Municipality(ctx, code); err != nil {
		return Upload{}, err
	}
	sum := sha256.Sum256(file)
	digest := hex.EncodeToString(sum[:])
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "usage.upload", digest, func(ctx context.Context) (Upload, error) {
		if u, ok, err := s.store.upload(ctx, code, digest); err != nil || ok {
			u.Replayed = ok
			return u, err
		}
		l, err := s.list(ctx)
		if err != nil {
			return Upload{}, err
		}
		answers, proposals, err := readSheet(file, code, l)
		if err != nil {
			return Upload{}, err
		}
		made, err := s.store.proposalsOf(ctx, code)
		if err != nil {
			return Upload{}, err
		}
		r := uploadRow{ID: uuid.NewString(), Municipality: code, SHA256: digest, Bytes: len(file), Rows: len(answers), File: file,
			UploadedBy: actor.Subject, UploadedAt: s.clock.Now()}
		if err := s.store.insertUpload(ctx, r); err != nil {
			return Upload{}, err
		}
		changed, err := s.record(ctx, code, answers, FromSheet, &r.ID)
		if err != nil {
			return Upload{}, err
		}
		var proposed []Proposal
		for _, in := range proposals { // the sheet lists the proposals made before as well: each is made once
			if slices.ContainsFunc(made, func(p Proposal) bool { return p.Domain == in.Domain && strings.EqualFold(p.Name, in.Name) }) {
				continue
			}
			p, err := s.propose(ctx, code, in)
			if err != nil {
				return Upload{}, err
			}
			proposed = append(proposed, p)
		}
		r.Changed, r.Proposed = len(changed), len(proposed)
		if err := s.store.setOutcome(ctx, r.ID, r.Changed, r.Proposed); err != nil {
			return Upload{}, err
		}
		u := r.upload()
		return u, s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: "usage.upload", ObjectType: "usage_mapping",
			ObjectID: code, Diff: map[string]any{"upload": u, "answers": changed, "proposed": proposed}})
	})
}

// History returns one page of municipality code's answers as they were given, oldest first; of
// one system when system is set.
func (s *Service) History(ctx context.Context, code, system string, p page.Request) (page.Page[Given], error) {
	if _, err := s.directory.Municipality(ctx, code); err != nil {
		return page.Page[Given]{}, err
	}
	return s.store.history(ctx, code, system, p)
}

// Submit records that municipality code has done its mapping, with how many systems it answered.
func (s *Service) Submit(ctx context.Context, code string) (Submission, error) {
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "usage.submit", struct{}{}, func(ctx context.Context) (Submission, error) {
		m, err := s.Mapping(ctx, code)
		if err != nil {
			return Submission{}, err
		}
		if m.Answered == 0 {
			return Submission{}, apperr.New(apperr.Conflict, "nothing is answered yet: answer the systems first")
		}
		r := submissionRow{ID: uuid.NewString(), Municipality: code, Answered: m.Answered, Systems: m.Systems, SubmittedBy: actor.Subject,
			SubmittedAt: s.clock.Now()}
		if err := s.store.insertSubmission(ctx, r); err != nil {
			return Submission{}, err
		}
		sub := r.submission()
		return sub, s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: "usage.submit", ObjectType: "usage_mapping",
			ObjectID: code, Diff: audit.Diff(nil, sub)})
	})
}

// Found is whether a municipality has submitted its mapping, and what was found, in words.
type Found struct {
	Submitted bool
	Detail    string
}

// Proof tells, for each of municipalities codes, whether it has submitted its mapping: the
// evidence of the task that asks for it.
func (s *Service) Proof(ctx context.Context, codes []string) (map[string]Found, error) {
	subs, err := s.store.latestSubmissions(ctx, codes)
	out := make(map[string]Found, len(codes))
	for _, code := range codes {
		f := Found{Detail: "the usage mapping is not submitted yet"}
		if sub, ok := subs[code]; ok {
			f = Found{Submitted: true, Detail: fmt.Sprintf("submitted on %s with %d of %d systems answered",
				sub.SubmittedAt.In(clock.Copenhagen).Format(time.DateOnly), sub.Answered, sub.Systems)}
		}
		out[code] = f
	}
	return out, err
}

// Propose records a system municipality code uses that the list lacks.
func (s *Service) Propose(ctx context.Context, code string, in NewProposal) (Proposal, error) {
	if err := validation.Check(in); err != nil {
		return Proposal{}, err
	}
	return idempotency.Run(ctx, s.db, "usage.propose", in, func(ctx context.Context) (Proposal, error) {
		l, err := s.domains(ctx)
		if err != nil {
			return Proposal{}, err
		}
		if !slices.ContainsFunc(l.domains, func(d catalog.Entry) bool { return d.ID == in.Domain }) {
			return Proposal{}, apperr.Field("/domain", "is not a municipal domain of the mapping")
		}
		return s.propose(ctx, code, in)
	})
}

// propose records a checked proposal of municipality code, with its audit record, in the
// transaction of ctx.
func (s *Service) propose(ctx context.Context, code string, in NewProposal) (Proposal, error) {
	actor, _ := identity.FromContext(ctx)
	r := proposalRow{ID: uuid.NewString(), Municipality: code, Domain: in.Domain, Name: strings.TrimSpace(in.Name),
		Description: strings.TrimSpace(in.Description), State: Proposed, ProposedBy: actor.Subject, ProposedAt: s.clock.Now(), Version: 1}
	if err := s.store.insertProposal(ctx, r); err != nil {
		return Proposal{}, err
	}
	p := r.proposal()
	return p, s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: "usage.propose", ObjectType: "usage_system_proposal",
		ObjectID: p.ID, Diff: audit.Diff(nil, p)})
}

// Proposals returns one page of the proposed systems, oldest first: of municipality code, or of
// all when code is "", in a state when it is set.
func (s *Service) Proposals(ctx context.Context, code string, state State, p page.Request) (page.Page[Proposal], error) {
	return s.store.proposals(ctx, code, state, p)
}

var systemID = regexp.MustCompile(`^SYS-[A-Z0-9-]{2,30}$`)

// Decide accepts a proposed system into the list every municipality maps, under an id of its
// own, or rejects it with the reason.
func (s *Service) Decide(ctx context.Context, id string, in Decision) (Proposal, error) {
	if err := validation.Check(in); err != nil {
		return Proposal{}, err
	}
	switch {
	case in.Outcome != Accepted && in.Outcome != Rejected:
		return Proposal{}, apperr.Field("/outcome", "must be accepted or rejected")
	case in.Outcome == Accepted && !systemID.MatchString(in.SystemID):
		return Proposal{}, apperr.Field("/system_id", "is required to accept: an id such as SYS-MOMENTUM (SYS-, then capitals, digits or dashes)")
	case in.Outcome == Rejected && strings.TrimSpace(in.Reason) == "":
		return Proposal{}, apperr.Field("/reason", "is required to reject: say why, to the municipality")
	}
	actor, _ := identity.FromContext(ctx)
	var out Proposal
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.proposal(ctx, id, true)
		if err != nil {
			return err
		}
		if r.State != Proposed {
			return apperr.Newf(apperr.Conflict, "the proposal is %s already", r.State)
		}
		if in.Outcome == Accepted {
			l, err := s.list(ctx)
			if err != nil {
				return err
			}
			if known(l.systems, in.SystemID) {
				return apperr.Field("/system_id", "is the id of a system of the list already")
			}
			r.SystemID = &in.SystemID
		}
		before := r.proposal()
		now := s.clock.Now()
		r.State, r.Reason, r.DecidedBy, r.DecidedAt, r.Version = in.Outcome, strings.TrimSpace(in.Reason), &actor.Subject, &now, r.Version+1
		if err := s.store.saveProposal(ctx, r); err != nil {
			return err
		}
		out = r.proposal()
		if in.Outcome == Accepted { // every municipality's list has one system more
			codes, err := s.directory.MunicipalityCodes(ctx)
			if err != nil {
				return err
			}
			if _, err := s.refresh(ctx, codes); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.PlatformID, Action: "usage.decide", ObjectType: "usage_system_proposal",
			ObjectID: id, Diff: audit.Diff(before, out)})
	})
	return out, err
}
