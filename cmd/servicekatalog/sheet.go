package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sheetCmd reads and fills in a workbook from the command line, as a person does in a
// spreadsheet program: `sheet show FILE SHEET` prints a sheet's rows, tab-separated, with their
// numbers; `sheet set FILE 'SHEET!CELL=VALUE'...` writes values into cells and saves the file.
// For scripts that fill in the usage mapping from another register, and for the walk-through.
func sheetCmd(args []string, out io.Writer) error {
	if len(args) < 3 || args[0] != "show" && args[0] != "set" {
		return fmt.Errorf("sheet show FILE SHEET | sheet set FILE 'SHEET!CELL=VALUE'...: %w", errUsage)
	}
	f, err := excelize.OpenFile(args[1])
	if err != nil {
		return fmt.Errorf("%s is not an XLSX workbook: %w", args[1], err)
	}
	defer f.Close()
	if args[0] == "show" {
		rows, err := f.GetRows(args[2])
		if err != nil {
			return fmt.Errorf("the workbook has no sheet %q (it has %s)", args[2], strings.Join(f.GetSheetList(), ", "))
		}
		for i, r := range rows {
			if strings.Join(r, "") != "" {
				fmt.Fprintf(out, "%d\t%s\n", i+1, strings.Join(r, "\t"))
			}
		}
		return nil
	}
	for _, a := range args[2:] {
		ref, value, ok := strings.Cut(a, "=")
		sheet, cell, ok2 := strings.Cut(ref, "!")
		if !ok || !ok2 {
			return fmt.Errorf("%q is not SHEET!CELL=VALUE, such as 'Systemer!E3=primær'", a)
		}
		if err := f.SetCellValue(sheet, cell, value); err != nil {
			return fmt.Errorf("%s: %w", ref, err)
		}
	}
	return f.Save()
}
