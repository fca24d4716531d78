// Package tabular writes reports as tables: CSV for programs, an XLSX workbook (one sheet per
// table) for people, with numbers as numbers so that sums and charts work in the sheet.
package tabular

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// Format is how a column's cells are written in a workbook.
type Format int

// The formats of a column.
const (
	Text    Format = iota
	Integer        // 1234
	Amount         // 1,234.50: money, two decimals
	Percent        // 99.9731: four decimals at most, as computed
)

// Column is a table's column.
type Column struct {
	Name   string
	Format Format
}

// Sheet is one table: its columns and rows of cells written as text ("" for an empty cell).
type Sheet struct {
	Name    string
	Columns []Column
	Rows    [][]string
}

// Texts makes columns of text.
func Texts(names ...string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		out[i] = Column{Name: n}
	}
	return out
}

// Of makes columns of one format.
func Of(f Format, names ...string) []Column {
	out := Texts(names...)
	for i := range out {
		out[i].Format = f
	}
	return out
}

// Join puts groups of columns side by side.
func Join(groups ...[]Column) []Column {
	var out []Column
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// WriteCSV writes s with a header line.
func WriteCSV(w io.Writer, s Sheet) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		head[i] = c.Name
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	if err := cw.WriteAll(s.Rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes sheets as a workbook, the first sheet first, each with a bold, frozen header.
func WriteXLSX(w io.Writer, sheets ...Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	styles := map[Format]int{}
	for format, st := range map[Format]*excelize.Style{
		Integer: {NumFmt: 1},
		Amount:  {NumFmt: 4}, // #,##0.00
		Percent: {CustomNumFmt: ptr("0.0###")},
	} {
		id, err := f.NewStyle(st)
		if err != nil {
			return err
		}
		styles[format] = id
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return err
		}
		for j, c := range s.Columns {
			cell, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := f.SetCellStr(s.Name, cell, c.Name); err != nil {
				return err
			}
		}
		last, _ := excelize.CoordinatesToCellName(max(len(s.Columns), 1), 1)
		if err := f.SetCellStyle(s.Name, "A1", last, bold); err != nil {
			return err
		}
		if err := f.SetPanes(s.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		for r, row := range s.Rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, r+2)
				format := Text
				if j < len(s.Columns) {
					format = s.Columns[j].Format
				}
				if err := set(f, s.Name, cell, v, format, styles[format]); err != nil {
					return fmt.Errorf("sheet %s cell %s: %w", s.Name, cell, err)
				}
			}
		}
	}
	return f.Write(w)
}

// set writes one cell: text as a string, a number as a number in its style (empty stays empty).
func set(f *excelize.File, sheet, cell, v string, format Format, style int) error {
	if format == Text {
		return f.SetCellStr(sheet, cell, v)
	}
	if v == "" {
		return nil
	}
	d, err := decimal.NewFromString(v)
	if err != nil {
		return err
	}
	// Amounts and percentages of a few decimals are exact enough as float64 for a sheet.
	if err := f.SetCellFloat(sheet, cell, d.InexactFloat64(), -1, 64); err != nil {
		return err
	}
	return f.SetCellStyle(sheet, cell, cell, style)
}

func ptr[T any](v T) *T { return &v }
