package usage

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
)

// The workbook a municipality downloads, fills in and uploads.
const (
	readMe  = "LÆS MIG"
	systems = "Systemer"
	added   = "Nye systemer" // the systems the list lacks, which the municipality proposes
	// blankRows are the empty rows the new systems' sheet offers beyond the proposals made.
	blankRows = 50
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

// addedColumns are the new systems' sheet's: the first three the municipality's, the status the
// service's.
var addedColumns = []string{"Domæne-id / Domain id", "System", "Beskrivelse / Description", "Status"}

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

// WriteSheet writes m as the workbook its municipality fills in: a read-me sheet with the
// domains, a row per system with its current answer, a drop-down on the answer column, and a
// sheet of systems the list lacks, with the proposals made and their state; every cell locked
// but those the municipality fills in.
func WriteSheet(w io.Writer, m Mapping, proposals []Proposal, now time.Time) error {
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
		{"Mangler et system? / A system missing?", "Skriv det i arket " + added + " med domænet og en kort beskrivelse; det bliver et forslag, " +
			"og sekretariatet tilføjer det for alle, når det er godkendt. / Write it in the sheet " + added + " with its domain and a short " +
			"description; it becomes a proposal, and the secretariat adds it for everyone once accepted."},
		{"Gem arket / Keep the sheet", "Arkivér det uploadede ark i kommunens ESDH. / Archive the uploaded sheet in the municipality's records system."},
	}
	if m.ExampleData {
		lines = append(lines, []string{"EKSEMPELDATA / EXAMPLE DATA", "Domænerne og systemerne er eksempler, indtil de officielle lister er indlæst. / " +
			"The domains and systems are examples until the official lists are loaded."})
	}
	lines = append(lines, []string{"", ""}, []string{"Domæner / Domains", ""})
	first := len(lines) + 1 // the row of the first domain, which the new systems' drop-down lists
	for _, d := range m.Domains {
		lines = append(lines, []string{d.ID, d.Name.DA + " / " + d.Name.EN})
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
	var rows [][]any
	for _, d := range m.Domains {
		for _, s := range d.Systems {
			answer := ""
			if s.Answer != nil {
				answer = labels[*s.Answer]
			}
			rows = append(rows, []any{d.ID, d.Name.DA, s.ID, s.Name.DA, answer, s.Note})
		}
	}
	open, err := f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: false},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF4CC"}}})
	if err != nil {
		return err
	}
	answers := excelize.NewDataValidation(true)
	if err := answers.SetDropList([]string{labels[Primary], labels[Secondary], labels[NotUsed]}); err != nil {
		return err
	}
	answers.SetError(excelize.DataValidationErrorStyleStop, "Svar / Answer", "Vælg primær, sekundær eller anvendes ikke. / Choose primær, sekundær or anvendes ikke.")
	if err := writeTable(f, table{name: systems, columns: columns, rows: rows, open: [2]string{"E", "F"}, openStyle: open, choice: "E",
		choices: answers, widths: []float64{14, 26, 16, 34, 16, 50}}); err != nil {
		return err
	}
	rows = nil
	for _, p := range proposals {
		rows = append(rows, []any{p.Domain, p.Name, p.Description, p.status()})
	}
	for range blankRows {
		rows = append(rows, []any{"", "", "", ""})
	}
	domains := excelize.NewDataValidation(true)
	domains.SetSqrefDropList(fmt.Sprintf("'%s'!$A$%d:$A$%d", readMe, first, first+max(len(m.Domains), 1)-1))
	domains.SetError(excelize.DataValidationErrorStyleStop, "Domæne / Domain", "Vælg et domæne fra listen i arket "+readMe+". / Choose a domain of the list in the sheet "+readMe+".")
	if err := writeTable(f, table{name: added, columns: addedColumns, rows: rows, open: [2]string{"A", "C"}, openStyle: open, choice: "A",
		choices: domains, widths: []float64{16, 34, 60, 40}}); err != nil {
		return err
	}
	if err := f.ProtectSheet(readMe, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true}); err != nil {
		return err
	}
	f.SetActiveSheet(1)
	return f.Write(w)
}

