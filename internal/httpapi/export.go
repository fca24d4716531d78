package httpapi

import (
	"bytes"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/tabular"
)

// exportable is a report that can be a file: its tables, the first of them a CSV's.
type exportable interface {
	Sheets() []tabular.Sheet
	FileName() string
}

// exportFormat reads the format parameter: "" (JSON), csv or xlsx.
func exportFormat(c *gin.Context) (string, error) {
	switch f := c.Query("format"); f {
	case "", "csv", "xlsx":
		return f, nil
	}
	return "", apperr.Param("format", "must be csv, xlsx or absent")
}

// exported answers rep (or err) as JSON, or as a CSV or XLSX attachment.
func (s *Server) exported(c *gin.Context, format string, rep exportable, err error) {
	if err != nil {
		s.fail(c, err)
		return
	}
	name, kind := rep.FileName(), ""
	var buf bytes.Buffer
	switch format {
	case "":
		c.JSON(200, rep)
		return
	case "csv":
		err = tabular.WriteCSV(&buf, rep.Sheets()[0])
		name, kind = name+".csv", "text/csv; charset=utf-8"
	case "xlsx":
		err = tabular.WriteXLSX(&buf, rep.Sheets()...)
		name, kind = name+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(200, kind, buf.Bytes())
}
