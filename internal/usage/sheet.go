package usage

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// The workbook a municipality downloads, fills in and uploads.
const (
	readMe  = "LÆS MIG"
	systems = "Systemer"
	// MaxSheetBytes is the largest workbook taken; a mapping of 500 systems is some 30 KB.
	MaxSheetBytes = 2 << 20
	// maxUnpacked bounds what a workbook may unpack to, so that a zip bomb is refused before it
	// is unpacked; maxRatio the compression of any one part.
	maxUnpacked = 20 << 20
	maxRatio    = 200
	maxRows     = 2000
	maxProblems = 50
)

// columns are the systems sheet's: the first four are the list's, locked; the last two the
// municipality's.
var columns = []string{"Domæne-id / Domain id", "Domæne / Domain", "System-id / System id", "System", "Svar / Answer", "Note"}

// labels are the answers as the sheet's drop-down offers them, in Danish; the codes are taken too.
var labels = map[Answer]string{Primary: "primær", Secondary: "sekundær", NotUsed: "anvendes ikke"}

func answerOf(s string) (Answer, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for a, l := range labels {
		if s == l || s == string(a) {
			return a, true
		}
	}
	return "", false
}

// WriteSheet writes m as the workbook its municipality fills in: a read-me sheet, then a row per
// system with its current answer, a drop-down on the answer column, and every cell locked but
// the answers and notes.
func WriteSheet(w io.Writer, m Mapping, now time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", readMe); err != nil {
		return err
	}
	lines := [][]string{
		{"IT-systemer i brug / IT systems in use", ""},
		{"Kommune / Municipality", m.Municipality},
		{"Hentet / Downloaded", now.Format("2006-01-02 15:04 MST")},
		{"", ""},
		{"Sådan gør I", "Angiv i arket Systemer for hvert system i kolonnen Svar, hvordan kommunen bruger det, og skriv evt. en note. " +
			"Lad de øvrige kolonner være. Upload arket igen i Servicekatalog; hver række kontrolleres, og intet gemmes, før hele arket er i orden."},
		{"What to do", "In the sheet Systemer, give for each system in the column Svar / Answer how the municipality uses it, with a note if you " +
			"wish. Leave the other columns alone. Upload the sheet again to Servicekatalog; every row is checked, and nothing is stored " +
			"until the whole sheet is right."},
		{"", ""},
		{"primær / primary", "Kommunens system til domænets opgaver. / The municipality's system for the domain's work."},
		{"sekundær / secondary", "Begrænset brug, fx læseadgang til gamle sager. / Limited use, such as read-only access to old cases."},
		{"anvendes ikke / not used", "Kommunen bruger ikke systemet. / The municipality does not use the system."},
		{"(tom / empty)", "Ikke besvaret endnu. / Not answered yet."},
		{"", ""},
		{"Mangler et system? / A system missing?", "Foreslå det i Servicekatalog (usage-mapping/proposals); sekretariatet tilføjer det for alle. / " +
			"Propose it in Servicekatalog (usage-mapping/proposals); the secretariat adds it for everyone."},
		{"Gem arket / Keep the sheet", "Arkivér det uploadede ark i kommunens ESDH. / Archive the uploaded sheet in the municipality's records system."},
	}
	if m.ExampleData {
		lines = append(lines, []string{"EKSEMPELDATA / EXAMPLE DATA", "Domænerne og systemerne er eksempler, indtil de officielle lister er indlæst. / " +
			"The domains and systems are examples until the official lists are loaded."})
	}
	for i, l := range lines {
		if err := f.SetSheetRow(readMe, fmt.Sprintf("A%d", i+1), &[]any{l[0], l[1]}); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(readMe, "A", "A", 34); err != nil {
		return err
	}
	if err := f.SetColWidth(readMe, "B", "B", 110); err != nil {
		return err
	}
	if _, err := f.NewSheet(systems); err != nil {
		return err
	}
	head := make([]any, len(columns))
	for i, c := range columns {
		head[i] = c
	}
	if err := f.SetSheetRow(systems, "A1", &head); err != nil {
		return err
	}
	row := 2
	for _, d := range m.Domains {
		for _, s := range d.Systems {
			answer := ""
			if s.Answer != nil {
				answer = labels[*s.Answer]
			}
			if err := f.SetSheetRow(systems, fmt.Sprintf("A%d", row), &[]any{d.ID, d.Name.DA, s.ID, s.Name.DA, answer, s.Note}); err != nil {
				return err
			}
			row++
		}
	}
	last := row - 1
	open, err := f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: false},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF4CC"}}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(systems, "A1", "F1", bold); err != nil {
		return err
	}
	if last >= 2 {
		if err := f.SetCellStyle(systems, "E2", fmt.Sprintf("F%d", last), open); err != nil {
			return err
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("E2:E%d", last)
		if err := dv.SetDropList([]string{labels[Primary], labels[Secondary], labels[NotUsed]}); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Svar / Answer", "Vælg primær, sekundær eller anvendes ikke. / Choose primær, sekundær or anvendes ikke.")
		if err := f.AddDataValidation(systems, dv); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 14, "B": 26, "C": 16, "D": 34, "E": 16, "F": 50} {
		if err := f.SetColWidth(systems, col, col, width); err != nil {
			return err
		}
	}
	if err := f.SetPanes(systems, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.ProtectSheet(systems, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true,
		FormatColumns: true, AutoFilter: true, Sort: true}); err != nil {
		return err
	}
	if err := f.ProtectSheet(readMe, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true}); err != nil {
		return err
	}
	f.SetActiveSheet(1)
	return f.Write(w)
}

