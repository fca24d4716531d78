package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestTheSheetCommandFillsInCellsAndSaysWhatIsWrong(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mapping.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Systemer")
	f.SetSheetRow("Systemer", "A1", &[]any{"System", "Svar / Answer"})
	f.SetSheetRow("Systemer", "A2", &[]any{"SYS-ESDH", ""})
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	if err := sheetCmd([]string{"set", path, "Systemer!B2=primær"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := sheetCmd([]string{"show", path, "Systemer"}, &out); err != nil || out.String() != "1\tSystem\tSvar / Answer\n2\tSYS-ESDH\tprimær\n" {
		t.Errorf("show: %q, %v", out.String(), err)
	}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"set", path}, "sheet show FILE SHEET"},
		{[]string{"set", path, "B2=primær"}, `"B2=primær" is not SHEET!CELL=VALUE`},
		{[]string{"set", path, "Nope!B2=x"}, "Nope!B2: sheet Nope does not exist"},
		{[]string{"show", path, "Nope"}, `the workbook has no sheet "Nope" (it has Systemer)`},
		{[]string{"show", filepath.Join(t.TempDir(), "missing.xlsx"), "Systemer"}, "is not an XLSX workbook"},
	} {
		if err := sheetCmd(tc.args, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.says)
		}
	}
}
