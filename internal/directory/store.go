package directory

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/cache"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// MunicipalityChannel is the LISTEN/NOTIFY channel that announces a changed municipality.
const MunicipalityChannel = "servicekatalog_municipalities"

type store struct {
	db    *postgres.DB
	clock clock.Clock
	// municipalitiesByCode keeps the municipalities read without a lock: each order and ticket
	// reads its municipality's owner unit, which changes a few times in its life.
	municipalitiesByCode *cache.Cache[Municipality]
}

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

// take loads one row into dst; lock adds FOR UPDATE. Absent rows are apperr.NotFound.
// insert creates row; a unique violation becomes a Conflict with the given message.
func (st store) insert(ctx context.Context, row any, conflict string) error {
	err := postgres.Translate(st.conn(ctx).Create(row).Error)
	if apperr.Is(err, apperr.Conflict) {
		return apperr.Wrap(apperr.Conflict, conflict, err)
	}
	return err
}

func (st store) tenantExists(ctx context.Context, t tenant.ID) error {
	var n int64
	var err error
	switch t.Kind {
	case tenant.Council, tenant.Platform:
		return nil
	case tenant.Municipality:
		err = st.conn(ctx).Model(&Municipality{}).Where("code = ?", t.Key).Count(&n).Error
	case tenant.Unit:
		err = st.conn(ctx).Model(&Unit{}).Where("slug = ?", t.Key).Count(&n).Error
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.NotFoundf("tenant")
	}
	return nil
}

// --- municipalities

func (st store) listMunicipalities(ctx context.Context, f MunicipalityFilter, p page.Request) (page.Page[Municipality], error) {
	q := st.conn(ctx).Model(&Municipality{})
	if f.Region != "" {
		q = q.Where("region = ?", f.Region)
	}
	if f.OwnerUnit != "" {
		q = q.Where("owner_unit = ?", f.OwnerUnit)
	}
	if f.Query != "" {
		q = q.Where("name ILIKE ?", "%"+escapeLike(f.Query)+"%")
	}
	return postgres.Page(q, p, func(m Municipality) []string { return []string{m.Code} }, page.Col{Expr: "code", Kind: page.Text})
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// municipality reads one municipality, from memory unless lock asks for it FOR UPDATE.
func (st store) municipality(ctx context.Context, code string, lock bool) (Municipality, error) {
	read := func(ctx context.Context) (Municipality, error) {
		var m Municipality
		return m, postgres.Take(st.conn(ctx).Where("code = ?", code), lock, &m, "municipality")
	}
	if lock {
		return read(ctx)
	}
	return st.municipalitiesByCode.Read(ctx, code, read)
}

func (st store) municipalities(ctx context.Context, codes []string) ([]Municipality, error) {
	var ms []Municipality
	return ms, st.conn(ctx).Where("code = ANY(?)", postgres.TextArray(codes)).Find(&ms).Error
}

func (st store) saveMunicipality(ctx context.Context, m *Municipality) error {
	m.Version++
	m.UpdatedAt = st.clock.Now()
	err := st.conn(ctx).Model(&Municipality{}).Where("code = ?", m.Code).Updates(map[string]any{
		"name": m.Name, "owner_unit": m.OwnerUnit, "active": m.Active, "population": m.Population, "municipality_group": m.MunicipalityGroup,
		"version": m.Version, "updated_at": m.UpdatedAt}).Error
	if err != nil {
		return err
	}
	return st.municipalitiesByCode.Changed(ctx, st.db)
}

func (st store) insertMunicipalityIfMissing(ctx context.Context, m *Municipality) (bool, error) {
	res := st.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(m)
	return res.RowsAffected == 1, res.Error
}

// --- units

func (st store) listUnits(ctx context.Context, p page.Request) (page.Page[Unit], error) {
	return postgres.Page(st.conn(ctx).Model(&Unit{}), p, func(u Unit) []string { return []string{u.Slug} }, page.Col{Expr: "slug", Kind: page.Text})
}

func (st store) unit(ctx context.Context, slug string, lock bool) (Unit, error) {
	var u Unit
	return u, postgres.Take(st.conn(ctx).Where("slug = ?", slug), lock, &u, "unit")
}

func (st store) saveUnit(ctx context.Context, u *Unit) error {
	u.Version++
	u.UpdatedAt = st.clock.Now()
	return st.conn(ctx).Model(&Unit{}).Where("slug = ?", u.Slug).Updates(map[string]any{
		"name": u.Name, "region": u.Region, "contact": u.Contact, "version": u.Version, "updated_at": u.UpdatedAt}).Error
}

// --- users

func (st store) listUsers(ctx context.Context, t tenant.ID, p page.Request) (page.Page[User], error) {
	q := st.conn(ctx).Model(&User{}).Where("home_tenant = ?", t.String())
	return postgres.Page(q, p, func(u User) []string { return []string{u.Username} }, page.Col{Expr: "username", Kind: page.Text})
}

func (st store) user(ctx context.Context, id string, lock bool) (User, error) {
	var u User
	return u, postgres.Take(st.conn(ctx).Where("id = ?", id), lock, &u, "user")
}

// userOf loads a user that belongs to tenant t; any other user is not found.
func (st store) userOf(ctx context.Context, t tenant.ID, id string, lock bool) (User, error) {
	var u User
	return u, postgres.Take(st.conn(ctx).Where("id = ? AND home_tenant = ?", id, t.String()), lock, &u, "user")
}

func (st store) userByUsername(ctx context.Context, username string) (User, error) {
	var u User
	return u, postgres.Take(st.conn(ctx).Where("username = ?", username), false, &u, "user")
}

func (st store) saveUser(ctx context.Context, u *User) error {
	u.Version++
	u.UpdatedAt = st.clock.Now()
	return st.conn(ctx).Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
		"name": u.Name, "email": u.Email, "active": u.Active, "version": u.Version, "updated_at": u.UpdatedAt}).Error
}

