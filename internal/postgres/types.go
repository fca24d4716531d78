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

// Int64Array is a PostgreSQL bigint[] column.
type Int64Array []int64

// Scan reads a bigint[] value.
func (a *Int64Array) Scan(src any) error {
	var s []int64
	if err := typeMap.SQLScanner(&s).Scan(src); err != nil {
		return err
	}
	*a = s
	return nil
}

// Value hands the slice to pgx, which encodes it as bigint[].
func (a Int64Array) Value() (driver.Value, error) {
	if a == nil {
		return []int64{}, nil
	}
	return []int64(a), nil
}

// GormDataType tells gorm the column type.
func (Int64Array) GormDataType() string { return "bigint[]" }
