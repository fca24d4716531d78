package usage_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/usage"
)

const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// workbook opens a downloaded sheet as a spreadsheet program does.
func workbook(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the sheet does not open: %v", err)
	}
	return f
}

func saved(t *testing.T, f *excelize.File) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withPart is the workbook b with one more part in its zip.
func withPart(t *testing.T, b []byte, name string, content []byte) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range z.File {
		r, _ := f.Open()
		dst, _ := w.Create(f.Name)
		io.Copy(dst, r)
		r.Close()
	}
	dst, _ := w.Create(name)
	dst.Write(content)
	w.Close()
	return out.Bytes()
}

// The municipality downloads its sheet, fills it in as a person does in a spreadsheet program,
// uploads it with two bad rows (one problem document, nothing stored), then right (stored, with
// its SHA-256), and the same file again (nothing changes). Hostile files are refused whole.
func TestTheSheetGoesOutAndComesBackChecked(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	spoc := env.Token("spoc.101")
	path := "/api/v1/municipalities/101/usage-mapping/sheet"
	resp := env.Do(apptest.Request{Method: "GET", Path: path, Token: spoc})
	apptest.MustStatus(t, "download", resp, 200)
	if resp.Header.Get("Content-Type") != xlsx || !strings.Contains(resp.Header.Get("Content-Disposition"), "usage-mapping-101.xlsx") {
		t.Errorf("the download: %s %s", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	f := workbook(t, resp.Body)
	if sheets := strings.Join(f.GetSheetList(), ","); sheets != "LÆS MIG,Systemer,Nye systemer" {
		t.Errorf("the sheets: %s", sheets)
	}
	if code, _ := f.GetCellValue("LÆS MIG", "B2"); code != "101" {
		t.Errorf("the read-me names municipality %q", code)
	}
	rows, _ := f.GetRows("Systemer")
	if len(rows) != 9 || rows[0][4] != "Svar / Answer" || rows[1][0] != "DOM-05" {
		t.Fatalf("the systems sheet: %q", rows)
	}
	dvs, _ := f.GetDataValidations("Systemer")
	if len(dvs) != 1 || dvs[0].Sqref != "E2:E9" || !strings.Contains(dvs[0].Formula1, "anvendes ikke") {
		t.Errorf("the drop-down: %+v", dvs)
	}
	for cell, locked := range map[string]bool{"C2": true, "E2": false, "F9": false} {
		id, _ := f.GetCellStyle("Systemer", cell)
		st, _ := f.GetStyle(id)
		if got := st.Protection == nil || st.Protection.Locked; got != locked {
			t.Errorf("%s locked %v, want %v", cell, got, locked)
		}
	}

	upload := func(b []byte, kind string) apptest.Response { // each upload a request of its own: a key of its own
		return env.Do(apptest.Request{Method: "POST", Path: path, Token: spoc, Body: b, Header: map[string]string{"Content-Type": kind,
			"Idempotency-Key": apptest.Key()["Idempotency-Key"]}})
	}
	// Filled in, with a typo in one answer and a system id overwritten.
	for i := 2; i <= 9; i++ {
		f.SetCellValue("Systemer", fmt.Sprintf("E%d", i), []string{"primær", "sekundær", "anvendes ikke"}[i%3])
	}
	f.SetCellValue("Systemer", "E3", "måske")
	f.SetCellValue("Systemer", "C5", "SYS-NOPE")
	// A system the list lacks, under a domain id mistyped.
	f.SetSheetRow("Nye systemer", "A2", &[]any{"DOM-2", "KMD Momentum", "Sagsbehandling på beskæftigelsesområdet; vores primære system."})
	resp = upload(saved(t, f), xlsx)
	if body := string(resp.Body); resp.Status != 400 || !strings.Contains(body, `"/Systemer/E3"`) || !strings.Contains(body, `"/Systemer/C5"`) ||
		!strings.Contains(body, `\"måske\" is not an answer: choose primær, sekundær or anvendes ikke`) ||
		!strings.Contains(body, `{"pointer":"/Nye systemer/A2","reason":"\"DOM-2\" is not a domain of the mapping: choose one of the list in the sheet LÆS MIG"}`) {
		t.Errorf("the sheet with three bad cells: %d %s", resp.Status, resp.Body)
	}
	if dvs, _ := f.GetDataValidations("Nye systemer"); len(dvs) != 1 || dvs[0].Sqref != "A2:A51" || dvs[0].Formula1 != "'LÆS MIG'!$A$18:$A$31" {
		t.Errorf("the domains' drop-down: %+v", dvs[0])
	}
	var m usage.Mapping
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/usage-mapping", Token: spoc}).Decode(t, &m)
	if m.Answered != 0 {
		t.Errorf("a refused sheet stored %d answers", m.Answered)
	}
	f.SetCellValue("Systemer", "E3", "sekundær")
	f.SetCellValue("Systemer", "C5", rows[4][2])
	f.SetCellValue("Nye systemer", "A2", "DOM-02")
	good := saved(t, f)
	var u, again usage.Upload
	resp = upload(good, xlsx)
	apptest.MustStatus(t, "the good sheet", resp, 201)
	resp.Decode(t, &u)
	if u.Rows != 8 || u.Changed != 8 || u.Proposed != 1 || len(u.SHA256) != 64 || u.Replayed {
		t.Errorf("the upload: %+v", u)
	}
	var proposals apptest.List[usage.Proposal]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/usage-mapping/proposals", Token: spoc}).Decode(t, &proposals)
	if len(proposals.Items) != 1 || proposals.Items[0].Name != "KMD Momentum" || proposals.Items[0].Domain != "DOM-02" {
		t.Errorf("the proposals after the upload: %+v", proposals.Items)
	}
	// Downloaded again, the sheet shows the proposal and its state; uploaded as it is, it proposes nothing more.
	again1 := workbook(t, env.Do(apptest.Request{Method: "GET", Path: path, Token: spoc}).Body)
	if status, _ := again1.GetCellValue("Nye systemer", "D2"); !strings.HasPrefix(status, "foreslået / proposed 20") {
		t.Errorf("the proposal's status in the sheet: %q", status)
	}
	var u2 usage.Upload
	resp = upload(saved(t, again1), xlsx)
	apptest.MustStatus(t, "the sheet downloaded again", resp, 201)
	if resp.Decode(t, &u2); u2.Proposed != 0 || u2.Changed != 0 {
		t.Errorf("the sheet downloaded again, uploaded: %+v", u2)
	}
	resp = upload(good, xlsx)
	apptest.MustStatus(t, "the same file again", resp, 201)
	if resp.Decode(t, &again); !again.Replayed || again.ID != u.ID {
		t.Errorf("the same file again: %+v", again)
	}
	var history apptest.List[usage.Given]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/usage-mapping/history", Token: spoc}).Decode(t, &history)
	if len(history.Items) != 8 || history.Items[0].Source != usage.FromSheet {
		t.Errorf("the history after two uploads of one file: %d answers", len(history.Items))
	}

	// Hostile files, each refused whole and at once, naming what is wrong.
	formula := workbook(t, good)
	formula.SetCellFormula("Systemer", "E2", `="primær"`)
	huge := workbook(t, good)
	for i := 10; i <= 2100; i++ {
		huge.SetSheetRow("Systemer", fmt.Sprintf("A%d", i), &[]any{"DOM-01", "x", "SYS-ESDH", "x", "", ""})
	}
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	part, _ := zw.Create("xl/worksheets/sheet1.xml")
	part.Write(bytes.Repeat([]byte{' '}, 40<<20))
	zw.Close()
	other := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/usage-mapping/sheet", Token: env.Token("secretariat")}).Body
	start := time.Now()
	for name, tc := range map[string]struct {
		body   []byte
		kind   string
		status int
		says   string
	}{
		"not a workbook":          {[]byte("municipality,system,answer\n101,SYS-ESDH,primary\n"), xlsx, 400, "it is not an XLSX workbook"},
		"JSON for a file":         {[]byte(`{"answers":[]}`), "application/json", 415, "the body must be the file itself"},
		"a zip bomb":              {bomb.Bytes(), xlsx, 400, "a zip bomb"},
		"an external link":        {withPart(t, good, "xl/externalLinks/externalLink1.xml", []byte("<externalLink/>")), xlsx, 400, "external links"},
		"macros":                  {withPart(t, good, "xl/vbaProject.bin", []byte("macro")), xlsx, 400, "it contains macros"},
		"a formula for an answer": {saved(t, formula), xlsx, 400, "is a formula: type the value itself"},
		"a huge sheet":            {saved(t, huge), xlsx, 400, "more than 2000 rows"},
		"another municipality's":  {other, xlsx, 400, "it is the sheet of municipality 751, not of 101"},
		"larger than the limit":   {bytes.Repeat([]byte("x"), usage.MaxSheetBytes+1), xlsx, 413, "exceeds 2 MiB"},
		"an empty body":           {[]byte{}, xlsx, 400, "it is not an XLSX workbook"},
	} {
		if len(tc.body) == 0 {
			tc.body = []byte{0}
		}
		resp := upload(tc.body, tc.kind)
		if resp.Status != tc.status || !strings.Contains(string(resp.Body), tc.says) {
			t.Errorf("%s: %d %s", name, resp.Status, resp.Body)
		}
	}
	t.Logf("ten hostile files refused in %s", time.Since(start).Round(time.Millisecond))
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/usage-mapping/history", Token: spoc}).Decode(t, &history)
	if len(history.Items) != 8 {
		t.Errorf("a hostile file changed the answers: %d", len(history.Items))
	}
}
