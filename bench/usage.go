package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"
)

// usageSeed is the usage mapping of the bench: 492 systems the secretariat accepted beside the
// catalogue's 8, so that a municipality's sheet has 500 rows; nine in ten of them answered by
// every municipality; and the key figures kept from those answers, as the product computes them.
var usageSeed = []string{
	`INSERT INTO usage_system_proposals (id, municipality, domain, name, state, system_id, proposed_by, proposed_at, decided_by, decided_at, version)
	   SELECT md5('bench-system' || n)::uuid, '101', 'DOM-' || lpad((1 + n % 14)::text, 2, '0'), 'Bench system ' || n, 'accepted',
	          'SYS-B' || lpad(n::text, 3, '0'), 'bench', now(), 'bench', now(), 2
	     FROM generate_series(1, 492) n`,
	`INSERT INTO usage_answers (municipality, system_id, answer, answered_by, answered_at, source)
	   SELECT m.code, 'SYS-B' || lpad(n::text, 3, '0'), (ARRAY['primary', 'secondary', 'not_used'])[1 + abs(hashtext(m.code || n)) % 3],
	          'bench', now(), 'api'
	     FROM municipalities m CROSS JOIN generate_series(1, 492) n WHERE abs(hashtext(m.code || '/' || n)) % 10 <> 0`,
	`WITH systems AS (
	      SELECT e->>'id' AS id, e->'attributes'->>'domain' AS domain
	        FROM catalog_entries c, jsonb_array_elements(c.doc->'entries') e WHERE c.kind = 'vocabulary' AND c.id = 'it-systems'
	      UNION ALL SELECT system_id, domain FROM usage_system_proposals WHERE state = 'accepted'),
	   answers AS (SELECT DISTINCT ON (municipality, system_id) municipality, system_id, answer FROM usage_answers
	                ORDER BY municipality, system_id, n DESC),
	   grid AS (SELECT m.code, s.domain, a.answer FROM municipalities m CROSS JOIN systems s
	              LEFT JOIN answers a ON a.municipality = m.code AND a.system_id = s.id)
	 INSERT INTO adoption_figures (municipality, domain, systems, answered, used, "primary", computed_at)
	 SELECT code, d, count(*), count(answer), count(*) FILTER (WHERE answer IN ('primary', 'secondary')),
	        count(*) FILTER (WHERE answer = 'primary'), now()
	   FROM grid CROSS JOIN LATERAL (VALUES (domain), ('')) v(d) GROUP BY code, d
	 ON CONFLICT (municipality, domain) DO UPDATE SET systems = EXCLUDED.systems, answered = EXCLUDED.answered, used = EXCLUDED.used,
	        "primary" = EXCLUDED."primary", computed_at = EXCLUDED.computed_at`,
	`INSERT INTO adoption_targets (domain, target_percent, set_by, set_at) SELECT 'DOM-' || lpad(n::text, 2, '0'), 60, 'bench', now()
	   FROM generate_series(1, 14) n ON CONFLICT DO NOTHING`,
}

// uploadName is the sheet bench's name for -run.
const uploadName = "upload of a 500-row mapping sheet"

// uploadReport is the sheet bench: municipality 101's workbook of 500 systems, filled in anew
// and uploaded one at a time, each checked row by row and stored in one transaction.
type uploadReport struct {
	Scenario string  `json:"scenario"`
	Rows     int     `json:"rows"`
	Uploads  int     `json:"uploads"`
	Bytes    int     `json:"bytes"`
	Changed  int     `json:"changed_per_upload"` // the answers the last upload changed
	P50      float64 `json:"p50_ms"`
	Max      float64 `json:"max_ms"`
}

// benchUploads downloads 101's sheet, and n times fills every answer in anew and uploads it.
func benchUploads(product, token string, n int) (uploadReport, error) {
	c := &http.Client{Timeout: time.Minute}
	u := product + "/api/v1/municipalities/101/usage-mapping/sheet"
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", token)
	resp, err := c.Do(req)
	if err != nil {
		return uploadReport{}, err
	}
	sheet, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return uploadReport{}, fmt.Errorf("GET %s: %d %s", u, resp.StatusCode, sheet)
	}
	answers := []string{"primær", "sekundær", "anvendes ikke"}
	var took []float64
	r := uploadReport{Scenario: uploadName, Uploads: n}
	for i := range n {
		f, err := excelize.OpenReader(bytes.NewReader(sheet))
		if err != nil {
			return r, err
		}
		rows, err := f.GetRows("Systemer")
		if err != nil {
			return r, err
		}
		for row := 2; row <= len(rows); row++ {
			f.SetCellValue("Systemer", fmt.Sprintf("E%d", row), answers[(row+i)%3])
		}
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			return r, err
		}
		r.Rows, r.Bytes = len(rows)-1, b.Len()
		t0 := time.Now()
		body, err := post(c, u, token, b.Bytes(), map[string]string{"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"Idempotency-Key": fmt.Sprintf("upload-%d-%d", runID, i)})
		if err != nil {
			return r, err
		}
		took = append(took, ms(time.Since(t0)))
		var up struct{ Rows, Changed int }
		if err := json.Unmarshal(body, &up); err != nil || up.Rows != r.Rows {
			return r, fmt.Errorf("upload %d answered %d rows of %d (%v): %s", i, up.Rows, r.Rows, err, body)
		}
		r.Changed = up.Changed
	}
	sort.Float64s(took)
	r.P50, r.Max = took[len(took)/2], maxOf(took)
	return r, nil
}

func (r uploadReport) print(w io.Writer) {
	fmt.Fprintf(w, "%s (%d rows, %d KB, %d uploads one at a time, %d answers changed by each): p50 %.0fms, max %.0fms per upload\n",
		r.Scenario, r.Rows, r.Bytes>>10, r.Uploads, r.Changed, r.P50, r.Max)
}