// sheetProblems gathers a sheet's problems, each at its sheet and cell.
type sheetProblems struct{ e apperr.Error }

func (p *sheetProblems) add(cell, reason string) {
	if len(p.e.Fields) < maxProblems {
		p.e.Fields = append(p.e.Fields, apperr.FieldError{Pointer: "/" + systems + "/" + cell, Reason: reason})
	}
}

// refuse is the answer to a file that is not a workbook this service reads.
func refuse(reason string) error {
	return &apperr.Error{Kind: apperr.Invalid, Msg: "the file was not read: " + reason,
		Fields: []apperr.FieldError{{Pointer: "/file", Reason: reason}}}
}

// readSheet reads the answers of an uploaded workbook for municipality code, checking every row
// against l as the server must (a drop-down does not stop other programs writing anything). A
// file that is not an XLSX workbook, or unpacks to too much, links to other files, carries
// macros or formulas, or is not this municipality's sheet, is refused whole before its rows are
// read; the rows' problems are named together, by cell.
func readSheet(b []byte, code string, l list) ([]NewAnswer, error) {
	if err := inspect(b); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: maxUnpacked, UnzipXMLSizeLimit: maxUnpacked})
	if err != nil {
		return nil, refuse("it is not an XLSX workbook (save it as an Excel workbook, .xlsx, and upload it again)")
	}
	defer f.Close()
	who, _ := f.GetCellValue(readMe, "B2")
	if strings.TrimSpace(who) != code {
		if who == "" {
			return nil, refuse("it is not a usage mapping sheet from Servicekatalog: download the sheet and fill that in")
		}
		return nil, refuse(fmt.Sprintf("it is the sheet of municipality %s, not of %s", strings.TrimSpace(who), code))
	}
	rows, err := f.Rows(systems)
	if err != nil {
		return nil, refuse("it has no sheet named " + systems)
	}
	defer rows.Close()
	var p sheetProblems
	p.e = apperr.Error{Kind: apperr.Invalid, Msg: "the sheet has problems; nothing was stored"}
	var out []NewAnswer
	seen := map[string]int{}
	for n := 1; rows.Next(); n++ {
		if n > maxRows+1 {
			return nil, refuse(fmt.Sprintf("it has more than %d rows", maxRows))
		}
		cells, err := rows.Columns()
		if err != nil {
			return nil, refuse("a row could not be read")
		}
		for len(cells) < len(columns) {
			cells = append(cells, "")
		}
		if n == 1 {
			for i, c := range columns {
				if strings.TrimSpace(cells[i]) != c {
					return nil, refuse(fmt.Sprintf("its first row is not the sheet's headings (column %c should read %q)", 'A'+i, c))
				}
			}
			continue
		}
		if strings.Join(cells, "") == "" {
			continue
		}
		for _, col := range []string{"E", "F"} {
			if formula, _ := f.GetCellFormula(systems, fmt.Sprintf("%s%d", col, n)); formula != "" {
				p.add(fmt.Sprintf("%s%d", col, n), "is a formula: type the answer itself")
			}
		}
		id := strings.TrimSpace(cells[2])
		switch j, twice := seen[id]; {
		case !known(l.systems, id):
			p.add(fmt.Sprintf("C%d", n), fmt.Sprintf("%q is not a system of the mapping: leave the list's columns as they were", id))
			continue
		case twice:
			p.add(fmt.Sprintf("C%d", n), fmt.Sprintf("%s is on row %d already", id, j))
			continue
		}
		seen[id] = n
		raw := strings.TrimSpace(cells[4])
		if raw == "" {
			continue
		}
		a, ok := answerOf(raw)
		if !ok {
			p.add(fmt.Sprintf("E%d", n), fmt.Sprintf("%q is not an answer: choose primær, sekundær or anvendes ikke", raw))
			continue
		}
		note := strings.TrimSpace(cells[5])
		if len(note) > 500 {
			p.add(fmt.Sprintf("F%d", n), "is longer than 500 characters")
			continue
		}
		out = append(out, NewAnswer{System: id, Answer: a, Note: note})
	}
	if len(p.e.Fields) > 0 {
		return nil, &p.e
	}
	return out, nil
}

// inspect looks into a workbook's zip before anything unpacks it: not a zip, too much unpacked,
// a part compressed beyond reason, links to other files and macros are refused.
func inspect(b []byte) error {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return refuse("it is not an XLSX workbook (save it as an Excel workbook, .xlsx, and upload it again)")
	}
	var total uint64
	for _, part := range z.File {
		name := strings.ToLower(part.Name)
		switch {
		case strings.HasPrefix(name, "xl/externallinks/"):
			return refuse("it links to other workbooks (external links): copy the values in and remove the links")
		case strings.HasSuffix(name, "vbaproject.bin"):
			return refuse("it contains macros: save it as an Excel workbook without macros (.xlsx)")
		case part.CompressedSize64 > 0 && part.UncompressedSize64/part.CompressedSize64 > maxRatio:
			return refuse("a part of it unpacks to far more than it takes (a zip bomb?)")
		}
		total += part.UncompressedSize64
		if total > maxUnpacked {
			return refuse(fmt.Sprintf("it unpacks to more than %d MiB", maxUnpacked>>20))
		}
	}
	return nil
}
