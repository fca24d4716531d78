package httpapi

import (
	"bytes"
	"fmt"
	"mime"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/usage"
)

// getUsageMapping godoc
// @Summary  The municipality's IT-system usage mapping: every domain's systems with its current answers
// @Description The domains and systems are the catalogue's (example data until the official lists are loaded) and the
// @Description systems municipalities proposed that the secretariat accepted. An answer is primary, secondary (limited
// @Description use, such as read-only access to old cases) or not_used, with who gave it and when; null while unanswered.
// @Description The municipality reads its own; the secretariat, the council and auditors every municipality's.
// @ID       getUsageMapping
// @Tags     usage mapping
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Success  200 {object} usage.Mapping
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/usage-mapping [get]
func (s *Server) getUsageMapping(c *gin.Context) {
	m, err := s.Usage.Mapping(ctx(c), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, m)
}

// answerUsage godoc
// @Summary  Answer how the municipality uses IT systems (SPOC): one, some or all at once
// @Description Only the answers that change the mapping are stored, each with who and when; every earlier answer is
// @Description kept. One problem in the list refuses all of it, each named by its place.
// @ID       answerUsage
// @Tags     usage mapping
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string           true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string           true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   usage.NewAnswers true "The answers"
// @Success  201 {object} usage.Mapping
// @Failure  400 {object} Problem "A system the mapping does not have, one answered twice, or an answer that is not primary, secondary or not_used."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/usage-mapping/answers [post]
func (s *Server) answerUsage(c *gin.Context) {
	creates(s, c, func(in usage.NewAnswers) (usage.Mapping, int, error) {
		m, err := s.Usage.Answer(ctx(c), c.Param("code"), in, usage.FromAPI)
		return m, 1, err
	})
}

// listUsageHistory godoc
// @Summary  Every answer the municipality gave, oldest first
// @ID       listUsageHistory
// @Tags     usage mapping
// @Produce  json,application/problem+json
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    system query string false "Only this system's answers, e.g. SYS-ESDH" maxLength(40)
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[usage.Given]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/usage-mapping/history [get]
func (s *Server) listUsageHistory(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[usage.Given], error) {
		return s.Usage.History(ctx(c), c.Param("code"), c.Query("system"), p)
	})
}

// submitUsageMapping godoc
// @Summary  Submit the municipality's mapping (SPOC): the evidence the mapping task asks for
// @ID       submitUsageMapping
// @Tags     usage mapping
// @Produce  json,application/problem+json
// @Param    code            path   string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string true "A key of your choice, unique per change (8-255 characters)"
// @Success  201 {object} usage.Submission
// @Failure  409 {object} Problem "Nothing is answered yet."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/usage-mapping/submissions [post]
func (s *Server) submitUsageMapping(c *gin.Context) {
	sub, err := s.Usage.Submit(ctx(c), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, 1, sub)
}

// proposeSystem godoc
// @Summary  Propose an IT system the list lacks (SPOC); the secretariat decides
// @ID       proposeSystem
// @Tags     usage mapping
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string            true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string            true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   usage.NewProposal true "The system"
// @Success  201 {object} usage.Proposal
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/usage-mapping/proposals [post]
func (s *Server) proposeSystem(c *gin.Context) {
	creates(s, c, func(in usage.NewProposal) (usage.Proposal, int, error) {
		p, err := s.Usage.Propose(ctx(c), c.Param("code"), in)
		return p, p.Version, err
	})
}

// listMunicipalityProposals godoc
// @Summary  The systems the municipality proposed, oldest first
// @ID       listMunicipalityProposals
// @Tags     usage mapping
// @Produce  json,application/problem+json
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    state  query string false "Only proposals in this state" Enums(proposed,accepted,rejected)
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[usage.Proposal]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/usage-mapping/proposals [get]
func (s *Server) listMunicipalityProposals(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[usage.Proposal], error) {
		return s.Usage.Proposals(ctx(c), c.Param("code"), usage.State(c.Query("state")), p)
	})
}

