package offering

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/cache"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// store reads and writes offerings. The published offerings are kept in memory once read: every
// change of a version empties that memory here after commit and, through Channel, elsewhere.
type store struct {
	db   *postgres.DB
	live *cache.Cache[*publishedSet]
}

// publishedSet is every offering with a live version, decoded, sorted by id (as PostgreSQL sorts
// uuids). Readers share it and must not modify it; a change replaces it.
type publishedSet struct {
	sorted []Offering
	byID   map[string]*Offering
}

// Channel is the LISTEN/NOTIFY channel that announces a changed offering version.
const Channel = "servicekatalog_offerings"

type offeringRow struct {
	ID        string
	Unit      string
	ServiceID string
	CreatedBy string
	CreatedAt time.Time
}

func (offeringRow) TableName() string { return "offerings" }

type versionRow struct {
	OfferingID      string
	Number          int
	State           State
	Levels          postgres.TextArray
	Terms           []byte `gorm:"type:jsonb"`
	RejectionReason string
	SubmittedAt     *time.Time
	PublishedAt     *time.Time
	RetireOn        *time.Time `gorm:"type:date"`
	Version         int
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (versionRow) TableName() string { return "offering_versions" }

func toRow(v Version) (versionRow, error) {
	terms, err := json.Marshal(v.Terms)
	if err != nil {
		return versionRow{}, err
	}
	r := versionRow{OfferingID: v.OfferingID, Number: v.Number, State: v.State, Levels: v.Terms.LevelIDs(), Terms: terms,
		RejectionReason: v.RejectionReason, SubmittedAt: v.SubmittedAt, PublishedAt: v.PublishedAt, Version: v.Version,
		CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
	if v.RetireOn != nil {
		d, err := time.Parse(time.DateOnly, *v.RetireOn)
		if err != nil {
			return r, err
		}
		r.RetireOn = &d
	}
	return r, nil
}

func fromRow(r versionRow) (Version, error) {
	v := Version{OfferingID: r.OfferingID, Number: r.Number, State: r.State, RejectionReason: r.RejectionReason,
		SubmittedAt: r.SubmittedAt, PublishedAt: r.PublishedAt, Version: r.Version, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.RetireOn != nil {
		d := r.RetireOn.Format(time.DateOnly)
		v.RetireOn = &d
	}
	return v, json.Unmarshal(r.Terms, &v.Terms)
}

// lockOffering loads an offering of unit for update; another unit's is not found.
func (st store) lockOffering(ctx context.Context, unit, id string) (offeringRow, error) {
	var o offeringRow
	return o, postgres.Take(st.db.Conn(ctx).Where("id = ? AND unit = ?", id, unit), true, &o, "offering")
}

// current returns the live and pending versions of the offerings ids, keyed by offering.
func (st store) current(ctx context.Context, ids []string) (live, pending map[string]*Version, err error) {
	live, pending = map[string]*Version{}, map[string]*Version{}
	if len(ids) == 0 {
		return live, pending, nil
	}
	var rows []versionRow
	if err := st.db.Conn(ctx).Where("offering_id IN ? AND state IN ?", ids,
		[]State{Draft, Submitted, Published, Retired}).Find(&rows).Error; err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		v, err := fromRow(r)
		if err != nil {
			return nil, nil, err
		}
		if v.State == Published || v.State == Retired {
			live[v.OfferingID] = &v
		} else {
			pending[v.OfferingID] = &v
		}
	}
	return live, pending, nil
}

func (st store) version(ctx context.Context, offeringID string, states ...State) (Version, error) {
	var r versionRow
	err := st.db.Conn(ctx).Where("offering_id = ? AND state IN ?", offeringID, states).Order("number DESC").Take(&r).Error
	if err == gorm.ErrRecordNotFound {
		return Version{}, apperr.Newf(apperr.NotFound, "the offering has no %v version", states)
	}
	if err != nil {
		return Version{}, err
	}
	return fromRow(r)
}

func (st store) insertVersion(ctx context.Context, v Version) error {
	r, err := toRow(v)
	if err != nil {
		return err
	}
	return st.db.Conn(ctx).Create(&r).Error
}

// saveVersion writes a changed version, bumping its concurrency version.
func (st store) saveVersion(ctx context.Context, v *Version, now time.Time) error {
	v.Version++
	v.UpdatedAt = now
	r, err := toRow(*v)
	if err != nil {
		return err
	}
	err = st.db.Conn(ctx).Model(&versionRow{}).Where("offering_id = ? AND number = ?", v.OfferingID, v.Number).
		Updates(map[string]any{"state": r.State, "levels": r.Levels, "terms": r.Terms, "rejection_reason": r.RejectionReason,
			"submitted_at": r.SubmittedAt, "published_at": r.PublishedAt, "retire_on": r.RetireOn,
			"version": r.Version, "updated_at": r.UpdatedAt}).Error
	if err != nil {
		return err
	}
	return st.live.Changed(ctx, st.db)
}

// published returns the published set from memory, or reads it in one query.
func (st store) published(ctx context.Context) (*publishedSet, error) {
	return st.live.Read(ctx, "", func(ctx context.Context) (*publishedSet, error) {
		var rows []liveRow
		if err := st.liveOfferings(ctx).Order("offerings.id").Scan(&rows).Error; err != nil {
			return nil, err
		}
		set := &publishedSet{sorted: make([]Offering, len(rows)), byID: make(map[string]*Offering, len(rows))}
		for i, r := range rows {
			o, err := r.offering()
			if err != nil {
				return nil, err
			}
			set.sorted[i] = o
			set.byID[o.ID] = &set.sorted[i]
		}
		return set, nil
	})
}

func (st store) nextNumber(ctx context.Context, offeringID string) (int, error) {
	var n int
	err := st.db.Conn(ctx).Raw(`SELECT COALESCE(max(number), 0) + 1 FROM offering_versions WHERE offering_id = ?`, offeringID).Scan(&n).Error
	return n, err
}

func (st store) insertOffering(ctx context.Context, o offeringRow) error {
	return postgres.Translate(st.db.Conn(ctx).Create(&o).Error)
}

// offering loads one offering (of unit, when it is not ""), locked for change when lock is set.
func (st store) offering(ctx context.Context, unit, id string, lock bool) (offeringRow, error) {
	q := st.db.Conn(ctx).Where("id = ?", id)
	if unit != "" {
		q = q.Where("unit = ?", unit)
	}
	var r offeringRow
	return r, postgres.Take(q, lock, &r, "offering")
}

// versionNumber loads version number of an offering, whatever its state.
func (st store) versionNumber(ctx context.Context, offeringID string, number int) (Version, error) {
	var r versionRow
	if err := st.db.Conn(ctx).Where("offering_id = ? AND number = ?", offeringID, number).Take(&r).Error; err != nil {
		return Version{}, postgres.NotFound(err, "offering version")
	}
	return fromRow(r)
}

// submittedVersion is a version waiting for the council, with its offering's unit and service.
type submittedVersion struct {
	OfferingID, Unit, ServiceID, CreatedBy string
	Number                                 int
	SubmittedAt                            time.Time
}

func (st store) submitted(ctx context.Context) ([]submittedVersion, error) {
	var out []submittedVersion
	return out, st.db.Conn(ctx).Table("offering_versions v").
		Select("v.offering_id, v.number, v.created_by, v.submitted_at, o.unit, o.service_id").
		Joins("JOIN offerings o ON o.id = v.offering_id").Where("v.state = ?", Submitted).Scan(&out).Error
}

// offerings returns one page of the unit's offerings.
func (st store) offerings(ctx context.Context, unit string, p page.Request) (page.Page[offeringRow], error) {
	q := st.db.Conn(ctx).Model(&offeringRow{}).Where("unit = ?", unit)
	return postgres.Page(q, p, func(o offeringRow) []string { return []string{o.ID} }, page.Col{Expr: "offerings.id", Kind: page.UUID})
}

func (st store) liveOffers(ctx context.Context, unit string, today time.Time) ([]liveOffer, error) {
	var rows []struct {
		Unit, ServiceID, OfferingID string
		Levels                      postgres.TextArray
	}
	q := st.db.Conn(ctx).Table("offering_versions v").Select("o.unit, o.service_id, o.id AS offering_id, v.levels").
		Joins("JOIN offerings o ON o.id = v.offering_id").
		Where("v.state = ? OR (v.state = ? AND v.retire_on > ?)", Published, Retired, today)
	if unit != "" {
		q = q.Where("o.unit = ?", unit)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]liveOffer, len(rows))
	for i, r := range rows {
		out[i] = liveOffer{Unit: r.Unit, ServiceID: r.ServiceID, OfferingID: r.OfferingID, Levels: r.Levels}
	}
	return out, nil
}

type waiverRow struct {
	ID          string
	Unit        string
	ServiceID   string
	Level       string
	Reason      string
	State       WaiverState
	ExpiresOn   time.Time `gorm:"type:date"`
	RequestedBy string
	RequestedAt time.Time
	Version     int
}

func (waiverRow) TableName() string { return "waivers" }

func (r waiverRow) waiver() Waiver {
	return Waiver{ID: r.ID, Unit: r.Unit, ServiceID: r.ServiceID, Level: r.Level, Reason: r.Reason, State: r.State,
		ExpiresOn: r.ExpiresOn.Format(time.DateOnly), RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt, Version: r.Version}
}

// liveRow is an offering joined with its live version, as the published set is read in one query.
type liveRow struct {
	ID, Unit, ServiceID, CreatedBy string
	CreatedAt                      time.Time
	VNumber                        int
	VState                         State
	VLevels                        postgres.TextArray
	VTerms                         []byte
	VSubmittedAt, VPublishedAt     *time.Time
	VRetireOn                      *time.Time
	VVersion                       int
	VCreatedBy                     string
	VCreatedAt, VUpdatedAt         time.Time
}

// liveOfferings selects offerings with their live (published or retiring) version, one row each.
func (st store) liveOfferings(ctx context.Context) *gorm.DB {
	return st.db.Conn(ctx).Table("offerings").Select(`offerings.id, offerings.unit, offerings.service_id, offerings.created_by,
		offerings.created_at, v.number AS v_number, v.state AS v_state, v.levels AS v_levels, v.terms AS v_terms,
		v.submitted_at AS v_submitted_at, v.published_at AS v_published_at, v.retire_on AS v_retire_on, v.version AS v_version,
		v.created_by AS v_created_by, v.created_at AS v_created_at, v.updated_at AS v_updated_at`).
		Joins("JOIN offering_versions v ON v.offering_id = offerings.id AND v.state IN ?", []State{Published, Retired})
}

func (r liveRow) offering() (Offering, error) {
	v, err := fromRow(versionRow{OfferingID: r.ID, Number: r.VNumber, State: r.VState, Levels: r.VLevels, Terms: r.VTerms,
		SubmittedAt: r.VSubmittedAt, PublishedAt: r.VPublishedAt, RetireOn: r.VRetireOn, Version: r.VVersion,
		CreatedBy: r.VCreatedBy, CreatedAt: r.VCreatedAt, UpdatedAt: r.VUpdatedAt})
	return Offering{ID: r.ID, Unit: r.Unit, ServiceID: r.ServiceID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, Live: &v}, err
}

func (st store) insertWaiver(ctx context.Context, r waiverRow) error {
	return st.db.Conn(ctx).Create(&r).Error
}

// waiver loads one waiver, locked for change when lock is set.
func (st store) waiver(ctx context.Context, id string, lock bool) (Waiver, error) {
	var r waiverRow
	if err := postgres.Take(st.db.Conn(ctx).Where("id = ?", id), lock, &r, "waiver"); err != nil {
		return Waiver{}, err
	}
	return r.waiver(), nil
}

func (st store) saveWaiver(ctx context.Context, w Waiver) error {
	return st.db.Conn(ctx).Model(&waiverRow{}).Where("id = ?", w.ID).Updates(map[string]any{"state": w.State, "version": w.Version}).Error
}

// waivers returns one page of a unit's waivers (every unit's for ""), oldest first.
func (st store) waivers(ctx context.Context, unit string, p page.Request) (page.Page[Waiver], error) {
	q := st.db.Conn(ctx).Model(&waiverRow{})
	if unit != "" {
		q = q.Where("unit = ?", unit)
	}
	rows, err := postgres.OldestFirst(q, p, "requested_at", "id", func(r waiverRow) (time.Time, string) { return r.RequestedAt, r.ID })
	return page.Map(rows, waiverRow.waiver), err
}

func (st store) findWaivers(q *gorm.DB) ([]Waiver, error) {
	var rows []waiverRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Waiver, len(rows))
	for i, r := range rows {
		out[i] = r.waiver()
	}
	return out, nil
}

// grantedWaivers returns the waivers of a unit (every unit's for "") in force on day, the
// longest-lasting first.
func (st store) grantedWaivers(ctx context.Context, unit string, day time.Time) ([]Waiver, error) {
	q := st.db.Conn(ctx).Where("state = ? AND expires_on >= ?", WaiverGranted, day)
	if unit != "" {
		q = q.Where("unit = ?", unit)
	}
	return st.findWaivers(q.Order("expires_on DESC"))
}

func (st store) requestedWaivers(ctx context.Context) ([]Waiver, error) {
	return st.findWaivers(st.db.Conn(ctx).Where("state = ?", WaiverRequested))
}

// units returns the slugs of the units, or of the one named, from the directory's table (named
// in its package doc).
func (st store) units(ctx context.Context, unit string) ([]string, error) {
	q := st.db.Conn(ctx).Table("units").Order("slug")
	if unit != "" {
		q = q.Where("slug = ?", unit)
	}
	units := []string{}
	return units, q.Pluck("slug", &units).Error
}