// table is a sheet of the workbook: headings, rows, the columns the municipality fills in
// (unlocked, coloured), one of them a drop-down.
type table struct {
	name      string
	columns   []string
	rows      [][]any
	open      [2]string // the first and last column filled in
	openStyle int
	choice    string // the column with the drop-down
	choices   *excelize.DataValidation
	widths    []float64
}

func writeTable(f *excelize.File, t table) error {
	if _, err := f.NewSheet(t.name); err != nil {
		return err
	}
	head := make([]any, len(t.columns))
	for i, c := range t.columns {
		head[i] = c
	}
	if err := f.SetSheetRow(t.name, "A1", &head); err != nil {
		return err
	}
	for i, r := range t.rows {
		if err := f.SetSheetRow(t.name, fmt.Sprintf("A%d", i+2), &r); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	lastCol := string(rune('A' + len(t.columns) - 1))
	if err := f.SetCellStyle(t.name, "A1", lastCol+"1", bold); err != nil {
		return err
	}
	if last := len(t.rows) + 1; last >= 2 {
		if err := f.SetCellStyle(t.name, t.open[0]+"2", fmt.Sprintf("%s%d", t.open[1], last), t.openStyle); err != nil {
			return err
		}
		t.choices.Sqref = fmt.Sprintf("%s2:%s%d", t.choice, t.choice, last)
		if err := f.AddDataValidation(t.name, t.choices); err != nil {
			return err
		}
	}
	for i, width := range t.widths {
		col := string(rune('A' + i))
		if err := f.SetColWidth(t.name, col, col, width); err != nil {
			return err
		}
	}
	if err := f.SetPanes(t.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return f.ProtectSheet(t.name, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true,
		FormatColumns: true, AutoFilter: true, Sort: true})
}

// sheetProblems gathers a sheet's problems, each at its sheet and cell.
type sheetProblems struct{ e apperr.Error }

func (p *sheetProblems) add(sheet, cell, reason string) {
	if len(p.e.Fields) < maxProblems {
		p.e.Fields = append(p.e.Fields, apperr.FieldError{Pointer: "/" + sheet + "/" + cell, Reason: reason})
	}
}

// refuse is the answer to a file that is not a workbook this service reads.
func refuse(reason string) error {
	return &apperr.Error{Kind: apperr.Invalid, Msg: "the file was not read: " + reason,
		Fields: []apperr.FieldError{{Pointer: "/file", Reason: reason}}}
}

// readSheet reads the answers and the new systems of an uploaded workbook for municipality code,
// checking every row against l as the server must (a drop-down does not stop other programs
// writing anything). A file that is not an XLSX workbook, or unpacks to too much, links to other
// files, carries macros or formulas, or is not this municipality's sheet, is refused whole
// before its rows are read; the rows' problems are named together, by sheet and cell. A
// workbook without the new systems' sheet (downloaded before it was added) proposes nothing.
func readSheet(b []byte, code string, l list) ([]NewAnswer, []NewProposal, error) {
	if err := inspect(b); err != nil {
		return nil, nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: maxUnpacked, UnzipXMLSizeLimit: maxUnpacked})
	if err != nil {
		return nil, nil, refuse("it is not an XLSX workbook (save it as an Excel workbook, .xlsx, and upload it again)")
	}
	defer f.Close()
	who, _ := f.GetCellValue(readMe, "B2")
	if strings.TrimSpace(who) != code {
		if who == "" {
			return nil, nil, refuse("it is not a usage mapping sheet from Servicekatalog: download the sheet and fill that in")
		}
		return nil, nil, refuse(fmt.Sprintf("it is the sheet of municipality %s, not of %s", strings.TrimSpace(who), code))
	}
	p := sheetProblems{e: apperr.Error{Kind: apperr.Invalid, Msg: "the sheet has problems; nothing was stored"}}
	var answers []NewAnswer
	seen := map[string]int{}
	err = eachRow(f, systems, columns, &p, []string{"E", "F"}, func(n int, cells []string) {
		id := strings.TrimSpace(cells[2])
		switch j, twice := seen[id]; {
		case !known(l.systems, id):
			p.add(systems, fmt.Sprintf("C%d", n), fmt.Sprintf("%q is not a system of the mapping: leave the list's columns as they were", id))
			return
		case twice:
			p.add(systems, fmt.Sprintf("C%d", n), fmt.Sprintf("%s is on row %d already", id, j))
			return
		}
		seen[id] = n
		raw := strings.TrimSpace(cells[4])
		if raw == "" {
			return
		}
		a, ok := answerOf(raw)
		if !ok {
			p.add(systems, fmt.Sprintf("E%d", n), fmt.Sprintf("%q is not an answer: choose primær, sekundær or anvendes ikke", raw))
			return
		}
		note := strings.TrimSpace(cells[5])
		if utf8.RuneCountInString(note) > 500 {
			p.add(systems, fmt.Sprintf("F%d", n), "is longer than 500 characters")
			return
		}
		answers = append(answers, NewAnswer{System: id, Answer: a, Note: note})
	})
	if err != nil {
		return nil, nil, err
	}
	var proposals []NewProposal
	named := map[string]int{}
	if idx, _ := f.GetSheetIndex(added); idx >= 0 {
		err = eachRow(f, added, addedColumns, &p, []string{"A", "B", "C"}, func(n int, cells []string) {
			in := NewProposal{Domain: strings.TrimSpace(cells[0]), Name: strings.TrimSpace(cells[1]), Description: strings.TrimSpace(cells[2])}
			if in.Domain == "" && in.Name == "" && in.Description == "" {
				return // the status of a row whose proposal was cleared
			}
			if !slices.ContainsFunc(l.domains, func(d catalog.Entry) bool { return d.ID == in.Domain }) {
				p.add(added, fmt.Sprintf("A%d", n), fmt.Sprintf("%q is not a domain of the mapping: choose one of the list in the sheet %s", in.Domain, readMe))
			}
			key := in.Domain + "\x00" + strings.ToLower(in.Name)
			switch j, twice := named[key]; {
			case in.Name == "":
				p.add(added, fmt.Sprintf("B%d", n), "is required: the system's name, such as KMD Momentum")
			case utf8.RuneCountInString(in.Name) > 200:
				p.add(added, fmt.Sprintf("B%d", n), "is longer than 200 characters")
			case twice:
				p.add(added, fmt.Sprintf("B%d", n), fmt.Sprintf("%s is on row %d already", in.Name, j))
			}
			named[key] = n
			if utf8.RuneCountInString(in.Description) > 2000 {
				p.add(added, fmt.Sprintf("C%d", n), "is longer than 2000 characters")
			}
			proposals = append(proposals, in)
		})
	}
	if err != nil {
		return nil, nil, err
	}
	if len(p.e.Fields) > 0 {
		return nil, nil, &p.e
	}
	return answers, proposals, nil
}