// listProposedSystems godoc
// @Summary  The systems municipalities proposed (secretariat, council), oldest first
// @ID       listProposedSystems
// @Tags     usage mapping
// @Produce  json,application/problem+json
// @Param    state  query string false "Only proposals in this state" Enums(proposed,accepted,rejected)
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[usage.Proposal]
// @Security BearerAuth
// @Router   /api/v1/usage-mapping/proposals [get]
func (s *Server) listProposedSystems(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[usage.Proposal], error) {
		return s.Usage.Proposals(ctx(c), "", usage.State(c.Query("state")), p)
	})
}

// decideProposedSystem godoc
// @Summary  Accept a proposed system into the list every municipality maps, or reject it (secretariat)
// @ID       decideProposedSystem
// @Tags     usage mapping
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id   path string         true "Proposal id" format(uuid)
// @Param    body body usage.Decision true "accepted with the system's id, or rejected with the reason"
// @Success  200 {object} usage.Proposal
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  409 {object} Problem "Decided already."
// @Security BearerAuth
// @Router   /api/v1/usage-mapping/proposals/{id}/decision [post]
func (s *Server) decideProposedSystem(c *gin.Context) {
	id, err := idParam(c, "id", "proposal")
	var in usage.Decision
	if err == nil {
		err = bind(c, &in)
	}
	var p usage.Proposal
	if err == nil {
		p, err = s.Usage.Decide(ctx(c), id, in)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, p.Version, p)
}