// --- role assignments

func assignments(db *gorm.DB) *gorm.DB {
	return db.Table("role_assignments AS ra").
		Select("ra.id, ra.user_id, u.username, ra.role, ra.tenant, ra.created_by, ra.created_at, ra.version").
		Joins("JOIN users u ON u.id = ra.user_id")
}

func (st store) listAssignments(ctx context.Context, t tenant.ID, p page.Request) (page.Page[RoleAssignment], error) {
	q := assignments(st.conn(ctx)).Where("ra.tenant = ?", t.String())
	return postgres.OldestFirst(q, p, "ra.created_at", "ra.id", func(a RoleAssignment) (time.Time, string) { return a.CreatedAt, a.ID })
}

func (st store) assignmentOf(ctx context.Context, t tenant.ID, id string) (RoleAssignment, error) {
	var a RoleAssignment
	q := assignments(st.conn(ctx)).Where("ra.id = ? AND ra.tenant = ?", id, t.String()).
		Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "ra"}})
	return a, postgres.Take(q, false, &a, "role assignment")
}

func (st store) assignmentsOfUser(ctx context.Context, userID string) ([]RoleAssignment, error) {
	var out []RoleAssignment
	return out, assignments(st.conn(ctx)).Where("ra.user_id = ?", userID).Find(&out).Error
}

// countOtherSecretariats counts active secretariat assignments other than id.
func (st store) countOtherSecretariats(ctx context.Context, id string) (int64, error) {
	var n int64
	err := assignments(st.conn(ctx)).Where("ra.role = ? AND ra.id <> ? AND u.active", tenant.Secretariat, id).Count(&n).Error
	return n, err
}

func (st store) deleteAssignment(ctx context.Context, id string) error {
	return st.conn(ctx).Exec(`DELETE FROM role_assignments WHERE id = ?`, id).Error
}

// --- API keys

func (st store) listKeys(ctx context.Context, t tenant.ID, p page.Request) (page.Page[APIKey], error) {
	q := st.conn(ctx).Model(&APIKey{}).Where("tenant = ?", t.String())
	return postgres.OldestFirst(q, p, "created_at", "id", func(k APIKey) (time.Time, string) { return k.CreatedAt, k.ID })
}

func (st store) keyOf(ctx context.Context, t tenant.ID, id string) (APIKey, error) {
	var k APIKey
	return k, postgres.Take(st.conn(ctx).Where("id = ? AND tenant = ?", id, t.String()), true, &k, "API key")
}

func (st store) saveKey(ctx context.Context, k *APIKey) error {
	k.Version++
	return st.conn(ctx).Model(&APIKey{}).Where("id = ?", k.ID).Updates(map[string]any{
		"revoked_at": k.RevokedAt, "version": k.Version}).Error
}

// names returns the names of the users and the API keys with the given ids.
func (st store) names(ctx context.Context, users, keys []string) (userNames, keyNames map[string]string, err error) {
	var rows []struct{ ID, Name string }
	userNames, keyNames = map[string]string{}, map[string]string{}
	if len(users) > 0 {
		if err = st.conn(ctx).Model(&User{}).Select("id, name").Where("id IN ?", users).Scan(&rows).Error; err != nil {
			return
		}
		for _, r := range rows {
			userNames[r.ID] = r.Name
		}
	}
	if len(keys) > 0 {
		rows = nil
		if err = st.conn(ctx).Model(&APIKey{}).Select("id, name").Where("id IN ?", keys).Scan(&rows).Error; err != nil {
			return
		}
		for _, r := range rows {
			keyNames[r.ID] = r.Name
		}
	}
	return
}

// usersWithRole returns the active users holding role in tenant t.
func (st store) usersWithRole(ctx context.Context, t tenant.ID, role tenant.Role) ([]User, error) {
	var out []User
	return out, st.conn(ctx).Model(&User{}).Where("active AND id IN (SELECT user_id FROM role_assignments WHERE tenant = ? AND role = ?)",
		t.String(), string(role)).Order("username").Find(&out).Error
}

// municipalityCodes returns the codes of the active municipalities.
// alike returns the codes of the active municipalities that where (a condition of the
// directory's own) selects.
func (st store) alike(ctx context.Context, where string, args ...any) ([]string, error) {
	var codes []string
	return codes, st.conn(ctx).Model(&Municipality{}).Where("active").Where(where, args...).Order("code").Pluck("code", &codes).Error
}

func (st store) municipalityCodes(ctx context.Context) ([]string, error) {
	var codes []string
	return codes, st.conn(ctx).Model(&Municipality{}).Where("active").Order("code").Pluck("code", &codes).Error
}