// eachRow calls row with each filled-in row of sheet after its headings, padded to the columns;
// a sheet that is missing, longer than maxRows or with other headings refuses the file, and a
// formula in one of the columns filled in is a problem of its cell.
func eachRow(f *excelize.File, sheet string, headings []string, p *sheetProblems, filled []string, row func(n int, cells []string)) error {
	rows, err := f.Rows(sheet)
	if err != nil {
		return refuse("it has no sheet named " + sheet)
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		if n > maxRows+1 {
			return refuse(fmt.Sprintf("it has more than %d rows", maxRows))
		}
		cells, err := rows.Columns()
		if err != nil {
			return refuse("a row could not be read")
		}
		for len(cells) < len(headings) {
			cells = append(cells, "")
		}
		if n == 1 {
			for i, c := range headings {
				if strings.TrimSpace(cells[i]) != c {
					return refuse(fmt.Sprintf("the first row of the sheet %s is not its headings (column %c should read %q)", sheet, 'A'+i, c))
				}
			}
			continue
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		for _, col := range filled {
			if formula, _ := f.GetCellFormula(sheet, fmt.Sprintf("%s%d", col, n)); formula != "" {
				p.add(sheet, fmt.Sprintf("%s%d", col, n), "is a formula: type the value itself")
			}
		}
		row(n, cells)
	}
	return nil
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