// xlsxType is the media type of an Excel workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// downloadUsageSheet godoc
// @Summary  The municipality's mapping as a workbook to fill in
// @Description A read-me sheet (LÆS MIG), then the sheet Systemer: a row per system with its current answer, a
// @Description drop-down on the answer column (primær, sekundær, anvendes ikke), every cell locked but the answers
// @Description and notes. Fill it in and upload it again.
// @ID       downloadUsageSheet
// @Tags     usage mapping
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Success  200 {file} file "The workbook"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/usage-mapping/sheet [get]
func (s *Server) downloadUsageSheet(c *gin.Context) {
	var buf bytes.Buffer
	if err := s.Usage.Sheet(ctx(c), c.Param("code"), &buf); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="usage-mapping-`+c.Param("code")+`.xlsx"`)
	c.Data(200, xlsxType, buf.Bytes())
}

// uploadUsageSheet godoc
// @Summary  Upload the filled-in workbook (SPOC): every row is checked; nothing is stored unless all is right
// @Description The body is the .xlsx file itself. Its problems come in one answer, each named by sheet and cell
// @Description (/Systemer/E12). A file that is not an XLSX workbook, unpacks to more than 20 MiB, links to other
// @Description files, carries macros or formulas, has more than 2,000 rows, or is another municipality's sheet is
// @Description refused whole. The stored file's SHA-256 is kept with the answers it changed; the same file again
// @Description changes nothing (replayed: true).
// @ID       uploadUsageSheet
// @Tags     usage mapping
// @Accept   application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Produce  json,application/problem+json
// @Param    code            path   string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string true "A key of your choice, unique per change (8-255 characters)"
// @Param    workbook        body   string true "The workbook (.xlsx), at most 2 MiB" format(binary)
// @Success  201 {object} usage.Upload
// @Failure  400 {object} Problem "The file or its rows have problems; nothing was stored."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/usage-mapping/sheet [post]
func (s *Server) uploadUsageSheet(c *gin.Context) {
	file, err := fileBody(c, xlsxType, usage.MaxSheetBytes)
	var u usage.Upload
	if err == nil {
		u, err = s.Usage.Upload(ctx(c), c.Param("code"), file)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, 1, u)
}

// fileBody reads a request body that is a file of media type kind, of at most limit bytes.
func fileBody(c *gin.Context, kind string, limit int64) ([]byte, error) {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != kind && mt != "application/octet-stream" {
		return nil, apperr.Header(apperr.UnsupportedMedia, "Content-Type", "the body must be the file itself, sent as "+kind)
	}
	return readBody(c, limit, fmt.Sprintf("the file exceeds %d MiB", limit>>20))
}

// getAdoption godoc
// @Summary  The municipality's adoption key figures, each against its peer group
// @Description Connection (systems answered of those mapped), adoption (primary of those used) and goal fulfilment
// @Description (against the council's targets), per domain and for all, each with its description, numerator and
// @Description denominator, and its data quality: from answers, partly (the unanswered left out), or default (nothing
// @Description answered: the peer group's median stands in, said so). The peer group is the region's municipalities,
// @Description by median and quartiles, never a ranking, and not shown below five. Kept current as answers change.
// @Description peer=population compares within the population band, peer=municipality_group within Danmarks
// @Description Statistik's group, once the secretariat has filled those in.
// @ID       getAdoption
// @Tags     usage mapping
// @Produce  json,application/problem+json
// @Param    code path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    peer   query string false "The peer group: the region (by default), the population band or Danmarks Statistik's group" Enums(region,population,municipality_group)
// @Param    format query string false "csv or xlsx" Enums(csv,xlsx)
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Success  200 {object} usage.Figures
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/adoption [get]
func (s *Server) getAdoption(c *gin.Context) {
	format, err := exportFormat(c)
	var f usage.Figures
	if err == nil {
		f, err = s.Usage.Figures(ctx(c), c.Param("code"), c.Query("peer"))
	}
	s.exported(c, format, f, err)
}

// fleetAdoption godoc
// @Summary  The fleet's adoption figures (secretariat, council): every peer group, domain and key figure
// @Description Per peer group (the regions by default, or the population bands or Danmarks Statistik's groups),
// @Description domain and key figure: how many municipalities, how many answered all, some or none, and the median
// @Description and quartiles of those with the figure from their own answers (not shown below five). Groups are
// @Description compared; municipalities are never ranked.
// @ID       fleetAdoption
// @Tags     usage mapping
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Param    peer   query string false "The peer groups" Enums(region,population,municipality_group)
// @Param    format query string false "csv or xlsx" Enums(csv,xlsx)
// @Success  200 {object} usage.Fleet
// @Security BearerAuth
// @Router   /api/v1/adoption [get]
func (s *Server) fleetAdoption(c *gin.Context) {
	format, err := exportFormat(c)
	var f usage.Fleet
	if err == nil {
		f, err = s.Usage.Fleet(ctx(c), c.Query("peer"))
	}
	s.exported(c, format, f, err)
}

// listAdoptionTargets godoc
// @Summary  The council's adoption targets per domain
// @ID       listAdoptionTargets
// @Tags     usage mapping
// @Produce  json,application/problem+json
// @Success  200 {array} usage.Target
// @Security BearerAuth
// @Router   /api/v1/adoption-targets [get]
func (s *Server) listAdoptionTargets(c *gin.Context) {
	ts, err := s.Usage.Targets(ctx(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, ts)
}

// setAdoptionTarget godoc
// @Summary  Set a domain's adoption target (council)
// @Description If-Match: the target's ETag, or * for a domain without a target yet.
// @ID       setAdoptionTarget
// @Tags     usage mapping
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id       path   string          true "Domain id, e.g. DOM-12"
// @Param    If-Match header string          true "The target's ETag, or * for a new one"
// @Param    body     body   usage.NewTarget true "The share of used systems to be primary, in percent"
// @Success  200 {object} usage.Target
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/adoption-targets/{id} [put]
func (s *Server) setAdoptionTarget(c *gin.Context) {
	version, err := ifMatch(c)
	var in usage.NewTarget
	if err == nil {
		err = bind(c, &in)
	}
	var t usage.Target
	if err == nil {
		t, err = s.Usage.SetTarget(ctx(c), c.Param("id"), version, in)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, t.Version, t)
}
