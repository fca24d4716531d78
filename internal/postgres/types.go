package postgres

import (
	"database/sql/driver"

	"github.com/jackc/pgx/v5/pgtype"
)

var typeMap = pgtype.NewMap()

// TextArray is a text[] column.
type TextArray []string

// Scan reads a text[] value.
func (a *TextArray) Scan(src any) error {
	var s []string
	if err := typeMap.SQLScanner(&s).Scan(src); err != nil {
		return err
	}
	*a = s
	return nil
}

// Value hands the slice to pgx, which encodes it as text[].
func (a TextArray) Value() (driver.Value, error) {
	if a == nil {
		return []string{}, nil
	}
	return []string(a), nil
}

// GormDataType tells gorm the column type.
func (TextArray) GormDataType() string { return "text[]" }
